"""Test support shipped with the package, and the facade for policy plugins' tests and demos.

A plugin's package code imports only ``riskshare.toolkit``; its tests and its demo module
import ``riskshare.toolkit`` and this module, never ``riskshare.testing.<submodule>`` or any
other part of ``riskshare`` (``tests/plugins/test_facade.py`` fails when one does). The
fixtures (``api``, ``api_any``, ``other_api``, ``rs_live``, ``rs_plugins``, ...) come from
``riskshare.testing.pytest_plugin``, which pytest loads by itself (the ``pytest11`` entry
point), so tests name them as arguments and import nothing for them.

What is here:

* ``ApiClient``: one tenant over HTTP; ``api.as_("lender", institution="bank-a")`` is a
  ``Caller`` with a dev token of those roles; ``caller.ok("POST", "/loans", body,
  status=201)`` insists on the status and returns the JSON body; ``api.admin`` is the
  platform operator (demos onboard their tenants with it).
* ``today(api, day)``: pins the app's clock, so dated rules are tested on chosen days.
* ``race(calls)`` releases every call at the same instant on its own thread; with
  ``api.live(rs_live, role)`` (a ``LiveCaller`` of a real threaded server, ``LiveServer``)
  it makes truly simultaneous requests.
* ``change_behind_the_api(api, table, id, **values)``: a direct database change, for tests
  that prove a guard holds when the API was bypassed.
* ``english_in_chinese(answers, allowed=...)``: the Chinese sentences (``zh``) in any JSON
  answers that hold English words or code identifiers, for a policy's tests to assert none.
* ``assert_explained_in_both_languages(explanation, allowed=...)``: fails unless an
  explanation (or a list of them) cites its rule and clause in Chinese and in English and
  says itself in both, with no English inside the Chinese sentence; ``explanations_in(answers)``
  finds every explanation in JSON answers, to check them all.
* ``get_operations``, ``walk_reads``, ``every_role``, ``audit_events_after``, ``audit_head``:
  the read walk of X-20 (every GET records what it read), for a policy's own routes.

It lives inside ``riskshare`` (not under ``tests/``) so the platform's tests, the plugins'
tests and their demos share the same client and doubles, such as the Keycloak-compatible
stub server. Importing it does not import pytest, so a demo runs where pytest is not installed.
"""

from riskshare.testing.chinese import (
    assert_explained_in_both_languages,
    english_in_chinese,
    explanations_in,
)
from riskshare.testing.client import ApiClient, Caller, change_behind_the_api, today
from riskshare.testing.live import LiveCaller, LiveServer, live_server, race
from riskshare.testing.reads import (
    audit_events_after,
    audit_head,
    every_role,
    get_operations,
    walk_reads,
)

__all__ = [
    "ApiClient",
    "Caller",
    "LiveCaller",
    "LiveServer",
    "assert_explained_in_both_languages",
    "audit_events_after",
    "audit_head",
    "change_behind_the_api",
    "english_in_chinese",
    "every_role",
    "explanations_in",
    "get_operations",
    "live_server",
    "race",
    "today",
    "walk_reads",
]
