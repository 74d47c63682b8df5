"""Sharing an amount pro rata so that the shares add up to it exactly, to the fen.

Rounding each share on its own (down, half up) leaves a few fen unallocated or allocates a
few too many; a plan must add up to exactly the room it shares. The largest remainder
method (Hamilton's) gives every share its fen rounded down, then hands the fen left over
one by one to the shares that lost the most in rounding, the earliest first on a tie.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from riskshare.plugins.types import FEN


def largest_remainder(
    total: Decimal, weights: Sequence[Decimal], unit: Decimal = FEN
) -> list[Decimal]:
    """``total`` shared in proportion to ``weights``, in whole ``unit``s, adding up to it.

    Each share is its exact proportion rounded down to the unit; the units this leaves over
    go one each to the shares with the largest remainders, ties to the earliest (the order of
    ``weights`` is the order of precedence, e.g. claims by approval). Computed in exact
    fractions, so no share depends on the precision of a ``Decimal`` division. A share
    never exceeds its exact proportion by a unit or more, so when ``total`` is at most the
    sum of the weights and the weights are whole units, no share exceeds its weight.

    :param total: what is shared; a non-negative whole number of ``unit``s.
    :param weights: non-negative; when they are all zero, every share is zero and ``total``
        must be zero too (there is no proportion to share it by).
    :raises ValueError: for a negative or fractional total, a negative weight, or a positive
        total shared by weights that are all zero.
    """
    units = Fraction(total) / Fraction(unit)
    if total < 0 or units.denominator != 1:
        raise ValueError(f"the total {total} is not a non-negative whole number of {unit}")
    if any(w < 0 for w in weights):
        raise ValueError("weights must not be negative")
    whole = sum((Fraction(w) for w in weights), Fraction(0))
    if whole == 0:
        if units:
            raise ValueError(f"cannot share {total} by weights that are all zero")
        return [Decimal(0) * unit for _ in weights]
    exact = [units * Fraction(w) / whole for w in weights]
    floors = [int(share) for share in exact]  # int() truncates: shares are non-negative
    left = int(units) - sum(floors)
    by_remainder = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in by_remainder[:left]:
        floors[i] += 1
    return [unit * n for n in floors]


def share_out(shares: Sequence[Mapping[str, Any]], total: Decimal) -> list[dict[str, Any]]:
    """Recorded shares (``{"institution_id", "role", "amount"}``) of one amount, shared
    again in the same proportions over ``total`` (an approved amount, one payment of it),
    adding up to it exactly. No shares, none."""
    if not shares:
        return []
    amounts = largest_remainder(total, [Decimal(str(s["amount"])) for s in shares])
    return [{**s, "amount": str(amount)} for s, amount in zip(shares, amounts, strict=True)]


def shares_left(
    shares: Sequence[Mapping[str, Any]], taken: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """What is left of each share once ``taken`` (the same shares, of a part paid) is paid."""
    return [
        {**s, "amount": str(Decimal(str(s["amount"])) - Decimal(str(t["amount"])))}
        for s, t in zip(shares, taken, strict=True)
    ]
