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
    return program, bank, create_firm(api)


def create_firm(api):
    """Firm A, a small industrial firm, registered by bank-a's lender."""
    return api.as_("lender", institution="bank-a").ok(
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


def approve_claims(api, firm, bank, count, principal="100000.00", prefix="L"):
    """``count`` covered, non-performing loans of bank-a, each with an approved claim (the
    toy policy pays 40% of the claimed principal)."""
    lender = api.as_("lender", institution="bank-a")
    claims = []
    for n in range(count):
        loan = register_loan(api, firm, bank, f"{prefix}-{n}", principal, classification="loss")
        claim = lender.ok(
            "POST", "/claims", {"loan_id": loan["id"], "claimed_principal": principal}, status=201
        )
        claims.append(
            api.as_("reviewer").ok(
                "POST",
                f"/claims/{claim['id']}/reviews",
                {"decision": "approve", "opinion": "ok"},
                status=201,
            )
        )
    return claims


def approved_plan(api, program, day):
    """Propose, submit and approve the plan of ``day``'s period."""
    office = api.as_("office")
    plan = office.ok("POST", "/plans", {"program_id": program["id"], "day": day}, status=201)
    office.ok("POST", f"/plans/{plan['id']}/submit")
    return api.as_("approver").ok("POST", f"/plans/{plan['id']}/approve")


def sound_ledger(api, program):
    """The program's ledger, asserted balanced with every signed account on its side."""
    ledger = api.as_("auditor").ok("GET", f"/programs/{program['id']}/ledger")
    assert ledger["wrong_side"] == [] and ledger["balanced"] is True, ledger
    return ledger
