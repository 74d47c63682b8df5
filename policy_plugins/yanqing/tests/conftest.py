"""Fixtures shared by the plugin's tests."""

from __future__ import annotations

import datetime as dt

import pytest
from yanqing_steps import setup

from riskshare.testing import today


@pytest.fixture
def yq(api):
    """A Yanqing program with the district's institutions, on 10 January 2025."""
    today(api, dt.date(2025, 1, 10))
    program, insts = setup(api)
    return api, program, insts
