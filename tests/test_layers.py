"""Layers run one way: routes -> services -> policy hooks -> ledger/audit.

Read from the source with ``ast`` so the rule cannot regress quietly:

* a module below the HTTP layer (services, workflow, audit, plugins, ledger, db, auth, the
  context and the domain errors) never imports ``riskshare.api`` nor reads ``flask.request``:
  it raises domain errors and takes a ``Context``, so the CLI and jobs can call it too;
* a ``routes.py`` never queries the database itself (no ``select(...)``, no ``session.<x>(...)``
  call): listings and writes go through the area's service.
"""

from __future__ import annotations

import ast
from pathlib import Path

import riskshare

PACKAGE = Path(riskshare.__file__).parent

# The HTTP layer and the entry points that wire it up; everything else is below it.
HTTP_GLUE = {"api", "console", "testing", "demo", "migrations"}
HTTP_MODULES = {"app.py", "cli.py", "toolkit.py", "routes.py", "schemas.py"}


def modules(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if "__pycache__" not in p.parts)


def is_http_layer(root: Path, path: Path) -> bool:
    rel = path.relative_to(root)
    return rel.parts[0] in HTTP_GLUE or rel.name in HTTP_MODULES


def upward_imports(root: Path) -> list[str]:
    """``module:line what`` for each import of the HTTP layer below it."""
    found = []
    for path in modules(root):
        if is_http_layer(root, path):
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif (
                isinstance(node, ast.Attribute)
                and node.attr == "request"
                and isinstance(node.value, ast.Name)
                and node.value.id == "flask"
            ):
                names = ["flask.request"]
            for name in names:
                if name == "riskshare.api" or name.startswith("riskshare.api."):
                    found.append(f"{path.relative_to(root)}:{node.lineno} imports {name}")
                elif name == "flask.request":
                    found.append(f"{path.relative_to(root)}:{node.lineno} uses flask.request")
    return sorted(set(found))


def _session_call(func: ast.expr) -> bool:
    """``session.get(...)``, ``ctx.session.scalar(...)``: a method called on a session."""
    if not isinstance(func, ast.Attribute):
        return False
    owner = func.value
    name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
    return name == "session" or name.endswith("_session")


def route_queries(root: Path) -> list[str]:
    """``module:line what`` for each query a routes.py makes itself."""
    found = []
    for path in modules(root):
        if path.name != "routes.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if called == "select":
                found.append(f"{path.relative_to(root)}:{node.lineno} calls select()")
            elif _session_call(func):
                found.append(f"{path.relative_to(root)}:{node.lineno} calls session.{called}()")
    return found


def test_services_do_not_import_the_http_layer():
    assert upward_imports(PACKAGE) == []


def test_routes_do_not_query_the_database():
    assert route_queries(PACKAGE) == []


def test_the_checks_see_what_they_forbid(tmp_path):
    """The walkers find each forbidden form, so an empty answer above means something."""
    (tmp_path / "loans").mkdir()
    (tmp_path / "api").mkdir()
    (tmp_path / "loans" / "service.py").write_text(
        "import flask\n"
        "from riskshare.api.problems import Problem\n"
        "def f():\n"
        "    from riskshare.api import context\n"
        "    return flask.request\n"
    )
    (tmp_path / "api" / "problems.py").write_text("from flask import request\n")
    (tmp_path / "loans" / "routes.py").write_text(
        "from sqlalchemy import select\n"
        "def get(ctx):\n"
        "    ctx.session.scalar(select(1))\n"
        "    return page(ctx.session, service.visible(ctx))\n"
    )
    assert upward_imports(tmp_path) == [
        "loans/service.py:2 imports riskshare.api.problems",
        "loans/service.py:2 imports riskshare.api.problems.Problem",
        "loans/service.py:4 imports riskshare.api",
        "loans/service.py:4 imports riskshare.api.context",
        "loans/service.py:5 uses flask.request",
    ]
    assert sorted(route_queries(tmp_path)) == [
        "loans/routes.py:3 calls select()",
        "loans/routes.py:3 calls session.scalar()",
    ]
