"""schemathesis over the served OpenAPI document: no input it can make gets a 500.

Every operation of the core and of every installed policy, with a real token for a caller
holding the fund office's roles in one onboarded tenant, under all of schemathesis's checks
(server errors, status codes, content types and response schemas as documented). A few
examples per operation in the default run; ``make soak`` runs many more (RISKSHARE_SOAK=1).
"""

from __future__ import annotations

import os
import uuid

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from factories import setup_program
from riskshare.testing.client import ApiClient

EXAMPLES = 200 if os.environ.get("RISKSHARE_SOAK") else 10
ROLES = ("office", "finance", "reviewer", "approver", "auditor")
# "Schema-valid data is accepted" is not this API's contract: a request can be well formed
# and still refused by a policy rule or the record's state (422/409, explained). Every other
# check runs.
NOT_CHECKED = [positive_data_acceptance]


def test_no_operation_answers_any_input_with_a_server_error(rs_app):
    api = ApiClient(rs_app, f"fuzz{uuid.uuid4().hex[:8]}")
    api.onboard()
    setup_program(api)
    headers = {"Authorization": f"Bearer {api.token(*ROLES)}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", rs_app)
    failures: dict[str, str] = {}
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        # Schema-valid requests, then requests that break the schema on purpose.
        strategy = operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(
            GenerationMode.NEGATIVE
        )

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        @given(case=strategy)
        def exercise(case):
            if "tenant" in (case.path_parameters or {}):
                case.path_parameters["tenant"] = api.tenant
            case.call_and_validate(headers=headers, excluded_checks=NOT_CHECKED)

        try:
            exercise()
        # Every operation's failures are collected, so one run reports them all.
        except BaseException as failure:
            if isinstance(failure, KeyboardInterrupt):
                raise
            failures[operation.label] = str(failure)[:1200]
    assert operations > 80
    assert not failures, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())
