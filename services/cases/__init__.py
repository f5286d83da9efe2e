"""Cases (一事一办): file, route, handle, reply, close; the applicant's data
and the 受理回执号.
"""
