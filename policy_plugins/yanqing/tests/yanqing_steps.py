"""Steps of a Yanqing program over HTTP, shared by the plugin's tests.

Roles as in the seed: a recommending department (recommender), the DRC (office), the finance
bureau (finance), joint-review delegates (panelist), the district government (approver), the
partner bank (lender), the guarantee company (guarantor), the insurer, the custodian.
"""

from __future__ import annotations

from riskshare_yanqing.config import CLAIM_REVIEW_ROLES
from riskshare_yanqing.config import PANEL_SEATS as SEATS
from riskshare_yanqing.config import REQUIRED_DOCUMENTS as DOCUMENTS
from riskshare_yanqing.demo import documents, uscc

YQ = "/yanqing"
INSTITUTIONS = {
    "yq-tourism": "department",
    "yq-town": "town",
    "yq-bank": "bank",
    "yq-guarantee": "guarantor",
    "yq-insurer": "insurer",
    "yq-custodian": "custodian",
}


def setup(api, **config):
    """A Yanqing program of 30,000,000 with the district's institutions; returns (program,
    institutions by code). Y-01: the program's custodian is yq-custodian unless ``config``
    names another."""
    config.setdefault("custodian", "yq-custodian")
    office = api.as_("office")
    program = office.ok(
        "POST",
        "/programs",
        {
            "code": "yanqing-2025",
            "name": "延庆区中小微企业融资风险补偿",
            "policy": "yanqing",
            "config": config,
            "fund_total": "30000000.00",
            "effective_from": "2025-01-01",
            "effective_to": "2027-12-31",
        },
        status=201,
    )
    insts = {
        code: office.ok("POST", "/institutions", {"code": code, "name": code, "kind": kind}, 201)
        for code, kind in INSTITUTIONS.items()
    }
    return program, insts


def firm(
    api,
    n: int,
    *,
    division="110119",
    industry="software_it",
    employees=60,
    revenue="8000000",
    by="yq-tourism",
    **extra,
):
    """A firm registered in Yanqing (Y-02: division 110119, in existence, with a business
    scope) by the department or town ``by``, which alone recommends it (Y-03); ``extra``
    sets or overrides other firm fields (``registered_address`` …)."""
    body = {
        "uscc": uscc(n, division),
        "name": f"延庆企业{n}",
        "industry": industry,
        "employees": employees,
        "revenue": revenue,
        "business_scope": "软件开发、技术服务",
        **extra,
    }
    return api.as_("recommender", institution=by).ok("POST", "/firms", body, status=201)


def recommend(api, program, firm_, *, status=201, recommender="yq-tourism", **overrides):
    body = {
        "firm_id": firm_["id"],
        "financing_need": "5000000.00",
        "focus_sector": "low_altitude_economy",
        "documents": documents(*DOCUMENTS),
        "credit_record": {"controller": "张三", "entries": []},
        **overrides,
    }
    return api.as_("recommender", institution=recommender).ok(
        "POST", f"{YQ}/programs/{program['id']}/recommendations", body, status=status
    )


def prescreen(api, rec, *, guarantor_seat=False):
    return api.as_("office").ok(
        "POST",
        f"{YQ}/recommendations/{rec['id']}/prescreen",
        {"decision": "pass", "opinion": "初筛通过", "guarantor_seat": guarantor_seat},
    )


# Y-06: the bank's and the guarantee company's delegates act for their institutions.
DELEGATES = {"bank": "yq-bank", "guarantor": "yq-guarantee"}


def vote(api, rec, seat, grade, status=200):
    delegate = api.as_("panelist", user=f"delegate-{seat}", institution=DELEGATES.get(seat))
    return delegate.ok(
        "POST",
        f"{YQ}/recommendations/{rec['id']}/votes",
        {"seat": seat, "grade": grade, "opinion": f"{seat}: {grade}"},
        status=status,
    )


def vote_all(api, rec, grades: dict[str, str]):
    result = None
    for seat, grade in grades.items():
        result = vote(api, rec, seat, grade)
    return result


def approve(api, rec, decision="approve", status=200):
    return api.as_("approver").ok(
        "POST",
        f"{YQ}/recommendations/{rec['id']}/approval",
        {"decision": decision, "opinion": "区政府意见"},
        status=status,
    )


def push(api, rec, *institutions):
    return api.as_("office").ok(
        "POST",
        f"{YQ}/recommendations/{rec['id']}/pushes",
        {"institution_ids": [i["id"] for i in institutions]},
    )


def graded_firm(api, program, insts, n, grade, *, guarantor_seat=False, **recommendation):
    """A firm recommended, pre-screened, unanimously graded (approved if high) and pushed."""
    f = firm(api, n, by=recommendation.get("recommender", "yq-tourism"))
    rec = recommend(api, program, f, **recommendation)
    prescreen(api, rec, guarantor_seat=guarantor_seat)
    seats = (*SEATS, "guarantor") if guarantor_seat else SEATS
    rec = vote_all(api, rec, dict.fromkeys(seats, grade))
    if grade == "high":
        rec = approve(api, rec)
    rec = push(api, rec, insts["yq-bank"], insts["yq-guarantee"])
    return f, rec


def register_loan(api, f, insts, reference, kind="credit", principal="5000000.00", **extra):
    body = {
        "firm_id": f["id"],
        "lender_id": insts["yq-bank"]["id"],
        "reference": reference,
        "kind": kind,
        "principal": principal,
        "issue_date": extra.pop("issue_date", "2025-02-01"),
        "maturity_date": "2026-02-01",
        **extra,
    }
    if kind == "guaranteed":
        body.setdefault("guarantor_id", insts["yq-guarantee"]["id"])
    if kind == "insured":
        body.setdefault("insurer_id", insts["yq-insurer"]["id"])
    return api.as_("lender", institution="yq-bank").ok("POST", "/loans", body, status=201)


def non_performing(api, loan, day: str):
    lender = api.as_("lender", institution="yq-bank")
    lender.ok(
        "POST",
        f"/loans/{loan['id']}/events",
        {"kind": "classification_change", "event_date": day, "classification": "substandard"},
        status=201,
    )


def claim(api, loan, principal, *, institution="yq-bank", role="lender", status=201, **attrs):
    return api.as_(role, institution=institution).ok(
        "POST",
        "/claims",
        {
            "loan_id": loan["id"],
            "claimed_principal": principal,
            "attributes": attrs,
            "documents": documents("npl_application"),
        },
        status=status,
    )


def joint_review(api, claim_, seats=SEATS):
    """Y-12: the units that graded the firm (the seats of its joint review) all approve."""
    for role in review_roles(seats):
        result = api.as_(role).ok(
            "POST",
            f"/claims/{claim_['id']}/reviews",
            {"decision": "approve", "opinion": "联合审核通过"},
            status=201,
        )
    return result


def review_roles(seats=SEATS):
    """The roles that review a claim for the seats of its firm's joint review (Y-12)."""
    return [CLAIM_REVIEW_ROLES[seat] for seat in seats]


def ledger(api, program):
    return api.as_("auditor").ok("GET", f"/programs/{program['id']}/ledger")


def half_year_plan(api, program, day):
    """Y-12: the DRC's half-year plan of approved claims, approved by the district."""
    office = api.as_("office")
    plan = office.ok("POST", "/plans", {"program_id": program["id"], "day": day}, status=201)
    office.ok("POST", f"/plans/{plan['id']}/submit")
    api.as_("approver").ok("POST", f"/plans/{plan['id']}/approve")
    return plan


def paid_on_its_own(api, program, period="2025-H1", reason="特殊情况：合作银行代偿资金急需"):
    """Y-12: the DRC asks, with its reason, for a first half year's own compensation notice
    (by default the notice goes out once a year), and the finance bureau approves."""
    asked = api.as_("office").ok(
        "POST",
        f"{YQ}/programs/{program['id']}/extra-payments",
        {"period": period, "reason": reason},
        status=201,
    )
    return api.as_("finance").ok(
        "POST",
        f"{YQ}/extra-payments/{asked['id']}/decision",
        {"decision": "approve", "opinion": "同意单独拨付"},
    )


def confirm_payment(api, disbursement, key, status=200):
    """Y-01: the custodian pays on the DRC's notice and confirms the payment."""
    return api.as_("custodian", institution="yq-custodian").ok(
        "POST",
        f"/disbursements/{disbursement['id']}/confirm",
        {"payment_reference": key},
        key=key,
        status=status,
    )
