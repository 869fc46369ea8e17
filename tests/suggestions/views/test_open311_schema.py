"""Schemathesis runs the Open311 API's own OpenAPI document against the app, in process (WSGI).

It generates requests from the document (valid ones and, for each operation, invalid ones) and fails on any
5xx, any status code, content type or header the document does not declare, and any answer that does not match
the declared schema.  Bounded: 30 examples per operation and mode, no per-example deadline (the machine is shared).
Most generated POSTs carry a real key, so they reach validation and intake, not only the 403.
"""

from __future__ import annotations

import zlib

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from suggestions.extensions import db
from suggestions.partners import keys
from suggestions.workflow import Channel, Status
from tests import factories

EXAMPLES = 30
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def partner_key(seeded) -> str:
    issued = keys.issue_key(Channel.TJGOV, "接口测试", rate_limit="100000 per minute")
    db.session.commit()
    return issued.key


@pytest.fixture
def tracking_codes(housing_item, vault) -> list[str]:
    """Suggestions for the reads to show: open and closed, with and without a domain, routed and not."""
    items = [housing_item(Status.CLOSED), housing_item(Status.IN_PROGRESS)]
    items.append(factories.submit(vault, category=None, phone=None, channel=Channel.ENORTH).suggestion)
    items.append(factories.submit(vault, routed=False, domain_id=1).suggestion)
    return [item.tracking_code for item in items]


OPERATIONS = [
    "GET /open311/v2/services.json",
    "GET /open311/v2/services/{service_code}.json",
    "GET /open311/v2/requests.json",
    "POST /open311/v2/requests.json",
    "GET /open311/v2/requests/{service_request_id}.json",
]


def test_the_document_describes_exactly_these_operations(app, seeded):
    schema = schemathesis.openapi.from_wsgi("/open311/v2/openapi.json", app)
    assert sorted(result.ok().label for result in schema.get_all_operations()) == sorted(OPERATIONS)


# Schemathesis's own pytest integration (from_fixture) does not run under pytest 9, so the test drives its
# Hypothesis strategies directly: one test per operation and mode, on the app fixture's fresh database.
# services.json takes no input and a request's id is any string: nothing there can be made invalid.
RUNS = [
    (label, mode)
    for label in OPERATIONS
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if mode == GenerationMode.POSITIVE or label not in (OPERATIONS[0], OPERATIONS[4])
]


@pytest.mark.parametrize(("label", "mode"), RUNS, ids=[f"{label}-{mode}" for label, mode in RUNS])
def test_the_api_keeps_to_its_openapi_document(app, partner_key, tracking_codes, label, mode):
    operation = schemathesis.openapi.from_wsgi("/open311/v2/openapi.json", app).find_operation_by_label(label)

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,  # the same examples on every run: a failure here is reproducible
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )
    def check(case):
        if isinstance(case.body, dict) and "api_key" in case.body and zlib.crc32(repr(case.body).encode()) % 4:
            case.body["api_key"] = partner_key  # three in four: a real key, to reach validation and intake
        if "service_request_id" in (case.path_parameters or {}) and zlib.crc32(repr(case).encode()) % 2:
            case.path_parameters["service_request_id"] = tracking_codes[zlib.crc32(repr(case).encode()) % 4]
        response = case.call_and_validate(checks=CHECKS)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

    statuses: dict[int, int] = {}
    check()
    if mode == GenerationMode.POSITIVE:
        # Generated suggestions got through to intake, and reads showed stored suggestions, not only refusals.
        assert statuses.get(201 if label.startswith("POST") else 200), statuses
