"""A real multi-threaded HTTP server around the test app, and simultaneous requests to it.

The Flask test client runs a request in the calling thread; races between requests are
only real when a server handles each on its own thread with its own database connection,
as gunicorn's threaded workers do. ``LiveServer`` is werkzeug's threaded server on a free
loopback port; ``race`` releases all its requests at the same instant.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

import requests
from werkzeug.serving import make_server

T = TypeVar("T")


class LiveServer:
    def __init__(self, app: Any) -> None:
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)


@contextmanager
def live_server(app: Any) -> Iterator[LiveServer]:
    server = LiveServer(app).start()
    try:
        yield server
    finally:
        server.stop()


class LiveCaller:
    """One user of one tenant, calling the live server over HTTP."""

    def __init__(self, server: LiveServer, tenant: str, token: str) -> None:
        self.server = server
        self.tenant = tenant
        self.headers = {"Authorization": f"Bearer {token}"}

    def call(
        self, method: str, path: str, body: Any = None, *, key: str | None = None
    ) -> requests.Response:
        url = path if path.startswith("/api/") else f"/api/v1/tenants/{self.tenant}{path}"
        headers = dict(self.headers)
        if key is None and method != "GET":
            key = uuid.uuid4().hex  # a fresh key unless the test retries with its own
        if key is not None:
            headers["Idempotency-Key"] = key
        return requests.request(
            method, self.server.url + url, json=body, headers=headers, timeout=120
        )

    def post(self, path: str, body: Any = None, *, key: str | None = None) -> requests.Response:
        return self.call("POST", path, body if body is not None else {}, key=key)


def race(calls: Sequence[Callable[[], T]]) -> list[T]:
    """Run every call on its own thread, all released together by a barrier."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], T]) -> T:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))
