"""Schemathesis against the running server's /openapi.json: no input gets a 500.

Every operation in the schema gets ``EXAMPLES_PER_OPERATION`` generated cases (valid and
edge-case parameters, bodies and headers); every error answer must be a problem document.
A 503 is allowed (a source that is unavailable right now); a 500 never is.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from tests.e2e.server_process import tone_library_server

schemathesis = pytest.importorskip("schemathesis")
pytestmark = pytest.mark.timeout(240)
EXAMPLES_PER_OPERATION = 60
FUZZ_TOKEN = "fuzz-admin-token"  # generated sign-ups and users must not lock the fuzzer out


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory):
    process = tone_library_server(
        tmp_path_factory.mktemp("fuzz"),
        {"MASTERSTREAM_RENDER_WORKERS": "2", "MASTERSTREAM_ADMIN_TOKEN": FUZZ_TOKEN,
         "MASTERSTREAM_RENDER_BUDGET_PER_MINUTE": "0"},
    )  # fmt: skip
    yield process
    process.stop()


def test_no_input_gets_a_server_error(fuzz_server):
    schema = schemathesis.openapi.from_url(fuzz_server.base_url + "/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    failures: list[str] = []

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        def check(case) -> None:
            response = case.call(timeout=60, headers={"Authorization": f"Bearer {FUZZ_TOKEN}"})
            where = f"{case.method} {case.formatted_path} {case.query} {case.headers}"
            if response.status_code >= 500 and response.status_code != 503:
                failures.append(f"{where} -> {response.status_code}: {response.text[:300]}")
            elif response.status_code >= 400:
                content_type = response.headers.get("content-type")
                if isinstance(content_type, list):  # schemathesis keeps every header value
                    content_type = content_type[0] if len(content_type) == 1 else content_type
                if content_type != "application/problem+json":
                    failures.append(f"{where} -> {response.status_code} as {content_type}")

        check()
    assert not failures, "\n".join(failures[:20])
    assert "Traceback" not in fuzz_server.log(), fuzz_server.log()[-3000:]
