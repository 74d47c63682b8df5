"""A Xinxiang tenant built through the HTTP API: the program, its institutions and firms.

Shared by the rule tests and the year test; every record is made by the role that makes it
in the seed (the office sets up, banks register their own loans).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from riskshare.testing import today
from riskshare_xinxiang.demo import (
    BANK_FACTS,
    CREDIT_REPORT,
    GUARANTOR_FACTS,
    loan_body,
    uscc,
)

# Institutions' names, Chinese as in the seed's world, so the explanations' Chinese sentences
# hold no English (riskshare.testing.english_in_chinese).
NAMES = {
    "bank-a": "新乡甲银行",
    "bank-b": "新乡乙银行",
    "bank-c": "新乡丙银行",
    "guar-a": "新乡甲融资担保公司",
    "guar-x": "新乡乙融资担保公司",
}


@dataclass
class World:
    api: Any
    program: dict
    institutions: dict[str, dict] = field(default_factory=dict)
    firms: dict[str, dict] = field(default_factory=dict)
    serial: int = 0

    # ------------------------------------------------------------------ callers

    def office(self):
        return self.api.as_("office")

    def bank(self, code: str = "bank-a"):
        return self.api.as_("lender", institution=code)

    def guarantor(self, code: str = "guar-a"):
        return self.api.as_("guarantor", institution=code)

    @property
    def pid(self) -> int:
        return self.program["id"]

    # ------------------------------------------------------------------ records

    def institution(self, code: str, kind: str, **attributes: Any) -> dict:
        name = NAMES.get(code, code.upper())
        inst = self.office().ok(
            "POST",
            "/institutions",
            {"code": code, "name": name, "kind": kind, "attributes": attributes},
            status=201,
        )
        self.institutions[code] = inst
        return inst

    def firm(self, name: str, *, division: str = "410702", **overrides: Any) -> dict:
        self.serial += 1
        body = {
            "uscc": uscc(self.serial, division),  # 410702: 新乡市红旗区
            "name": name,
            "industry": "industry",
            "employees": 50,
            "revenue": "8000000",
            **overrides,
        }
        firm = self.office().ok("POST", "/firms", body, status=201)
        self.firms[name] = firm
        return firm

    def loan(
        self,
        firm: str,
        reference: str,
        principal: str,
        *,
        bank: str = "bank-a",
        issued: str = "2022-03-01",
        kind: str = "credit",
        status: int = 201,
        **extra: Any,
    ) -> dict:
        attributes = {"via_platform": True, **extra.pop("attributes", {})}
        body = loan_body(
            self.pid,
            self.firms[firm]["id"],
            self.institutions[bank]["id"],
            reference,
            principal,
            issued,
            kind=kind,
            attributes=attributes,
            **extra,
        )
        return self.bank(bank).ok("POST", "/loans", body, status=status)

    def event(self, caller, loan: dict, kind: str, on: str, status: int = 201, **body: Any):
        return caller.ok(
            "POST",
            f"/loans/{loan['id']}/events",
            {"kind": kind, "event_date": on, **body},
            status=status,
        )

    def default(self, loan: dict, overdue_on: str, filed_on: dt.date, bank: str = "bank-a"):
        """The loan goes overdue, the bank files it and reclassifies it as a loss."""
        today(self.api, filed_on)
        self.event(self.bank(bank), loan, "overdue_filing", overdue_on)
        self.event(
            self.bank(bank), loan, "classification_change", overdue_on, classification="loss"
        )

    def claim(self, caller, loan: dict, principal: str, *, documents=None, status: int = 201):
        return caller.ok(
            "POST",
            "/claims",
            {
                "loan_id": loan["id"],
                "claimed_principal": principal,
                "documents": [CREDIT_REPORT] if documents is None else documents,
            },
            status=status,
        )

    def approve(self, claim: dict, opinion: str = "符合条件，同意补偿") -> dict:
        return self.api.as_("reviewer").ok(
            "POST",
            f"/claims/{claim['id']}/reviews",
            {"decision": "approve", "opinion": opinion},
            status=201,
        )


def build(
    api,
    *,
    config: dict | None = None,
    on: dt.date = dt.date(2022, 1, 4),
    fund_total: str = "29000000.00",
    window: tuple[str, str] = ("2021-08-20", "2024-08-19"),
) -> World:
    """The program (defaults = the 2021 text: its config, and the fund and window X-01 and
    X-02 read from the program), two banks, a guarantee company, firms."""
    today(api, on)
    program = api.as_("office").ok(
        "POST",
        "/programs",
        {
            "code": f"xinxiang-{window[0][:4]}",
            "name": "新乡市小微企业贷款风险补偿资金",
            "policy": "xinxiang",
            "config": config or {},
            "fund_total": fund_total,
            "effective_from": window[0],
            "effective_to": window[1],
        },
        status=201,
    )
    world = World(api, program)
    world.institution("bank-a", "bank", **BANK_FACTS)
    world.institution("bank-b", "bank", **BANK_FACTS)
    world.institution("guar-a", "guarantor", **GUARANTOR_FACTS)
    world.institution("guar-x", "guarantor", **{**GUARANTOR_FACTS, "provincial_reguarantee": False})
    world.firm("small-a")
    return world
