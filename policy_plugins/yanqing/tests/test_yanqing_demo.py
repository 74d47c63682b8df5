"""The demo loader builds a Yanqing program with firms at several steps, over HTTP."""

from __future__ import annotations

import datetime as dt

from riskshare.testing.pytest_plugin import today
from riskshare_yanqing.demo import load_demo

# What riskshare.demo creates for the yanqing tenant before the plugin's demo runs.
CORE_DEMO_INSTITUTIONS = {
    "yq-drc": "department",
    "yq-custodian": "custodian",
    "yq-bank-bj": "bank",
    "yq-guarantee": "guarantor",
    "yq-insurer": "insurer",
    "yq-tourism": "department",
}


def test_Y03_Y12_demo_firms_reach_every_step_and_a_second_load_adds_nothing(api):
    today(api, dt.date(2025, 3, 3))
    for code, kind in CORE_DEMO_INSTITUTIONS.items():
        api.as_("office").ok(
            "POST", "/institutions", {"code": code, "name": code, "kind": kind}, 201
        )

    made = load_demo(api.app, api.tenant)

    states = [f["state"] for f in made["firms"]]
    assert states == ["pushed", "pushed", "awaiting_approval", "recommended"]
    [claimed] = api.as_("office").ok("GET", "/claims")
    assert claimed["amount"] == "600000.00"  # medium grade, 50% of 1,200,000
    assert load_demo(api.app, api.tenant) is None
    books = api.as_("auditor").ok("GET", f"/programs/{made['program']['id']}/ledger")
    assert books["balanced"] and books["pool_balance"] == "30150000.00"
