"""Disclosures (公开事项): publish, revise, withdraw; the county overview and catalogue
coverage.
"""
