"""N-1: SME size classification per 工信部联企业〔2011〕300号 (table in docs/policies/README.md)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from riskshare.explain import Explanation
from riskshare.firms.sme import (
    INDUSTRY_LABELS,
    THRESHOLDS,
    Classification,
    Industry,
    InvalidMeasure,
    MissingMeasure,
    SizeClass,
    classify,
    required_measures,
)

WAN = Decimal(10000)
FEN = Decimal("0.01")

# docs/policies/README.md N-1, transcribed again here (independently of the module) so a typo in one
# is caught by the other. Per measure: (SME if below, medium ≥, small ≥); money in 万元.
E, R, A = "employees", "revenue", "assets"
POLICY_TABLE: dict[str, dict[str, tuple[int, int, int]]] = {
    "agriculture": {R: (20000, 500, 50)},
    "industry": {E: (1000, 300, 20), R: (40000, 2000, 300)},
    "construction": {R: (80000, 6000, 300), A: (80000, 5000, 300)},
    "wholesale": {E: (200, 20, 5), R: (40000, 5000, 1000)},
    "retail": {E: (300, 50, 10), R: (20000, 500, 100)},
    "transport": {E: (1000, 300, 20), R: (30000, 3000, 200)},
    "warehousing": {E: (200, 100, 20), R: (30000, 1000, 100)},
    "postal": {E: (1000, 300, 20), R: (30000, 2000, 100)},
    "accommodation": {E: (300, 100, 10), R: (10000, 2000, 100)},
    "catering": {E: (300, 100, 10), R: (10000, 2000, 100)},
    "information_transmission": {E: (2000, 100, 10), R: (100000, 1000, 100)},
    "software_it": {E: (300, 100, 10), R: (10000, 1000, 50)},
    "real_estate_development": {R: (200000, 1000, 100), A: (10000, 5000, 2000)},
    "property_management": {E: (1000, 300, 100), R: (5000, 1000, 500)},
    "leasing_business_services": {E: (300, 100, 10), A: (120000, 8000, 100)},
    "other": {E: (300, 100, 10)},
}
COLUMN = {"sme": 0, "medium": 1, "small": 2}


def in_units(measure: str, n: int | Decimal) -> int | Decimal:
    """Table figure → classify() argument: persons as int, 万元 as Decimal yuan."""
    return n if measure == E else Decimal(n) * WAN


def just_below(measure: str, value: int | Decimal) -> int | Decimal:
    """The smallest step under a bound: one person, or one fen."""
    return value - 1 if measure == E else value - FEN


def firm_at(industry: str, column: str) -> dict[str, int | Decimal | None]:
    """A firm sitting exactly on every bound of one column of the table."""
    figures: dict[str, int | Decimal | None] = {E: None, R: None, A: None}
    for m, bounds in POLICY_TABLE[industry].items():
        figures[m] = in_units(m, bounds[COLUMN[column]])
    return figures


def run(industry: str | Industry, figures: dict[str, int | Decimal | None]) -> Classification:
    return classify(industry, employees=figures[E], revenue=figures[R], assets=figures[A])


# --- the table itself ----------------------------------------------------------------------


def test_sixteen_industries_each_with_a_chinese_label() -> None:
    assert [i.value for i in Industry] == list(POLICY_TABLE)
    assert set(INDUSTRY_LABELS) == set(Industry)
    for industry in Industry:
        assert industry.label_zh == INDUSTRY_LABELS[industry]
        assert industry.label_zh and industry.label_en
    assert Industry.industry.label_zh == "工业"
    assert Industry.leasing_business_services.label_zh == "租赁和商务服务业"
    assert Industry.other.label_zh == "其他未列明行业"


@pytest.mark.parametrize("industry", list(POLICY_TABLE))
def test_module_table_matches_policy(industry: str) -> None:
    row = THRESHOLDS[Industry(industry)]
    expected = POLICY_TABLE[industry]
    assert row.measures == tuple(m for m in (E, R, A) if m in expected)
    columns = {"sme": row.sme_below, "medium": row.medium_from, "small": row.small_from}
    for column, bounds in columns.items():
        assert bounds.as_dict() == {m: in_units(m, v[COLUMN[column]]) for m, v in expected.items()}
    # Money bounds are exact Decimal yuan, head counts exact ints.
    for m, v in row.sme_below.as_dict().items():
        assert type(v) is (int if m == E else Decimal)


@pytest.mark.parametrize("industry", list(POLICY_TABLE))
def test_required_measures(industry: str) -> None:
    expected = tuple(m for m in (E, R, A) if m in POLICY_TABLE[industry])
    assert required_measures(industry) == expected
    assert required_measures(Industry(industry)) == expected


def test_required_measures_named_examples() -> None:
    assert required_measures("agriculture") == ("revenue",)
    assert required_measures("construction") == ("revenue", "assets")
    assert required_measures("real_estate_development") == ("revenue", "assets")
    assert required_measures("leasing_business_services") == ("employees", "assets")
    assert required_measures("other") == ("employees",)


# --- every industry, every class, every bound ----------------------------------------------


@pytest.mark.parametrize("industry", list(POLICY_TABLE))
def test_each_industry_has_every_class(industry: str) -> None:
    # On the SME bound (not under it) → large; on the medium bounds → medium; on the small
    # bounds → small; one step under a small bound → micro.
    assert run(industry, firm_at(industry, "sme")).size is SizeClass.large
    assert run(industry, firm_at(industry, "medium")).size is SizeClass.medium
    assert run(industry, firm_at(industry, "small")).size is SizeClass.small
    micro = firm_at(industry, "small")
    first = next(iter(POLICY_TABLE[industry]))
    micro[first] = just_below(first, micro[first])  # type: ignore[arg-type]
    assert run(industry, micro).size is SizeClass.micro
    zero = {m: (0 if m == E else Decimal(0)) for m in (E, R, A)}
    assert run(industry, zero).size is SizeClass.micro


@pytest.mark.parametrize(
    ("industry", "measure"),
    [(i, m) for i, measures in POLICY_TABLE.items() for m in measures],
)
def test_each_bound_is_inclusive_and_one_step_under_drops_a_class(
    industry: str, measure: str
) -> None:
    # Under any single SME bound suffices to be an SME; here the firm then still reaches both
    # medium bounds, so it is medium.
    firm = firm_at(industry, "sme")
    firm[measure] = just_below(measure, firm[measure])  # type: ignore[arg-type]
    assert run(industry, firm).size is SizeClass.medium

    # Missing one medium bound by a step → small (the small bounds are still met).
    firm = firm_at(industry, "medium")
    firm[measure] = just_below(measure, firm[measure])  # type: ignore[arg-type]
    assert run(industry, firm).size is SizeClass.small

    # Missing one small bound by a step → micro.
    firm = firm_at(industry, "small")
    firm[measure] = just_below(measure, firm[measure])  # type: ignore[arg-type]
    assert run(industry, firm).size is SizeClass.micro


@pytest.mark.parametrize(
    ("industry", "employees", "revenue_wan", "assets_wan", "size"),
    [
        # Ordinary, non-boundary firms.
        ("agriculture", None, 12000, None, SizeClass.medium),
        ("agriculture", None, 30, None, SizeClass.micro),
        ("industry", 80, 1500, None, SizeClass.small),
        ("industry", 5000, 90000, None, SizeClass.large),
        ("construction", None, 7000, 90000, SizeClass.medium),  # A ≥ 80000 but R under
        ("wholesale", 12, 3000, None, SizeClass.small),
        ("retail", 400, 30000, None, SizeClass.large),
        ("transport", 15, 5000, None, SizeClass.micro),
        ("warehousing", 150, 2000, None, SizeClass.medium),
        ("postal", 30, 150, None, SizeClass.small),
        ("accommodation", 8, 300, None, SizeClass.micro),
        ("catering", 120, 500, None, SizeClass.small),
        ("information_transmission", 1500, 200000, None, SizeClass.medium),
        ("software_it", 25, 40, None, SizeClass.micro),
        ("real_estate_development", None, 150, 3000, SizeClass.small),
        ("property_management", 2000, 8000, None, SizeClass.large),
        ("leasing_business_services", 50, None, 200, SizeClass.small),
        ("other", 250, None, None, SizeClass.medium),
    ],
)
def test_typical_firms(
    industry: str,
    employees: int | None,
    revenue_wan: int | None,
    assets_wan: int | None,
    size: SizeClass,
) -> None:
    result = classify(
        industry,
        employees=employees,
        revenue=None if revenue_wan is None else Decimal(revenue_wan) * WAN,
        assets=None if assets_wan is None else Decimal(assets_wan) * WAN,
    )
    assert result.size is size
    assert result.industry is Industry(industry)
    assert result.is_sme is (size is not SizeClass.large)


# --- the boundary cases named in the brief (industry 工业) ----------------------------------


def industry_firm(employees: int, revenue_wan: str) -> SizeClass:
    return classify(
        Industry.industry, employees=employees, revenue=Decimal(revenue_wan) * WAN, assets=None
    ).size


def test_industry_boundaries() -> None:
    assert industry_firm(20, "300") is SizeClass.small
    assert industry_firm(19, "300") is SizeClass.micro
    assert industry_firm(20, "299.9999") is SizeClass.micro  # 299.9999万 = 2,999,999 yuan
    assert industry_firm(300, "2000") is SizeClass.medium
    assert industry_firm(299, "2000") is SizeClass.small
    assert industry_firm(300, "1999.9999") is SizeClass.small


def test_industry_large_needs_every_measure_at_or_over_the_sme_bound() -> None:
    # E = 1000 is not under 1000, but R < 40000万 alone makes the firm an SME.
    assert industry_firm(1000, "39999.9999") is SizeClass.medium
    assert industry_firm(1000, "40000") is SizeClass.large
    assert industry_firm(999, "40000") is SizeClass.medium
    assert industry_firm(999, "100000") is SizeClass.medium
    # Any one measure under the SME bound suffices, then the medium/small rules apply as
    # written: 5000 staff but revenue under 300万 is micro.
    assert industry_firm(5000, "100") is SizeClass.micro


def test_leasing_uses_assets_not_revenue() -> None:
    c = classify(
        "leasing_business_services", employees=50, revenue=Decimal(10**12), assets=500 * WAN
    )
    assert c.size is SizeClass.small
    c = classify("leasing_business_services", employees=100, revenue=None, assets=8000 * WAN)
    assert c.size is SizeClass.medium
    c = classify("leasing_business_services", employees=300, revenue=None, assets=120000 * WAN)
    assert c.size is SizeClass.large
    with pytest.raises(MissingMeasure) as info:
        classify("leasing_business_services", employees=50, revenue=500 * WAN, assets=None)
    assert info.value.field == "assets"


def test_construction_uses_revenue_and_assets_not_employees() -> None:
    c = classify("construction", employees=100_000, revenue=300 * WAN, assets=300 * WAN)
    assert c.size is SizeClass.small
    c = classify("construction", employees=None, revenue=80000 * WAN, assets=79999 * WAN)
    assert c.size is SizeClass.medium
    c = classify("construction", employees=None, revenue=80000 * WAN, assets=80000 * WAN)
    assert c.size is SizeClass.large


def test_other_uses_employees_only() -> None:
    huge = Decimal(10**12)
    assert classify("other", employees=9, revenue=huge, assets=huge).size is SizeClass.micro
    assert classify("other", employees=10, revenue=None, assets=None).size is SizeClass.small
    assert classify("other", employees=100, revenue=None, assets=None).size is SizeClass.medium
    assert classify("other", employees=299, revenue=None, assets=None).size is SizeClass.medium
    assert classify("other", employees=300, revenue=None, assets=None).size is SizeClass.large


def test_agriculture_uses_revenue_only() -> None:
    c = classify("agriculture", employees=None, revenue=20000 * WAN - FEN, assets=None)
    assert c.size is SizeClass.medium
    c = classify("agriculture", employees=1, revenue=20000 * WAN, assets=None)
    assert c.size is SizeClass.large


# --- explanation ---------------------------------------------------------------------------


def test_explanation_small_industry_firm() -> None:
    c = classify("industry", employees=25, revenue=Decimal("5000000.00"), assets=None)
    e = c.explanation
    assert isinstance(e, Explanation)
    assert e.rule == "N-1"
    assert e.clause == "工信部联企业〔2011〕300号"
    assert e.result == "small"
    assert e.passed is True
    assert e.inputs == {
        "industry": "industry",
        "employees": 25,
        "revenue": Decimal("5000000.00"),
        "assets": None,
    }
    assert e.zh.startswith("工业：从业人员 25 人 ≥ 20 且营业收入 500 万元 ≥ 300 万元，为小型企业")
    assert "未同时达到中型企业下限：从业人员 300 人、营业收入 2000 万元" in e.zh
    assert e.en.startswith(
        "Industry: employees 25 ≥ 20 and operating revenue 5,000,000 yuan ≥ 3,000,000 yuan; "
        "small enterprise"
    )
    assert e.threshold == {
        "industry": "industry",
        "measures": ["employees", "revenue"],
        "unit": "yuan",
        "sme_below": {"employees": 1000, "revenue": Decimal(400_000_000)},
        "medium_from": {"employees": 300, "revenue": Decimal(20_000_000)},
        "small_from": {"employees": 20, "revenue": Decimal(3_000_000)},
    }


def test_explanation_is_plain_json() -> None:
    c = classify("construction", employees=None, revenue=Decimal("1234567.89"), assets=6 * WAN)
    data = c.explanation.as_dict()
    text = json.dumps(data, ensure_ascii=False)
    assert json.loads(text) == data
    assert data["inputs"]["revenue"] == "1234567.89"
    assert data["threshold"]["small_from"] == {"revenue": "3000000", "assets": "3000000"}


def test_explanation_micro_names_the_missed_bound() -> None:
    e = classify("industry", employees=19, revenue=500 * WAN, assets=None).explanation
    assert e.result == "micro"
    assert e.zh == (
        "工业：从业人员 19 人 < 20，营业收入 500 万元 ≥ 300 万元，"
        "未同时达到小型企业下限，为微型企业"
    )
    assert "employees 19 < 20" in e.en and e.en.endswith("micro enterprise")


def test_explanation_medium() -> None:
    e = classify("industry", employees=300, revenue=2000 * WAN, assets=None).explanation
    assert e.zh == "工业：从业人员 300 人 ≥ 300 且营业收入 2000 万元 ≥ 2000 万元，为中型企业"


def test_explanation_says_why_a_big_firm_is_still_an_sme() -> None:
    e = classify("industry", employees=1500, revenue=2500 * WAN, assets=None).explanation
    assert e.result == "medium"
    assert e.zh == (
        "工业：营业收入 2500 万元 < 40000 万元，属于中小企业；"
        "从业人员 1500 人 ≥ 300 且营业收入 2500 万元 ≥ 2000 万元，为中型企业"
    )
    assert "operating revenue 25,000,000 yuan < 400,000,000 yuan, so an SME" in e.en


def test_explanation_large() -> None:
    e = classify("industry", employees=1000, revenue=40000 * WAN, assets=None).explanation
    assert e.result == "large"
    assert e.zh == (
        "工业：从业人员 1000 人 ≥ 1000 且营业收入 40000 万元 ≥ 40000 万元，"
        "未低于中小企业上限，为大型企业"
    )
    assert e.en.endswith("large enterprise")


def test_explanation_single_measure_and_assets() -> None:
    e = classify("other", employees=5, revenue=None, assets=None).explanation
    assert e.zh == "其他未列明行业：从业人员 5 人 < 10，未达到小型企业下限，为微型企业"
    e = classify(
        "leasing_business_services", employees=50, revenue=None, assets=Decimal(1_500_000)
    ).explanation
    assert e.zh.startswith("租赁和商务服务业：从业人员 50 人 ≥ 10 且资产总额 150 万元 ≥ 100 万元")
    assert e.threshold["measures"] == ["employees", "assets"]


# --- input handling ------------------------------------------------------------------------


def test_industry_accepts_value_and_chinese_label() -> None:
    by_enum = classify(Industry.retail, employees=10, revenue=100 * WAN, assets=None)
    by_value = classify("retail", employees=10, revenue=100 * WAN, assets=None)
    by_label = classify("零售业", employees=10, revenue=100 * WAN, assets=None)
    assert by_enum == by_value == by_label


def test_unknown_industry() -> None:
    with pytest.raises(ValueError, match="unknown industry 'mining'"):
        classify("mining", employees=1, revenue=Decimal(1), assets=None)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"employees": 10, "revenue": 1_000_000.0, "assets": None},
        # assets are not used by 工业, but a float is still refused.
        {"employees": 10, "revenue": Decimal(1), "assets": 5.5},
        {"employees": 10.0, "revenue": Decimal(1), "assets": None},
        {"employees": True, "revenue": Decimal(1), "assets": None},
        {"employees": 10, "revenue": "1000000", "assets": None},
    ],
)
def test_floats_and_other_types_rejected(kwargs: dict[str, object]) -> None:
    with pytest.raises(TypeError):
        classify("industry", **kwargs)  # type: ignore[arg-type]


def test_float_error_message() -> None:
    with pytest.raises(TypeError, match="never a float"):
        classify("agriculture", employees=None, revenue=0.1, assets=None)  # type: ignore[arg-type]


def test_int_money_is_accepted_exactly() -> None:
    c = classify("agriculture", employees=None, revenue=5_000_000, assets=None)  # type: ignore[arg-type]
    assert c.size is SizeClass.medium
    assert c.explanation.inputs["revenue"] == Decimal(5_000_000)


def test_missing_measure() -> None:
    with pytest.raises(MissingMeasure) as info:
        classify("industry", employees=None, revenue=300 * WAN, assets=None)
    err = info.value
    assert isinstance(err, ValueError)
    assert err.field == "employees"
    assert err.fields == ("employees",)
    assert "employees" in str(err)
    assert "从业人员" in err.reason_zh


def test_missing_several_measures() -> None:
    with pytest.raises(MissingMeasure) as info:
        classify("real_estate_development", employees=10, revenue=None, assets=None)
    assert info.value.fields == ("revenue", "assets")
    assert info.value.field == "revenue"
    assert info.value.reason_zh == "房地产开发经营划型需要营业收入、资产总额，未提供"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"employees": -1, "revenue": Decimal(1), "assets": None}, "employees"),
        ({"employees": 1, "revenue": Decimal("-0.01"), "assets": None}, "revenue"),
        ({"employees": 1, "revenue": Decimal(1), "assets": Decimal(-5)}, "assets"),
        ({"employees": 1, "revenue": Decimal("NaN"), "assets": None}, "revenue"),
        ({"employees": 1, "revenue": Decimal("Infinity"), "assets": None}, "revenue"),
    ],
)
def test_negative_or_non_finite_values_rejected(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ValueError) as info:
        classify("industry", **kwargs)  # type: ignore[arg-type]
    assert isinstance(info.value, InvalidMeasure)
    assert not isinstance(info.value, MissingMeasure)
    assert info.value.field == field


def test_classification_is_frozen() -> None:
    c = classify("other", employees=1, revenue=None, assets=None)
    with pytest.raises(AttributeError):
        c.size = SizeClass.large  # type: ignore[misc]
