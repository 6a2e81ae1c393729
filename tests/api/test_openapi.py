"""The OpenAPI document's shape: problems for errors, security, ids, models, binaries, tags."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest

from masterstream.api import create_app
from masterstream.api.openapi import error_statuses
from masterstream.config import Settings

PROBLEM = "application/problem+json"
OPEN = {"/livez", "/readyz"}
PUBLIC = {"/api/session", "/api/setup"}


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("openapi")
    app = create_app(Settings(data_dir=root / "data", library_dir=root, cache_dir=root / "c"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a duplicate operation id would warn
        return app.openapi()


def operations(spec: dict):
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            yield path, method, op


def test_operation_ids_are_unique_readable_camel_case(spec: dict) -> None:
    ids = [op["operationId"] for _, _, op in operations(spec)]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z][A-Za-z0-9]*", i) for i in ids), ids
    assert {"getChunk", "streamTrack", "listTracks", "getTrack", "cacheStats"} <= set(ids)


def test_every_error_is_a_problem_document(spec: dict) -> None:
    schemas = spec["components"]["schemas"]
    assert {"type", "title", "status", "detail"} <= set(schemas["Problem"]["required"])
    assert "HTTPValidationError" not in schemas
    for path, method, op in operations(spec):
        for code, response in op["responses"].items():
            if int(code) < 400 or (path in ("/readyz", "/api/health") and code == "503"):
                continue
            content = response["content"]
            assert list(content) == [PROBLEM], (method, path, code)
            assert content[PROBLEM]["schema"] == {"$ref": "#/components/schemas/Problem"}


def test_statuses_follow_what_each_route_does(spec: dict) -> None:
    paths = spec["paths"]

    def codes(path: str, method: str = "get") -> set[int]:
        return {int(c) for c in paths[path][method]["responses"]}

    assert {401, 403, 404, 416, 422, 429, 503} <= codes("/api/tracks/{track_id}/stream")
    assert {401, 403, 404, 422, 429} <= codes("/api/tracks/{track_id}/chunks/{chunk_idx}")
    assert {413, 415, 422, 404} <= codes("/api/cache/warm", "post")  # body names a track
    assert {401, 403, 404} <= codes("/api/cache/tracks/{track_id}", "delete")
    assert {401, 429} <= codes("/api/session", "post") and 401 not in codes("/api/session")
    assert 409 in codes("/api/users", "post") and 409 in codes("/api/me/keys")
    assert codes("/livez") == {200}
    assert 404 not in codes("/api/tracks") and 416 not in codes("/api/tracks")


def test_protected_operations_carry_bearer_and_cookie_security(spec: dict) -> None:
    schemes = spec["components"]["securitySchemes"]
    assert schemes["bearer"] == {**schemes["bearer"], "type": "http", "scheme": "bearer"}
    assert schemes["session"]["in"] == "cookie"
    for path, method, op in operations(spec):
        if path in OPEN | PUBLIC or path.startswith("/rest/"):
            assert "security" not in op, (method, path)
        else:
            assert op["security"] == [{"bearer": []}, {"session": []}], (method, path)


def _is_generic(schema: dict) -> bool:
    if "$ref" in schema:
        return False
    if schema.get("type") == "array":
        return _is_generic(schema.get("items", {}))
    return "properties" not in schema and "anyOf" not in schema


def test_every_json_answer_has_a_model_and_binaries_are_typed(spec: dict) -> None:
    for path, method, op in operations(spec):
        for code, response in op["responses"].items():
            if not code.startswith("2") or path.startswith("/rest/"):
                continue
            for media, body in response.get("content", {}).items():
                schema = body.get("schema", {})
                if "json" in media:
                    assert not _is_generic(schema), (method, path, code, schema)
                elif media.startswith(("audio/", "image/")):
                    assert schema == {"type": "string", "format": "binary"}, (path, media)
    assert spec["paths"]["/metrics"]["get"]["responses"]["200"]["content"]["text/plain"]


def test_every_tag_has_a_description(spec: dict) -> None:
    described = {tag["name"]: tag.get("description") for tag in spec["tags"]}
    used = {tag for _, _, op in operations(spec) for tag in op.get("tags", ())}
    assert used <= set(described) and all(described[t] for t in used)


def test_error_statuses_without_a_route_follow_the_path() -> None:
    assert error_statuses({}, "/livez", None, {}) == set()
    assert error_statuses({}, "/metrics", None, {}) == {401, 403}
    body = {"requestBody": {"content": {"application/json": {"schema": {
        "properties": {"track_id": {}}}}}}}  # fmt: skip
    assert error_statuses(body, "/api/x", None, {}) == {401, 403, 404, 413, 415, 422, 503}


def test_the_document_is_built_once(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path / "d", library_dir=tmp_path, cache_dir=tmp_path))
    assert app.openapi() is app.openapi()
