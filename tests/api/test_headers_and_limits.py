"""Security headers on every answer, and the per-account rate limit (429, Retry-After)."""

from __future__ import annotations

import uuid

import pytest
from redis import Redis

from riskshare.api.limits import FixedWindow
from riskshare.api.problems import PROBLEM_MEDIA_TYPE


def test_json_answers_are_not_cached_sniffed_or_framed(api_any):
    response = api_any.as_("office").get("/programs")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    refused = api_any.app.test_client().get(f"/api/v1/tenants/{api_any.tenant}/programs")
    assert refused.status_code == 401 and refused.headers["Cache-Control"] == "no-store"


def test_the_docs_run_only_their_own_scripts(api_any):
    page = api_any.app.test_client().get("/api/v1/docs")
    policy = page.headers["Content-Security-Policy"]
    assert page.status_code == 200 and "'unsafe-inline'" not in policy.split("style-src")[0]
    assert "'sha256-" in policy  # the page's inline script, by hash
    assert "frame-ancestors 'none'" in policy
    spec = api_any.app.test_client().get("/api/v1/openapi.json")
    assert "no-store" not in spec.headers.get("Cache-Control", "")


@pytest.fixture
def low_limit(api_any, monkeypatch):
    limiter = FixedWindow(3, 60)
    monkeypatch.setitem(api_any.app.extensions, "riskshare_rate_limit", limiter)
    return limiter


def test_an_account_over_its_limit_is_slowed_and_others_are_not(api_any, low_limit):
    alice = api_any.as_("office", user="alice")
    for _ in range(3):
        assert alice.get("/programs").status_code == 200
    refused = alice.get("/programs")
    assert refused.status_code == 429 and refused.mimetype == PROBLEM_MEDIA_TYPE
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "3 requests in 60 seconds" in refused.get_json()["detail"]
    assert api_any.as_("office", user="bob").get("/programs").status_code == 200


def test_the_count_is_shared_through_redis():
    redis = Redis.from_url("redis://127.0.0.1:6379/0")
    now = [1_000_000.0]
    one, two = (FixedWindow(2, 60, redis=redis, clock=lambda: now[0]) for _ in range(2))
    client = f"test-{uuid.uuid4().hex}"
    try:
        # Two web processes, one count: the third request is refused whichever serves it.
        assert one.hit(client) is None and two.hit(client) is None
        assert one.hit(client) == 20  # the window ends at 1,000,020
        now[0] += 20  # the next window
        assert two.hit(client) is None
    finally:
        redis.delete(*redis.keys(f"riskshare:rate:{client}:*"))
        redis.close()


def test_a_redis_outage_does_not_lock_everyone_out():
    limiter = FixedWindow(1, 60, redis=Redis.from_url("redis://127.0.0.1:1/0", socket_timeout=0.2))
    assert limiter.hit("anyone") is None and limiter.hit("anyone") is None
