"""Recoveries on compensated loans, and write-offs of what cannot be recovered."""
