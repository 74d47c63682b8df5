"""Demo tenants for the embedded run: Xinxiang and Yanqing, their institutions and firms.

Loading is idempotent: a tenant that exists is left as it is. Then each tenant's loader in
``LOADERS`` (one module per locality in this package) adds a program of its policy with
loans and claims in every state, if the policy plugin is installed and the program is not
there yet. (The development offices, DRC or finance bureau, are users without an
institution: the roles below map each demo role to the institution it acts for.)
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from decimal import Decimal

from flask import Flask

from riskshare.auth.principal import Principal
from riskshare.auth.tokens import mint_dev_token
from riskshare.context import Context
from riskshare.db.session import tenant_session
from riskshare.firms.service import register_firm
from riskshare.institutions.service import create_institution
from riskshare.plugins.manager import available_plugins
from riskshare.tenants.models import Tenant
from riskshare.tenants.service import create_tenant

TENANTS = {
    "xinxiang": {
        "name": "新乡市 Xinxiang",
        "institutions": [
            # The Xinxiang policy covers loans by banks that signed the cooperation agreement
            # and guaranteed loans by companies in the provincial re-guarantee system.
            ("xx-bank-zy", "中原银行新乡分行", "bank", {"cooperation_agreement": True}),
            ("xx-bank-nx", "新乡农商银行", "bank", {"cooperation_agreement": True}),
            (
                "xx-guarantee",
                "新乡市融资担保有限公司",
                "guarantor",
                {"provincial_reguarantee": True},
            ),
        ],
        "firms": [
            ("91410700MA3X5B2C8X", "新乡市恒达机械有限公司", "industry", 45, "12000000", None, {}),
            (
                "93410782MA9GL3Q0X0",
                "辉县市丰收农业专业合作社",
                "agriculture",
                None,
                "3000000",
                None,
                {"new_agricultural_operator": True},
            ),
        ],
        "roles": {
            "office": None,
            "reviewer": None,
            "approver": None,
            "finance": None,
            "auditor": None,
            "lender": "xx-bank-zy",
            "guarantor": "xx-guarantee",
        },
    },
    "yanqing": {
        "name": "延庆区 Yanqing",
        "institutions": [
            ("yq-custodian", "资金托管机构", "custodian", {}),
            ("yq-bank-bj", "北京银行延庆支行", "bank", {}),
            ("yq-guarantee", "北京市延庆区融资担保公司", "guarantor", {}),
            ("yq-insurer", "人保财险延庆支公司", "insurer", {}),
            ("yq-tourism", "延庆区文化和旅游局", "department", {}),
            ("yq-agriculture", "延庆区农业农村局", "department", {}),
            ("yq-town", "延庆镇人民政府", "town", {}),
        ],
        "firms": [
            (
                "91110229MA01ABCD1A",
                "北京延庆低空科技有限公司",
                "software_it",
                60,
                "8000000",
                None,
                {},
            ),
        ],
        "roles": {
            "office": None,
            "reviewer": None,
            "approver": None,
            "finance": None,
            "custodian": "yq-custodian",
            "auditor": None,
            "lender": "yq-bank-bj",
            "guarantor": "yq-guarantee",
            "insurer": "yq-insurer",
            "recommender": "yq-tourism",
            "panelist": None,  # a government delegate to the joint review (Y-06)
        },
    },
}


def _loaders() -> dict[str, Callable[[Flask, str], object]]:
    """Per-tenant loaders of programs, loans and claims, called as ``loader(app, tenant)``.

    A policy plugin offers one as ``load_demo`` in the ``demo`` module beside its entry-point
    module (``riskshare_xinxiang.demo``); it loads the demo tenant named like the plugin.
    The core holds no locality's data.
    """
    loaders = {}
    for name, entry_point in available_plugins().items():
        package = entry_point.module.rpartition(".")[0] or entry_point.module
        if importlib.util.find_spec(f"{package}.demo") is None:
            continue
        loaders[name] = importlib.import_module(f"{package}.demo").load_demo
    return loaders


def load_demo(app: Flask) -> None:
    _load_tenants(app)
    for slug, loader in _loaders().items():
        if slug in TENANTS:
            loader(app, slug)


def _load_tenants(app: Flask) -> None:
    ext = app.extensions["riskshare"]
    from stdnum.cn.uscc import calc_check_digit

    from riskshare.firms import uscc

    for slug, spec in TENANTS.items():
        with tenant_session(ext.db, None) as session:
            if session.get(Tenant, slug) is not None:
                continue
            create_tenant(session, slug=slug, name=spec["name"], actor="demo")
        with tenant_session(ext.db, slug) as session:
            ctx = Context(
                session=session,
                tenant=slug,
                principal=Principal("demo", "demo"),
                roles=frozenset({"office"}),
                pm=ext.pm,
                calendar=ext.calendar.calendar(session),
                today=ext.clock.today(),
            )
            for code, name, kind, attributes in spec["institutions"]:
                create_institution(
                    ctx, {"code": code, "name": name, "kind": kind, "attributes": attributes}
                )
            for code, name, industry, employees, revenue, assets, attributes in spec["firms"]:
                if not uscc.is_valid(code):  # demo codes get their check character computed
                    code = code[:17] + calc_check_digit(code[:17])
                register_firm(
                    ctx,
                    {
                        "uscc": code,
                        "name": name,
                        "industry": industry,
                        "employees": employees,
                        "revenue": Decimal(revenue) if revenue else None,
                        "assets": Decimal(assets) if assets else None,
                        "attributes": attributes,
                    },
                )


def print_tokens(app: Flask, echo: Callable[[str], None]) -> None:
    ext = app.extensions["riskshare"]
    if ext.dev_keys is None:
        return
    settings = ext.settings
    echo("Development tokens (send as: Authorization: Bearer <token>):")
    admin = mint_dev_token(
        ext.dev_keys,
        issuer=settings.issuer,
        audience=settings.oidc_audience,
        username="operator",
        platform_admin=True,
    )
    echo(f"  platform-admin: {admin}")
    for slug, spec in TENANTS.items():
        for role, institution in spec["roles"].items():
            token = mint_dev_token(
                ext.dev_keys,
                issuer=settings.issuer,
                audience=settings.oidc_audience,
                username=f"{slug}-{role}",
                tenant=slug,
                roles=[role],
                institution=institution,
            )
            echo(f"  {slug} {role}: {token}")
