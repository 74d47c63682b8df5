"""Unified Social Credit Code (统一社会信用代码, GB 32100-2015) — rule N-2.

Every firm is identified by its 18-character code, and the check character must verify
(docs/policies/README.md, N-2). Layout:

====== ==================================================================
chars  meaning
====== ==================================================================
1      registration authority (登记管理部门), e.g. ``9`` market regulation,
       ``5`` civil affairs, ``N`` agriculture, ``Y`` other
2      organisation type (机构类别)
3–8    administrative division code (登记管理机关行政区划码), six digits
9–17   organisation code (主体标识码), digits or letters
18     check character (校验码)
====== ==================================================================

The alphabet is the digits plus the capital letters except I, O, S, V and Z (they are too
easily confused with 1, 0, 5, U and 2), 31 symbols in all.

Why not just ``stdnum.cn.uscc.validate``: it insists that the first 8 characters are all
digits, which rejects genuine codes whose first two characters are letters — ``N2…`` for
rural collective economic organisations, ``Y1…`` for other bodies — and both policies'
firms include such organisations. We therefore do our own format checks, with messages that
say exactly what is wrong (the API shows them next to the field), and only reuse stdnum's
``calc_check_digit``, which works over the full alphabet in every position.

We deliberately do not check chars 1–2 against the list of authority/type codes: that list
has grown since 2015 and the policies only require the checksum to verify.
"""

from __future__ import annotations

import re
import unicodedata

from stdnum.cn.uscc import calc_check_digit

__all__ = [
    "ALPHABET",
    "LENGTH",
    "InvalidUSCC",
    "division_code",
    "is_valid",
    "normalize",
    "validate",
]

#: The 31 symbols a code may use, in checksum-value order (GB 32100-2015, table 1).
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
#: Letters the standard never uses.
FORBIDDEN_LETTERS = "IOSVZ"
LENGTH = 18

# Separators people type or paste: whitespace of any kind and hyphen-like dashes.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212]+")


class InvalidUSCC(ValueError):
    """A code that is not a valid USCC.

    :ivar reason: what is wrong, in English, fit to show next to the field.
    :ivar reason_zh: the same in Chinese.
    :ivar code: the normalized input that was rejected.
    :ivar kind: machine-readable problem: ``"length"``, ``"forbidden_character"``,
        ``"invalid_character"``, ``"division_code"`` or ``"check_character"``.
    """

    def __init__(self, reason: str, reason_zh: str, *, code: str, kind: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.reason_zh = reason_zh
        self.code = code
        self.kind = kind


def normalize(code: str) -> str:
    """Return ``code`` without spaces or hyphens, in capitals.

    Full-width characters (``９１１…``, typed with a Chinese input method) are folded to
    their ASCII forms first (NFKC), so a code copied from a Chinese document still matches.
    """
    if not isinstance(code, str):
        raise TypeError(f"USCC must be a str, not {type(code).__name__}")
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", code)).upper()


def validate(code: str) -> str:
    """Return the normalized code, or raise :class:`InvalidUSCC` saying what is wrong.

    Checks, in order: length, each character against the alphabet, the division code
    (chars 3–8) being digits, and finally the check character.
    """
    norm = normalize(code)

    if len(norm) != LENGTH:
        raise InvalidUSCC(
            f"a USCC has {LENGTH} characters, this one has {len(norm)}",
            f"统一社会信用代码应为 {LENGTH} 位，实际为 {len(norm)} 位",
            code=norm,
            kind="length",
        )

    for pos, ch in enumerate(norm, start=1):
        if ch in ALPHABET:
            continue
        if ch in FORBIDDEN_LETTERS:
            raise InvalidUSCC(
                f"character {pos} is '{ch}'; the letters I, O, S, V and Z are never used in a USCC",
                f"第 {pos} 位为“{ch}”，统一社会信用代码不使用字母 I、O、S、V、Z",
                code=norm,
                kind="forbidden_character",
            )
        raise InvalidUSCC(
            f"character {pos} is '{ch}'; only digits and capital letters "
            "(except I, O, S, V, Z) are allowed",
            f"第 {pos} 位为“{ch}”，只允许数字和大写字母（不含 I、O、S、V、Z）",
            code=norm,
            kind="invalid_character",
        )

    division = norm[2:8]
    if not division.isdigit():
        raise InvalidUSCC(
            f"characters 3-8 are the administrative division code and must be digits, "
            f"got '{division}'",
            f"第 3–8 位为登记管理机关行政区划码，应为数字，实际为“{division}”",
            code=norm,
            kind="division_code",
        )

    expected = calc_check_digit(norm[:17])
    if norm[17] != expected:
        raise InvalidUSCC(
            f"check character (18th) is '{norm[17]}' but should be '{expected}'",
            f"校验码（第 18 位）为“{norm[17]}”，应为“{expected}”",
            code=norm,
            kind="check_character",
        )
    return norm


def is_valid(code: str) -> bool:
    """True when :func:`validate` accepts ``code`` (False also for non-str input)."""
    try:
        validate(code)
    except (InvalidUSCC, TypeError):
        return False
    return True


def division_code(code: str) -> str:
    """The administrative division code (chars 3–8) of a valid code.

    Raises :class:`InvalidUSCC` when the code is not valid, so a division code is never
    read from a mistyped code.
    """
    return validate(code)[2:8]
