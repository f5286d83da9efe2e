"""Assessment (考核): campaigns, metrics, notices, rankings, conduct and responsibility
statements.
"""
