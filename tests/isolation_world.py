"""A tenant holding a record of every kind the served API names, for the isolation walk.

``build(api)`` makes, through the HTTP API as the roles that make them in use, a toy program
(the core's records: a bank's firm, loans, a claim with its document, plans in each state,
a payment, a recovery, a write-off, a ban, a clawback, indicators, a standing) and a Yanqing
program (recommendations at each step of their review with their documents, a premium
subsidy awaiting the custodian, gains, a custodian report, a penalty, a request for a
special payment). It returns the records' ids by the name the walk's recipes use.

Built identically in two tenants: the victim's records are the walk's targets, and the
other tenant's copies let the rightful user prove each recipe's body valid (a refusal that is
only a 422 would prove nothing). Every name carries the tenant's slug, so a response of one
tenant that shows the other's slug has leaked.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from riskshare.jobs import runner
from riskshare.testing import today
from riskshare_yanqing.config import PANEL_SEATS, REQUIRED_DOCUMENTS
from riskshare_yanqing.demo import uscc

YQ = "/yanqing"
BANK, GUARANTOR, INSURER = "bank-a", "guar-a", "ins-a"
YQ_DEPT, YQ_BANK, YQ_CUSTODIAN = "yq-tourism", "yq-bank", "yq-custodian"
# Y-06: the bank's delegate acts for the bank; the others for no institution.
DELEGATES = {"bank": YQ_BANK}
# Institutions of the victim tenant that own nothing: one of each kind a scoped role acts for.
INTRUDERS = {
    "bank": "intruder-bank",
    "guarantor": "intruder-guarantor",
    "insurer": "intruder-insurer",
    "custodian": "intruder-custodian",
    "department": "intruder-department",
    "trust_company": "intruder-trust",
}
# The kind of institution each role acts for (a role acting for none is seated at a bank).
ROLE_KINDS = {
    "lender": "bank",
    "guarantor": "guarantor",
    "insurer": "insurer",
    "custodian": "custodian",
    "recommender": "department",
    "trustee": "trust_company",
}
END = dt.date(2026, 7, 2)  # after every period the walk's plans name


def docs(tenant: str, *kinds: str) -> list[dict[str, str]]:
    """Files whose content names the tenant, so a leaked download shows whose it is."""
    return [
        {
            "kind": kind,
            "filename": f"{tenant}-{kind}.pdf",
            "content_type": "application/pdf",
            "content_base64": base64.b64encode(f"{tenant} {kind}".encode()).decode(),
        }
        for kind in kinds
    ]


def build(api: Any) -> dict[str, Any]:
    ids: dict[str, Any] = {"tenant": api.tenant}
    office = api.as_("office")
    for kind, code in INTRUDERS.items():
        office.ok("POST", "/institutions", {"code": code, "name": code, "kind": kind}, 201)
    _toy(api, ids)
    _yanqing(api, ids)
    today(api, END)
    _plans(api, ids)
    _job(api, ids)
    _import(api, ids)
    ids["calendar_year"] = 2031
    return ids


def _toy(api: Any, ids: dict[str, Any]) -> None:
    t = api.tenant
    today(api, dt.date(2024, 3, 1))
    office = api.as_("office")
    program = office.ok(
        "POST",
        "/programs",
        {
            "code": "toy-2024",
            "name": f"Toy fund {t}",
            "policy": "toy",
            "fund_total": "1000000.00",
            "effective_from": "2024-01-01",
            "effective_to": "2026-12-31",
        },
        status=201,
    )
    inst = {
        code: office.ok(
            "POST", "/institutions", {"code": code, "name": f"{code} {t}", "kind": kind}, 201
        )
        for code, kind in ((BANK, "bank"), (GUARANTOR, "guarantor"), (INSURER, "insurer"))
    }
    lender = api.as_("lender", institution=BANK)
    firm = lender.ok(
        "POST",
        "/firms",
        {
            "uscc": "91110108551385082Q",
            "name": f"Firm {t}",
            "industry": "industry",
            "employees": 25,
            "revenue": "5000000",
        },
        status=201,
    )

    def loan(reference: str, **extra: Any) -> dict:
        body = {
            "firm_id": firm["id"],
            "lender_id": inst[BANK]["id"],
            "reference": f"{t}-{reference}",
            "kind": "credit",
            "principal": "500000.00",
            "issue_date": "2024-03-01",
            "maturity_date": "2025-03-01",
            "classification": "loss",
            **extra,
        }
        return lender.ok("POST", "/loans", body, status=201)

    claimed, written_off, spare = loan("L-1"), loan("L-2"), loan("L-3")
    guaranteed = loan("L-4", kind="guaranteed", guarantor_id=inst[GUARANTOR]["id"])
    claim = lender.ok(
        "POST",
        "/claims",
        {
            "loan_id": claimed["id"],
            "claimed_principal": "1000.00",
            "statement": f"claim of {t}",
            "documents": docs(t, "credit_report"),
        },
        status=201,
    )
    [document] = lender.ok("GET", f"/claims/{claim['id']}/documents")
    api.as_("reviewer").ok(
        "POST", f"/claims/{claim['id']}/reviews", {"decision": "approve", "opinion": "ok"}, 201
    )
    # A claim left for its review, and a loan left for its claim.
    pending = lender.ok(
        "POST", "/claims", {"loan_id": spare["id"], "claimed_principal": "1000.00"}, status=201
    )
    today(api, dt.date(2024, 7, 2))
    plan = office.ok("POST", "/plans", {"program_id": program["id"], "day": "2024-06-01"}, 201)
    office.ok("POST", f"/plans/{plan['id']}/submit")
    api.as_("approver").ok("POST", f"/plans/{plan['id']}/approve")
    finance = api.as_("finance")
    [payment] = finance.ok("GET", "/disbursements")
    finance.ok("POST", f"/disbursements/{payment['id']}/confirm", {"payment_reference": t})
    recovery = lender.ok(
        "POST",
        "/recoveries",
        {"claim_id": claim["id"], "received_on": "2024-07-01", "recovered": "100.00"},
        status=201,
    )
    write_off = lender.ok(
        "POST",
        "/write-offs",
        {"loan_id": written_off["id"], "approved_on": "2024-07-01", "net_loss": "1000.00"},
        status=201,
    )
    ban = office.ok(
        "POST",
        "/bans",
        {
            "subject_type": "firm",
            "subject_id": firm["id"],
            "rule": "T-9",
            "reason": f"fraud at {t}",
            "program_id": program["id"],
            "years": 1,
        },
        status=201,
    )
    clawback = api.as_("approver").ok(
        "POST",
        "/clawbacks",
        {"program_id": program["id"], "institution_id": inst[BANK]["id"], "reason": "fraud"},
        status=201,
    )
    base = f"/programs/{program['id']}"
    office.ok(
        "PUT",
        f"{base}/indicators/pool_floor",
        {"effective_from": "2024-07-01", "value": "1", "note": "floor"},
    )
    # Last, as it suspends the bank: the toy policy's T-8 records a standing decision when
    # monitoring finds its non-performing loans over the office's limit.
    office.ok(
        "PUT",
        f"{base}/indicators/npl_suspension",
        {"effective_from": "2024-07-01", "value": "1", "note": "T-8 limit"},
    )
    office.ok("GET", f"{base}/monitoring")
    [standing] = office.ok("GET", f"{base}/standings")
    # A workbook made by a job (run here, in process) and stored for the report's readers.
    report_job = office.ok("POST", f"{base}/reports", {"period": "2024-07"}, status=202)
    runner.execute(api.app, api.tenant, report_job["id"])
    [report] = office.ok("GET", f"{base}/reports/stored")
    ids.update(
        program_id=program["id"],
        institution_id=inst[BANK]["id"],
        guarantor_id=inst[GUARANTOR]["id"],
        insurer_id=inst[INSURER]["id"],
        firm_id=firm["id"],
        loan_id=claimed["id"],
        spare_loan_id=guaranteed["id"],
        written_off_loan_id=written_off["id"],
        claim_id=claim["id"],
        pending_claim_id=pending["id"],
        document_id=document["id"],
        paid_plan_id=plan["id"],
        paid_disbursement_id=payment["id"],
        recovery_id=recovery["id"],
        write_off_id=write_off["id"],
        ban_id=ban["id"],
        clawback_id=clawback["id"],
        standing_id=standing["id"],
        report_job_id=report_job["id"],
        report_id=report["id"],
        name="pool_floor",
        period="2024-07",
    )


def _yanqing(api: Any, ids: dict[str, Any]) -> None:
    t = api.tenant
    today(api, dt.date(2025, 1, 10))
    office = api.as_("office")
    program = office.ok(
        "POST",
        "/programs",
        {
            "code": "yanqing-2025",
            "name": f"延庆 {t}",
            "policy": "yanqing",
            "config": {"custodian": YQ_CUSTODIAN},
            "fund_total": "30000000.00",
            "effective_from": "2025-01-01",
            "effective_to": "2027-12-31",
        },
        status=201,
    )
    inst = {
        code: office.ok("POST", "/institutions", {"code": code, "name": code, "kind": kind}, 201)
        for code, kind in (
            (YQ_DEPT, "department"),
            (YQ_BANK, "bank"),
            ("yq-guarantee", "guarantor"),
            ("yq-insurer", "insurer"),
            (YQ_CUSTODIAN, "custodian"),
        )
    }
    pid = program["id"]
    recommender = api.as_("recommender", institution=YQ_DEPT)

    def recommendation(n: int) -> dict:
        firm = recommender.ok(
            "POST",
            "/firms",
            {
                "uscc": uscc(n),
                "name": f"延庆企业{n} {t}",
                "industry": "software_it",
                "employees": 60,
                "revenue": "8000000",
                "business_scope": "软件开发、技术服务",
            },
            status=201,
        )
        return recommender.ok(
            "POST",
            f"{YQ}/programs/{pid}/recommendations",
            {
                "firm_id": firm["id"],
                "financing_need": "5000000.00",
                "focus_sector": "low_altitude_economy",
                "documents": docs(t, *REQUIRED_DOCUMENTS),
                "credit_record": {"controller": f"控制人 {t}", "entries": []},
            },
            status=201,
        )

    def step(rec: dict, action: str, body: dict, caller: Any = office) -> dict:
        return caller.ok("POST", f"{YQ}/recommendations/{rec['id']}/{action}", body)

    def prescreened(n: int) -> dict:
        rec = recommendation(n)
        step(rec, "prescreen", {"decision": "pass", "opinion": "初筛通过"})
        return rec

    def voted(rec: dict, grade: str) -> None:
        for seat in PANEL_SEATS:
            delegate = api.as_("panelist", user=f"delegate-{seat}", institution=DELEGATES.get(seat))
            step(rec, "votes", {"seat": seat, "grade": grade, "opinion": seat}, delegate)

    submitted = recommendation(1)
    under_review = prescreened(2)
    awaiting_approval = prescreened(3)
    voted(awaiting_approval, "high")
    graded = prescreened(4)
    voted(graded, "medium")
    pushed = prescreened(5)
    voted(pushed, "medium")
    push = {"institution_ids": [inst[YQ_BANK]["id"]]}
    step(pushed, "pushes", push)
    unfinanced = prescreened(6)
    voted(unfinanced, "medium")
    step(unfinanced, "pushes", push)
    free_firm = recommender.ok(
        "POST",
        "/firms",
        {
            "uscc": uscc(7),
            "name": f"延庆企业7 {t}",
            "industry": "software_it",
            "employees": 60,
            "revenue": "8000000",
            "business_scope": "软件开发、技术服务",
        },
        status=201,
    )
    document = api.as_("auditor").ok("GET", f"{YQ}/recommendations/{graded['id']}/documents")[0]
    # Y-11: an insured loan of the pushed firm, whose premium the fund subsidises.
    today(api, dt.date(2025, 2, 10))
    loan, second_loan = (
        api.as_("lender", institution=YQ_BANK).ok(
            "POST",
            "/loans",
            {
                "program_id": pid,
                "firm_id": pushed["firm_id"],
                "lender_id": inst[YQ_BANK]["id"],
                "insurer_id": inst["yq-insurer"]["id"],
                "reference": f"{t}-YQ-{n}",
                "kind": "insured",
                "principal": "1000000.00",
                "issue_date": "2025-02-01",
                "maturity_date": "2026-02-01",
            },
            status=201,
        )
        for n in (1, 2)
    )
    subsidy = office.ok(
        "POST",
        f"{YQ}/programs/{pid}/premium-subsidies",
        {"loan_id": loan["id"], "premium": "40000.00", "documents": docs(t, *SUBSIDY_KINDS)},
        status=201,
    )
    [subsidy_document] = api.as_("auditor").ok(
        "GET", f"{YQ}/premium-subsidies/{subsidy['id']}/documents"
    )[:1]
    custodian = api.as_("custodian", institution=YQ_CUSTODIAN)
    custodian.ok("POST", f"{YQ}/programs/{pid}/gains", {"amount": "1000.00", "reference": t}, 201)
    office.ok(
        "POST",
        f"{YQ}/programs/{pid}/penalties",
        {"institution_id": inst[YQ_BANK]["id"], "measure": "clawback", "reason": f"合谋 {t}"},
        status=201,
    )
    extra = office.ok(
        "POST",
        f"{YQ}/programs/{pid}/extra-payments",
        {"period": "2025-H1", "reason": f"特殊情况 {t}"},
        status=201,
    )
    ids.update(
        yq_program_id=pid,
        yq_bank_id=inst[YQ_BANK]["id"],
        yq_loan_id=second_loan["id"],
        yq_free_firm_id=free_firm["id"],
        unfinanced_rec_id=unfinanced["id"],
        yq_firm_id=pushed["firm_id"],
        submitted_rec_id=submitted["id"],
        under_review_rec_id=under_review["id"],
        awaiting_approval_rec_id=awaiting_approval["id"],
        graded_rec_id=graded["id"],
        pushed_rec_id=pushed["id"],
        rec_document_id=document["id"],
        subsidy_id=subsidy["id"],
        subsidy_document_id=subsidy_document["id"],
        disbursement_id=subsidy["disbursement_id"],
        extra_id=extra["id"],
    )


SUBSIDY_KINDS = ("loan_documents", "insurance_policy", "payment_proof")


def _job(api: Any, ids: dict[str, Any]) -> None:
    """A deadline sweep asked of the tenant and not yet run, for the operator to retry."""
    from riskshare.db import tenant_session
    from riskshare.jobs.outbox import enqueue
    from riskshare.jobs.sweeps import SWEEP

    with tenant_session(api.app.extensions["riskshare"].db, api.tenant) as session:
        ids["outbox_id"] = enqueue(session, api.tenant, SWEEP, "walk", day="2026-07-02").id
    _notification(api, ids)


def _notification(api: Any, ids: dict[str, Any]) -> None:
    """A reminder the sweep sent to the bank's users: the recovery it owes is late."""
    from riskshare.db import tenant_session
    from riskshare.notifications.models import Notification

    with tenant_session(api.app.extensions["riskshare"].db, api.tenant) as session:
        row = Notification(
            key=f"recovery_return:recovery:{ids['recovery_id']}:late",
            program_id=ids["program_id"],
            kind="recovery_return",
            rule="T-4",
            stage="late",
            subject_type="recovery",
            subject_id=ids["recovery_id"],
            due_on=dt.date(2024, 7, 15),
            sent_on=dt.date(2024, 7, 16),
            institution_id=ids["institution_id"],
            explanation={"rule": "T-4", "zh": "已逾期。", "en": "Late."},
        )
        session.add(row)
        session.flush()
        ids["notification_id"] = row.id


def import_form(ids: dict[str, Any], reference: str) -> Any:
    """A one-loan CSV of the bank's, to upload to the toy program (POST /imports)."""
    from riskshare.imports.table import LOAN_COLUMNS
    from riskshare.testing.client import Form

    row = {
        "reference": reference,
        "firm_uscc": "91110108551385082Q",
        "lender_code": BANK,
        "kind": "credit",
        "principal": "1000.00",
        "issue_date": "2024-03-01",
        "maturity_date": "2025-03-01",
    }
    header = ",".join(c.header for c in LOAN_COLUMNS)
    line = ",".join(row.get(c.key, "") for c in LOAN_COLUMNS)
    content = f"{header}\n{line}\n".encode()
    return Form({"program_id": ids["program_id"]}, {"file": (content, f"{ids['tenant']}.csv")})


def _import(api: Any, ids: dict[str, Any]) -> None:
    """The bank's upload of one loan, its job not yet run (its file names the tenant)."""
    lender = api.as_("lender", institution=BANK)
    ids["import_id"] = lender.ok(
        "POST", "/imports", import_form(ids, f"{ids['tenant']}-imported"), status=202
    )["id"]


def _plans(api: Any, ids: dict[str, Any]) -> None:
    """Toy plans in each state a plan step starts from (one period each)."""
    office = api.as_("office")

    def plan(day: str) -> int:
        body = {"program_id": ids["program_id"], "day": day}
        return office.ok("POST", "/plans", body, status=201)["id"]

    ids["plan_id"] = plan("2024-12-01")  # draft: edited, submitted, then approved
    ids["returned_plan_id"] = plan("2025-06-01")  # submitted: returned, then withdrawn
    ids["rejected_plan_id"] = plan("2025-12-01")  # submitted: rejected
    for name in ("returned_plan_id", "rejected_plan_id"):
        office.ok("POST", f"/plans/{ids[name]}/submit")
    api.as_("custodian", institution=YQ_CUSTODIAN).ok(
        "POST",
        f"{YQ}/programs/{ids['yq_program_id']}/custodian-reports",
        {"kind": "half_yearly", "period": "2025-H1", "document_reference": f"延托报 {api.tenant}"},
        status=201,
    )
