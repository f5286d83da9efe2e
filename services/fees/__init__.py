"""Fees: the fee standard, 征收通知书, 集中会审 of reductions, the supervisor's view."""
