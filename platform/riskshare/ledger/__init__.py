"""The double-entry ledger of each program: every movement of money, balanced."""
