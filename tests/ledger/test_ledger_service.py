"""The ledger as a unit: entries balance, signed accounts stay on their side, a source posts
once, and balances filter by institution, side, kind and date (docs/ledger.md)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from factories import setup_program
from riskshare.ledger import service as ledger
from riskshare.ledger.models import Posting
from service_context import service_context

D = Decimal
DAY = dt.date(2024, 6, 3)


@pytest.fixture
def fund(api):
    """A program with 1,000,000 in its pool and two banks; returns (program id, a, b)."""
    program, bank_a, _ = setup_program(api)
    bank_b = api.as_("office").ok(
        "POST", "/institutions", {"code": "bank-b", "name": "Bank B", "kind": "bank"}, status=201
    )
    return program["id"], bank_a["id"], bank_b["id"]


def _post(ctx, program_id, key, lines, kind="test", day=DAY):
    return ledger.post(
        ctx.session,
        program_id=program_id,
        source_key=key,
        kind=kind,
        booked_on=day,
        memo=key,
        lines=lines,
    )


def _grant(ctx, program_id, institution_id, amount, key, day=DAY):
    return ledger.transfer(
        ctx.session,
        program_id=program_id,
        source_key=key,
        kind="compensation_granted",
        booked_on=day,
        memo=key,
        debit="expense:compensation",
        credit="payable:compensation",
        amount=D(amount),
        institution_id=institution_id,
    )


def _pay(ctx, program_id, institution_id, amount, key, day=DAY):
    return ledger.transfer(
        ctx.session,
        program_id=program_id,
        source_key=key,
        kind="compensation_paid",
        booked_on=day,
        memo=key,
        debit="payable:compensation",
        credit="fund:pool",
        amount=D(amount),
        institution_id=institution_id,
    )


def test_a_balanced_entry_moves_each_account_by_its_line(api, fund):
    pid, bank_a, _ = fund
    with service_context(api, "finance") as ctx:
        pool = ledger.balance(ctx.session, pid, "fund:pool")
        _grant(ctx, pid, bank_a, "300.00", "g1")
        _pay(ctx, pid, bank_a, "120.00", "p1")
        assert ledger.balance(ctx.session, pid, "fund:pool") == pool - D("120.00")
        assert ledger.balance(ctx.session, pid, "payable:compensation") == D("-180.00")
        assert ledger.balance(ctx.session, pid, "expense:compensation") == D("300.00")
        trial = ledger.trial_balance(ctx.session, pid)
        assert sum(trial.values()) == D("0.00")
        assert ledger.unbalanced_entries(ctx.session, pid) == []
        assert ledger.wrong_side_accounts(ctx.session, pid) == []


@pytest.mark.parametrize(
    "lines",
    [
        [("expense:compensation", D("10.00"), None), ("payable:compensation", D("-9.99"), None)],
        [("expense:compensation", D("10.00"), None)],
        [],
    ],
    ids=["off-by-a-fen", "one-sided", "empty"],
)
def test_an_entry_that_does_not_balance_is_refused_and_writes_nothing(api, fund, lines):
    pid, _, _ = fund
    with pytest.raises(ledger.UnbalancedEntry), service_context(api, "finance") as ctx:
        _post(ctx, pid, "bad", lines)
    with service_context(api, "auditor") as ctx:
        assert ledger.entry_by_source(ctx.session, pid, "bad") is None


def test_paying_more_than_was_granted_to_the_institution_is_refused(api, fund):
    """payable:* is a credit balance per institution: paying bank A beyond its grant, or
    paying bank B out of bank A's grant, would turn it into a debit. The refusal comes after
    the flush, so the caller's transaction is rolled back (as every request's is)."""
    pid, bank_a, bank_b = fund
    with service_context(api, "finance") as ctx:
        _grant(ctx, pid, bank_a, "100.00", "g1")
    with pytest.raises(ledger.WrongSide) as refused, service_context(api, "finance") as ctx:
        _pay(ctx, pid, bank_a, "100.01", "p-over")
    assert (refused.value.account, refused.value.institution_id) == (
        "payable:compensation",
        bank_a,
    )
    assert refused.value.balance == D("0.01")
    with pytest.raises(ledger.WrongSide) as refused, service_context(api, "finance") as ctx:
        _pay(ctx, pid, bank_b, "50.00", "p-other")
    assert refused.value.institution_id == bank_b
    with service_context(api, "finance") as ctx:
        _pay(ctx, pid, bank_a, "100.00", "p-exact")  # exactly what was granted is fine
        assert ledger.balance(ctx.session, pid, "payable:compensation") == D("0.00")


def test_the_pool_cannot_pay_out_more_than_it_holds(api, fund):
    pid, bank_a, _ = fund
    with service_context(api, "finance") as ctx:
        pool = ledger.balance(ctx.session, pid, "fund:pool")
        _grant(ctx, pid, bank_a, pool + 1, "g-big")
    with pytest.raises(ledger.WrongSide) as refused, service_context(api, "finance") as ctx:
        _pay(ctx, pid, bank_a, pool + 1, "p-big")
    # The pool is one account for the fund, not per institution.
    assert (refused.value.account, refused.value.institution_id) == ("fund:pool", None)
    assert refused.value.balance == D("-1.00")


def test_a_receivable_cannot_be_returned_beyond_what_is_owed(api, fund):
    pid, bank_a, _ = fund
    with service_context(api, "finance") as ctx:
        ledger.transfer(
            ctx.session,
            program_id=pid,
            source_key="due",
            kind="recovery_due",
            booked_on=DAY,
            memo="due",
            debit="recovery:receivable",
            credit="recovery:returned",
            amount=D("40.00"),
            institution_id=bank_a,
        )
    with pytest.raises(ledger.WrongSide), service_context(api, "finance") as ctx:
        ledger.transfer(
            ctx.session,
            program_id=pid,
            source_key="returned",
            kind="recovery_returned",
            booked_on=DAY,
            memo="returned",
            debit="fund:pool",
            credit="recovery:receivable",
            amount=D("40.01"),
            institution_id=bank_a,
        )


def test_posting_the_same_source_again_returns_the_first_entry_and_moves_nothing(api, fund):
    pid, bank_a, _ = fund
    with service_context(api, "finance") as ctx:
        first = _grant(ctx, pid, bank_a, "70.00", "plan-item:1:grant")
        again = _grant(ctx, pid, bank_a, "70.00", "plan-item:1:grant")
        different = _grant(ctx, pid, bank_a, "99.00", "plan-item:1:grant")
        assert again.id == first.id and different.id == first.id
        assert ledger.balance(ctx.session, pid, "expense:compensation") == D("70.00")


def test_balances_filter_by_institution_side_kind_and_booking_date(api, fund):
    pid, bank_a, bank_b = fund
    with service_context(api, "finance") as ctx:
        _grant(ctx, pid, bank_a, "100.00", "g-a", day=dt.date(2024, 1, 10))
        _grant(ctx, pid, bank_b, "40.00", "g-b", day=dt.date(2024, 7, 10))
        _pay(ctx, pid, bank_a, "30.00", "p-a", day=dt.date(2024, 8, 1))
        payable = "payable:compensation"
        balance = ledger.balance
        assert balance(ctx.session, pid, payable) == D("-110.00")
        assert balance(ctx.session, pid, payable, institution_id=bank_a) == D("-70.00")
        assert balance(ctx.session, pid, payable, institution_id=bank_b) == D("-40.00")
        assert balance(ctx.session, pid, payable, sign=1) == D("30.00")  # debits: paid
        assert balance(ctx.session, pid, payable, sign=-1) == D("-140.00")  # credits: granted
        assert balance(ctx.session, pid, payable, kinds=["compensation_paid"]) == D("30.00")
        first_half = (dt.date(2024, 1, 1), dt.date(2024, 6, 30))
        assert balance(ctx.session, pid, payable, between=first_half) == D("-100.00")
        second_half = (dt.date(2024, 7, 1), dt.date(2024, 12, 31))
        assert balance(
            ctx.session, pid, payable, institution_id=bank_a, sign=-1, between=second_half
        ) == D("0.00")


def test_tampered_postings_show_as_unbalanced_and_on_the_wrong_side(api, fund):
    """The checks the ledger report runs find rows written around ``post``."""
    pid, bank_a, _ = fund
    with service_context(api, "finance") as ctx:
        entry = _grant(ctx, pid, bank_a, "10.00", "g")
        ctx.session.add(
            Posting(
                entry_id=entry.id,
                program_id=pid,
                account="payable:compensation",
                amount=D("25.00"),
                institution_id=bank_a,
            )
        )
        ctx.session.flush()
        assert ledger.unbalanced_entries(ctx.session, pid) == [entry.id]
        assert ledger.wrong_side_accounts(ctx.session, pid) == [
            {"account": "payable:compensation", "institution_id": bank_a, "balance": D("15.00")}
        ]
        ctx.session.rollback()


@pytest.mark.parametrize(
    ("account", "side"),
    [
        ("payable:compensation", -1),
        ("payable:subsidy", -1),
        ("recovery:receivable", 1),
        ("clawback:receivable", 1),
        ("fund:pool", 1),
        ("fund:capital", 0),
        ("expense:compensation", 0),
        ("recovery:returned", 0),
    ],
)
def test_each_account_has_its_normal_side(account, side):
    assert ledger.normal_side(account) == side
