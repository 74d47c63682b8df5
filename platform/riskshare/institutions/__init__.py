"""Institutions: banks, guarantors, insurers, and whatever kinds the policies add."""
