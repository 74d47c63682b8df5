"""Factories shared by the core tests: records created through the API."""

from __future__ import annotations

USCC = "91110108551385082Q"


def setup_program(api, **config):
    office = api.as_("office")
    program = office.ok(
        "POST",
        "/programs",
        {
            "code": "toy-2024",
            "name": "Toy fund",
            "policy": "toy",
            "config": config,
            "fund_total": "1000000.00",
            "effective_from": "2024-01-01",
            "effective_to": "2026-12-31",
        },
        status=201,
    )
    bank = office.ok(
        "POST", "/institutions", {"code": "bank-a", "name": "Bank A", "kind": "bank"}, status=201
    )
    firm = api.as_("lender", institution="bank-a").ok(
        "POST",
        "/firms",
        {
            "uscc": USCC,
            "name": "Firm A",
            "industry": "industry",
            "employees": 25,
            "revenue": "5000000",
        },
        status=201,
    )
    return program, bank, firm


def register_loan(api, firm, bank, reference="L-1", principal="500000.00", **extra):
    """A credit loan of bank-a, registered by its lender; ``extra`` overrides fields."""
    body = {
        "firm_id": firm["id"],
        "lender_id": bank["id"],
        "reference": reference,
        "kind": "credit",
        "principal": principal,
        "issue_date": "2024-03-01",
        "maturity_date": "2025-03-01",
        **extra,
    }
    return api.as_("lender", institution="bank-a").ok("POST", "/loans", body, status=201)
