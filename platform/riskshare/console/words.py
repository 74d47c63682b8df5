"""The console's names for the core's codes, in the user's language (Chinese first).

Chinese comes from ``riskshare.labels`` where the core already names a code for its
explanations, so the console and the policies' sentences say the same thing."""

from __future__ import annotations

from typing import Any

from flask_babel import get_locale, lazy_gettext

from riskshare import labels

LOAN_STATES: dict[str, Any] = {
    "active": lazy_gettext("Active"),
    "overdue": lazy_gettext("Overdue"),
    "closed": lazy_gettext("Closed"),
    "written_off": lazy_gettext("Written off"),
}

EVENT_KINDS: dict[str, Any] = {
    "overdue_filing": lazy_gettext("Overdue filed"),
    "classification_change": lazy_gettext("Reclassified"),
    "guarantor_payout": lazy_gettext("Guarantor paid out"),
    "repayment": lazy_gettext("Repayment"),
    "restructuring": lazy_gettext("Restructured"),
    "closure": lazy_gettext("Closed"),
    "write_off": lazy_gettext("Written off"),
}

STEPS: dict[str, Any] = {
    "claim_review": lazy_gettext("Review claim"),
    "plan_submit": lazy_gettext("Submit allocation plan"),
    "plan_approve": lazy_gettext("Approve allocation plan"),
    "payment_confirm": lazy_gettext("Confirm payment"),
}

ROLES: dict[str, Any] = {
    "office": lazy_gettext("Fund office"),
    "reviewer": lazy_gettext("Reviewer"),
    "approver": lazy_gettext("Approver"),
    "finance": lazy_gettext("Finance bureau"),
    "auditor": lazy_gettext("Auditor"),
    "lender": lazy_gettext("Bank"),
    "guarantor": lazy_gettext("Guarantee company"),
    "insurer": lazy_gettext("Insurer"),
}


def chinese() -> bool:
    return str(get_locale()).startswith("zh")


def _words(code: str) -> str:
    return code.replace("_", " ").capitalize()


def word(kind: str, code: str | None) -> str:
    """``word("loan_state", "overdue")`` → ``逾期`` / ``Overdue``; an unknown code is shown
    as it is (a policy's own role, a state the core adds later)."""
    if code is None:
        return "—"
    if kind == "loan_kind":
        return labels.kind_zh(code) if chinese() else _words(code)
    if kind == "classification":
        return labels.classification_zh(code) if chinese() else _words(code)
    table = {"loan_state": LOAN_STATES, "event": EVENT_KINDS, "step": STEPS, "role": ROLES}[kind]
    found = table.get(code)
    return str(found) if found is not None else code


def explained(explanation: dict[str, Any]) -> dict[str, Any]:
    """An explanation's sentence and clause in the user's language."""
    zh = chinese()
    return {
        "rule": explanation.get("rule", ""),
        "clause": explanation.get("clause" if zh else "clause_en") or explanation.get("clause"),
        "text": explanation.get("zh" if zh else "en") or explanation.get("en", ""),
        "result": explanation.get("result"),
        "passed": explanation.get("passed", True),
        "inputs": explanation.get("inputs") or {},
    }
