"""Demo data for the Yanqing tenant: a program with firms at each step, made over HTTP.

``riskshare.demo.load_demo`` creates the tenant with its institutions (yq-drc, yq-custodian,
yq-bank-bj, yq-guarantee, yq-insurer, yq-tourism) and one firm; this adds the program and
the policy's records through the API with development tokens, so every rule runs as it
would for real users. It is idempotent: a tenant that has the program already is left alone.
"""

from __future__ import annotations

import base64
from typing import Any

from stdnum.cn.uscc import calc_check_digit

from riskshare.testing.client import ApiClient
from riskshare_yanqing.config import PANEL_SEATS, REQUIRED_DOCUMENTS

CODE = "yanqing-2025"
# (name, grade the panel votes, how far the firm gets)
FIRMS = (
    ("延庆低空物流有限公司", "medium", "claimed"),
    ("延庆冰雪文旅有限公司", "low", "financed"),
    ("延庆智慧农业有限公司", "high", "awaiting_approval"),
    ("延庆科创材料有限公司", None, "recommended"),
)


def documents(*kinds: str) -> list[dict[str, str]]:
    """Small stand-in files of the given kinds, as the API takes them (base64)."""
    return [
        {
            "kind": kind,
            "filename": f"{kind}.pdf",
            "content_type": "application/pdf",
            "content_base64": base64.b64encode(f"%PDF demo {kind}".encode()).decode(),
        }
        for kind in kinds
    ]


def load_demo(app: Any, tenant: str = "yanqing") -> dict[str, Any] | None:
    api = ApiClient(app, tenant)
    office = api.as_("office")
    if any(p["code"] == CODE for p in office.ok("GET", "/programs")):
        return None
    program = office.ok(
        "POST",
        "/programs",
        {
            "code": CODE,
            "name": "延庆区中小微企业融资风险补偿",
            "policy": "yanqing",
            "config": {},
            "fund_total": "30000000.00",
            "effective_from": "2025-01-01",
            "effective_to": "2027-12-31",
        },
        status=201,
    )
    insts = {i["code"]: i for i in office.ok("GET", "/institutions?page_size=100")}
    recommender = api.as_("recommender", institution="yq-tourism")
    made = []
    for n, (name, grade, stage) in enumerate(FIRMS, 1):
        body = f"91110229MA{n + 9000:07d}"
        firm = recommender.ok(
            "POST",
            "/firms",
            {
                "uscc": body + calc_check_digit(body),
                "name": name,
                "industry": "software_it",
                "employees": 40,
                "revenue": "6000000",
            },
            status=201,
        )
        made.append(_advance(api, program, insts, firm, grade, stage))
    api.as_("custodian", institution="yq-custodian").ok(
        "POST",
        f"/yanqing/programs/{program['id']}/gains",
        {"amount": "150000.00", "reference": "demo-gain"},
        key=f"{tenant}-demo-gain",
        status=201,
    )
    return {"program": program, "firms": made}


def _advance(api: ApiClient, program: dict, insts: dict, firm: dict, grade, stage: str) -> dict:
    yq = f"/yanqing/programs/{program['id']}"
    rec = api.as_("recommender", institution="yq-tourism").ok(
        "POST",
        f"{yq}/recommendations",
        {
            "firm_id": firm["id"],
            "financing_need": "2000000.00",
            "focus_sector": "low_altitude_economy",
            "documents": documents(*REQUIRED_DOCUMENTS),
            "credit_record": {"firm_clean": True, "controller_clean": True},
        },
        status=201,
    )
    if stage == "recommended":
        return rec
    path = f"/yanqing/recommendations/{rec['id']}"
    api.as_("office").ok("POST", f"{path}/prescreen", {"decision": "pass", "opinion": "初筛通过"})
    for seat in PANEL_SEATS:
        rec = api.as_("panelist", user=f"demo-{seat}").ok(
            "POST", f"{path}/votes", {"seat": seat, "grade": grade, "opinion": "联审"}
        )
    if stage == "awaiting_approval":
        return rec
    bank = insts["yq-bank-bj"]
    rec = api.as_("office").ok("POST", f"{path}/pushes", {"institution_ids": [bank["id"]]})
    lender = api.as_("lender", institution="yq-bank-bj")
    loan = lender.ok(
        "POST",
        "/loans",
        {
            "firm_id": firm["id"],
            "lender_id": bank["id"],
            "reference": f"DEMO-{firm['id']}",
            "kind": "credit",
            "principal": "2000000.00",
            "issue_date": program["effective_from"],
            "maturity_date": "2026-12-31",
        },
        status=201,
    )
    if stage == "financed":
        return rec
    lender.ok(
        "POST",
        f"/loans/{loan['id']}/events",
        {
            "kind": "classification_change",
            "event_date": program["effective_from"],
            "classification": "substandard",
        },
        status=201,
    )
    lender.ok(
        "POST",
        "/claims",
        {
            "loan_id": loan["id"],
            "claimed_principal": "1200000.00",
            "documents": documents("npl_application"),
        },
        status=201,
    )
    return rec
