"""The OpenAPI schema documents, for every operation, the error bodies it can really answer with."""

from __future__ import annotations

from typing import Any

from watchkeeper.api import api


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    schema = api.get_openapi_schema(path_prefix="/api/")
    return [(method, path, op) for path, item in schema["paths"].items() for method, op in item.items()]


def test_every_operation_documents_its_errors_with_the_refusal_body() -> None:
    schema = api.get_openapi_schema(path_prefix="/api/")
    assert {"Refusal", "Invalid"} <= set(schema["components"]["schemas"])
    for method, path, op in operations():
        codes = {int(c) for c in op["responses"]}
        where = f"{method.upper()} {path}"
        assert {401, 429, 503} <= codes, where
        assert any(200 <= c < 300 for c in codes), where
        if "{" in path:
            assert 404 in codes, where
        if op.get("parameters") or op.get("requestBody"):
            assert {400, 422} <= codes, where
        if method != "get":
            assert 403 in codes, where
            if "{" in path:
                assert 409 in codes, where
        if op.get("requestBody"):
            assert 413 in codes, where
        assert "Retry-After" in op["responses"][503]["headers"], where


def test_reads_open_to_every_member_of_staff_do_not_document_a_role_refusal() -> None:
    ops = {(m, p): op for m, p, op in operations()}
    assert 403 not in ops[("get", "/api/safeguards")]["responses"]
    assert 404 not in ops[("get", "/api/safeguards")]["responses"]
    assert 403 in ops[("get", "/api/logs")]["responses"]


def test_success_bodies_have_a_documented_shape() -> None:
    ops = {(m, p): op for m, p, op in operations()}
    logs = ops[("get", "/api/logs")]["responses"][200]["content"]["application/json"]["schema"]
    assert logs["type"] == "array"
    one = ops[("get", "/api/logs/{reference}")]["responses"][200]["content"]["application/json"]["schema"]
    assert one["type"] == "object"
