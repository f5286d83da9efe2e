"""Disclosures (公开事项) and the catalogue (标准目录) they are filed under:
the aggregate, the catalogue's entries and CSV form, timeliness coverage.
"""
