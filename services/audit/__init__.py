"""The tamper-evident audit trail: checkpoints, witnesses, verification, evidence
bundles.
"""
