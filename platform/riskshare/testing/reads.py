"""Checking that every GET records its reads (X-20), for the core's and plugins' tests.

``walk_reads`` calls each GET operation of the OpenAPI document under the given tags with
real records, and checks the tenant's audit log against the operation's declaration
(``x-reads``, riskshare.api.reads): a confidential read left exactly one event naming what
was read (the record's id, the page's ids, the document), a route declared not
confidential left none. The log is read straight from the database: reading it through
the API is itself a recorded read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from riskshare.testing.client import ApiClient, Caller

PARAMETER = re.compile(r"\{(\w+)\}")
TENANT_PREFIX = "/api/v1/tenants/{tenant}"
READ_ACTIONS = {"read", "list", "download"}


@dataclass(frozen=True)
class Operation:
    path: str
    reads: dict[str, Any]

    @property
    def in_tenant(self) -> bool:
        return self.path.startswith(TENANT_PREFIX)


def get_operations(app: Any, tags: set[str] | None = None) -> list[Operation]:
    """The GET operations of the served OpenAPI document (under ``tags``, or all)."""
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    found = []
    for path, item in spec["paths"].items():
        get = item.get("get")
        if get is None or (tags is not None and not tags & set(get.get("tags", ()))):
            continue
        found.append(Operation(path, get.get("x-reads") or {}))
    return found


def audit_events_after(api: ApiClient, seq: int) -> list[dict[str, Any]]:
    """The tenant's audit events after ``seq``, oldest first, straight from the database."""
    from riskshare.audit.models import AuditEvent
    from riskshare.db import tenant_session

    db = api.app.extensions["riskshare"].db
    with tenant_session(db, api.tenant) as session:
        rows = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.tenant_id == api.tenant, AuditEvent.seq > seq)
            .order_by(AuditEvent.seq)
        )
        return [
            {
                "seq": e.seq,
                "actor": e.actor,
                "action": e.action,
                "record_type": e.record_type,
                "record_id": e.record_id,
                "after": e.after,
            }
            for e in rows
        ]


def audit_head(api: ApiClient) -> int:
    events = audit_events_after(api, 0)
    return events[-1]["seq"] if events else 0


def every_role(api: ApiClient) -> Caller:
    """A caller holding every role the core and the installed policies declare."""
    from riskshare.plugins.manager import role_catalogue

    return api.as_(*sorted(role_catalogue(api.app.extensions["riskshare"].pm).names))


def walk_reads(
    api: ApiClient,
    ids: dict[str, Any],
    *,
    tags: set[str],
    reader: Caller,
    queries: dict[str, str] | None = None,
    only: set[str] | None = None,
) -> list[str]:
    """Call every GET under ``tags`` as ``reader`` (tenant routes) or the platform
    administrator (platform routes), with ``ids`` for the path's parameters and
    ``queries`` (by path) for required query parameters; ``only``: these paths of them.
    Returns the paths walked.

    Fails on a GET without a declaration, a parameter ``ids`` lacks, a listing that came
    back empty (it would prove nothing), and any read recorded otherwise than declared."""
    walked = []
    for op in get_operations(api.app, tags):
        if only is not None and op.path not in only:
            continue
        assert op.reads, f"GET {op.path} has no x-reads declaration"
        missing = [p for p in PARAMETER.findall(op.path) if p != "tenant" and p not in ids]
        assert not missing, f"GET {op.path}: give the walk a real {missing} (ids)"
        url = PARAMETER.sub(
            lambda m: api.tenant if m[1] == "tenant" else str(ids[m[1]]), op.path
        ) + (queries or {}).get(op.path, "")
        caller = reader if op.in_tenant else api.admin
        before = audit_head(api) if op.in_tenant else 0
        response = caller.call("GET", url, expect=200)
        # Only read events: a GET may also write (monitoring records what it finds).
        events = [
            e
            for e in (audit_events_after(api, before) if op.in_tenant else [])
            if e["action"] in READ_ACTIONS
        ]
        check_recorded(op, url, response.get_json(silent=True), events, ids, reader)
        walked.append(op.path)
    return walked


def check_recorded(
    op: Operation,
    url: str,
    body: Any,
    events: list[dict[str, Any]],
    ids: dict[str, Any],
    reader: Caller,
) -> None:
    declared = op.reads
    if not declared["confidential"]:
        assert declared["reason"], f"GET {op.path}: not confidential, but says not why"
        assert events == [], f"GET {op.path} is declared not confidential yet recorded {events}"
        return
    assert len(events) == 1, f"GET {url}: expected one read event, got {events}"
    [event] = events
    assert (event["action"], event["record_type"]) == (
        declared["event"],
        declared["record_type"],
    ), f"GET {url}: {event}"
    assert event["actor"] == reader.username
    assert event["after"]["request"] == f"GET {url}"
    if "id_from" in declared:
        expected = ":".join(str(ids[arg]) for arg in declared["id_from"])
        assert event["record_id"] == expected, f"GET {url}: {event}"
    elif declared["event"] == "list":
        key = declared["ids_from"]
        assert body, f"GET {url} listed nothing: give the walk a record it lists"
        assert event["after"]["ids"] == [item[key] for item in body], f"GET {url}: {event}"
    else:
        # The record asked for by its id in the URL is the one the event names.
        last = PARAMETER.findall(op.path)[-1]
        assert event["record_id"] == str(ids[last]) == str(body["id"]), f"GET {url}: {event}"
        if declared["event"] == "download":
            assert event["after"]["document"]["filename"] == body["filename"]
            assert event["after"]["document"]["sha256"] == body["sha256"]
