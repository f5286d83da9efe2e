"""Tenants (counties, towns, villages, units) and the reference data their commands
decide on.
"""
