"""Disclosures (公开事项): publish, revise, withdraw; the county overview and catalogue
coverage; the lists every count on a page or in an export is the total of.
"""
