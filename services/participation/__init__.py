"""Public participation: 建议提案 figures, supervisors, questionnaires, plans."""
