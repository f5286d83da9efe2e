"""Reports: the annual 政府信息公开工作年度报告 and its renderers (text, XLSX, PDF)."""
