"""Three approved claims of bank-a on the toy program, for the plan and payment units."""

from __future__ import annotations

import datetime as dt

from factories import approve_claims, setup_program
from riskshare.testing import today

APPROVED_ON = dt.date(2024, 6, 10)
AFTER_H1 = dt.date(2024, 7, 2)


def three_claims(api):
    """Three claims of 40,000 each (40% of 100,000), approved on 10 June 2024; the clock
    stands at 2 July 2024, after the first half-year the toy policy plans by."""
    today(api, APPROVED_ON)
    program, bank, firm = setup_program(api)
    api.as_("office").ok(
        "POST", "/institutions", {"code": "bank-b", "name": "Bank B", "kind": "bank"}, status=201
    )
    claims = approve_claims(api, firm, bank, 3)
    today(api, AFTER_H1)
    return program, bank, [c["id"] for c in claims]
