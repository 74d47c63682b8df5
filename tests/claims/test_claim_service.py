"""Claims as a unit: who may claim on a loan and for how much, one open claim per
institution, the policy's amount, and what a review may approve."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from factories import register_loan, setup_program
from riskshare.claims import service
from riskshare.claims.models import Claim
from riskshare.errors import DomainError
from riskshare.testing import today
from service_context import service_context

D = Decimal
DAY = dt.date(2024, 9, 10)  # a Tuesday; Mid-Autumn (15-17 Sep) falls in the review window


@pytest.fixture
def world(api):
    today(api, dt.date(2024, 3, 1))
    program, bank, firm = setup_program(api)
    api.as_("office").ok(
        "POST", "/institutions", {"code": "bank-b", "name": "Bank B", "kind": "bank"}, status=201
    )
    bad = register_loan(api, firm, bank, "L-bad", "100000.00", classification="loss")
    good = register_loan(api, firm, bank, "L-good", "100000.00")
    big = register_loan(api, firm, bank, "L-big", "3000000.00", classification="loss")
    today(api, DAY)
    return {"program": program, "bad": bad, "good": good, "big": big}


def _submit(api, loan, principal="80000.00", institution="bank-a", roles=("lender",)):
    with service_context(api, *roles, institution=institution, day=DAY) as ctx:
        claim = service.submit_claim(
            ctx, {"loan_id": loan["id"], "claimed_principal": D(principal)}
        )
        return claim.id


def test_a_claim_is_valued_by_the_policy_and_given_its_review_deadline(api, world):
    claim_id = _submit(api, world["bad"])
    with service_context(api, "auditor") as ctx:
        claim = ctx.session.get_one(Claim, claim_id)
        assert (claim.state, claim.amount, claim.ratio) == ("submitted", D("32000.00"), D("0.4"))
        # five working days from Tuesday 10 September, skipping Mid-Autumn: 18 September.
        assert claim.review_due_on == dt.date(2024, 9, 18)
        assert [e["rule"] for e in claim.explanations] == ["T-3", "T-2", "T-4"]


@pytest.mark.parametrize(
    ("institution", "roles"), [("bank-b", ("lender",)), (None, ("office", "reviewer"))]
)
def test_only_the_loans_own_institutions_may_claim(api, world, institution, roles):
    with pytest.raises(DomainError) as refused:
        _submit(api, world["bad"], institution=institution, roles=roles)
    # bank-b cannot see the loan at all; the fund's staff see it but claim on no loan.
    assert refused.value.status == (404 if institution else 403)


def test_a_claim_on_an_uncovered_loan_is_refused_with_the_coverage_rule(api, world):
    with pytest.raises(DomainError) as refused:
        _submit(api, world["big"])
    assert (refused.value.status, refused.value.kind) == (422, "rule-refused")
    assert refused.value.rule["rule"] == "T-1"


def test_a_claim_above_the_outstanding_principal_is_refused(api, world):
    with pytest.raises(DomainError) as refused:
        _submit(api, world["bad"], principal="100000.01")
    assert refused.value.status == 422
    assert refused.value.errors[0]["pointer"] == "/claimed_principal"


def test_a_performing_loan_is_refused_by_the_policys_eligibility_rule(api, world):
    with pytest.raises(DomainError) as refused:
        _submit(api, world["good"])
    assert refused.value.status == 422 and refused.value.rule["rule"] == "T-3"


def test_an_institution_has_one_open_claim_per_loan(api, world):
    first = _submit(api, world["bad"])
    with pytest.raises(DomainError) as refused:
        _submit(api, world["bad"], principal="1000.00")
    assert refused.value.status == 409 and refused.value.extra == {"claim_id": first}


def test_an_institution_sees_only_its_own_claims(api, world):
    claim_id = _submit(api, world["bad"])
    with service_context(api, "lender", institution="bank-b") as ctx:
        assert list(ctx.session.scalars(service.visible_claims(ctx))) == []
    with service_context(api, "lender", institution="bank-a") as ctx:
        assert service.get_claim(ctx, claim_id).id == claim_id


def _review(api, claim_id, *roles, **data):
    body = {"decision": "approve", "opinion": "ok", **data}
    with service_context(api, *roles, day=DAY) as ctx:
        return service.review_claim(ctx, claim_id, body).state


def test_the_review_approves_at_most_what_the_policy_allows(api, world):
    claim_id = _submit(api, world["bad"])
    with pytest.raises(DomainError) as refused:
        _review(api, claim_id, "reviewer", approved_amount=D("32000.01"))
    assert refused.value.status == 422
    assert refused.value.errors[0]["pointer"] == "/approved_amount"
    assert _review(api, claim_id, "reviewer", approved_amount=D("30000.00")) == "approved"
    with service_context(api, "auditor") as ctx:
        assert ctx.session.get_one(Claim, claim_id).approved_amount == D("30000.00")


def test_a_review_without_an_amount_approves_the_policys_amount(api, world):
    claim_id = _submit(api, world["bad"])
    assert _review(api, claim_id, "reviewer") == "approved"
    with service_context(api, "auditor") as ctx:
        claim = ctx.session.get_one(Claim, claim_id)
        assert (claim.approved_amount, claim.reviewed_on) == (D("32000.00"), DAY)


def test_only_the_required_reviewer_reviews_and_only_once(api, world):
    claim_id = _submit(api, world["bad"])
    with pytest.raises(DomainError) as refused:
        _review(api, claim_id, "office", "approver")
    assert (refused.value.status, refused.value.kind) == (403, "forbidden-role")
    assert _review(api, claim_id, "reviewer", decision="reject") == "rejected"
    with pytest.raises(DomainError) as refused:
        _review(api, claim_id, "reviewer")
    assert refused.value.status == 409 and "review_id" in refused.value.extra
