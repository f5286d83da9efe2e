"""Official documents: numbered series (编号管理) and the 公文 form (GB/T 9704-2012)."""
