"""A Riverside tenant built through the HTTP API, shared by the Riverside tests."""

from __future__ import annotations

import datetime as dt

from stdnum.cn.uscc import calc_check_digit

from riskshare.testing import today

LOSS = {"classification": "loss"}


def uscc(serial: int) -> str:
    base = f"91990100MA{serial:07d}"
    return base + calc_check_digit(base)


class County:
    """A Riverside tenant: the program, two banks, a guarantee company, the trust company."""

    def __init__(self, api):
        self.api = api
        today(api, dt.date(2025, 1, 6))
        office = api.as_("office")
        self.program = office.ok(
            "POST",
            "/programs",
            {
                "code": "riverside-2025",
                "name": "示例县贷款风险补偿资金",
                "policy": "riverside",
                "config": {"trustee": "trust"},
                "fund_total": "5000000.00",
                "effective_from": "2025-01-01",
                "effective_to": "2027-12-31",
            },
            status=201,
        )
        self.institutions = {
            code: office.ok(
                "POST", "/institutions", {"code": code, "name": code.upper(), "kind": kind}, 201
            )
            for code, kind in (
                ("bank-a", "bank"),
                ("bank-b", "bank"),
                ("guar-a", "guarantor"),
                ("trust", "trust_company"),
            )
        }
        self.firms = {}
        self.serial = 0

    def firm(self, name: str, **attributes) -> dict:
        self.serial += 1
        body = {
            "uscc": uscc(self.serial),
            "name": name,
            "industry": "industry",
            "employees": 40,
            "revenue": "9000000",
            "attributes": attributes,
        }
        self.firms[name] = self.api.as_("office").ok("POST", "/firms", body, status=201)
        return self.firms[name]

    def loan(self, firm, reference, principal, *, bank="bank-a", mode="bank", status=201, **more):
        body = {
            "firm_id": self.firms[firm]["id"],
            "lender_id": self.institutions[bank]["id"],
            "reference": reference,
            "kind": "credit",
            "principal": principal,
            "issue_date": "2025-01-06",
            "maturity_date": "2026-01-06",
            "attributes": {"mode": mode},
            **more,
        }
        return self.api.as_("lender", institution=bank).ok("POST", "/loans", body, status=status)

    def claim(self, loan, principal, *, by=("lender", "bank-a"), status=201):
        return self.api.as_(by[0], institution=by[1]).ok(
            "POST",
            "/claims",
            {"loan_id": loan["id"], "claimed_principal": principal},
            status=status,
        )

    def committee_approves(self, claim):
        return self.api.as_("committee").ok(
            "POST",
            f"/claims/{claim['id']}/reviews",
            {"decision": "approve", "opinion": "同意"},
            status=201,
        )

    def plan(self, day: str):
        return self.api.as_("office").ok(
            "POST", "/plans", {"program_id": self.program["id"], "day": day}, status=201
        )

    def trustee(self):
        return self.api.as_("trustee", institution="trust")

    def base(self) -> str:
        return f"/programs/{self.program['id']}"
