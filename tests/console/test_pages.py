"""The console's pages through Flask's test client: the same scoping as the API, reads
recorded, CSRF, the formats people expect, and the catalogue complete."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from riskshare.audit.models import AuditEvent
from riskshare.auth.tokens import mint_dev_token
from riskshare.console.setup import long_date, money
from riskshare.console.signin import local_path
from riskshare.console.views import _cell
from riskshare.db.session import tenant_session
from riskshare.demo import demo_tenants

ROOT = Path(__file__).resolve().parents[2]


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "the page has no form token"
    return found[1]


def sign_in(app: Any, tenant: str, username: str) -> Any:
    client = app.test_client()
    token = _csrf(client.get("/console/login").get_data(as_text=True))
    answer = client.post(
        "/console/login/dev", data={"tenant": tenant, "username": username, "csrf_token": token}
    )
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return client


def demo_users(app: Any) -> list[tuple[str, Any, str]]:
    return [(t.slug, u, t.username(u)) for t in demo_tenants(app) for u in t.users]


def test_every_demo_user_sees_in_the_register_exactly_what_the_api_lists(demo_app):
    """One set of rules: the console's register (through its CSV) and the API's listing
    give each user the same loans, institution scoping included."""
    ext = demo_app.extensions["riskshare"]
    scoped_seen = False
    for tenant, user, username in demo_users(demo_app):
        client = sign_in(demo_app, tenant, username)
        exported = client.get(f"/console/t/{tenant}/loans.csv")
        assert exported.status_code == 200
        rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))
        console_ids = sorted(int(r[0]) for r in rows[1:])
        token = mint_dev_token(
            ext.dev_keys,
            issuer=ext.settings.issuer,
            audience=ext.settings.oidc_audience,
            username=username,
            tenant=tenant,
            roles=[user.role],
            institution=user.institution,
        )
        listed = demo_app.test_client().get(
            f"/api/v1/tenants/{tenant}/loans?page_size=100",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert listed.status_code == 200, listed.get_json()
        assert console_ids == sorted(loan["id"] for loan in listed.get_json()), username
        scoped_seen |= bool(user.institution) and 0 < len(console_ids) < 6
    assert scoped_seen, "no institution user saw a part of the register only"


def test_another_tenants_pages_are_refused_as_the_api_refuses_them(demo_app):
    client = sign_in(demo_app, "xinxiang", "xinxiang-office")
    refused = client.get("/console/t/yanqing/loans")
    assert refused.status_code == 403
    assert "You have no role in tenant &#39;yanqing&#39;" in refused.get_data(as_text=True)


def test_a_page_showing_a_loan_is_recorded_in_the_audit_log(demo_app):
    client = sign_in(demo_app, "yanqing", "yanqing-auditor")
    page = client.get("/console/t/yanqing/loans").get_data(as_text=True)
    first = re.search(r"/loans/(\d+)\"", page)
    assert first
    assert client.get(f"/console/t/yanqing/loans/{first[1]}").status_code == 200
    with tenant_session(demo_app.extensions["riskshare"].db, "yanqing") as session:
        events = list(
            session.scalars(
                select(AuditEvent)
                .where(AuditEvent.actor == "yanqing-auditor", AuditEvent.record_type == "loans")
                .order_by(AuditEvent.seq)
            )
        )
    listing, read = events[-2], events[-1]
    assert listing.action == "list" and listing.after["request"].startswith("GET /console/t/")
    assert int(first[1]) in listing.after["ids"]
    assert (read.action, read.record_id) == ("read", first[1])


def test_every_form_refuses_a_post_without_the_sessions_token(demo_app):
    client = sign_in(demo_app, "xinxiang", "xinxiang-office")
    for path, data in [
        ("/console/language", {"lang": "en"}),
        ("/console/logout", {}),
        ("/console/login/dev", {"tenant": "xinxiang", "username": "xinxiang-finance"}),
    ]:
        for token in (None, "forged"):
            form = dict(data, **({"csrf_token": token} if token else {}))
            refused = client.post(path, data=form)
            assert refused.status_code == 400, path
            assert "表单已失效" in refused.get_data(as_text=True)
    # Nothing changed: still signed in, as the same user, in Chinese.
    inbox = client.get("/console/t/xinxiang/")
    assert inbox.status_code == 200
    page = inbox.get_data(as_text=True)
    assert "xinxiang-office" in page and "<h1>待办事项</h1>" in page


def test_signing_out_ends_the_session_on_the_server(demo_app):
    client = sign_in(demo_app, "xinxiang", "xinxiang-office")
    page = client.get("/console/t/xinxiang/").get_data(as_text=True)
    cookie = client.get_cookie("riskshare_console")
    assert cookie is not None
    assert client.post("/console/logout", data={"csrf_token": _csrf(page)}).status_code == 302
    # The old cookie, replayed, opens nothing.
    replay = demo_app.test_client()
    replay.set_cookie("riskshare_console", cookie.value)
    answer = replay.get("/console/t/xinxiang/")
    assert answer.status_code == 302 and "/console/login" in answer.location


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in_and_back(demo_app):
    answer = demo_app.test_client().get("/console/t/xinxiang/loans?state=overdue")
    assert answer.status_code == 302
    assert answer.location.startswith("/console/login?next=")


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/console/t/x/loans?state=overdue", "/console/t/x/loans?state=overdue"),
        ("https://evil.example/", "/home"),
        ("//evil.example/", "/home"),
        ("/\\evil.example", "/home"),
        (None, "/home"),
    ],
)
def test_next_goes_only_to_a_page_of_this_site(target, expected):
    assert local_path(target, "/home") == expected


def test_amounts_and_dates_are_written_as_in_china(demo_app):
    with demo_app.test_request_context("/console/"):
        assert money(Decimal("1234567.89")) == "¥1,234,567.89"
        assert money(Decimal("0")) == "¥0.00"
        assert long_date(dt.date(2026, 12, 2)) == "2026年12月2日"
    with demo_app.test_request_context("/console/"):
        from flask import session
        from flask_babel import refresh

        session["lang"] = "en"
        refresh()
        assert money(Decimal("1234567.89")) == "CN¥1,234,567.89"
        assert long_date(dt.date(2026, 12, 2)) == "December 2, 2026"


def test_a_csv_cell_never_starts_a_formula():
    assert _cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert _cell("-5") == "'-5" and _cell("@x") == "'@x" and _cell("+1") == "'+1"
    assert _cell("YQ-DEMO-25") == "YQ-DEMO-25" and _cell(None) == ""


def test_every_message_of_the_console_has_its_chinese(capsys):
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import console_messages
    finally:
        sys.path.pop(0)
    assert console_messages.check() == 0, capsys.readouterr().out


def test_the_console_and_the_docs_load_nothing_from_another_site(demo_app):
    client = demo_app.test_client()
    for path in ("/console/login", "/api/v1/docs", "/api/v1/rapidoc"):
        answer = client.get(path)
        assert answer.status_code == 200
        page = answer.get_data(as_text=True)
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", page), path
        policy = answer.headers["Content-Security-Policy"]
        assert "http" not in policy and "'unsafe-eval'" not in policy
        assert "'unsafe-inline'" not in policy.split("style-src")[0]
    for asset in (
        "/console/static/vendor/htmx/htmx.min.js",
        "/console/static/vendor/swagger-ui/swagger-ui-bundle.js",
        "/console/static/vendor/rapidoc/rapidoc-min.js",
        "/console/static/vendor/echarts/echarts.min.js",
    ):
        answer = client.get(asset)
        answer.close()  # a file response: close what it opened
        assert answer.status_code == 200, asset


def test_the_inbox_lists_a_step_only_for_whom_the_service_would_take_it(demo_app):
    """The demo's submitted Xinxiang claim waits for the reviewer (whose review the policy
    requires), with its due date and rule; the office, the approver and the bank, who may
    not review it, do not see it."""
    reviewer = sign_in(demo_app, "xinxiang", "xinxiang-reviewer")
    page = reviewer.get("/console/t/xinxiang/").get_data(as_text=True)
    assert page.count("审核代偿申请") == 1 and "X-11" in page
    for other in ("xinxiang-office", "xinxiang-approver", "xinxiang-lender"):
        client = sign_in(demo_app, "xinxiang", other)
        page = client.get("/console/t/xinxiang/").get_data(as_text=True)
        assert "审核代偿申请" not in page, other
        assert "目前没有待办事项" in page
