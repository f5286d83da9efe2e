"""Public participation: 建议提案 figures, social supervisors, questionnaires,
meetings with the public and 限期治理 plans (issue #27)."""
