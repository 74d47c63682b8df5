"""The console's pages. Each calls the services with the request's ``Context`` (built as the
API builds it), and says what it showed for the audit log's read events (X-20)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from riskshare.api import reads
from riskshare.api.context import current_context
from riskshare.api.security import enter_tenant, principal_from_token
from riskshare.auth.tokens import InvalidToken, KeySourceUnavailable, mint_dev_token
from riskshare.console import signin
from riskshare.console.setup import LANGUAGES, SESSION_HOURS
from riskshare.console.words import explained, word
from riskshare.errors import DomainError
from riskshare.inbox.service import inbox
from riskshare.institutions.service import list_institutions
from riskshare.loans.models import LOAN_STATES
from riskshare.loans.service import (
    LoanSearch,
    get_loan,
    loan_events,
    loan_parties,
    loan_register,
)

bp = Blueprint(
    "console",
    __name__,
    url_prefix="/console",
    template_folder="templates",
    static_folder="static",
)

PER_PAGE = 20
# Pages open to a browser that is not signed in.
PUBLIC = {"console.index", "console.login", "console.dev_login", "console.language"}
PUBLIC |= {"console.static", "console.oidc_callback"}


# ----------------------------------------------------------------------------- every request


@bp.before_request
def _guard() -> Response | None:
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token")
        if not signin.csrf_valid(sent):
            return _refused(
                400,
                _(
                    "This form has expired or did not come from this console; nothing was"
                    " saved. Reload the page and send it again."
                ),
            )
    if request.endpoint in PUBLIC:
        return None
    token = session.get("token")
    if not token:
        return redirect(url_for("console.login", next=request.full_path.rstrip("?")))
    try:
        g.principal = _principal(token)
    except InvalidToken:
        signin.end_session()
        return redirect(url_for("console.login", next=request.full_path.rstrip("?")))
    except KeySourceUnavailable:
        return _refused(503, _("Sign-in cannot be checked right now; try again in a minute."))
    if "tenant" in g:
        enter_tenant(g.principal, g.tenant)
    return None


def _principal(token: str) -> Any:
    """The signed-in account; an expired Keycloak token is renewed once."""
    try:
        return principal_from_token(token)
    except InvalidToken:
        if current_app.extensions["riskshare"].dev_keys is not None:
            raise
        from riskshare.console import oidc

        renewed = oidc.refresh()
        if renewed is None:
            raise
        return principal_from_token(renewed)


@bp.errorhandler(DomainError)
def _domain_error(problem: DomainError) -> Any:
    return _refused(problem.status, problem.detail)


def _refused(status: int, detail: str) -> Response:
    html = render_template("console/refused.html", status=status, detail=detail)
    return Response(html, status=status, mimetype="text/html")


@bp.app_context_processor
def _page_context() -> dict[str, Any]:
    if request.blueprint != "console":
        return {}
    principal = g.get("principal")
    return {
        "csrf_token": signin.csrf_token,
        "languages": LANGUAGES,
        "language": session.get("lang") or "zh_CN",
        "principal": principal,
        "tenant": g.get("tenant"),
        "roles": sorted(g.get("roles") or ()),
        "word": word,
        "explained": explained,
    }


# ----------------------------------------------------------------------------- signing in


@bp.get("/")
@reads.not_confidential("where to go next: the sign-in page or the user's tenant")
def index() -> Any:
    token = session.get("token")
    if not token:
        return redirect(url_for("console.login"))
    try:
        principal = principal_from_token(token)
    except (InvalidToken, KeySourceUnavailable):
        return redirect(url_for("console.login"))
    tenants = sorted(principal.tenant_roles)
    if len(tenants) == 1:
        return redirect(url_for("console.home", tenant=tenants[0]))
    g.principal = principal
    return render_template("console/tenants.html", tenants=tenants)


@bp.get("/login")
@reads.not_confidential("the sign-in page: the demo users' names and roles in embedded mode")
def login() -> Any:
    ext = current_app.extensions["riskshare"]
    if ext.dev_keys is None:
        from riskshare.console import oidc

        return oidc.start(request.args.get("next"))
    from riskshare.demo import demo_tenants

    return render_template(
        "console/login_dev.html", demo=demo_tenants(current_app), next=request.args.get("next")
    )


@bp.post("/login/dev")
def dev_login() -> Any:
    """Embedded and test mode only: sign in as one of the demo users listed."""
    from riskshare.demo import demo_tenants

    ext = current_app.extensions["riskshare"]
    if ext.dev_keys is None:
        abort(404)
    tenant, username = request.form.get("tenant"), request.form.get("username")
    for spec in demo_tenants(current_app):
        for user in spec.users:
            if spec.slug == tenant and spec.username(user) == username:
                token = mint_dev_token(
                    ext.dev_keys,
                    issuer=ext.settings.issuer,
                    audience=ext.settings.oidc_audience,
                    username=username,
                    tenant=tenant,
                    roles=[user.role],
                    institution=user.institution,
                    lifetime=dt.timedelta(hours=SESSION_HOURS),
                )
                signin.start_session(token)
                home = url_for("console.home", tenant=tenant)
                return redirect(signin.local_path(request.form.get("next"), home))
    return _refused(400, _("Choose one of the demo users listed on the sign-in page."))


@bp.get("/auth/callback")
@reads.not_confidential("Keycloak's redirect back with the authorization code")
def oidc_callback() -> Any:
    from riskshare.console import oidc

    return oidc.finish()


@bp.post("/logout")
def logout() -> Any:
    signin.end_session()
    return redirect(url_for("console.login"))


@bp.post("/language")
def language() -> Any:
    chosen = request.form.get("lang")
    if chosen in LANGUAGES:
        session["lang"] = chosen
    return redirect(signin.local_path(request.form.get("next"), url_for("console.index")))


# ----------------------------------------------------------------------------- the tenant's pages


@bp.get("/t/<tenant>/")
@reads.lists("inbox")
def home() -> Any:
    ctx = current_context()
    tasks = inbox(ctx)
    reads.shown("*", {"ids": [f"{t.record_type}/{t.record_id}" for t in tasks]})
    return render_template("console/inbox.html", tasks=tasks, today=ctx.today)


def _search() -> tuple[LoanSearch, dict[str, str]]:
    """The register's filters from the query string, and what is wrong with any of them
    (shown beside the field; the other filters still apply)."""
    args, errors = request.args, {}

    def day(name: str) -> dt.date | None:
        value = args.get(name, "").strip()
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            errors[name] = _("Enter a date as YYYY-MM-DD.")
            return None

    def whole(name: str) -> int | None:
        value = args.get(name, "").strip()
        if not value:
            return None
        if not value.isdigit() or int(value) > 2**31 - 1:
            errors[name] = _("Choose one from the list.")
            return None
        return int(value)

    state = args.get("state") or None
    if state is not None and state not in LOAN_STATES.states:
        errors["state"] = _("Choose one from the list.")
        state = None
    covered = {"yes": True, "no": False}.get(args.get("covered", ""))
    search = LoanSearch(
        text=(args.get("q") or "").strip()[:100] or None,
        state=state,
        institution_id=whole("institution"),
        firm_id=whole("firm"),
        issued_from=day("issued_from"),
        issued_to=day("issued_to"),
        covered=covered,
    )
    if search.issued_from and search.issued_to and search.issued_from > search.issued_to:
        errors["issued_to"] = _("The end of the range is before its start.")
    return search, errors


@bp.get("/t/<tenant>/loans")
@reads.lists("loans")
def loans() -> Any:
    ctx = current_context()
    search, errors = _search()
    page = request.args.get("page", "1")
    page_no = int(page) if page.isdigit() and 0 < int(page) < 100_000 else 1
    rows, total = loan_register(ctx, search, page=page_no, per_page=PER_PAGE)
    reads.shown("*", {"ids": [row.loan.id for row in rows]})
    institutions = (
        []
        if ctx.institution_id is not None
        else list(ctx.session.scalars(list_institutions(ctx, None)))
    )
    pages = max(1, -(-total // PER_PAGE))
    template = (
        "console/_loan_table.html" if request.headers.get("HX-Request") else "console/loans.html"
    )
    query = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        template,
        rows=rows,
        total=total,
        page=page_no,
        pages=pages,
        errors=errors,
        args=request.args,
        query=query,
        states=sorted(LOAN_STATES.states),
        institutions=institutions,
    )


CSV_SAFE = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    """A spreadsheet never runs a cell as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(CSV_SAFE) else text


@bp.get("/t/<tenant>/loans.csv")
@reads.lists("loans")
def loans_csv() -> Any:
    ctx = current_context()
    search, _errors = _search()
    rows, _total = loan_register(ctx, search, per_page=0)
    reads.shown("*", {"ids": [row.loan.id for row in rows], "export": "csv"})
    out = io.StringIO()
    out.write("\ufeff")  # Excel reads UTF-8 (Chinese names) only with the byte order mark
    writer = csv.writer(out)
    writer.writerow(
        [
            _("Loan"),
            _("Reference"),
            _("Firm"),
            _("Lender"),
            _("Kind"),
            _("Principal"),
            _("Outstanding"),
            _("Issued"),
            _("Matures"),
            _("State"),
            _("Classification"),
            _("Covered"),
        ]
    )
    for row in rows:
        loan = row.loan
        writer.writerow(
            _cell(v)
            for v in (
                loan.id,
                loan.reference,
                row.firm,
                row.lender,
                word("loan_kind", loan.kind),
                loan.principal,
                loan.outstanding,
                loan.issue_date.isoformat(),
                loan.maturity_date.isoformat(),
                word("loan_state", loan.state),
                word("classification", loan.classification),
                _("yes") if loan.covered else _("no"),
            )
        )
    name = f"loans-{ctx.tenant}-{ctx.today.isoformat()}.csv"
    return Response(
        out.getvalue().encode("utf-8"),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@bp.get("/t/<tenant>/loans/<int:loan_id>")
@reads.reads("loans", id_from="loan_id")
def loan(loan_id: int) -> Any:
    ctx = current_context()
    found = get_loan(ctx, loan_id)
    return render_template(
        "console/loan.html",
        loan=found,
        parties=loan_parties(ctx, found),
        events=loan_events(ctx, loan_id),
    )
