"""Disbursements: payments instructed by an approved plan and confirmed by the payer."""
