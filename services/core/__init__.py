"""What every capability builds on: the application base, log batches, the reference
cache, the view catalogue.
"""
