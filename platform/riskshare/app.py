"""The app factory: builds the platform in a fixed, readable order and fails fast.

1. settings        4. plugin manager (a configured plugin that fails stops here)
2. database        5. API, error handlers, authentication
3. token verifier  6. core routes, then each plugin's routes; every GET route must
                      declare how its reads are recorded (api/reads.py) or the app stops
"""

from __future__ import annotations

import http
import uuid
from dataclasses import dataclass
from typing import Any

import flask_smorest
import marshmallow as ma
import pluggy
from flask import Flask, g, request
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException

from riskshare import __version__, console
from riskshare.api import bodies, headers, health, limits, reads, request_ids, security
from riskshare.api.conflicts import ConflictTranslator, duplicate
from riskshare.api.fields import policy_attributes_property
from riskshare.api.problems import PROBLEM_MEDIA_TYPE, Problem, http_problem, problem_response
from riskshare.api.routing import RecordId, record_id_parameter
from riskshare.api.session import finish
from riskshare.audit.anchor import AuditKey
from riskshare.auth.tokens import DevKeySource, KeycloakKeySource, TokenVerifier
from riskshare.calendar.service import CalendarService
from riskshare.config import ConfigError, Settings
from riskshare.context import Clock
from riskshare.db import Database
from riskshare.errors import DomainError
from riskshare.ledger.service import WrongSide
from riskshare.plugins import attributes
from riskshare.plugins.manager import get_plugin_manager


@dataclass
class Riskshare:
    """What the app keeps for the lifetime of the process (``app.extensions["riskshare"]``)."""

    settings: Settings
    db: Database
    verifier: TokenVerifier
    pm: pluggy.PluginManager
    clock: Clock
    calendar: CalendarService
    dev_keys: DevKeySource | None
    audit_key: AuditKey


def _problem_doc(description: str) -> dict[str, Any]:
    schema = {"$ref": "#/components/schemas/Problem"}
    return {"description": description, "content": {PROBLEM_MEDIA_TYPE: {"schema": schema}}}


class Api(flask_smorest.Api):
    """flask-smorest's Api answering every HTTP error with problem+json, and documenting
    what it answers: flask-smorest's defaults would show errors as ``application/json`` with
    its own schema, and ``X-Pagination`` as an object where HTTP sends a string."""

    def handle_http_exception(self, error: HTTPException) -> Any:
        # flask-smorest registers this as the app's one ``HTTPException`` handler; it also
        # answers the ``InternalServerError`` Flask raises for an error after the view.
        return problem_response(http_problem(error))

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response = (
                _problem_doc(status.phrase) if status >= 400 else {"description": status.phrase}
            )
            self.spec.components.response(status.name, response, lazy=True)
        self.spec.components.response("DEFAULT_ERROR", _problem_doc("Any other error"), lazy=True)

    def _register_pagination_header(self) -> None:
        self.spec.components.header(
            "PAGINATION",
            {
                "description": "Pagination metadata as JSON text: total, total_pages,"
                " first_page, last_page, page, previous_page, next_page",
                "schema": {
                    "type": "string",
                    "contentMediaType": "application/json",
                    "contentSchema": {"$ref": "#/components/schemas/PaginationMetadata"},
                },
            },
            lazy=True,
        )


def create_app(
    settings: Settings | None = None,
    *,
    extra_plugins: list[tuple[str, object]] | None = None,
    verifier: TokenVerifier | None = None,
) -> Flask:
    settings = settings or Settings.from_env()
    app = Flask("riskshare", instance_path=str(settings.instance_path.resolve()))
    app.config.update(
        API_TITLE="Riskshare",
        API_VERSION=__version__,
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="/docs",
        # Served by the app from the console's static folder (installed from the npm
        # registry by `make install`, scripts/vendor_assets.py): the docs work offline.
        OPENAPI_SWAGGER_UI_URL="/console/static/vendor/swagger-ui/",
        OPENAPI_RAPIDOC_PATH="/rapidoc",
        OPENAPI_RAPIDOC_URL="/console/static/vendor/rapidoc/rapidoc-min.js",
        API_SPEC_OPTIONS=_spec_options(),
    )

    db = Database(settings.database_url)
    dev_keys = DevKeySource(settings.dev_key_path) if settings.auth == "dev" else None
    if verifier is None:
        key_source = dev_keys or KeycloakKeySource(
            settings.oidc_server_url,
            settings.oidc_realm,
            settings.oidc_audience,
            verify_tls=settings.oidc_verify_tls,
        )
        verifier = TokenVerifier(
            key_source,
            issuer=settings.issuer,
            audience=settings.oidc_audience,
            max_lifetime=settings.token_max_lifetime,
        )
    pm = get_plugin_manager(settings.policy_plugins, extra_plugins or ())
    app.extensions["riskshare"] = Riskshare(
        settings=settings,
        db=db,
        verifier=verifier,
        pm=pm,
        clock=Clock(),
        calendar=CalendarService(db),
        dev_keys=dev_keys,
        audit_key=_audit_key(settings),
    )

    # Before any route is added: every ``<int:...>`` is then an id the database can hold.
    app.url_map.converters["int"] = RecordId
    api = Api(app)
    api.register_converter(RecordId, record_id_parameter)
    # apispec documents Decimal fields (Money, Ratio, plugins' own) as JSON numbers, with their
    # Range bounds as strings, which is not valid OpenAPI. They are strings on the wire: Money
    # refuses JSON numbers, and Flask writes every Decimal as a string.
    api.register_field(ma.fields.Decimal, "string", "decimal")
    _document_policy_attributes(api, pm)
    _register_problem_handlers(app)
    request_ids.install(app)  # before authentication: a refused request has its id too
    security.install(app)
    limits.install(app, _rate_limiter(settings))
    bodies.install(app, settings.max_body_bytes)
    headers.install(app)
    app.config["RISKSHARE_MAX_DOCUMENT_BYTES"] = settings.max_document_bytes
    _register_core_routes(api)
    health.install(app)
    pm.hook.riskshare_register_routes(api=api)
    console.install(app)
    # Last, when every route is there: a GET that does not declare its reads stops the app.
    reads.check_declared(app)
    _register_cli(app)
    return app


def _audit_key(settings: Settings) -> AuditKey:
    """Generated on first run in embedded and test mode; production mounts its own (every
    web and worker process must seal with the same key, and a lost key leaves the chain
    unverifiable), so there it must exist."""
    production = settings.mode == "production"
    try:
        return AuditKey(settings.audit_key_file, create=not production)
    except FileNotFoundError as exc:
        raise ConfigError(
            f"no audit key at {settings.audit_key_file}: mount the deployment's audit key"
            " there (RISKSHARE_AUDIT_KEY_PATH); see docs/security.md"
        ) from exc


def _rate_limiter(settings: Settings) -> limits.FixedWindow:
    """Counted in Redis when there is one, so every web process shares the count."""
    redis = None
    if settings.redis_url:
        from redis import Redis

        redis = Redis.from_url(settings.redis_url, socket_timeout=0.5)
    return limits.FixedWindow(settings.rate_limit_per_minute, 60, redis=redis)


def _document_policy_attributes(api: Api, pm: Any) -> None:
    """Each installed policy's attribute schemas become components (``<policy>.LoanAttributes``)
    that the ``attributes`` fields link; before the routes, whose schemas are converted as
    each blueprint is registered."""
    refs: dict[str, dict[str, str]] = {}
    for (policy, record), (name, component) in attributes.openapi_components(pm).items():
        api.spec.components.schema(name, component=component)
        refs.setdefault(record, {})[policy] = f"#/components/schemas/{name}"
    converter = api.ma_plugin.converter
    converter.policy_attribute_refs = refs
    converter.add_attribute_function(policy_attributes_property)


def _spec_options() -> dict[str, Any]:
    problem = {
        "type": "object",
        "description": "RFC 9457 problem details",
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "instance": {"type": "string", "description": "an incident id to quote (500)"},
            "errors": {"type": "array", "items": {"type": "object"}},
            "rule": {"type": "object"},
        },
        "required": ["type", "title", "status", "detail"],
    }
    responses = {
        f"Problem{code}": {
            "description": text,
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for code, text in {
            400: "Bad request",
            401: "Missing or invalid token",
            403: "Not allowed",
            404: "Not found",
            409: "Conflict with the record's state or a cap",
            413: "Body or document larger than the configured limit",
            422: "Invalid input or refused by a policy rule",
        }.items()
    }
    return {
        "info": {
            "description": "Loan risk compensation funds (贷款风险补偿资金) for many localities."
            " Amounts are decimal strings in yuan; every error is application/problem+json.",
        },
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            },
            "schemas": {"Problem": problem},
            "responses": responses,
        },
        "security": [{"bearerAuth": []}],
    }


def _register_problem_handlers(app: Flask) -> None:
    from riskshare.db.base import Base

    conflicts = ConflictTranslator(Base.metadata)

    # Services raise domain errors; this is where each becomes a problem+json response.
    @app.errorhandler(DomainError)
    def _problem(problem: DomainError) -> Any:
        return problem_response(problem)

    @app.errorhandler(WrongSide)
    def _wrong_side(error: WrongSide) -> Any:
        # A guard above the ledger let through what the ledger itself refuses: log it loud.
        app.logger.error("ledger refused an entry: %s", error)
        return problem_response(
            Problem(
                409,
                f"Refused: {error.account} would end on the wrong side of zero"
                f" ({error.balance}); more would be paid or returned than is owed."
                " Nothing was saved.",
                kind="ledger-refused",
            )
        )

    @app.errorhandler(IntegrityError)
    def _integrity(error: IntegrityError) -> Any:
        problem = conflicts.problem(error)
        if problem is None:
            return _unexpected(error)
        app.logger.info("refused at the database: %s", error.orig)
        return problem_response(problem)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Any:
        # The exception's text can hold SQL, file paths or another tenant's data, so the client
        # only gets an id to quote; the log has the traceback under the same id.
        incident = uuid.uuid4()
        app.logger.exception(
            "unexpected error %s in %s %s", incident, request.method, request.path, exc_info=error
        )
        # The 500 makes _commit below roll the request's session back.
        return problem_response(
            Problem(
                500,
                "The server hit an unexpected error; the request's changes were not saved."
                " Quote the instance id when reporting it.",
                kind="internal-error",
                detail_zh="服务器发生意外错误，本次请求的修改均未保存。"
                "报告问题时请提供 instance 编号。",
                extra={"instance": incident.urn},
            )
        )

    @app.after_request
    def _commit(response: Any) -> Any:
        if response.status_code >= 400:
            finish(commit=False)
            return response
        try:
            # the read event is written in the transaction that answers the read.
            reads.record(response)
        except Exception as exc:
            finish(commit=False)
            return _unexpected(exc)
        try:
            finish(commit=True)
        except IntegrityError as exc:
            app.logger.warning("commit failed: %s", exc)
            return problem_response(conflicts.problem(exc) or duplicate(None))
        except OperationalError as exc:
            # A conflict found at commit must not look like success.
            app.logger.warning("commit failed: %s", exc)
            return problem_response(
                Problem(
                    409,
                    "The change conflicts with another one made at the same"
                    " time; nothing was saved. Retry the request.",
                    kind="conflict",
                    detail_zh="该修改与同时进行的另一修改冲突，未保存任何内容。请重试。",
                )
            )
        return response

    @app.teardown_request
    def _rollback(_exc: BaseException | None) -> None:
        if "db_session" in g:
            finish(commit=False)


def _register_core_routes(api: Api) -> None:
    from riskshare.routes import blueprints

    for blp in blueprints():
        api.register_blueprint(blp)


def _register_cli(app: Flask) -> None:
    from riskshare.cli import register

    register(app)
