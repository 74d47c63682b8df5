"""Payments as a unit: a grant is booked as owed to its payee and addressed to the
program's payer; confirming pays it from the pool once, never beyond a claim's approved
amount, settles the claim when it is paid in full and completes the plan with its last
payment; payees see only their own payments."""

from __future__ import annotations

from decimal import Decimal

import pytest

from plan_world import AFTER_H1, three_claims
from riskshare.claims.models import Claim
from riskshare.disbursements import service
from riskshare.disbursements.models import Disbursement
from riskshare.errors import DomainError
from riskshare.ledger import service as ledger
from riskshare.plugins.views import program_view
from riskshare.programs.models import Program
from service_context import service_context

D = Decimal


def _instruct(api, program, claim_id, bank, amount, key):
    with service_context(api, "office", day=AFTER_H1) as ctx:
        pview = program_view(ctx.session.get_one(Program, program["id"]))
        d = service.instruct_payment(
            ctx,
            pview,
            kind="compensation",
            amount=D(amount),
            source_key=key,
            memo=f"claim {claim_id}",
            payee_institution_id=bank["id"],
            claim_id=claim_id,
        )
        return d.id


def _confirm(api, disbursement_id, *roles, institution=None):
    with service_context(api, *roles, institution=institution, day=AFTER_H1) as ctx:
        return service.confirm(ctx, disbursement_id, "bank ref").state


def _claim_state(api, claim_id):
    with service_context(api, "auditor") as ctx:
        return ctx.session.get_one(Claim, claim_id).state


def _balance(api, program, account, **kw):
    with service_context(api, "auditor") as ctx:
        return ledger.balance(ctx.session, program["id"], account, **kw)


def test_a_grant_is_owed_to_its_payee_and_addressed_to_the_programs_payer(api):
    program, bank, (c1, _, _) = three_claims(api)
    d_id = _instruct(api, program, c1, bank, "15000.00", "unit:grant")
    with service_context(api, "auditor") as ctx:
        d = ctx.session.get_one(Disbursement, d_id)
        assert (d.state, d.payer_role, d.instructed_on) == ("instructed", "finance", AFTER_H1)
    owed = _balance(api, program, "payable:compensation", institution_id=bank["id"])
    assert owed == D("-15000.00")
    assert _balance(api, program, "expense:compensation") == D("15000.00")


def test_confirming_pays_from_the_pool_once_and_settles_a_claim_paid_in_full(api):
    program, bank, (c1, _, _) = three_claims(api)
    pool = _balance(api, program, "fund:pool")
    first = _instruct(api, program, c1, bank, "15000.00", "unit:1")
    rest = _instruct(api, program, c1, bank, "25000.00", "unit:2")
    assert _confirm(api, first, "finance") == "confirmed"
    assert _claim_state(api, c1) == "approved"  # 15,000 of 40,000 paid
    assert _confirm(api, rest, "finance") == "confirmed"
    assert _claim_state(api, c1) == "paid"
    # A second confirmation is refused by the payment's state, before any cap is asked.
    with pytest.raises(DomainError) as refused:
        _confirm(api, rest, "finance")
    assert (refused.value.status, refused.value.kind) == (409, "transition-refused")
    assert _balance(api, program, "fund:pool") == pool - D("40000.00")
    assert _balance(api, program, "payable:compensation") == D("0.00")


def test_a_claim_is_never_paid_beyond_its_approved_amount(api):
    program, bank, (c1, _, _) = three_claims(api)
    first = _instruct(api, program, c1, bank, "30000.00", "unit:1")
    over = _instruct(api, program, c1, bank, "10000.01", "unit:2")
    _confirm(api, first, "finance")
    with pytest.raises(DomainError) as refused:
        _confirm(api, over, "finance")
    assert (refused.value.status, refused.value.kind) == (409, "paid-already")
    assert refused.value.extra == {"claim_id": c1}
    assert _balance(api, program, "payable:compensation", sign=1) == D("30000.00")


def test_only_the_payer_confirms(api):
    program, bank, (c1, _, _) = three_claims(api)
    d_id = _instruct(api, program, c1, bank, "1.00", "unit:1")
    with pytest.raises(DomainError) as refused:
        _confirm(api, d_id, "office", "approver")
    assert refused.value.status == 403


def test_a_payee_sees_only_its_own_payments_and_the_payer_sees_all(api):
    program, bank, (c1, _, _) = three_claims(api)
    d_id = _instruct(api, program, c1, bank, "1.00", "unit:1")
    for roles, institution, seen in (
        (("lender",), "bank-a", [d_id]),
        (("lender",), "bank-b", []),
        (("finance",), None, [d_id]),
    ):
        with service_context(api, *roles, institution=institution) as ctx:
            query = service.visible_disbursements(ctx).with_only_columns(Disbursement.id)
            assert list(ctx.session.scalars(query)) == seen
    with service_context(api, "lender", institution="bank-b") as ctx:
        with pytest.raises(DomainError) as refused:
            service.get_disbursement(ctx, d_id)
        assert refused.value.status == 404
