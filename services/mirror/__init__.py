"""Mirrors: a prefecture holds and verifies its counties' records.

See docs/federation.md.
"""
