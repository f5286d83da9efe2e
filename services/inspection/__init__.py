"""Inspection files (纪检监察核查): commands, timelines, replay at a moment,
evidence.
"""
