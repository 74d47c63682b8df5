"""Response headers every answer carries (OWASP ASVS 14.4, for an API and its docs pages).

JSON answers may carry confidential money data, so no cache keeps them; no answer may be
sniffed into another type or framed by another site; HTML pages (the console, the
interactive docs) run only the app's own scripts and styles (the docs' one inline script by
hash), load nothing from another site, and the console's forms post only to the app. The
console's pages show confidential data too, so no cache keeps them either.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

from flask import Flask, request

API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S | re.I)
# The one answer every client and proxy may keep: the API's public description.
CACHEABLE = ("/api/v1/openapi.json",)


def install(app: Flask) -> None:
    @app.after_request
    def _security_headers(response: Any) -> Any:
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "no-referrer")
        headers.setdefault("X-Frame-Options", "DENY")
        if response.mimetype == "text/html" and not response.direct_passthrough:
            headers["Content-Security-Policy"] = html_policy(response.get_data(as_text=True))
        else:
            headers.setdefault("Content-Security-Policy", API_POLICY)
        private = request.path.startswith(("/api/", "/console/")) and not request.path.startswith(
            "/console/static/"
        )
        if private and request.path not in CACHEABLE:
            headers["Cache-Control"] = "no-store"
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response


def html_policy(page: str) -> str:
    """A page's policy: the app's own files, and its inline scripts by their SHA-256 (the
    docs' bootstrap; the console has none). Swagger UI and RapiDoc set inline styles, so
    styles may be inline; the console's forms post to the app, nowhere else."""
    hashes = "".join(
        " 'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
        for s in _INLINE_SCRIPT.findall(page)
    )
    return (
        f"default-src 'none'; script-src 'self'{hashes}; style-src 'self' 'unsafe-inline';"
        " img-src 'self' data:; font-src 'self' data:; connect-src 'self';"
        " frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )
