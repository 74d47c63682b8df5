"""The WSGI application gunicorn serves (``riskshare.wsgi:app``), with the process's logging
set up first so even a failed start logs as the settings say."""

from __future__ import annotations

from riskshare import logs
from riskshare.app import create_app
from riskshare.config import Settings

settings = Settings.from_env()
logs.configure(settings.log_format, settings.log_level)
app = create_app(settings)
