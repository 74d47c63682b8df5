"""SME size classification (中小企业划型) — rule N-1, 工信部联企业〔2011〕300号.

Policies cite the national standard, and accept some of its sizes (small and micro firms,
say, or medium ones too). The core only classifies and explains; which sizes a policy
accepts is the policy's business.

The table and the reading of it are exactly those in docs/policies/README.md ("N-1"):

* A firm is an SME when it is **under** the first column's bound; when the industry lists
  two measures, *any one* of them under its bound suffices (the standard's "或").
* An SME is **medium** when it reaches (≥) *both* medium lower bounds, else **small** when it
  reaches *both* small lower bounds, else **micro**.
* Industries with a single measure (agriculture: revenue; "other": employees) use that one.
* Anything that is not SME size is **large**.

Measures: ``employees`` (从业人员, a head count), ``revenue`` (营业收入) and ``assets``
(资产总额), money in yuan as :class:`~decimal.Decimal`. The table is written in 万元
(10,000 yuan) below because that is how the standard reads, and converted to yuan exactly.
Floats are refused outright: a bound such as 40000万 must compare exactly, and a float that
reached here would mean some layer already lost precision.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from riskshare.explain import Explanation

__all__ = [
    "CLAUSE",
    "INDUSTRY_LABELS",
    "MEASURES",
    "RULE",
    "THRESHOLDS",
    "WAN",
    "Bounds",
    "Classification",
    "Industry",
    "InvalidMeasure",
    "MissingMeasure",
    "SizeClass",
    "Thresholds",
    "classify",
    "required_measures",
    "thresholds_for",
]

RULE = "N-1"
CLAUSE = "工信部联企业〔2011〕300号"

#: 1 万元 in yuan.
WAN = Decimal(10000)

#: The three measures, in the order they are always reported.
MEASURES: tuple[str, ...] = ("employees", "revenue", "assets")

_MEASURE_ZH = {"employees": "从业人员", "revenue": "营业收入", "assets": "资产总额"}
_MEASURE_EN = {"employees": "employees", "revenue": "operating revenue", "assets": "total assets"}


class Industry(StrEnum):
    """The 16 industries of the standard's table (values are stable API strings)."""

    agriculture = "agriculture"
    industry = "industry"
    construction = "construction"
    wholesale = "wholesale"
    retail = "retail"
    transport = "transport"
    warehousing = "warehousing"
    postal = "postal"
    accommodation = "accommodation"
    catering = "catering"
    information_transmission = "information_transmission"
    software_it = "software_it"
    real_estate_development = "real_estate_development"
    property_management = "property_management"
    leasing_business_services = "leasing_business_services"
    other = "other"

    @property
    def label_zh(self) -> str:
        return INDUSTRY_LABELS[self]

    @property
    def label_en(self) -> str:
        return _INDUSTRY_LABELS_EN[self]


#: Chinese name of each industry as the standard writes it.
INDUSTRY_LABELS: Mapping[Industry, str] = MappingProxyType(
    {
        Industry.agriculture: "农林牧渔业",
        Industry.industry: "工业",
        Industry.construction: "建筑业",
        Industry.wholesale: "批发业",
        Industry.retail: "零售业",
        Industry.transport: "交通运输业",
        Industry.warehousing: "仓储业",
        Industry.postal: "邮政业",
        Industry.accommodation: "住宿业",
        Industry.catering: "餐饮业",
        Industry.information_transmission: "信息传输业",
        Industry.software_it: "软件和信息技术服务业",
        Industry.real_estate_development: "房地产开发经营",
        Industry.property_management: "物业管理",
        Industry.leasing_business_services: "租赁和商务服务业",
        Industry.other: "其他未列明行业",
    }
)

_INDUSTRY_LABELS_EN: Mapping[Industry, str] = MappingProxyType(
    {
        Industry.agriculture: "Agriculture, forestry, animal husbandry and fishery",
        Industry.industry: "Industry",
        Industry.construction: "Construction",
        Industry.wholesale: "Wholesale",
        Industry.retail: "Retail",
        Industry.transport: "Transport",
        Industry.warehousing: "Warehousing",
        Industry.postal: "Postal services",
        Industry.accommodation: "Accommodation",
        Industry.catering: "Catering",
        Industry.information_transmission: "Information transmission",
        Industry.software_it: "Software and IT services",
        Industry.real_estate_development: "Real-estate development",
        Industry.property_management: "Property management",
        Industry.leasing_business_services: "Leasing and business services",
        Industry.other: "Other industries not listed",
    }
)


class SizeClass(StrEnum):
    """Size classes of the standard; a policy decides which ones it accepts."""

    large = "large"
    medium = "medium"
    small = "small"
    micro = "micro"

    @property
    def label_zh(self) -> str:
        return _SIZE_ZH[self]


_SIZE_ZH = {
    SizeClass.large: "大型企业",
    SizeClass.medium: "中型企业",
    SizeClass.small: "小型企业",
    SizeClass.micro: "微型企业",
}


@dataclass(frozen=True)
class Bounds:
    """One cell group of the table: a bound per measure, ``None`` where not used.

    Money bounds are in yuan.
    """

    employees: int | None = None
    revenue: Decimal | None = None
    assets: Decimal | None = None

    def get(self, measure: str) -> int | Decimal | None:
        return getattr(self, measure)

    def as_dict(self) -> dict[str, int | Decimal]:
        """Only the measures that are used, e.g. ``{"employees": 20, "revenue": Decimal(...)}``."""
        return {m: v for m in MEASURES if (v := self.get(m)) is not None}


@dataclass(frozen=True)
class Thresholds:
    """One row of the table.

    :param sme_below: a firm is an SME if *any* of these measures is strictly below its bound.
    :param medium_from: medium if *all* these measures are at or above their bounds.
    :param small_from: small if *all* these measures are at or above their bounds.
    """

    industry: Industry
    sme_below: Bounds
    medium_from: Bounds
    small_from: Bounds

    @property
    def measures(self) -> tuple[str, ...]:
        """The measures this industry is classified by, in :data:`MEASURES` order."""
        return tuple(m for m in MEASURES if self.sme_below.get(m) is not None)

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly view (money stays ``Decimal`` yuan; the explanation stringifies it)."""
        return {
            "industry": self.industry.value,
            "measures": list(self.measures),
            "unit": "yuan",
            "sme_below": self.sme_below.as_dict(),
            "medium_from": self.medium_from.as_dict(),
            "small_from": self.small_from.as_dict(),
        }


def _wan(n: int) -> Decimal:
    return Decimal(n) * WAN


def _row(
    industry: Industry,
    sme: tuple[int | None, int | None, int | None],
    medium: tuple[int | None, int | None, int | None],
    small: tuple[int | None, int | None, int | None],
) -> Thresholds:
    """Build a row from (E persons, R 万元, A 万元) triples, as the table is written."""

    def bounds(t: tuple[int | None, int | None, int | None]) -> Bounds:
        e, r, a = t
        return Bounds(
            employees=e,
            revenue=None if r is None else _wan(r),
            assets=None if a is None else _wan(a),
        )

    return Thresholds(industry, bounds(sme), bounds(medium), bounds(small))


_: None = None  # a measure the industry does not use; keeps the table below aligned
I = Industry  # noqa: E741 — short alias so each row fits on one line

# docs/policies/README.md N-1 table. Columns per cell: (E persons, R 万元, A 万元).
_ROWS: tuple[Thresholds, ...] = (
    #    industry                      SME if below         medium: all ≥      small: all ≥
    _row(I.agriculture,               (_, 20000, _),       (_, 500, _),       (_, 50, _)),
    _row(I.industry,                  (1000, 40000, _),    (300, 2000, _),    (20, 300, _)),
    _row(I.construction,              (_, 80000, 80000),   (_, 6000, 5000),   (_, 300, 300)),
    _row(I.wholesale,                 (200, 40000, _),     (20, 5000, _),     (5, 1000, _)),
    _row(I.retail,                    (300, 20000, _),     (50, 500, _),      (10, 100, _)),
    _row(I.transport,                 (1000, 30000, _),    (300, 3000, _),    (20, 200, _)),
    _row(I.warehousing,               (200, 30000, _),     (100, 1000, _),    (20, 100, _)),
    _row(I.postal,                    (1000, 30000, _),    (300, 2000, _),    (20, 100, _)),
    _row(I.accommodation,             (300, 10000, _),     (100, 2000, _),    (10, 100, _)),
    _row(I.catering,                  (300, 10000, _),     (100, 2000, _),    (10, 100, _)),
    _row(I.information_transmission,  (2000, 100000, _),   (100, 1000, _),    (10, 100, _)),
    _row(I.software_it,               (300, 10000, _),     (100, 1000, _),    (10, 50, _)),
    _row(I.real_estate_development,   (_, 200000, 10000),  (_, 1000, 5000),   (_, 100, 2000)),
    _row(I.property_management,       (1000, 5000, _),     (300, 1000, _),    (100, 500, _)),
    _row(I.leasing_business_services, (300, _, 120000),    (100, _, 8000),    (10, _, 100)),
    _row(I.other,                     (300, _, _),         (100, _, _),       (10, _, _)),
)  # fmt: skip
del _, I

#: The N-1 table, one :class:`Thresholds` row per industry (read-only).
THRESHOLDS: Mapping[Industry, Thresholds] = MappingProxyType({t.industry: t for t in _ROWS})


class MissingMeasure(ValueError):
    """The industry is classified by a measure that was not given (the API answers 422).

    :ivar field: the first missing measure (``"employees"``, ``"revenue"`` or ``"assets"``).
    :ivar fields: all missing measures.
    """

    def __init__(self, industry: Industry, fields: tuple[str, ...]) -> None:
        self.industry = industry
        self.fields = fields
        self.field = fields[0]
        self.reason = (
            f"{industry.label_en} is classified by {', '.join(_MEASURE_EN[f] for f in fields)}"
            f"; missing: {', '.join(fields)}"
        )
        self.reason_zh = (
            f"{industry.label_zh}划型需要{'、'.join(_MEASURE_ZH[f] for f in fields)}，未提供"
        )
        super().__init__(self.reason)


class InvalidMeasure(ValueError):
    """A measure with an impossible value (negative, NaN or infinite).

    :ivar field: the measure concerned.
    """

    def __init__(self, field: str, reason: str, reason_zh: str) -> None:
        self.field = field
        self.reason = reason
        self.reason_zh = reason_zh
        super().__init__(reason)


@dataclass(frozen=True)
class Classification:
    """The N-1 result for one firm; ``explanation`` is stored with the firm's record."""

    size: SizeClass
    industry: Industry
    explanation: Explanation

    @property
    def is_sme(self) -> bool:
        return self.size is not SizeClass.large


def _industry(value: Industry | str) -> Industry:
    """Accept the enum, its value (``"software_it"``) or its Chinese label (``"工业"``)."""
    if isinstance(value, Industry):
        return value
    if not isinstance(value, str):
        raise TypeError(f"industry must be an Industry or str, not {type(value).__name__}")
    try:
        return Industry(value)
    except ValueError:
        pass
    for industry, label in INDUSTRY_LABELS.items():
        if value == label:
            return industry
    raise ValueError(
        f"unknown industry {value!r}; expected one of: {', '.join(i.value for i in Industry)}"
    )


def thresholds_for(industry: Industry | str) -> Thresholds:
    """The table row for ``industry``."""
    return THRESHOLDS[_industry(industry)]


def required_measures(industry: Industry | str) -> tuple[str, ...]:
    """Names of the measures (``classify`` keyword arguments) the industry needs."""
    return thresholds_for(industry).measures


def _check_employees(value: object) -> int | None:
    if value is None:
        return None
    # bool is an int subclass; True employees is a bug upstream, not a head count.
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"employees must be an int, not {type(value).__name__}")
    if value < 0:
        raise InvalidMeasure(
            "employees",
            f"employees cannot be negative (got {value})",
            f"从业人员不能为负数（{value}）",
        )
    return value


def _check_money(field: str, value: object) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, float):
        raise TypeError(f"{field} must be a Decimal amount in yuan, never a float")
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{field} must be a Decimal amount in yuan, not {type(value).__name__}")
    amount = Decimal(value)
    if not amount.is_finite():
        raise InvalidMeasure(
            field, f"{field} must be a finite amount", f"{_MEASURE_ZH[field]}必须为有限数值"
        )
    if amount < 0:
        raise InvalidMeasure(
            field,
            f"{field} cannot be negative (got {amount})",
            f"{_MEASURE_ZH[field]}不能为负数（{amount}）",
        )
    return amount


# --- wording -------------------------------------------------------------------------------


def _plain(d: Decimal) -> str:
    """A Decimal without exponent or trailing zeros: 5000000.00 → '5000000'."""
    return format(d.normalize(), "f")


def _zh_value(measure: str, value: int | Decimal) -> str:
    if measure == "employees":
        return f"{value} 人"
    return f"{_plain(Decimal(value) / WAN)} 万元"


def _zh_bound(measure: str, value: int | Decimal) -> str:
    # Bounds read like the table: persons bare ("20"), money in 万元 ("300 万元").
    if measure == "employees":
        return str(value)
    return _zh_value(measure, value)


def _en_value(measure: str, value: int | Decimal) -> str:
    if measure == "employees":
        return str(value)
    return f"{format(Decimal(value).normalize(), ',f')} yuan"


def _cmp(measure: str, value: int | Decimal, bound: int | Decimal) -> tuple[str, str]:
    """'从业人员 25 人 ≥ 20' / 'employees 25 ≥ 20' (or with '<')."""
    op = "<" if value < bound else "≥"
    zh = f"{_MEASURE_ZH[measure]} {_zh_value(measure, value)} {op} {_zh_bound(measure, bound)}"
    en = f"{_MEASURE_EN[measure]} {_en_value(measure, value)} {op} {_en_value(measure, bound)}"
    return zh, en


def _bounds_text(bounds: Bounds) -> tuple[str, str]:
    """Bounds as a list: '从业人员 300 人、营业收入 2000 万元' / 'employees 300, ...'."""
    items = bounds.as_dict().items()
    zh = "、".join(f"{_MEASURE_ZH[m]} {_zh_value(m, v)}" for m, v in items)
    en = ", ".join(f"{_MEASURE_EN[m]} {_en_value(m, v)}" for m, v in items)
    return zh, en


def _all_compared(values: dict[str, int | Decimal], bounds: Bounds) -> tuple[str, str]:
    parts = [_cmp(m, values[m], b) for m, b in bounds.as_dict().items()]
    return " 且".join(p[0] for p in parts), " and ".join(p[1] for p in parts)


# --- classification ------------------------------------------------------------------------


def classify(
    industry: Industry | str,
    *,
    employees: int | None,
    revenue: Decimal | None,
    assets: Decimal | None,
) -> Classification:
    """Classify a firm by the N-1 table and explain which bounds decided it.

    :param industry: an :class:`Industry`, its value, or its Chinese label.
    :param employees: head count (从业人员).
    :param revenue: operating revenue (营业收入) in yuan.
    :param assets: total assets (资产总额) in yuan.
    :raises MissingMeasure: a measure the industry is classified by is ``None``. Measures
        the industry does not use may be ``None``; if given they are still type-checked
        and recorded in the explanation, but they do not affect the result.
    :raises InvalidMeasure: (a ``ValueError``) a negative, NaN or infinite measure.
    :raises TypeError: a float (or other non-int/Decimal) amount, or a non-int head count.
    """
    ind = _industry(industry)
    row = THRESHOLDS[ind]
    given: dict[str, int | Decimal | None] = {
        "employees": _check_employees(employees),
        "revenue": _check_money("revenue", revenue),
        "assets": _check_money("assets", assets),
    }
    missing = tuple(m for m in row.measures if given[m] is None)
    if missing:
        raise MissingMeasure(ind, missing)
    values: dict[str, int | Decimal] = {m: v for m in row.measures if (v := given[m]) is not None}

    sme_bounds = row.sme_below.as_dict()
    sme_hits = [m for m, bound in sme_bounds.items() if values[m] < bound]
    prefix_zh, prefix_en = f"{ind.label_zh}：", f"{ind.label_en}: "

    if not sme_hits:
        # Large: every measure is at or above its SME bound.
        cmp_zh, cmp_en = _all_compared(values, row.sme_below)
        size = SizeClass.large
        zh = f"{prefix_zh}{cmp_zh}，未低于中小企业上限，为大型企业"
        en = f"{prefix_en}{cmp_en}, not under the SME bounds; large enterprise"
    else:
        # When some measure is at or above its SME bound, the firm is an SME only because of
        # the "any one measure suffices" reading; say so, since it is the surprising case.
        sme_zh = sme_en = ""
        if len(sme_hits) < len(row.measures):
            m = sme_hits[0]
            z, e = _cmp(m, values[m], sme_bounds[m])
            sme_zh, sme_en = f"{z}，属于中小企业；", f"{e}, so an SME; "

        if all(values[m] >= b for m, b in row.medium_from.as_dict().items()):
            size = SizeClass.medium
            cmp_zh, cmp_en = _all_compared(values, row.medium_from)
            zh = f"{prefix_zh}{sme_zh}{cmp_zh}，为中型企业"
            en = f"{prefix_en}{sme_en}{cmp_en}; medium enterprise"
        elif all(values[m] >= b for m, b in row.small_from.as_dict().items()):
            size = SizeClass.small
            cmp_zh, cmp_en = _all_compared(values, row.small_from)
            med_zh, med_en = _bounds_text(row.medium_from)
            both_zh = "同时" if len(row.measures) > 1 else ""
            both_en = "all of " if len(row.measures) > 1 else ""
            zh = f"{prefix_zh}{sme_zh}{cmp_zh}，为小型企业（未{both_zh}达到中型企业下限：{med_zh}）"
            en = (
                f"{prefix_en}{sme_en}{cmp_en}; small enterprise "
                f"(does not reach {both_en}the medium lower bounds: {med_en})"
            )
        else:
            size = SizeClass.micro
            parts = [_cmp(m, values[m], b) for m, b in row.small_from.as_dict().items()]
            cmp_zh, cmp_en = "，".join(p[0] for p in parts), ", ".join(p[1] for p in parts)
            both_zh = "同时" if len(row.measures) > 1 else ""
            both_en = "all of " if len(row.measures) > 1 else ""
            zh = f"{prefix_zh}{sme_zh}{cmp_zh}，未{both_zh}达到小型企业下限，为微型企业"
            en = (
                f"{prefix_en}{sme_en}{cmp_en}; does not reach {both_en}the small lower bounds; "
                "micro enterprise"
            )

    explanation = Explanation(
        rule=RULE,
        clause=CLAUSE,
        result=size.value,
        zh=zh,
        en=en,
        inputs={"industry": ind.value, **given},
        threshold=row.as_dict(),
        # N-1 only classifies; whether a size is acceptable is each policy's own rule.
        passed=True,
    )
    return Classification(size=size, industry=ind, explanation=explanation)
