"""The Xinxiang demo tenant: 新政办〔2021〕48号 with loans and claims in every state.

``TENANT`` describes the tenant for the core (``riskshare_demo_tenants``): its banks and
guarantee company, two firms and the demo users. Its story (``tell``) adds the program and
everything else through the HTTP API with development tokens for the demo users, so the
demo passes the same validation, rules, ledger and audit trail as real users' requests.
The story runs from January 2022 to March 2023, inside the program's window; the date is
pinned to each day as it happens (deadlines and late flags are computed from "today") and
unpinned at the end.

The story does nothing if the program already exists.
"""

from __future__ import annotations

import base64
import datetime as dt
from decimal import Decimal
from typing import Any

from stdnum.cn import uscc as stdnum_uscc

from riskshare.testing import ApiClient, Caller
from riskshare.toolkit import DemoFirm, DemoInstitution, DemoTenant, DemoUser

PROGRAM_CODE = "xinxiang-2021"
BANK = "xx-bank-zy"
OTHER_BANK = "xx-bank-nx"
GUARANTOR = "xx-guarantee"

# X-07 第五条: the facts recorded on a cooperating bank and guarantee company.
BANK_FACTS = {"within_jurisdiction": True, "cooperation_agreement": True}
GUARANTOR_FACTS = {"government_backed": True, "provincial_reguarantee": True}

# 第九条: a bank's claim needs the firm's credit report.
CREDIT_REPORT = {
    "kind": "credit_report",
    "filename": "企业信用报告.pdf",
    "content_type": "application/pdf",
    "content_base64": base64.b64encode(b"%PDF-1.4 demo credit report").decode(),
}

# Firms the office registers, by a short key: (name, division, industry, employees, revenue).
# 4107xx divisions are in Xinxiang; 410105 (Zhengzhou) is not.
FIRMS = {
    "ruichuang": ("新乡市红旗区锐创电子有限公司", "410702", "industry", 50, "8000000"),
    "kangyuan": ("卫辉市康源食品有限公司", "410781", "industry", 80, "15000000"),
    "qizhong": ("长垣市起重配件有限公司", "410783", "industry", 30, "6000000"),
    "lvyuan": ("获嘉县绿源农产品有限公司", "410724", "agriculture", 20, "2000000"),
    "zhilian": ("新乡市牧野区智联科技有限公司", "410711", "software_it", 25, "3000000"),
    "huarun": ("新乡市凤泉区华润纺织有限公司", "410704", "industry", 120, "12000000"),
    "jinsui": ("原阳县金穗米业有限公司", "410725", "industry", 60, "9000000"),
    "outsider": ("郑州市金水区远航贸易有限公司", "410105", "wholesale", 20, "5000000"),
    "large": ("新乡市大型装备制造有限公司", "410702", "industry", 1500, "600000000"),
}
# The firms the core registers with the tenant (``TENANT.firms``), by the story's keys.
BASE_FIRMS = {"hengda": "新乡市恒达机械有限公司", "coop": "辉县市丰收农业专业合作社"}


def uscc(serial: int, division: str) -> str:
    """A valid unified social credit code registered in ``division``."""
    body = f"91{division}MA{serial:07d}"
    return body + stdnum_uscc.calc_check_digit(body)


def loan_body(
    program_id: int,
    firm_id: int,
    lender_id: int,
    reference: str,
    principal: str,
    issued: str,
    *,
    kind: str = "credit",
    attributes: dict | None = None,
    **extra: Any,
) -> dict:
    """A one-year loan as ``POST /loans`` takes it (shared with the plugin's test world)."""
    issue = dt.date.fromisoformat(issued)
    return {
        "program_id": program_id,
        "firm_id": firm_id,
        "lender_id": lender_id,
        "reference": reference,
        "kind": kind,
        "principal": principal,
        "issue_date": issued,
        "maturity_date": str(issue.replace(year=issue.year + 1)),
        "attributes": attributes or {},
        **extra,
    }


class _Story:
    def __init__(self, api: ApiClient) -> None:
        self.api = api
        self.firms: dict[str, dict] = {}
        self.institutions: dict[str, dict] = {}
        self.program: dict = {}

    def as_(self, role: str, institution: str | None = None) -> Caller:
        # The demo users' names (``<tenant>-<role>``), whose tokens ``riskshare demo`` prints,
        # so the audit trail reads as if those users had done it.
        return self.api.as_(role, institution=institution, user=f"{self.api.tenant}-{role}")

    def on(self, day: str) -> None:
        self.api.today(dt.date.fromisoformat(day))

    def loan(
        self,
        firm: str,
        reference: str,
        principal: str,
        issued: str,
        *,
        bank: str = BANK,
        kind: str = "credit",
        via_platform: bool = True,
        **extra: Any,
    ) -> dict:
        body = loan_body(
            self.program["id"],
            self.firms[firm]["id"],
            self.institutions[bank]["id"],
            reference,
            principal,
            issued,
            kind=kind,
            attributes={"via_platform": via_platform},
            **extra,
        )
        return self.as_("lender", bank).ok("POST", "/loans", body, status=201)

    def event(self, caller: Caller, loan: dict, kind: str, on: str, **body: Any) -> dict:
        return caller.ok(
            "POST", f"/loans/{loan['id']}/events", {"kind": kind, "event_date": on, **body}, 201
        )

    def default(self, loan: dict, overdue_on: str) -> None:
        """The bank files the loan overdue and classifies it as a loss (non-performing)."""
        bank = self.as_("lender", BANK)
        self.event(bank, loan, "overdue_filing", overdue_on)
        self.event(bank, loan, "classification_change", overdue_on, classification="loss")

    def claim(self, loan: dict, principal: str) -> dict:
        body = {"loan_id": loan["id"], "claimed_principal": principal, "documents": [CREDIT_REPORT]}
        return self.as_("lender", BANK).ok("POST", "/claims", body, status=201)

    def approve(self, claim: dict) -> None:
        self.as_("reviewer").ok(
            "POST",
            f"/claims/{claim['id']}/reviews",
            {"decision": "approve", "opinion": "资料齐全，符合条件，同意补偿"},
            status=201,
        )

    def run(self) -> None:
        office = self.as_("office")
        self.institutions = {i["code"]: i for i in office.ok("GET", "/institutions")}
        by_name = {f["name"]: f for f in office.ok("GET", "/firms")}
        self.firms = {key: by_name[name] for key, name in BASE_FIRMS.items()}

        self.on("2022-01-04")
        self.program = office.ok(
            "POST",
            "/programs",
            {
                "code": PROGRAM_CODE,
                "name": "新乡市小微企业贷款风险补偿资金",
                "policy": "xinxiang",
                "config": {},  # the defaults are the 2021 text
                # X-01's total and X-02's window are the program's own, not config:
                "fund_total": "29000000.00",
                "effective_from": "2021-08-20",
                "effective_to": "2024-08-19",
            },
            status=201,
        )
        for serial, (key, (name, division, industry, employees, revenue)) in enumerate(
            FIRMS.items(), 1
        ):
            body = {
                "uscc": uscc(serial, division),
                "name": name,
                "industry": industry,
                "employees": employees,
                "revenue": revenue,
                "attributes": {},
            }
            self.firms[key] = office.ok("POST", "/firms", body, status=201)

        # 1 March 2022: the banks register the loans they issued that day.
        self.on("2022-03-01")
        self.loan("ruichuang", "ZY-2022-001", "800000.00", "2022-03-01")  # stays active
        self.loan("coop", "NX-2022-001", "300000.00", "2022-03-01", bank=OTHER_BANK)
        self.loan("outsider", "ZY-2022-002", "500000.00", "2022-03-01")  # not Xinxiang
        self.loan("large", "ZY-2022-003", "5000000.00", "2022-03-01")  # not small
        self.loan("hengda", "ZY-2022-004", "600000.00", "2022-03-01", kind="mortgage")
        self.loan("hengda", "ZY-2022-005", "400000.00", "2022-03-01", via_platform=False)
        self.loan("hengda", "ZY-2021-099", "500000.00", "2021-08-10")  # before the window
        on_time = self.loan("kangyuan", "ZY-2022-006", "700000.00", "2022-03-01")
        late = self.loan("qizhong", "ZY-2022-007", "450000.00", "2022-03-01")
        paid = self.loan("lvyuan", "ZY-2022-008", "1000000.00", "2022-03-01")
        written_off = self.loan("zhilian", "ZY-2022-009", "600000.00", "2022-03-01")
        closed = self.loan("huarun", "ZY-2022-010", "2000000.00", "2022-03-01")
        guaranteed = self.loan(
            "jinsui",
            "ZY-2022-011",
            "500000.00",
            "2022-03-01",
            kind="guaranteed",
            guarantor_id=self.institutions[GUARANTOR]["id"],
        )
        self.on("2022-06-01")
        approved = self.loan("kangyuan", "ZY-2022-012", "2500000.00", "2022-06-01")
        submitted = self.loan("ruichuang", "ZY-2022-013", "900000.00", "2022-06-01")

        # The guaranteed loan goes overdue; the guarantee company pays the bank.
        guarantor = self.as_("guarantor", GUARANTOR)
        self.on("2022-06-02")
        self.event(guarantor, guaranteed, "overdue_filing", "2022-06-01")
        self.on("2022-07-18")
        self.event(
            guarantor,
            guaranteed,
            "guarantor_payout",
            "2022-07-15",
            amount="456000.00",
            data={"principal": "450000.00", "interest": "6000.00"},  # principal only
        )

        bank = self.as_("lender", BANK)
        # Two loans default; one is claimed and approved, the other written off.
        self.on("2022-09-02")
        self.default(paid, "2022-09-01")
        self.default(written_off, "2022-09-01")
        paid_claim = self.claim(paid, "1000000.00")
        self.on("2022-09-06")
        self.approve(paid_claim)

        # The bank approved the write-off on 30 September and records it.
        self.on("2022-10-10")
        bank.ok(
            "POST",
            "/write-offs",
            {"loan_id": written_off["id"], "approved_on": "2022-09-30", "net_loss": "600000.00"},
            status=201,
        )

        # Overdue filings within 5 working days of 30 September and two days late.
        self.on("2022-10-12")
        self.event(bank, on_time, "overdue_filing", "2022-09-30")
        self.on("2022-10-14")
        self.event(bank, late, "overdue_filing", "2022-09-30")

        # Year-end allocation for 2022 (第十二条): proposed, submitted, approved, paid.
        self.on("2023-01-05")
        plan = office.ok(
            "POST", "/plans", {"program_id": self.program["id"], "day": "2022-12-31"}, status=201
        )
        office.ok("POST", f"/plans/{plan['id']}/submit")
        self.as_("approver").ok("POST", f"/plans/{plan['id']}/approve")
        finance = self.as_("finance")
        for payment in finance.ok("GET", "/disbursements"):
            if payment["state"] == "instructed":
                finance.ok(
                    "POST",
                    f"/disbursements/{payment['id']}/confirm",
                    {},
                    key=f"demo-pay-{payment['id']}",
                )

        # 2023: another claim is approved, not yet in an allocation plan.
        self.on("2023-02-02")
        self.default(approved, "2023-02-01")
        approved_claim = self.claim(approved, "2500000.00")
        self.on("2023-02-06")
        self.approve(approved_claim)

        # The bank recovers part of the paid loan; the share is returned to the treasury.
        self.on("2023-03-01")
        recovery = bank.ok(
            "POST",
            "/recoveries",
            {
                "claim_id": paid_claim["id"],
                "received_on": "2023-02-28",
                "recovered": "400000.00",
                "costs": "50000.00",
            },
            key="demo-recovery-1",
            status=201,
        )
        self.event(bank, closed, "closure", "2023-03-01")  # repaid at maturity
        self.on("2023-03-02")
        self.default(submitted, "2023-03-01")
        self.claim(submitted, "900000.00")  # awaits the reviewer
        self.on("2023-03-03")
        finance.ok("POST", f"/recoveries/{recovery['id']}/confirm-return", key="demo-return-1")


def tell(api: ApiClient) -> None:
    """Add the Xinxiang program and its story to ``api``'s tenant, unless it is there."""
    story = _Story(api)
    programs = story.as_("office").ok("GET", "/programs")
    if any(p["code"] == PROGRAM_CODE for p in programs):
        return
    try:
        story.run()
    finally:
        api.today(None)


TENANT = DemoTenant(
    slug="xinxiang",
    name="新乡市 Xinxiang",
    institutions=[
        # The Xinxiang policy covers loans by banks in the city that signed the cooperation
        # agreement and guaranteed loans by government-backed companies with a re-guarantee
        # agreement with 中原再担保: facts recorded on each institution.
        DemoInstitution(BANK, "中原银行新乡分行", "bank", BANK_FACTS),
        DemoInstitution(OTHER_BANK, "新乡农商银行", "bank", BANK_FACTS),
        DemoInstitution(GUARANTOR, "新乡市融资担保有限公司", "guarantor", GUARANTOR_FACTS),
    ],
    firms=[
        DemoFirm(
            "91410700MA3X5B2C8X",
            BASE_FIRMS["hengda"],
            "industry",
            employees=45,
            revenue=Decimal("12000000"),
        ),
        DemoFirm(
            "93410782MA9GL3Q0X0",
            BASE_FIRMS["coop"],
            "agriculture",
            revenue=Decimal("3000000"),
            attributes={"new_agricultural_operator": True},
        ),
    ],
    # The development office (DRC or finance bureau) acts for no institution.
    users=[
        DemoUser("office"),
        DemoUser("reviewer"),
        DemoUser("approver"),
        DemoUser("finance"),
        DemoUser("auditor"),
        DemoUser("lender", BANK),
        DemoUser("guarantor", GUARANTOR),
    ],
    story=tell,
)
