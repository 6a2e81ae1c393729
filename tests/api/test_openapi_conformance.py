"""The OpenAPI document against a running server: schemathesis' conformance checks.

Every /api operation gets ``EXAMPLES_PER_OPERATION`` generated cases; each response must
have a documented status code, a documented content type and a body matching the
documented schema. Run against ``masterstream serve`` on a tiny real library.
"""

from __future__ import annotations

import httpx
import pytest
from hypothesis import HealthCheck, given, settings

from tests.e2e.server_process import tone_library_server

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.checks import (  # noqa: E402 - after the import-or-skip
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.failures import FailureGroup  # noqa: E402

pytestmark = pytest.mark.timeout(280)
EXAMPLES_PER_OPERATION = 12
TOKEN = "conformance-admin-token"
CHECKS = [status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    process = tone_library_server(
        tmp_path_factory.mktemp("conformance"),
        {"MASTERSTREAM_RENDER_WORKERS": "1", "MASTERSTREAM_ADMIN_TOKEN": TOKEN,
         "MASTERSTREAM_RENDER_BUDGET_PER_MINUTE": "0"},
    )  # fmt: skip
    yield process
    process.stop()


def test_api_responses_conform_to_the_document(server) -> None:
    schema = schemathesis.openapi.from_url(server.base_url + "/openapi.json")
    operations = [
        result.ok() for result in schema.get_all_operations()
        if result.ok().path.startswith("/api/")
    ]  # fmt: skip
    assert len(operations) >= 30
    failures: dict[str, str] = {}  # one line per distinct mismatch, with one example
    auth = {"Authorization": f"Bearer {TOKEN}"}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        def check(case) -> None:
            response = case.call(timeout=60, headers=auth)
            try:
                case.validate_response(response, checks=CHECKS, headers=auth)
            except FailureGroup as group:
                for failure in group.exceptions:
                    what = str(failure).strip().splitlines()
                    key = f"{case.method} {case.path} -> {response.status_code}: {what[0]}"
                    failures.setdefault(key, " ".join(what[1:4])[:300])

        check()
    report = [f"{key}  ({example})" for key, example in sorted(failures.items())]
    assert not failures, f"{len(failures)} mismatches:\n" + "\n".join(report)


def test_a_method_not_allowed_lists_every_method_of_the_path(server) -> None:
    url = server.base_url + "/api/cache/tracks/1"
    response = httpx.request("OPTIONS", url, headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"
    allowed = {m.strip() for m in response.headers["allow"].split(",")}
    assert {"GET", "DELETE"} <= allowed and "POST" not in allowed
