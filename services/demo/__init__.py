"""The demo: 新和县, its towns, villages and units, a simulated year."""
