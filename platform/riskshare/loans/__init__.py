"""Loans and their events: overdue filings, classification changes, payouts, closure."""
