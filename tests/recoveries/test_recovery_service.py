"""Recoveries and write-offs as units: what a recovery makes due (pro rata, never more than
was compensated), where it goes, that it is returned once, and who records a write-off."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from plan_world import AFTER_H1, three_claims
from riskshare.claims.models import Claim
from riskshare.disbursements.service import confirm, instruct_payment
from riskshare.errors import DomainError
from riskshare.ledger import service as ledger
from riskshare.loans.models import Loan
from riskshare.plugins.views import program_view
from riskshare.programs.models import Program
from riskshare.recoveries import service
from service_context import service_context

D = Decimal
RECEIVED = dt.date(2024, 7, 1)


def _pay(api, program, bank, claim_id, amount="40000.00"):
    with service_context(api, "finance", day=AFTER_H1) as ctx:
        pview = program_view(ctx.session.get_one(Program, program["id"]))
        d = instruct_payment(
            ctx,
            pview,
            kind="compensation",
            amount=D(amount),
            source_key=f"unit:{claim_id}",
            memo="unit",
            payee_institution_id=bank["id"],
            claim_id=claim_id,
        )
        confirm(ctx, d.id, "ref")


def _report(api, claim_id, recovered, costs="0.00", institution="bank-a", on=RECEIVED):
    with service_context(api, "lender", institution=institution, day=AFTER_H1) as ctx:
        body = {"claim_id": claim_id, "received_on": on, "recovered": D(recovered)}
        r = service.report_recovery(ctx, {**body, "costs": D(costs)})
        return r.id, r.amount_due, r.state, r.destination


def _receivable(api, program, bank):
    with service_context(api, "auditor") as ctx:
        return ledger.balance(
            ctx.session, program["id"], "recovery:receivable", institution_id=bank["id"]
        )


@pytest.fixture
def paid(api):
    """Claim c1 (40,000 at 40% of 100,000) paid in full; c2 approved, unpaid."""
    program, bank, (c1, c2, _) = three_claims(api)
    _pay(api, program, bank, c1)
    return program, bank, c1, c2


def test_a_recovery_makes_the_claims_ratio_of_the_net_due_to_the_pool(api, paid):
    program, bank, c1, _ = paid
    _, due, state, destination = _report(api, c1, "50000.00", costs="10000.00")
    assert (due, state, destination) == (D("16000.00"), "due", "pool")  # 40,000 × 0.4
    assert _receivable(api, program, bank) == D("16000.00")


def test_recoveries_never_return_more_than_was_compensated(api, paid):
    program, bank, c1, _ = paid
    assert _report(api, c1, "90000.00")[1] == D("36000.00")
    # Only 4,000 of the 40,000 compensated is left to return, whatever is recovered.
    assert _report(api, c1, "90000.00", on=dt.date(2024, 7, 2))[1] == D("4000.00")
    _, due, state, _ = _report(api, c1, "5000.00", on=dt.date(2024, 7, 2))
    assert (due, state) == (D("0.00"), "nothing_due")
    assert _receivable(api, program, bank) == D("40000.00")


def test_nothing_is_owed_on_an_unpaid_claim_nor_when_costs_exceed_the_recovery(api, paid):
    _, _, c1, c2 = paid
    with pytest.raises(DomainError) as refused:
        _report(api, c2, "1000.00")
    assert refused.value.status == 422 and refused.value.errors[0]["pointer"] == "/claim_id"
    with pytest.raises(DomainError) as refused:
        _report(api, c1, "1000.00", costs="1000.01")
    assert refused.value.status == 422 and refused.value.errors[0]["pointer"] == "/costs"


def test_the_same_receipt_is_reported_once(api, paid):
    _, _, c1, _ = paid
    first, *_ = _report(api, c1, "1000.00")
    with pytest.raises(DomainError) as refused:
        _report(api, c1, "1000.00")
    assert refused.value.status == 409 and refused.value.extra == {"recovery_id": first}


def test_only_the_compensated_institution_reports_and_sees_its_recoveries(api, paid):
    _, _, c1, _ = paid
    with pytest.raises(DomainError) as refused:
        _report(api, c1, "1000.00", institution="bank-b")
    assert refused.value.status == 404  # bank-b cannot see bank-a's claim at all
    recovery_id, *_ = _report(api, c1, "1000.00")
    with service_context(api, "lender", institution="bank-b") as ctx:
        assert list(ctx.session.scalars(service.visible_recoveries(ctx))) == []
    with service_context(api, "finance") as ctx:
        assert service.get_recovery(ctx, recovery_id).claim_id == c1


def test_the_payer_confirms_a_return_once_and_the_pool_gets_it_back(api, paid):
    program, bank, c1, _ = paid
    recovery_id, *_ = _report(api, c1, "10000.00")
    with service_context(api, "auditor") as ctx:
        pool = ledger.balance(ctx.session, program["id"], "fund:pool")
    with service_context(api, "finance", day=AFTER_H1) as ctx:
        assert service.confirm_return(ctx, recovery_id).state == "returned"
    with (
        pytest.raises(DomainError) as refused,
        service_context(api, "finance", day=AFTER_H1) as ctx,
    ):
        service.confirm_return(ctx, recovery_id)
    assert refused.value.status == 409
    with service_context(api, "auditor") as ctx:
        assert ledger.balance(ctx.session, program["id"], "fund:pool") == pool + D("4000.00")
    assert _receivable(api, program, bank) == D("0.00")


def test_a_recovery_goes_to_the_pool_or_to_an_account_the_policy_declares(api):
    three_claims(api)
    with service_context(api, "auditor") as ctx:
        assert service.destination_account(ctx, "toy", "pool") == "fund:pool"
        with pytest.raises(DomainError) as refused:
            service.destination_account(ctx, "toy", "elsewhere")
        assert (refused.value.status, refused.value.kind) == (422, "policy-missing")


def _write_off(api, loan_id, institution="bank-a", approved_on=dt.date(2024, 7, 1)):
    with service_context(api, "lender", institution=institution, day=AFTER_H1) as ctx:
        body = {"loan_id": loan_id, "approved_on": approved_on, "net_loss": D("60000.00")}
        return service.record_write_off(ctx, body)


def _loan_of(api, claim_id):
    with service_context(api, "auditor") as ctx:
        return ctx.session.get_one(Claim, claim_id).loan_id


def test_a_write_off_without_review_writes_the_loan_off_once(api, paid):
    _, _, c1, _ = paid
    loan_id = _loan_of(api, c1)
    write_off = _write_off(api, loan_id)
    assert (write_off.state, write_off.decided_on) == ("approved", AFTER_H1)
    with service_context(api, "auditor") as ctx:
        assert ctx.session.get_one(Loan, loan_id).state == "written_off"
    with pytest.raises(DomainError) as refused:
        _write_off(api, loan_id)
    assert refused.value.status == 409 and refused.value.extra == {"write_off_id": write_off.id}


def test_a_write_off_is_the_loans_own_institutions_and_not_dated_ahead(api, paid):
    _, _, c1, _ = paid
    loan_id = _loan_of(api, c1)
    with pytest.raises(DomainError) as refused:
        _write_off(api, loan_id, institution="bank-b")
    assert refused.value.status == 404
    with pytest.raises(DomainError) as refused:
        _write_off(api, loan_id, approved_on=AFTER_H1 + dt.timedelta(days=1))
    assert refused.value.status == 422
