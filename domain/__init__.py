"""The talentcard domain: the Card aggregate, its events and invariants, and policy rules.

This package imports nothing from ledger/, signing/, projections/ or api/ (a test checks it).
"""
