"""Assessment (考核): campaigns, grading, rankings and the sanction ladder.

The rules of 兴安盟交通局政务公开监督考核办法 (第十条 contents, 第十一条 standards,
第十二条 grades, 第十五条 procedure) and the staff sanction ladder, as pure data and
functions; the aggregates in ``campaign.py`` and ``sanctions.py`` record each step.
"""
