"""Wiring the console into the app: session store, Babel, blueprint."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from babel.numbers import format_currency, format_decimal
from flask import Flask, redirect, session, url_for
from flask_babel import Babel, format_date, get_locale
from flask_session import Session

LANGUAGES = {"zh_CN": "中文", "en": "English"}
DEFAULT_LANGUAGE = "zh_CN"
SESSION_HOURS = 8


def select_language() -> str:
    """Chinese unless the user chose English (kept in the session)."""
    chosen = session.get("lang")
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


def money(value: Any) -> str:
    """``¥1,234,567.89`` (in English ``CN¥1,234,567.89``), never rounded away from the
    ledger's two decimals."""
    if value is None or value == "":
        return "—"
    return format_currency(Decimal(str(value)), "CNY", locale=str(get_locale()))


def number(value: Any) -> str:
    if value is None or value == "":
        return "—"
    return format_decimal(Decimal(str(value)), locale=str(get_locale()))


def long_date(value: Any) -> str:
    """``2026年12月2日`` in Chinese, ``December 2, 2026`` in English."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return str(format_date(value, "long"))


def _session_store(app: Flask) -> None:
    settings = app.extensions["riskshare"].settings
    app.config.update(
        SESSION_COOKIE_NAME="riskshare_console",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.mode == "production",
        SESSION_PERMANENT=True,
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=SESSION_HOURS),
        SESSION_KEY_PREFIX="riskshare:console:",
    )
    if settings.redis_url:
        from redis import Redis

        app.config.update(SESSION_TYPE="redis", SESSION_REDIS=Redis.from_url(settings.redis_url))
    else:
        from cachelib.file import FileSystemCache

        folder = settings.instance_path / "console-sessions"
        app.config.update(
            SESSION_TYPE="cachelib",
            SESSION_CACHELIB=FileSystemCache(str(folder), threshold=10_000, mode=0o600),
        )
    Session(app)


def install(app: Flask) -> None:
    from riskshare.api import reads
    from riskshare.console.views import bp

    _session_store(app)
    app.config.update(
        BABEL_DEFAULT_LOCALE=DEFAULT_LANGUAGE,
        BABEL_DEFAULT_TIMEZONE="Asia/Shanghai",
        BABEL_TRANSLATION_DIRECTORIES="console/translations",
    )
    Babel(app, locale_selector=select_language)
    app.jinja_env.filters.update(money=money, number=number, long_date=long_date)
    app.register_blueprint(bp)

    @app.route("/")
    @reads.not_confidential("a redirect to the console")
    def _root() -> Any:
        return redirect(url_for("console.index"))
