"""Official documents (公文): numbered series (编号管理) and the GB/T 9704-2012 form."""
