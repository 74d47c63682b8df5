"""An HTTP client for tests: one tenant, callers by role, tokens minted with the dev key."""

from __future__ import annotations

import datetime as dt
import io
import json
import uuid
from typing import Any

from riskshare.auth.tokens import mint_dev_token

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class Form:
    """A multipart/form-data body (an upload): ``Caller.call(..., Form(fields, files))``.

    ``files`` maps a field to ``(content, filename)``; each call sends fresh streams, so one
    Form can be sent again (a retry, the isolation walk's several callers).
    """

    def __init__(self, fields: dict[str, Any], files: dict[str, tuple[bytes, str]]) -> None:
        self.fields, self.files = fields, files

    def data(self) -> dict[str, Any]:
        return {
            **{k: str(v) for k, v in self.fields.items()},
            **{k: (io.BytesIO(content), name) for k, (content, name) in self.files.items()},
        }


class Caller:
    def __init__(self, api: ApiClient, token: str, username: str = "") -> None:
        self.api = api
        self.headers = {"Authorization": f"Bearer {token}"}
        self.username = username  # as the audit log names the caller

    def _url(self, path: str, tenant: str | None = None) -> str:
        if path.startswith("/api/"):
            return path
        return f"/api/v1/tenants/{tenant or self.api.tenant}{path}"

    def call(
        self,
        method: str,
        path: str,
        json_body: Any = None,
        *,
        key: str | bool | None = None,
        expect: int | None = None,
        **kwargs: Any,
    ) -> Any:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        if key is None and method in WRITES:
            # As a client library does: every write gets a fresh key unless the test gives
            # one (to retry with it) or ``key=False`` (to send none).
            key = uuid.uuid4().hex
        if isinstance(key, str):
            headers["Idempotency-Key"] = key
        client = self.api.app.test_client()
        if isinstance(json_body, Form):
            kwargs = {"data": json_body.data(), "content_type": "multipart/form-data", **kwargs}
            json_body = None
        response = client.open(
            self._url(path), method=method, json=json_body, headers=headers, **kwargs
        )
        if expect is not None and response.status_code != expect:
            raise AssertionError(
                f"{method} {path}: expected {expect}, got {response.status_code}:"
                f" {json.dumps(response.get_json(silent=True), ensure_ascii=False)[:2000]}"
            )
        return response

    def get(self, path: str, **kw: Any) -> Any:
        return self.call("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.call("POST", path, body if body is not None else {}, **kw)

    def patch(self, path: str, body: Any, **kw: Any) -> Any:
        return self.call("PATCH", path, body, **kw)

    def put(self, path: str, body: Any, **kw: Any) -> Any:
        return self.call("PUT", path, body, **kw)

    def ok(self, method: str, path: str, body: Any = None, status: int = 200, **kw: Any) -> Any:
        """Call and insist on ``status``; returns the JSON body."""
        return self.call(method, path, body, expect=status, **kw).get_json()


class ApiClient:
    def __init__(self, app: Any, tenant: str) -> None:
        self.app = app
        self.tenant = tenant

    def token(
        self,
        *roles: str,
        institution: str | None = None,
        user: str | None = None,
        tenant: str | None = None,
        platform_admin: bool = False,
    ) -> str:
        ext = self.app.extensions["riskshare"]
        settings = ext.settings
        return mint_dev_token(
            ext.dev_keys,
            issuer=settings.issuer,
            audience=settings.oidc_audience,
            username=user or self.username(*roles, institution=institution),
            tenant=tenant or (self.tenant if roles else None),
            roles=roles,
            institution=institution,
            platform_admin=platform_admin,
        )

    @staticmethod
    def username(*roles: str, institution: str | None = None) -> str:
        """The user name a token minted for ``roles`` carries unless the test names one."""
        return ("-".join(roles) or "admin") + (f"@{institution}" if institution else "")

    def as_(self, *roles: str, institution: str | None = None, user: str | None = None) -> Caller:
        token = self.token(*roles, institution=institution, user=user)
        return Caller(self, token, user or self.username(*roles, institution=institution))

    def live(
        self, server: Any, *roles: str, institution: str | None = None, user: str | None = None
    ) -> Any:
        """A caller of the live server (``rs_live``), for requests made at the same moment."""
        from riskshare.testing.live import LiveCaller

        token = self.token(*roles, institution=institution, user=user, platform_admin=not roles)
        return LiveCaller(server, self.tenant, token)

    def today(self, day: dt.date | None) -> None:
        """Pin the platform's date for what follows (deadlines, periods and "late" are
        reckoned from it), as tests and demo stories do; None unpins it."""
        self.app.extensions["riskshare"].clock.pin(day)

    @property
    def admin(self) -> Caller:
        return Caller(self, self.token(platform_admin=True, user="operator"), "operator")

    def onboard(self) -> None:
        self.admin.ok(
            "POST",
            "/api/v1/platform/tenants",
            {"slug": self.tenant, "name": f"Tenant {self.tenant}"},
            status=201,
        )


def today(api: ApiClient, day: dt.date | None) -> None:
    """Pin the app's clock to ``day`` (``None`` lets it run again): what "today" is for every
    request, deadline and dated action until the test ends."""
    api.app.extensions["riskshare"].clock.pin(day)


def change_behind_the_api(api: ApiClient, table: str, row_id: int, **values: Any) -> None:
    """Change one row of the test's tenant straight in the database, as someone with SQL
    access could, for defence-in-depth tests: a re-check under a lock must hold even when the
    API's own guards were never asked. Row-level security applies (the tenant's session)."""
    import sqlalchemy as sa

    from riskshare.db import tenant_session
    from riskshare.db.base import Base

    rows = Base.metadata.tables[table]
    with tenant_session(api.app.extensions["riskshare"].db, api.tenant) as session:
        result = session.execute(sa.update(rows).where(rows.c.id == row_id).values(**values))
        assert isinstance(result, sa.CursorResult)  # an UPDATE's result counts its rows
        if result.rowcount != 1:
            raise LookupError(f"{table} has no row {row_id} in tenant {api.tenant}")
