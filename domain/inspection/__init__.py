"""Inspection files (纪检监察核查档案): what an inspector opened, linked, read,
noted and found.
"""
