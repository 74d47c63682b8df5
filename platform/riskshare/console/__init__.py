"""The web console: server-rendered pages (Jinja, htmx) for the people who run the funds.

It is HTTP glue like the API: each page builds the same ``Context`` from the signed-in
account (``riskshare.api.security.enter_tenant``: the same roles, tenant and institution
scope) and calls the same services, so it holds no rule of its own. ``install`` wires it
into the app: the server-side session, the message catalogues (Chinese first), and the
blueprint at ``/console``.
"""

from __future__ import annotations

from riskshare.console.setup import install

__all__ = ["install"]
