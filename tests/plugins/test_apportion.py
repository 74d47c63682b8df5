"""The largest remainder method plugins share pro-rata amounts with (toolkit.largest_remainder)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from riskshare.toolkit import largest_remainder


def _d(*values: str) -> list[Decimal]:
    return [Decimal(v) for v in values]


def test_three_equal_shares_of_100_give_the_left_over_fen_to_the_earliest():
    shares = largest_remainder(Decimal("100.00"), _d("50.00", "50.00", "50.00"))
    assert shares == _d("33.34", "33.33", "33.33")
    assert sum(shares) == Decimal("100.00")


def test_left_over_fen_go_to_the_largest_remainders_not_the_largest_weights():
    # Exact shares 10 × 1/7 = 1.428…, 10 × 2/7 = 2.857…, 10 × 4/7 = 5.714…: the floors
    # 1.42, 2.85, 5.71 leave 0.02; the remainders rank .857 > .714 > .428 (in fen).
    shares = largest_remainder(Decimal("10.00"), _d("1", "2", "4"))
    assert shares == _d("1.43", "2.86", "5.71")
    assert sum(shares) == Decimal("10.00")


def test_exact_shares_are_untouched_and_a_zero_weight_gets_nothing():
    assert largest_remainder(Decimal("100.00"), _d("90000", "60000", "0")) == _d(
        "60.00", "40.00", "0.00"
    )


def test_sums_exactly_where_one_decimal_division_would_not():
    weights = _d("0.01", "0.01", "99999999999.98")
    total = Decimal("1000000.00")
    shares = largest_remainder(total, weights)
    assert sum(shares) == total
    assert all(s <= w for s, w in zip(shares, weights, strict=True))


def test_nothing_to_share_and_no_weights():
    assert largest_remainder(Decimal("0.00"), _d("0", "0")) == _d("0.00", "0.00")
    assert largest_remainder(Decimal("0.00"), []) == []


@pytest.mark.parametrize(
    ("total", "weights", "message"),
    [
        (Decimal("-1.00"), _d("1"), "non-negative whole number"),
        (Decimal("1.005"), _d("1"), "non-negative whole number"),
        (Decimal("1.00"), _d("1", "-1"), "negative"),
        (Decimal("1.00"), _d("0", "0"), "all zero"),
    ],
)
def test_impossible_shares_are_refused(total, weights, message):
    with pytest.raises(ValueError, match=message):
        largest_remainder(total, weights)
