"""Each hook exercised directly against the core's plugin manager (with the toy policy)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

import toy_policy
from riskshare.calendar import WorkdayCalendar
from riskshare.plugins.manager import PluginLoadError, get_plugin_manager, policy_registry
from riskshare.plugins.types import (
    ClaimDue,
    ClaimView,
    InstitutionView,
    LoanEventView,
    LoanView,
    PaymentView,
    Period,
    ProgramView,
    RecoveryView,
    WriteOffView,
)

PROGRAM = ProgramView(
    1,
    "t",
    "toy",
    "toy",
    "1",
    {
        "ratio": "0.40",
        "loan_cap": "2000000",
        "annual_cap": "100000000",
        "review_days": 5,
        "recovery_days": 10,
    },
    Decimal("1000000.00"),
    dt.date(2024, 1, 1),
    dt.date(2026, 12, 31),
)
LOAN = LoanView(
    1,
    "L",
    "credit",
    Decimal("500000.00"),
    Decimal("500000.00"),
    dt.date(2024, 3, 1),
    dt.date(2025, 3, 1),
    "ops",
    "substandard",
    "overdue",
    1,
    1,
    None,
    None,
    True,
    {},
    1,
)
CLAIM = ClaimView(
    1,
    1,
    1,
    dt.date(2024, 9, 10),
    Decimal("400000.00"),
    "approved",
    Decimal("160000.00"),
    Decimal("0.4"),
    Decimal("160000.00"),
    {},
    frozenset(),
)
CAL = WorkdayCalendar()


class FakeFacts:
    today = dt.date(2025, 1, 6)

    def __init__(self, pool="1000000.00", paid="0.00", returned="0.00", clawed="0.00"):
        self._pool, self._paid, self._returned = Decimal(pool), Decimal(paid), Decimal(returned)
        self._clawed = Decimal(clawed)

    def institution(self, institution_id):
        return InstitutionView(institution_id, "bank-a", "Bank A", "bank", "active", {})

    def active_bans(self, subject_type, subject_id, on):
        return []

    def pool_balance(self):
        return self._pool

    def compensation_paid_on_claim(self, claim_id):
        return self._paid

    def returned_on_claim(self, claim_id):
        return self._returned

    def paid_to_institution(self, institution_id):
        return self._paid

    def paid_between(self, start, end, kind="compensation"):
        return self._paid

    def paid(self, kind="compensation", **filters):
        return self._paid

    def recoveries_due(self, **filters):
        return self._returned

    def clawed_back(self, **filters):
        return self._clawed

    def indicator(self, name, on):
        return None


@pytest.fixture
def hook():
    return get_plugin_manager([], [("toy", toy_policy)]).hook


def test_riskshare_policies_lists_the_toy_policy(hook):
    [descriptors] = hook.riskshare_policies()
    assert descriptors[0].name == "toy"


def test_riskshare_loan_coverage_explains_the_cap(hook):
    decision = hook.riskshare_loan_coverage(
        program=PROGRAM, loan=LOAN, firm=None, lender=None, guarantor=None, facts=FakeFacts()
    )
    assert decision.allowed and decision.explanations[0].rule == "T-1"


def test_riskshare_loan_event_default_accepts_without_deadline(hook):
    event = LoanEventView("overdue_filing", dt.date(2024, 9, 9), dt.date(2024, 9, 10), 1, None, {})
    decision = hook.riskshare_loan_event(
        program=PROGRAM, loan=LOAN, event=event, calendar=CAL, facts=FakeFacts()
    )
    assert decision.accepted and decision.deadline is None


def test_riskshare_claim_eligibility_and_compensation(hook):
    assert hook.riskshare_claim_eligibility(
        program=PROGRAM, loan=LOAN, claim=CLAIM, facts=FakeFacts()
    ).allowed
    comp = hook.riskshare_compensation(program=PROGRAM, loan=LOAN, claim=CLAIM, facts=FakeFacts())
    assert comp.amount == Decimal("160000.00")


def test_riskshare_required_reviews_defaults_to_one_reviewer(hook):
    answer = hook.riskshare_required_reviews(program=PROGRAM, claim=CLAIM, facts=FakeFacts())
    assert answer == ["reviewer"]


def test_riskshare_deadline_counts_working_days(hook):
    d = hook.riskshare_deadline(
        program=PROGRAM, kind="claim_review", start=dt.date(2024, 9, 10), calendar=CAL
    )
    assert d.deadline.due == dt.date(2024, 9, 18)  # Mid-Autumn 15-17 Sep 2024 are off
    assert (
        hook.riskshare_deadline(
            program=PROGRAM, kind="plan_summary", start=dt.date(2024, 12, 31), calendar=CAL
        )
        is None
    )


def test_riskshare_plan_period_half_years(hook):
    period = hook.riskshare_plan_period(program=PROGRAM, day=dt.date(2024, 8, 1))
    assert period == Period("2024-H2", dt.date(2024, 7, 1), dt.date(2024, 12, 31))


def test_riskshare_propose_allocation_and_check_allocation_stay_within_pool(hook):
    dues = [
        ClaimDue(1, 1, dt.date(2024, 9, 10), Decimal("700.00"), Decimal(0), Decimal("700.00"), 1),
        ClaimDue(2, 1, dt.date(2024, 9, 11), Decimal("500.00"), Decimal(0), Decimal("500.00"), 2),
    ]
    period = Period("2024", dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    allocation = hook.riskshare_propose_allocation(
        program=PROGRAM, period=period, dues=dues, facts=FakeFacts(pool="1000.00")
    )
    assert [line.allocated for line in allocation.lines] == [Decimal("700.00"), Decimal("300.00")]
    assert allocation.lines[1].carried == Decimal("200.00")
    assert hook.riskshare_check_allocation(
        program=PROGRAM,
        period=period,
        lines=list(allocation.lines),
        facts=FakeFacts(pool="1000.00"),
    ).allowed


def test_riskshare_check_payment_refuses_beyond_the_pool(hook):
    payment = PaymentView("compensation", Decimal("10.01"), dt.date(2025, 1, 6), 1, None, 1)
    decision = hook.riskshare_check_payment(
        program=PROGRAM, payment=payment, facts=FakeFacts(pool="10.00")
    )
    assert not decision.allowed and decision.refusing.rule == "CORE-POOL"


def test_riskshare_recovery_is_capped_at_what_was_compensated(hook):
    recovery = RecoveryView(dt.date(2025, 1, 6), Decimal("1000000.00"), Decimal("0.00"))
    decision = hook.riskshare_recovery(
        program=PROGRAM,
        claim=CLAIM,
        recovery=recovery,
        calendar=CAL,
        facts=FakeFacts(paid="160000.00", returned="100000.00"),
    )
    assert decision.amount_due == Decimal("60000.00") and decision.destination == "pool"


def test_riskshare_clawback_default_takes_back_everything_paid(hook):
    decision = hook.riskshare_clawback(
        program=PROGRAM,
        institution=FakeFacts().institution(1),
        reason="fraud",
        facts=FakeFacts(paid="1234.56"),
    )
    assert decision.amount == Decimal("1234.56") and decision.ban_years is None


def test_riskshare_clawback_default_never_claims_twice_what_was_clawed_back(hook):
    decision = hook.riskshare_clawback(
        program=PROGRAM,
        institution=FakeFacts().institution(1),
        reason="fraud again",
        facts=FakeFacts(paid="1234.56", clawed="1000.00"),
    )
    assert decision.amount == Decimal("234.56")


def test_riskshare_write_off_default_allows_it_without_review(hook):
    view = WriteOffView(1, 1, None, dt.date(2025, 3, 1), Decimal("100000.00"))
    decision = hook.riskshare_write_off(
        program=PROGRAM, loan=LOAN, write_off=view, facts=FakeFacts()
    )
    assert decision.allowed and list(decision.reviewers) == []
    assert decision.explanations[0].rule == "CORE-WRITE-OFF"


def test_riskshare_ban_default_keeps_the_length_asked_for(hook):
    firm = FakeFacts().institution(1)
    for years in (3, None):
        decision = hook.riskshare_ban(
            program=PROGRAM,
            subject_type="institution",
            subject=firm,
            rule="T-9",
            years=years,
            facts=FakeFacts(),
        )
        assert decision.allowed and decision.years == years


def test_an_enabled_plugin_that_is_not_installed_stops_start_up():
    with pytest.raises(PluginLoadError, match="'nowhere' is enabled but not installed"):
        get_plugin_manager(["nowhere"])


def test_a_policy_whose_schema_breaks_the_meta_schema_stops_start_up():
    class Bad:
        @staticmethod
        def riskshare_policies():
            from riskshare.toolkit import PolicyDescriptor

            return [PolicyDescriptor("bad", "1", "Bad", {"type": "object"})]

    from riskshare.plugins.hookspec import hookimpl

    Bad.riskshare_policies = hookimpl(Bad.riskshare_policies)
    with pytest.raises(PluginLoadError, match="meta-schema"):
        policy_registry(get_plugin_manager([], [("bad", Bad)]))


def _payer_policy(**descriptor):
    """A policy paid by a trustee acting for an institution, its program config naming (or
    not) the paying trust company."""
    from riskshare.plugins.hookspec import hookimpl
    from riskshare.toolkit import PolicyDescriptor, Role

    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Payer",
        "type": "object",
        "additionalProperties": False,
        "properties": {"trustee": {"title": "Trustee", "description": "its code"}},
    }
    schema.update(descriptor.pop("schema", {}))

    class Payer:
        @staticmethod
        @hookimpl
        def riskshare_policies():
            return [
                PolicyDescriptor(
                    "payer",
                    "1",
                    "Payer",
                    schema,
                    roles=(Role("trustee", "受托机构", "trustee", acts_for_institution=True),),
                    payers=("trustee",),
                    **descriptor,
                )
            ]

    return get_plugin_manager([], [("payer", Payer)])


@pytest.mark.parametrize(
    ("descriptor", "message"),
    [
        ({}, "payer_institution must name a required key"),
        ({"payer_institution": "custodian"}, "payer_institution must name a required key"),
        ({"payer_institution": "trustee"}, "payer_institution must name a required key"),
    ],
    ids=["not named", "not in the schema", "not required"],
)
def test_a_policy_paid_by_an_institution_must_name_the_config_key_of_the_payer(descriptor, message):
    """Without the key, its payer would pay for every program: start-up stops instead."""
    with pytest.raises(PluginLoadError, match=message):
        policy_registry(_payer_policy(**descriptor))


def test_a_payer_acting_for_an_institution_pays_for_the_programs_naming_it_only():
    from riskshare.plugins.manager import role_catalogue

    pm = _payer_policy(payer_institution="trustee", schema={"required": ["trustee"]})
    catalogue = role_catalogue(pm)
    assert catalogue.institution_payers == {"trustee"}
    assert catalogue.pays_for("trustee", "trust-a", "payer", {"trustee": "trust-a"})
    assert not catalogue.pays_for("trustee", "trust-b", "payer", {"trustee": "trust-a"})
    assert not catalogue.pays_for("trustee", None, "payer", {"trustee": "trust-a"})
    assert not catalogue.pays_for("trustee", "trust-a", "toy", {"trustee": "trust-a"})
    assert catalogue.pays_for("finance", None, "toy", {})


def test_riskshare_cooperation_change_refuses_resuming_an_institution_with_a_bad_loan(hook):
    class Loans(FakeFacts):
        def institution_loans(self, institution_id):
            return [LOAN]  # substandard: non-performing

    institution = FakeFacts().institution(1)
    refused = hook.riskshare_cooperation_change(
        program=PROGRAM, institution=institution, action="resume", facts=Loans()
    )
    assert not refused.allowed and refused.refusing.rule == "T-6"
    assert refused.refusing.inputs == {"non_performing": ["L"]}


def test_riskshare_report_sections_adds_the_toy_pool_section(hook):
    class Report(FakeFacts):
        def program_loans(self):
            return [LOAN, LOAN]

        def paid_total(self):
            return Decimal("160000.00")

    period = Period("2025-01", dt.date(2025, 1, 1), dt.date(2025, 1, 31))
    [[section]] = hook.riskshare_report_sections(program=PROGRAM, period=period, facts=Report())
    assert section.key == "toy-pool"
    assert section.rows == [
        {
            "period": "2025-01",
            "pool_balance": Decimal("1000000.00"),
            "paid": Decimal("160000.00"),
            "non_performing": 2,
            "outstanding": Decimal("1000000.00"),
        }
    ]


@pytest.fixture(scope="module")
def installed():
    """The installed plugins' manager: hooks without a program go to every plugin."""
    return get_plugin_manager(None)


def test_riskshare_migration_locations_offer_each_plugins_revisions(installed):
    from riskshare.plugins.manager import available_plugins

    assert "yanqing" in available_plugins(), "this check needs the Yanqing plugin installed"
    locations = [Path(p) for batch in installed.hook.riskshare_migration_locations() for p in batch]
    yanqing = [p for p in locations if p.parent.name == "riskshare_yanqing"]
    assert yanqing and sorted(f.name for f in yanqing[0].glob("yanqing_0001_*.py"))


def test_riskshare_register_routes_hands_each_plugins_blueprint_to_the_api(installed):
    class Api:
        def __init__(self):
            self.blueprints = []

        def register_blueprint(self, blueprint, **options):
            self.blueprints.append(blueprint)

    api = Api()
    installed.hook.riskshare_register_routes(api=api)
    assert "yanqing" in {blueprint.name for blueprint in api.blueprints}


def test_riskshare_transition_roles_lets_a_policy_name_who_takes_a_step(installed):
    """Xinxiang X-17: the leading group (approver) suspends and resumes institutions; a
    step the policy does not assign is left to the machine (None)."""
    from riskshare.plugins.manager import policy_hooks

    program = dataclasses.replace(PROGRAM, policy="xinxiang")
    hooks = policy_hooks(installed)
    for step in ("suspend", "resume"):
        roles = hooks.riskshare_transition_roles(
            program=program, record="institution", transition=step
        )
        assert roles == ["approver"]
    assert (
        hooks.riskshare_transition_roles(program=program, record="claim", transition="approve")
        is None
    )
