"""Streams for integrators: CloudEvents, their schemas, the HTTP feed, the Kafka relay,
subscribe.
"""
