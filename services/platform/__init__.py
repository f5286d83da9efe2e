"""The running platform: the composition root that builds every application and view
from settings, and its watchdog.
"""
