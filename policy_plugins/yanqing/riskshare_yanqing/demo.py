"""The Yanqing demo tenant: a program with firms at every step, made over HTTP.

``TENANT`` describes the tenant for the core (``riskshare_demo_tenants``): the custodian,
the bank, the guarantee company, the insurer, the recommending departments and town, one
firm and the demo users. Its story (``tell``) adds the program and the policy's records
through the API with development tokens, so every rule runs as it would for real users.
The story runs through 2025, inside the program's window: the date is pinned to each step's
day (grades take effect, half-years close and payments are booked on "today") and unpinned
at the end. It is idempotent: a tenant that has the program already is left alone.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from stdnum.cn.uscc import calc_check_digit

from riskshare.testing import ApiClient, Caller
from riskshare.toolkit import DemoFirm, DemoInstitution, DemoTenant, DemoUser
from riskshare_yanqing.config import CLAIM_REVIEW_ROLES, PANEL_SEATS, REQUIRED_DOCUMENTS

CODE = "yanqing-2025"
RECOMMENDER, BANK, GUARANTOR = "yq-tourism", "yq-bank-bj", "yq-guarantee"
# Y-03: departments and towns recommend; the tourism bureau recommends the firms not named.
OTHER_RECOMMENDERS = {
    "延庆山泉饮品有限公司": "yq-town",
    "延庆长城民宿有限公司": "yq-town",
    "延庆智慧农业有限公司": "yq-agriculture",
    "延庆有机蔬菜有限公司": "yq-agriculture",
}
INSURER, CUSTODIAN = "yq-insurer", "yq-custodian"

# Where a firm can stop, in the policy's order (Y-03 … Y-12). A firm takes every step of the
# main line before its stop; the side exits (screened out, rejected, a failed financing)
# are taken only by the firm that stops there.
STOPS = (
    "recommended",
    "screened_out",  # turned away at the DRC's pre-screen
    "in_review",  # only some delegates have voted
    "rejected",  # vetoed by the DRC's delegate
    "awaiting_approval",  # a high grade waits for the district government
    "pushed",  # to the bank and the guarantee company, no loan yet
    "financing_failed",  # back to joint review
    "credit",  # financed through each channel (Y-09 … Y-11) ...
    "guaranteed",
    "insured",
    "claim_submitted",  # ... and the bank credit loans that went bad
    "claim_approved",  # jointly reviewed in 2025-H2, for the next half-year plan
    "claim_paid",  # jointly reviewed in 2025-H1, paid through that half-year's plan
)
# (name, the grade the delegates vote, where the firm stops)
FIRMS = (
    ("延庆科创材料有限公司", None, "recommended"),
    ("延庆山泉饮品有限公司", None, "screened_out"),
    ("延庆长城民宿有限公司", "medium", "in_review"),
    ("延庆无人机培训有限公司", "low", "rejected"),
    ("延庆智慧农业有限公司", "high", "awaiting_approval"),
    ("延庆葡萄酒庄有限公司", "medium", "pushed"),
    ("延庆冰雪装备有限公司", "low", "financing_failed"),
    ("延庆冰雪文旅有限公司", "low", "credit"),
    ("延庆通航科技有限公司", "high", "guaranteed"),
    ("延庆有机蔬菜有限公司", "medium", "insured"),
    ("延庆低空物流有限公司", "medium", "claim_submitted"),
    ("延庆妫水文创有限公司", "low", "claim_approved"),
    ("延庆百里山水旅游有限公司", "medium", "claim_paid"),
)
PRINCIPAL, CLAIMED, PREMIUM = "2000000.00", "1200000.00", "40000.00"


def uscc(serial: int, division: str = "110119") -> str:
    """A valid USCC registered in ``division`` (110119: Yanqing), as Y-02 reads it."""
    body = f"91{division}MA{serial:07d}"
    return body + calc_check_digit(body)


def documents(*kinds: str) -> list[dict[str, str]]:
    """Small stand-in files of the given kinds, as the API takes them (base64)."""
    return [
        {
            "kind": kind,
            "filename": f"{kind}.pdf",
            "content_type": "application/pdf",
            "content_base64": base64.b64encode(f"%PDF demo {kind}".encode()).decode(),
        }
        for kind in kinds
    ]


@dataclass
class _Firm:
    name: str
    grade: str | None
    stop: str
    firm: dict = field(default_factory=dict)  # the records as the API answered
    rec: dict = field(default_factory=dict)
    loan: dict = field(default_factory=dict)
    claim: dict = field(default_factory=dict)

    def beyond(self, step: str) -> bool:
        return STOPS.index(self.stop) > STOPS.index(step)

    def votes(self) -> dict[str, str]:
        """Y-06: every delegate votes the firm's grade, unless it stops to show the rule."""
        assert self.grade is not None  # only a firm past the pre-screen is voted on; it has one
        if self.stop == "in_review":
            return dict.fromkeys(PANEL_SEATS[:2], self.grade)
        votes = dict.fromkeys(PANEL_SEATS, self.grade)
        if self.stop == "rejected":
            votes["drc"] = "reject"  # the veto outweighs the majority
        return votes


class _Story:
    def __init__(self, api: ApiClient) -> None:
        self.api = api
        self.firms = [_Firm(*row) for row in FIRMS]
        self.office, self.lender = self.as_("office"), self.as_("lender", BANK)
        self.custodian = self.as_("custodian", CUSTODIAN)
        self.program: dict = {}
        self.insts: dict[str, dict] = {}

    def as_(self, role: str, institution: str | None = None, user: str = "") -> Caller:
        # The demo users' names (``<tenant>-<role>``), whose tokens ``riskshare demo`` prints,
        # so the audit trail reads as if those users had done it.
        user = user or f"{self.api.tenant}-{role}"
        return self.api.as_(role, institution=institution, user=user)

    def on(self, day: str) -> None:
        self.api.today(dt.date.fromisoformat(day))

    def beyond(self, step: str) -> list[_Firm]:
        return [f for f in self.firms if f.beyond(step)]

    def at(self, stop: str) -> _Firm:
        return next(f for f in self.firms if f.stop == stop)

    def run(self) -> None:
        for day, step in (
            ("2025-01-06", self.recommend),
            ("2025-01-13", self.review),
            ("2025-01-20", self.approve_and_push),
            ("2025-02-10", self.finance),
            ("2025-02-17", self.subsidise),
            ("2025-05-12", self.claim),
            ("2025-05-26", lambda: self.review_claim("claim_paid")),
            ("2025-06-30", self.book_gains),
            ("2025-07-03", lambda: self.pay_half_year("2025-06-30")),
            # Reviewed in H2, this claim waits for the 2025-H2 plan.
            ("2025-09-15", lambda: self.review_claim("claim_approved")),
        ):
            self.on(day)
            step()

    def recommend(self) -> None:
        """Y-02, Y-03: the program opens; departments and a town register and recommend the
        firms."""
        self.program = self.office.ok(
            "POST",
            "/programs",
            {
                "code": CODE,
                "name": "延庆区中小微企业融资风险补偿",
                "policy": "yanqing",
                # Y-01: the custodian the DRC chose, which alone pays and reads the pool.
                "config": {"custodian": CUSTODIAN},
                "fund_total": "30000000.00",
                "effective_from": "2025-01-01",
                "effective_to": "2027-12-31",
            },
            status=201,
        )
        self.insts = {i["code"]: i for i in self.office.ok("GET", "/institutions?page_size=100")}
        for n, f in enumerate(self.firms, 1):
            recommender = self.as_("recommender", OTHER_RECOMMENDERS.get(f.name, RECOMMENDER))
            f.firm = recommender.ok(
                "POST",
                "/firms",
                {
                    "uscc": uscc(n + 9000),
                    "name": f.name,
                    "industry": "software_it",
                    "employees": 40,
                    "revenue": "6000000",
                    # Y-02: registered in Yanqing, in existence with a concrete business.
                    "registered_address": f"北京市延庆区妫川路 {n} 号",
                    "business_scope": "技术开发、技术服务；旅游信息咨询",
                },
                status=201,
            )
            f.rec = recommender.ok(
                "POST",
                f"/yanqing/programs/{self.program['id']}/recommendations",
                {
                    "firm_id": f.firm["id"],
                    "financing_need": PRINCIPAL,
                    "focus_sector": "low_altitude_economy",
                    "documents": documents(*REQUIRED_DOCUMENTS),
                    "credit_record": {"entries": []},
                },
                status=201,
            )

    def step(self, f: _Firm, path: str, caller: Caller, body: dict) -> None:
        f.rec = caller.ok("POST", f"/yanqing/recommendations/{f.rec['id']}/{path}", body)

    def review(self) -> None:
        """Y-06: the DRC's pre-screen, then the delegates' votes."""
        for f in self.beyond("recommended"):
            passed = f.stop != "screened_out"
            decision = {"decision": "pass" if passed else "reject", "opinion": "初筛"}
            self.step(f, "prescreen", self.office, decision)
            for seat, grade in f.votes().items() if passed else ():
                # Y-06: the bank's and the guarantee company's delegates act for them.
                institution = {"bank": BANK, "guarantor": GUARANTOR}.get(seat)
                user = f"{self.api.tenant}-{seat}-delegate"
                delegate = self.as_("panelist", institution, user)
                self.step(f, "votes", delegate, {"seat": seat, "grade": grade, "opinion": "联审"})

    def approve_and_push(self) -> None:
        """Y-07, Y-08: the district approves a high grade; the DRC pushes graded firms."""
        targets = [self.insts[BANK]["id"], self.insts[GUARANTOR]["id"]]
        for f in self.beyond("awaiting_approval"):
            if f.grade == "high":
                approval = {"decision": "approve", "opinion": "同意"}
                self.step(f, "approval", self.as_("approver"), approval)
            self.step(f, "pushes", self.office, {"institution_ids": targets})

    def finance(self) -> None:
        """Y-08 … Y-11: one firm's financing fails; the others get a loan through a channel."""
        self.step(
            self.at("financing_failed"), "financing-failures", self.office, {"reason": "银行未审批"}
        )
        parties = {
            "guaranteed": {  # Y-10: the bank bears 30% of the loss by its agreement
                "guarantor_id": self.insts[GUARANTOR]["id"],
                "attributes": {"lender_share": "0.30"},
            },
            "insured": {"insurer_id": self.insts[INSURER]["id"]},
        }
        for f in self.beyond("financing_failed"):
            kind = f.stop if f.stop in parties else "credit"
            f.loan = self.lender.ok(
                "POST",
                "/loans",
                {
                    "firm_id": f.firm["id"],
                    "lender_id": self.insts[BANK]["id"],
                    "reference": f"YQ-DEMO-{f.firm['id']}",
                    "kind": kind,
                    "principal": PRINCIPAL,
                    "issue_date": "2025-02-10",
                    "maturity_date": "2026-02-09",
                    **parties.get(kind, {}),
                },
                status=201,
            )

    def subsidise(self) -> None:
        """Y-11: the DRC notices half the insured firm's premium; the custodian pays it."""
        subsidy = self.office.ok(
            "POST",
            f"/yanqing/programs/{self.program['id']}/premium-subsidies",
            {
                "loan_id": self.at("insured").loan["id"],
                "premium": PREMIUM,
                "documents": documents("loan_documents", "insurance_policy", "payment_proof"),
            },
            key="demo-subsidy",
            status=201,
        )
        self.pay(subsidy["disbursement_id"])

    def claim(self) -> None:
        """Y-12: the credit loans of the last three firms go bad and the bank claims."""
        for f in self.beyond("insured"):
            self.lender.ok(
                "POST",
                f"/loans/{f.loan['id']}/events",
                {
                    "kind": "classification_change",
                    "event_date": "2025-05-09",
                    "classification": "substandard",
                },
                status=201,
            )
            f.claim = self.lender.ok(
                "POST",
                "/claims",
                {
                    "loan_id": f.loan["id"],
                    "claimed_principal": CLAIMED,
                    "documents": documents("npl_application"),
                },
                status=201,
            )

    def review_claim(self, stop: str) -> None:
        """Y-12: the units that graded the firm (its joint review's seats) review the claim."""
        for role in (CLAIM_REVIEW_ROLES[seat] for seat in PANEL_SEATS):
            self.as_(role).ok(
                "POST",
                f"/claims/{self.at(stop).claim['id']}/reviews",
                {"decision": "approve", "opinion": "联合审核通过"},
                status=201,
            )

    def book_gains(self) -> None:
        """Y-01: the custodian's investment gains go into the pool."""
        self.custodian.ok(
            "POST",
            f"/yanqing/programs/{self.program['id']}/gains",
            {"amount": "150000.00", "reference": "2025-H1"},
            key="demo-gain-2025-H1",
            status=201,
        )

    def pay_half_year(self, day: str) -> None:
        """Y-12: the DRC's plan for the half year ending on ``day``, approved by the district
        government, is paid by the custodian. The notice normally goes out once a year; this
        first half year is paid on its own as a special case, which the DRC asks for with
        its reason and the finance bureau approves."""
        period = f"{day[:4]}-H1"
        asked = self.office.ok(
            "POST",
            f"/yanqing/programs/{self.program['id']}/extra-payments",
            {"period": period, "reason": "特殊情况：合作银行年中代偿资金周转需要"},
            status=201,
        )
        self.as_("finance").ok(
            "POST",
            f"/yanqing/extra-payments/{asked['id']}/decision",
            {"decision": "approve", "opinion": "同意单独拨付"},
        )
        plan = self.office.ok(
            "POST", "/plans", {"program_id": self.program["id"], "day": day}, status=201
        )
        self.office.ok("POST", f"/plans/{plan['id']}/submit")
        self.as_("approver").ok("POST", f"/plans/{plan['id']}/approve")
        for payment in self.custodian.ok("GET", "/disbursements"):
            if payment["state"] == "instructed":
                self.pay(payment["id"])

    def pay(self, disbursement_id: int) -> None:
        """Y-01: the custodian pays on the DRC's notice and confirms the payment."""
        key = f"demo-pay-{disbursement_id}"
        self.custodian.ok(
            "POST", f"/disbursements/{disbursement_id}/confirm", {"payment_reference": key}, key=key
        )


def tell(api: ApiClient) -> None:
    """Add the Yanqing program and its story to ``api``'s tenant, unless it is there."""
    story = _Story(api)
    if any(p["code"] == CODE for p in story.as_("office").ok("GET", "/programs")):
        return
    try:
        story.run()
    finally:
        api.today(None)


TENANT = DemoTenant(
    slug="yanqing",
    name="延庆区 Yanqing",
    institutions=[
        DemoInstitution(CUSTODIAN, "资金托管机构", "custodian"),
        DemoInstitution(BANK, "北京银行延庆支行", "bank"),
        DemoInstitution(GUARANTOR, "北京市延庆区融资担保公司", "guarantor"),
        DemoInstitution(INSURER, "人保财险延庆支公司", "insurer"),
        DemoInstitution(RECOMMENDER, "延庆区文化和旅游局", "department"),
        DemoInstitution("yq-agriculture", "延庆区农业农村局", "department"),
        DemoInstitution("yq-town", "延庆镇人民政府", "town"),
    ],
    firms=[
        DemoFirm(
            "91110229MA01ABCD11",
            "北京延庆低空科技有限公司",
            "software_it",
            employees=60,
            revenue=Decimal("8000000"),
        ),
    ],
    # The DRC, the finance bureau and the district government act for no institution.
    users=[
        DemoUser("office"),
        DemoUser("reviewer"),
        DemoUser("approver"),
        DemoUser("finance"),
        DemoUser("custodian", CUSTODIAN),
        DemoUser("auditor"),
        DemoUser("lender", BANK),
        DemoUser("guarantor", GUARANTOR),
        DemoUser("insurer", INSURER),
        DemoUser("recommender", RECOMMENDER),
        DemoUser("panelist"),  # a government delegate to the joint review (Y-06)
        # Y-12: the graders' claim reviewers beside the DRC (reviewer) and finance.
        DemoUser("industry_delegate"),
        DemoUser("bank_delegate"),
        DemoUser("guarantor_delegate"),
    ],
    story=tell,
)
