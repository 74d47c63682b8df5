"""What an institution-scoped caller may see."""

from __future__ import annotations

from riskshare.context import Context
from riskshare.plugins.manager import role_catalogue


def payee_scope(ctx: Context) -> int | None:
    """The institution whose payments and recoveries the caller sees, or None for all.

    A payer that acts for an institution (a bank holding the pool, say) pays out to every
    institution and is repaid by each, so it sees every institution's.
    """
    return None if ctx.roles & role_catalogue(ctx.pm).all_payers else ctx.institution_id
