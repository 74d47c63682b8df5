"""The Chinese terms for the core's codes, for every policy's Chinese sentences.

Plugins reach it as ``riskshare.toolkit.labels``. Explanations name size classes, loan
kinds, classifications and cooperation states in Chinese; the code values (``small``,
``credit``, ``loss``) stay in the explanations' inputs and English sentences. An unknown code
falls back to itself, so a kind the core adds later is still shown, and the tests' check for
English in Chinese sentences finds it.
"""

from __future__ import annotations

from riskshare.firms.sme import INDUSTRY_LABELS

SIZE_CLASSES = {"large": "大型", "medium": "中型", "small": "小型", "micro": "微型"}

LOAN_KINDS = {
    "credit": "信用贷款",
    "ip_pledge": "知识产权质押贷款",
    "patent_pledge": "专利权质押贷款",
    "trademark_pledge": "商标权质押贷款",
    "guaranteed": "担保公司担保贷款",
    "insured": "保证保险贷款",
    "mortgage": "抵押贷款",
    "other": "其他贷款",
}

# N-3 五级分类.
CLASSIFICATIONS = {
    "normal": "正常",
    "special_mention": "关注",
    "substandard": "次级",
    "doubtful": "可疑",
    "loss": "损失",
}


def size_zh(code: str) -> str:
    return SIZE_CLASSES.get(code, code)


def sizes_zh(codes: list[str]) -> str:
    return "、".join(size_zh(c) for c in codes)


def kind_zh(code: str) -> str:
    return LOAN_KINDS.get(code, code)


def classification_zh(code: str) -> str:
    return CLASSIFICATIONS.get(code, code)


def industry_zh(code: str) -> str:
    return INDUSTRY_LABELS.get(code, code)  # type: ignore[call-overload]


# An institution's cooperation with the fund (institutions/models.py: active, suspended,
# revoked).
COOPERATION = {"active": "正常合作", "suspended": "暂停合作", "revoked": "终止合作"}


def cooperation_zh(code: str) -> str:
    return COOPERATION.get(code, code)


# A firm's registration (firms/models.py REGISTRATION_STATUSES): 存续 in force, 注销 cancelled
# by the firm, 吊销 revoked by the registering authority.
REGISTRATION_STATUSES = {"active": "存续", "cancelled": "注销", "revoked": "吊销"}


def registration_status_zh(code: str) -> str:
    return REGISTRATION_STATUSES.get(code, code)


# A loan's state (loans/models.py LOAN_STATES) and a plan's (plans/models.py PLAN_STATES).
LOAN_STATES = {"active": "正常", "overdue": "逾期", "closed": "已结清", "written_off": "已核销"}
PLAN_STATES = {
    "draft": "草拟",
    "submitted": "已报送",
    "approved": "已批准",
    "rejected": "已否决",
    "withdrawn": "已撤回",
    "paid": "已拨付",
}


def loan_state_zh(code: str) -> str:
    return LOAN_STATES.get(code, code)


def plan_state_zh(code: str) -> str:
    return PLAN_STATES.get(code, code)
