"""The ``gongkai`` command: one module per command group."""
