"""Is a firm registered in a locality: by its credit code's division, or by its address.

Characters 3–8 of a USCC (N-2) name the division of the authority that registered the firm,
not where the firm is: a provincial or municipal bureau registers firms all over its
province or city (a Henan firm registered by the provincial bureau has ``4100xx``, whichever
city it is in). A policy that supports firms registered in its locality (Xinxiang X-03,
Yanqing Y-02) therefore accepts a firm on either basis — its division code, or its recorded
registered address (注册地址) — and its explanation says which one applied.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from riskshare.plugins.types import FirmView

# The bases a firm is found registered in a locality on.
DIVISION_CODE = "division_code"
REGISTERED_ADDRESS = "registered_address"


@dataclass(frozen=True)
class RegisteredPlace:
    """The answer of :func:`registered_in`: ``inside`` the locality or not, on which
    ``basis`` (``division_code``, ``registered_address``, None when outside), and a sentence
    in each language saying why, for the policy's own explanation."""

    inside: bool
    basis: str | None
    division: str
    registered_address: str | None
    marker: str | None
    zh: str
    en: str

    def inputs(self) -> dict[str, Any]:
        """What the decision read, for the explanation's inputs."""
        return {
            "division": self.division,
            "registered_address": self.registered_address,
            "registration_basis": self.basis,
        }


def registered_in(
    firm: FirmView,
    *,
    divisions: Sequence[str],
    address_markers: Sequence[str],
    place_zh: str,
    place_en: str,
) -> RegisteredPlace:
    """Whether ``firm`` is registered in the locality named ``place_zh`` / ``place_en``.

    :param divisions: division codes, or their prefixes (``4107`` for every 4107xx), that
        USCC characters 3–8 may start with.
    :param address_markers: words (``新乡``, ``延庆``) one of which a registered address in the
        locality contains; empty: the division code alone decides.
    """
    division = firm.uscc[2:8]
    codes = "、".join(divisions)
    codes_en = ", ".join(divisions)
    if any(division.startswith(code) for code in divisions):
        return RegisteredPlace(
            True,
            DIVISION_CODE,
            division,
            firm.registered_address,
            None,
            f"统一社会信用代码行政区划码 {division} 属{place_zh}（{codes}）",
            f"registered in {place_en} by its credit code's division code {division} ({codes_en})",
        )
    address = (firm.registered_address or "").strip()
    marker = next((m for m in address_markers if m and m in address), None)
    if marker is not None:
        return RegisteredPlace(
            True,
            REGISTERED_ADDRESS,
            division,
            address,
            marker,
            f"统一社会信用代码行政区划码 {division} 为登记机关所在地，不属{place_zh}（{codes}），"
            f"但注册地址“{address}”在{place_zh}",
            f"registered in {place_en} by its registered address '{address}' (it names"
            f" {marker}); the credit code's division code {division} is the registering"
            f" authority's, not {place_en}'s ({codes_en})",
        )
    if not address_markers:
        where_zh, where_en = "", ""
    elif address:
        where_zh = f"，注册地址“{address}”亦不在{place_zh}"
        where_en = f", and its registered address '{address}' is not in {place_en}"
    else:
        where_zh, where_en = "，且未记录注册地址", ", and no registered address is recorded"
    return RegisteredPlace(
        False,
        None,
        division,
        firm.registered_address,
        None,
        f"统一社会信用代码行政区划码 {division} 不属{place_zh}（{codes}）{where_zh}",
        f"registered in division {division}, outside {place_en} ({codes_en}){where_en}",
    )
