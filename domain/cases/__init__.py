"""Cases (投诉/举报/办事/依申请公开): the Case aggregate, its state table,
deadlines, checks, rates, the service catalogue and the applicant's sealed
personal data.
"""
