"""Riverside's configuration schema (defaults are the text's figures) and its parsed form,
and the attributes its rules read from firms and loans."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from riskshare.toolkit import ProgramView, attribute_schema

NAME = "riverside"
RESERVE = "reserve"  # where recoveries go: a destination the descriptor names

AMOUNT = r"^\d+(\.\d{1,2})?$"
SHARE = r"^0(\.\d+)?$"


def _setting(
    title: str, description: str, default: str | int, pattern: str | None = None
) -> dict[str, Any]:
    if isinstance(default, int):
        return {
            "title": title,
            "description": description,
            "type": "integer",
            "minimum": 1,
            "default": default,
        }
    return {
        "title": title,
        "description": description,
        "type": "string",
        "pattern": pattern,
        "default": default,
    }


CONFIG_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "示例县贷款风险补偿办法",
    "type": "object",
    "additionalProperties": False,
    "required": ["trustee"],
    "properties": {
        "trustee": {
            "title": "Trustee (R-5)",
            "description": "The institution code of the trust company that holds and pays"
            " the program's fund: only a trustee acting for it pays and reads its money.",
            "type": "string",
            "pattern": r"^[A-Za-z0-9_.-]{1,63}$",
        },
        "loan_cap": _setting(
            "Loan cap", "Largest covered principal, yuan (R-1).", "3000000", AMOUNT
        ),
        "small_loan": _setting(
            "Small-loan tier",
            "Largest principal of the small-loan tier, yuan (R-3).",
            "1000000",
            AMOUNT,
        ),
        "small_ratio": _setting(
            "Small-loan ratio", "Bank loans up to the tier (R-3).", "0.30", SHARE
        ),
        "large_ratio": _setting(
            "Large-loan ratio", "Bank loans above the tier (R-3).", "0.20", SHARE
        ),
        "guarantee_ratio": _setting(
            "Guarantee ratio", "Loans a guarantee company guarantees (R-3).", "0.25", SHARE
        ),
        "bonus_points": _setting(
            "Innovation bonus",
            "Added to the ratio for a firm on the innovation list (R-3).",
            "0.05",
            SHARE,
        ),
        "institution_yearly_cap": _setting(
            "Yearly cap per institution",
            "Most granted to one institution in a calendar year, yuan (R-4).",
            "300000",
            AMOUNT,
        ),
        "pause_share": _setting(
            "Pause share",
            "A bank paid more than this share of its lending in a year is paused (R-7).",
            "0.03",
            SHARE,
        ),
        "recovery_days": _setting(
            "Recovery days", "Working days to remit a recovery to the reserve (R-8).", 10
        ),
    },
}

ATTRIBUTE_SCHEMAS = {
    "loan": attribute_schema(
        "Riverside loan attributes",
        required=["mode"],
        mode={
            "title": "Compensation mode",
            "description": "bank: a bank's credit loan; guarantee: a loan a guarantee"
            " company guarantees (R-1, R-3).",
            "enum": ["bank", "guarantee"],
        },
    ),
    "firm": attribute_schema(
        "Riverside firm attributes",
        innovative={
            "title": "Innovation list",
            "description": "On the county's innovation list: bonus points (R-3).",
            "type": "boolean",
        },
    ),
}


@dataclass(frozen=True)
class Config:
    loan_cap: Decimal
    small_loan: Decimal
    small_ratio: Decimal
    large_ratio: Decimal
    guarantee_ratio: Decimal
    bonus_points: Decimal
    institution_yearly_cap: Decimal
    pause_share: Decimal
    recovery_days: int

    @classmethod
    def of(cls, program: ProgramView) -> Config:
        """The program's config (the core filled in every default when it was created)."""
        c = program.config
        return cls(
            loan_cap=Decimal(c["loan_cap"]),
            small_loan=Decimal(c["small_loan"]),
            small_ratio=Decimal(c["small_ratio"]),
            large_ratio=Decimal(c["large_ratio"]),
            guarantee_ratio=Decimal(c["guarantee_ratio"]),
            bonus_points=Decimal(c["bonus_points"]),
            institution_yearly_cap=Decimal(c["institution_yearly_cap"]),
            pause_share=Decimal(c["pause_share"]),
            recovery_days=int(c["recovery_days"]),
        )
