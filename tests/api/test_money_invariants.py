"""Random sequences of money operations through the HTTP API, invariants after every step.

A hypothesis state machine drives three tenants, each with its own toy program (a fund of
1,000,000 whose annual cap, rule T-7, is smaller than what its claims ask), through
appropriations, loans, reclassifications and repayments, claims, reviews, plans for several
periods (propose, edit, submit, return, approve, reject, withdraw), confirmations,
recoveries and their returns, clawbacks and their repayment, and retries of the request
just made. After every step, for every program:

* the ledger balances, no signed account is on the wrong side, and the balances equal a
  replay of the journal entries;
* no claim is paid more than it was approved for, and nothing is granted twice by plans;
* the annual cap (by payment date) and the pool hold, and no covered loan passes the
  toy's loan cap;
* no tenant sees another's records.

Any answer other than a success or a 4xx that says what to fix (a 500, say) fails the run.
``make soak`` runs many more and longer sequences (RISKSHARE_SOAK=1).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
from collections import defaultdict
from decimal import Decimal

from hypothesis import HealthCheck, Verbosity, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from factories import register_loan, setup_program
from riskshare.testing.client import ApiClient

SOAK = bool(os.environ.get("RISKSHARE_SOAK"))
EXAMPLES = int(os.environ.get("RISKSHARE_MONEY_EXAMPLES", 200 if SOAK else 12))
STEPS = int(os.environ.get("RISKSHARE_MONEY_STEPS", 80 if SOAK else 30))
VERBOSE = bool(os.environ.get("RISKSHARE_MONEY_VERBOSE"))  # print every step
ANNUAL_CAP = Decimal("150000.00")
CENT = Decimal("0.01")
LOAN_CAP = Decimal("2000000")
START = dt.date(2024, 1, 2)  # the toy programs begin on 2024-01-01
FIRST_DAY = dt.date(2024, 6, 20)  # the first claims are reviewed in 2024-H1
FIRST_PLAN_DAY = dt.date(2024, 7, 2)
LAST = dt.date(2026, 12, 30)  # the toy programs end on 2026-12-31
FINE = {200, 201, 404, 409, 422}
CLASSES = ["normal", "special_mention", "substandard", "doubtful", "loss"]
counter = itertools.count()

# Operations performed, for the closing note's figures (printed by the test).
STATS: dict[str, int] = defaultdict(int)


def pages(caller, path):
    """Every item of a paginated listing."""
    items, number = [], 1
    while True:
        sep = "&" if "?" in path else "?"
        batch = caller.ok("GET", f"{path}{sep}page={number}&page_size=100")
        items += batch
        if len(batch) < 100:
            return items
        number += 1


class Tenant:
    def __init__(self, app, clock_day):
        self.api = ApiClient(app, f"m{next(counter)}{os.getpid()}x{id(self) % 10_000}")
        self.api.onboard()
        self.api.app.extensions["riskshare"].clock.pin(clock_day)
        self.program, self.bank, self.firm = setup_program(self.api, annual_cap=str(ANNUAL_CAP))
        self.loans = 0
        self.last = None  # (caller, method, path, body, key, status) of the last money request

    def as_(self, role):
        return self.api.as_(role, institution="bank-a" if role == "lender" else None)


class MoneyMachine(RuleBasedStateMachine):
    app = None

    def __init__(self):
        super().__init__()
        self.day = FIRST_DAY
        self.tenants: list[Tenant] = []
        self.touched: int | None = None  # the tenant the last step acted on

    # --- helpers ---------------------------------------------------------------------

    def pin(self):
        self.app.extensions["riskshare"].clock.pin(self.day)

    def call(self, tenant, role, method, path, body=None, *, money=True):
        """One request; remembered if it moves money, so ``retry`` can send it again."""
        caller = tenant.as_(role)
        key = f"k{next(counter)}"
        response = caller.call(method, path, body, key=key)
        assert response.status_code in FINE, (method, path, body, response.get_json())
        if money:
            tenant.last = (caller, method, path, body, key, response.status_code)
        if method != "GET":
            STATS["requests"] += 1
            STATS[f"{path.split('/')[1]}:{response.status_code}"] += 1
        return response

    def pick(self, tenant, path, n, where=lambda item: True, role="auditor"):
        items = [i for i in pages(tenant.as_(role), path) if where(i)]
        return items[n % len(items)] if items else None

    # --- steps -----------------------------------------------------------------------

    @initialize()
    def three_tenants(self):
        """Each tenant starts with four non-performing loans, three claims, two approved:
        together they ask more than the annual cap allows."""
        self.pin()
        self.tenants = [Tenant(self.app, self.day) for _ in range(3)]
        for tenant in self.tenants:
            for n, principal in enumerate(["125000.00", "400000.00", "250000.00", "50000.00"]):
                tenant.loans += 1
                loan = register_loan(
                    tenant.api,
                    tenant.firm,
                    tenant.bank,
                    f"L-{tenant.loans}",
                    principal,
                    classification="loss",
                    issue_date="2024-01-02",
                    maturity_date="2025-01-02",
                )
                if n == 3:
                    continue
                claim = tenant.as_("lender").ok(
                    "POST",
                    "/claims",
                    {"loan_id": loan["id"], "claimed_principal": principal},
                    status=201,
                )
                if n < 2:
                    tenant.as_("reviewer").ok(
                        "POST",
                        f"/claims/{claim['id']}/reviews",
                        {"decision": "approve", "opinion": "ok"},
                        status=201,
                    )
        self.day = FIRST_PLAN_DAY  # the first half-year has ended: its plan can be proposed
        self.pin()

    @rule(days=st.sampled_from([1, 15, 60]))
    def time_passes(self, days):
        self.day = min(self.day + dt.timedelta(days=days), LAST)
        self.pin()

    @rule(t=st.integers(0, 2), amount=st.sampled_from(["0.01", "20000.00", "150000.00"]))
    def appropriate(self, t, amount):
        self.touched = t
        tenant = self.tenants[t]
        body = {"amount": amount, "reference": f"B-{next(counter)}"}
        self.call(
            tenant, "finance", "POST", f"/programs/{tenant.program['id']}/appropriations", body
        )

    @rule(
        t=st.integers(0, 2),
        principal=st.sampled_from(["50000.00", "125000.00", "400000.00", "2500000.00"]),
        classification=st.sampled_from(CLASSES),
    )
    def register(self, t, principal, classification):
        self.touched = t
        tenant = self.tenants[t]
        tenant.loans += 1
        issued = max(START, self.day - dt.timedelta(days=30))
        register_loan(
            tenant.api,
            tenant.firm,
            tenant.bank,
            f"L-{tenant.loans}",
            principal,
            classification=classification,
            issue_date=issued.isoformat(),
            maturity_date=(issued + dt.timedelta(days=365)).isoformat(),
        )
        STATS["requests"] += 1

    @rule(t=st.integers(0, 2), n=st.integers(0, 99), classification=st.sampled_from(CLASSES))
    def reclassify(self, t, n, classification):
        self.touched = t
        tenant = self.tenants[t]
        loan = self.pick(tenant, "/loans", n, lambda x: x["state"] in ("active", "overdue"))
        if loan:
            body = {
                "kind": "classification_change",
                "event_date": self.day.isoformat(),
                "classification": classification,
            }
            self.call(tenant, "lender", "POST", f"/loans/{loan['id']}/events", body, money=False)

    @rule(t=st.integers(0, 2), n=st.integers(0, 99), share=st.sampled_from(["0.1", "0.5"]))
    def repay(self, t, n, share):
        self.touched = t
        tenant = self.tenants[t]
        loan = self.pick(tenant, "/loans", n, lambda x: x["state"] in ("active", "overdue"))
        if loan:
            amount = (Decimal(loan["outstanding"]) * Decimal(share)).quantize(Decimal("0.01"))
            body = {"kind": "repayment", "event_date": self.day.isoformat(), "amount": str(amount)}
            self.call(tenant, "lender", "POST", f"/loans/{loan['id']}/events", body, money=False)

    @rule(t=st.integers(0, 2), n=st.integers(0, 99), share=st.sampled_from(["0.6", "1", "1.1"]))
    def claim(self, t, n, share):
        self.touched = t
        tenant = self.tenants[t]
        loan = self.pick(tenant, "/loans", n)
        if loan:
            principal = (Decimal(loan["outstanding"]) * Decimal(share)).quantize(Decimal("0.01"))
            body = {"loan_id": loan["id"], "claimed_principal": str(max(principal, Decimal(1)))}
            self.call(tenant, "lender", "POST", "/claims", body)

    @rule(
        t=st.integers(0, 2),
        n=st.integers(0, 99),
        decision=st.sampled_from(["approve", "approve", "reject"]),
        cut=st.booleans(),
    )
    def review(self, t, n, decision, cut):
        self.touched = t
        tenant = self.tenants[t]
        claim = self.pick(tenant, "/claims", n, lambda c: c["state"] == "submitted")
        if claim:
            body = {"decision": decision, "opinion": "ok"}
            if cut:
                body["approved_amount"] = str((Decimal(claim["amount"]) / 2).quantize(CENT))
            self.call(tenant, "reviewer", "POST", f"/claims/{claim['id']}/reviews", body)

    @rule(t=st.integers(0, 2), back=st.sampled_from([0, 40, 200, 400]))
    def propose(self, t, back):
        self.touched = t
        tenant = self.tenants[t]
        day = max(START, self.day - dt.timedelta(days=back))
        body = {"program_id": tenant.program["id"], "day": day.isoformat()}
        self.call(tenant, "office", "POST", "/plans", body)

    @rule(t=st.integers(0, 2), back=st.sampled_from([0, 200]), pay=st.booleans())
    def plan_through(self, t, back, pay):
        """The whole way in one step: propose, submit, approve, and maybe confirm a payment."""
        self.touched = t
        tenant = self.tenants[t]
        day = max(START, self.day - dt.timedelta(days=back))
        body = {"program_id": tenant.program["id"], "day": day.isoformat()}
        proposed = self.call(tenant, "office", "POST", "/plans", body)
        if proposed.status_code != 201:
            return
        plan = proposed.get_json()
        for role, action in (("office", "submit"), ("approver", "approve")):
            if (
                self.call(tenant, role, "POST", f"/plans/{plan['id']}/{action}", {}).status_code
                >= 400
            ):
                return
        if pay:  # every payment the plan instructed, in turn: the cap stops some of them
            for d in pages(tenant.as_("auditor"), "/disbursements"):
                if d["state"] == "instructed":
                    self.call(tenant, "finance", "POST", f"/disbursements/{d['id']}/confirm", {})

    @rule(t=st.integers(0, 2), n=st.integers(0, 99), share=st.sampled_from(["0", "0.5", "1.5"]))
    def edit(self, t, n, share):
        self.touched = t
        tenant = self.tenants[t]
        plan = self.pick(tenant, "/plans", n, lambda p: p["state"] == "draft" and p["items"])
        if plan:
            item = plan["items"][0]
            allocated = (Decimal(item["requested"]) * Decimal(share)).quantize(Decimal("0.01"))
            body = {"items": [{"claim_id": item["claim_id"], "allocated": str(allocated)}]}
            self.call(tenant, "office", "PATCH", f"/plans/{plan['id']}", body)

    @rule(
        t=st.integers(0, 2),
        n=st.integers(0, 99),
        step=st.sampled_from(
            [
                ("office", "submit"),
                ("approver", "approve"),
                ("approver", "approve"),
                ("approver", "return"),
                ("approver", "reject"),
                ("office", "withdraw"),
            ]
        ),
    )
    def advance_plan(self, t, n, step):
        self.touched = t
        tenant = self.tenants[t]
        role, action = step
        plan = self.pick(tenant, "/plans", n, lambda p: p["state"] in ("draft", "submitted"))
        if plan:
            self.call(tenant, role, "POST", f"/plans/{plan['id']}/{action}", {})

    @rule(t=st.integers(0, 2), n=st.integers(0, 99))
    def confirm(self, t, n):
        self.touched = t
        tenant = self.tenants[t]
        d = self.pick(tenant, "/disbursements", n, lambda d: d["state"] == "instructed")
        if d:
            self.call(tenant, "finance", "POST", f"/disbursements/{d['id']}/confirm", {})

    @rule(t=st.integers(0, 2), n=st.integers(0, 99), recovered=st.sampled_from(["1000", "9e5"]))
    def recover(self, t, n, recovered):
        self.touched = t
        tenant = self.tenants[t]
        claim = self.pick(tenant, "/claims", n, lambda c: c["state"] in ("approved", "paid"))
        if claim:
            body = {
                "claim_id": claim["id"],
                "received_on": self.day.isoformat(),
                "recovered": str(Decimal(recovered).quantize(Decimal("0.01"))),
            }
            self.call(tenant, "lender", "POST", "/recoveries", body)

    @rule(t=st.integers(0, 2), n=st.integers(0, 99))
    def return_recovery(self, t, n):
        self.touched = t
        tenant = self.tenants[t]
        r = self.pick(tenant, "/recoveries", n, lambda r: r["state"] == "due")
        if r:
            self.call(tenant, "finance", "POST", f"/recoveries/{r['id']}/confirm-return", {})

    @rule(t=st.integers(0, 2), chance=st.integers(0, 9))
    def claw_back(self, t, chance):
        """Rare (one try in ten acts): a clawback revokes the bank, which stops its claims."""
        self.touched = t
        if chance:
            return
        tenant = self.tenants[t]
        body = {
            "program_id": tenant.program["id"],
            "institution_id": tenant.bank["id"],
            "reason": "fraud found",
        }
        self.call(tenant, "approver", "POST", "/clawbacks", body)

    @rule(t=st.integers(0, 2), n=st.integers(0, 99))
    def clawback_repaid(self, t, n):
        self.touched = t
        tenant = self.tenants[t]
        c = self.pick(tenant, "/clawbacks", n, lambda c: c["state"] == "ordered")
        if c:
            self.call(tenant, "finance", "POST", f"/clawbacks/{c['id']}/confirm-repaid", {})

    @rule(t=st.integers(0, 2))
    def retry(self, t):
        """The last request sent again with its key: the same answer, no second effect."""
        self.touched = t
        tenant = self.tenants[t]
        if tenant.last is None:
            return
        caller, method, path, body, key, status = tenant.last
        again = caller.call(method, path, body, key=key)
        STATS["retries"] += 1
        # A refused first attempt saved nothing, so its retry is decided afresh.
        if status < 400:
            assert again.status_code == status, (path, again.get_json())
            assert again.headers.get("Idempotent-Replayed") == "true"

    # --- invariants ------------------------------------------------------------------

    @invariant()
    def money_holds(self):
        """Checked for the tenant the step acted on (all of them after the first step)."""
        if self.touched == -1:
            return  # the step changed nothing (time passed, or nothing to pick)
        touched = self.tenants if self.touched is None else [self.tenants[self.touched]]
        for tenant in touched:
            self.check_program(tenant)
        self.touched = None if not self.tenants else -1
        STATS["steps"] += 1

    def check_program(self, tenant):
        auditor = tenant.as_("auditor")
        pid = tenant.program["id"]
        ledger = auditor.ok("GET", f"/programs/{pid}/ledger")
        assert ledger["balanced"] and ledger["wrong_side"] == [], ledger
        assert Decimal(ledger["pool_balance"]) >= 0
        replay: dict[str, Decimal] = defaultdict(Decimal)
        for entry in pages(auditor, f"/programs/{pid}/ledger/entries"):
            assert sum(Decimal(p["amount"]) for p in entry["postings"]) == 0, entry
            for posting in entry["postings"]:
                replay[posting["account"]] += Decimal(posting["amount"])
        assert {a: str(v.quantize(Decimal("0.01"))) for a, v in replay.items()} == ledger[
            "balances"
        ]
        claims = {c["id"]: c for c in pages(auditor, "/claims")}
        paid: dict[int, Decimal] = defaultdict(Decimal)
        paid_in_year: dict[int, Decimal] = defaultdict(Decimal)
        for d in pages(auditor, "/disbursements"):
            if d["state"] == "confirmed" and d["kind"] == "compensation":
                paid[d["claim_id"]] += Decimal(d["amount"])
                paid_in_year[int(d["confirmed_on"][:4])] += Decimal(d["amount"])
        for claim_id, amount in paid.items():
            assert amount <= Decimal(claims[claim_id]["approved_amount"]), claims[claim_id]
        assert all(total <= ANNUAL_CAP for total in paid_in_year.values()), paid_in_year
        granted: dict[int, Decimal] = defaultdict(Decimal)
        for plan in pages(auditor, "/plans"):
            if plan["state"] in ("approved", "paid"):
                for item in plan["items"]:
                    granted[item["claim_id"]] += Decimal(item["allocated"])
        for claim_id, amount in granted.items():
            assert amount <= Decimal(claims[claim_id]["approved_amount"])
        for loan in pages(auditor, "/loans"):
            assert not loan["covered"] or Decimal(loan["principal"]) <= LOAN_CAP
        for other in self.tenants:
            if other is not tenant:
                foreign = tenant.api.as_("auditor").call(
                    "GET", f"/api/v1/tenants/{other.api.tenant}/claims"
                )
                assert foreign.status_code == 403
        assert not set(claims) & {
            c["id"] for o in self.tenants if o is not tenant for c in self._claims_of(o)
        }

    def _claims_of(self, tenant):
        return pages(tenant.as_("auditor"), "/claims")


def test_money_invariants_hold_over_random_sequences(rs_app):
    MoneyMachine.app = rs_app
    STATS.clear()
    try:
        run_state_machine_as_test(
            MoneyMachine,
            settings=settings(
                max_examples=EXAMPLES,
                stateful_step_count=STEPS,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
                database=None,
                verbosity=Verbosity.verbose if VERBOSE else Verbosity.normal,
            ),
        )
    finally:
        rs_app.extensions["riskshare"].clock.pin(None)
        print(f"\nmoney state machine: {EXAMPLES} sequences, {dict(sorted(STATS.items()))}")
