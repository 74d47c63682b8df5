"""Loans as a unit: what a repayment leaves outstanding, who sees a loan, and what
``register_loan`` refuses before it asks the policy."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from factories import register_loan, setup_program
from riskshare.errors import DomainError
from riskshare.loans import service
from riskshare.loans.models import Loan
from riskshare.testing import today
from service_context import service_context

D = Decimal


def _loan(outstanding="1000.00", **fields):
    return Loan(outstanding=D(outstanding), **fields)


def test_a_repayment_leaves_the_outstanding_less_the_amount():
    assert service._repaid(_loan("1000.00"), D("250.50"), None) == D("749.50")
    assert service._repaid(_loan("1000.00"), D("1000.00"), D("0.00")) == D("0.00")


@pytest.mark.parametrize(
    ("amount", "given", "pointer"),
    [
        (None, None, "/amount"),
        (D("0.00"), None, "/amount"),
        (D("-1.00"), None, "/amount"),
        (D("1000.01"), None, "/amount"),
        (D("100.00"), D("950.00"), "/outstanding"),
    ],
    ids=["missing", "zero", "negative", "above-outstanding", "outstanding-disagrees"],
)
def test_a_repayment_that_cannot_be_is_refused_with_the_field_to_fix(amount, given, pointer):
    with pytest.raises(DomainError) as refused:
        service._repaid(_loan("1000.00"), amount, given)
    assert refused.value.status == 422
    assert refused.value.errors[0]["pointer"] == pointer


def test_a_loan_is_non_performing_from_substandard_and_names_its_institutions():
    assert not Loan(classification="special_mention").non_performing
    assert Loan(classification="substandard").non_performing
    assert Loan(lender_id=1, guarantor_id=None, insurer_id=3).institution_ids() == {1, 3}


@pytest.fixture
def world(api):
    """A toy program, bank-a with a loan, a second bank and a guarantor."""
    today(api, dt.date(2024, 3, 1))
    program, bank, firm = setup_program(api)
    office = api.as_("office")
    bank_b = office.ok(
        "POST", "/institutions", {"code": "bank-b", "name": "Bank B", "kind": "bank"}, status=201
    )
    guarantor = office.ok(
        "POST", "/institutions", {"code": "g-1", "name": "G", "kind": "guarantor"}, status=201
    )
    loan = register_loan(api, firm, bank)
    return {
        "program": program,
        "bank": bank,
        "bank_b": bank_b,
        "g": guarantor,
        "firm": firm,
        "loan": loan,
    }


def test_an_institution_sees_only_loans_it_is_party_to(api, world):
    with service_context(api, "lender", institution="bank-a") as ctx:
        assert service.get_loan(ctx, world["loan"]["id"]).reference == "L-1"
    with service_context(api, "lender", institution="bank-b") as ctx:
        assert list(ctx.session.scalars(service.visible_loans(ctx))) == []
        with pytest.raises(DomainError) as refused:
            service.get_loan(ctx, world["loan"]["id"])
        assert refused.value.status == 404
    with service_context(api, "auditor") as ctx:  # the fund's staff see every loan
        assert [loan.id for loan in ctx.session.scalars(service.visible_loans(ctx))] == [
            world["loan"]["id"]
        ]


def _body(world, **changes):
    body = {
        "firm_id": world["firm"]["id"],
        "lender_id": world["bank"]["id"],
        "reference": "L-2",
        "kind": "credit",
        "principal": D("500000.00"),
        "issue_date": dt.date(2024, 3, 1),
        "maturity_date": dt.date(2025, 3, 1),
        "purpose": "ops",
    }
    return {**body, **changes}


@pytest.mark.parametrize(
    ("changes", "status", "pointer"),
    [
        ({"firm_id": 999999}, 422, "/firm_id"),
        ({"lender_id": "g"}, 422, "/lender_id"),  # a guarantor is no lender
        ({"guarantor_id": "bank_b"}, 422, "/guarantor_id"),
        ({"maturity_date": dt.date(2024, 2, 29)}, 422, "/maturity_date"),
        ({"outstanding": D("500000.01")}, 422, "/outstanding"),
        ({"reference": "L-1"}, 409, "/reference"),
    ],
    ids=[
        "unknown-firm",
        "lender-kind",
        "guarantor-kind",
        "matures-first",
        "above-principal",
        "duplicate",
    ],
)
def test_register_loan_refuses_what_it_cannot_record(api, world, changes, status, pointer):
    changes = {
        k: world[v]["id"] if isinstance(v, str) and v in world else v for k, v in changes.items()
    }
    with (
        pytest.raises(DomainError) as refused,
        service_context(api, "lender", institution="bank-a", day=dt.date(2024, 3, 1)) as ctx,
    ):
        service.register_loan(ctx, _body(world, **changes))
    assert refused.value.status == status
    assert refused.value.errors[0]["pointer"] == pointer


def test_an_institution_registers_only_its_own_loans(api, world):
    with (
        pytest.raises(DomainError) as refused,
        service_context(api, "lender", institution="bank-b", day=dt.date(2024, 3, 1)) as ctx,
    ):
        service.register_loan(ctx, _body(world))
    assert (refused.value.status, refused.value.kind) == (403, "forbidden-institution")


def test_a_registered_loan_carries_the_policys_coverage_decision(api, world):
    with service_context(api, "lender", institution="bank-a", day=dt.date(2024, 3, 1)) as ctx:
        covered = service.register_loan(ctx, _body(world, reference="L-3"))
        too_big = service.register_loan(
            ctx, _body(world, reference="L-4", principal=D("2000000.01"))
        )
        assert covered.covered and covered.outstanding == D("500000.00")
        assert not too_big.covered
        assert [e["rule"] for e in too_big.coverage if not e["passed"]] == ["T-1"]
