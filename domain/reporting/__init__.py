"""The annual 政府信息公开工作年度报告: the national format as data, and its drafts."""
