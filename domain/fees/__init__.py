"""Fees (收费): the published fee standard, 征收通知书 and 集中会审 of reductions."""
