"""The JSON API (django-ninja): OpenAPI at /api/openapi.json, docs at /api/docs (signed-in staff or a token,
unless WATCHKEEPER_API_DOCS_PUBLIC=1).

Authentication: the browser session (with CSRF) for the UI, or a per-user bearer token for integrations.
Every endpoint is thin: it parses, calls one action with an Actor, and renders the result. Refusals become
4xx bodies naming the safeguard; schema errors are 422 with the field at fault.
"""

from __future__ import annotations

import json
import typing
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.parser import Parser

from watchkeeper.core.errors import Refusal
from watchkeeper.core.middleware import unavailable_response
from watchkeeper.core.validate import first_bad_text
from watchkeeper.staff.auth import SessionAuth, TokenAuth, docs_access
from watchkeeper.web.ratelimit import ApiRateLimit


class StrictParser(Parser):
    """JSON bodies must be an object of well-formed text: no NUL characters and no lone surrogates
    (no database stores them), so bad text is a 400 naming the field, never a 500."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        try:
            data = json.loads(request.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise BadInput(f"The body is not valid JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise BadInput("The body must be a JSON object.")
        problem = first_bad_text(data)
        if problem:
            raise BadInput(f"{problem[0] or 'body'}: {problem[1]}")
        return data


class BadInput(Exception):
    """A body that cannot be read as a request at all."""


# ------------------------------------------------------------------------------- the documented errors
# Every error body has the same shape: {error, message, next_step, safeguard?, details?}. The schema lists,
# for each operation, only the statuses that operation can really answer with (see `error_statuses`).
ERROR_SCHEMAS: dict[str, dict[str, Any]] = {
    "Refusal": {
        "title": "Refusal",
        "type": "object",
        "description": "Why the request was refused and what to do next; `safeguard` names the safeguard that "
                       "refused it.",
        "required": ["error", "message"],
        "properties": {
            "error": {"type": "string", "description": "refused, invalid, unauthenticated, too_large, ..."},
            "message": {"type": "string"},
            "next_step": {"type": "string"},
            "safeguard": {"type": "object", "additionalProperties": True,
                          "properties": {"id": {"type": "string"}, "title": {"type": "string"},
                                         "reason": {"type": "string"}, "url": {"type": "string"}}},
            "details": {"type": "object", "additionalProperties": True},
        },
        "additionalProperties": True,
    },
    "Invalid": {
        "title": "Invalid",
        "type": "object",
        "description": "The request does not match its schema: each field at fault with what was wrong.",
        "required": ["error", "message", "details"],
        "properties": {
            "error": {"type": "string", "enum": ["invalid"]},
            "message": {"type": "string"},
            "next_step": {"type": "string"},
            "details": {"type": "array", "items": {
                "type": "object", "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}}}},
        },
        "additionalProperties": True,
    },
}
_REFUSAL = {"application/json": {"schema": {"$ref": "#/components/schemas/Refusal"}}}
_INVALID_OR_REFUSAL = {"application/json": {"schema": {"anyOf": [
    {"$ref": "#/components/schemas/Invalid"}, {"$ref": "#/components/schemas/Refusal"}]}}}
_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before trying again.",
                                "schema": {"type": "integer"}}}
ERROR_DESCRIPTIONS = {
    400: "Bad input: a body that is not a JSON object of well-formed text, or a value the product refuses "
         "(the field is named in details.field).",
    401: "Not signed in: no valid session or API token.",
    403: "Your role or your relation to the record does not allow this (session requests: or the CSRF token "
         "is missing).",
    404: "A record the request names does not exist.",
    429: "Too many requests from this token or session; try again after Retry-After seconds.",
    409: "The record is not in a state that allows this (already done, or changed since you read it: L4).",
    413: "The request body is larger than the server accepts.",
    422: "The request does not match its schema (Invalid), or a safeguard refused it (Refusal).",
    503: "The service cannot take this now (the database is busy or not writable); try again after "
         "Retry-After seconds.",
}
_UNSAFE = {"post", "put", "patch", "delete"}
# Bodies that name records by these fields can answer 404 without a path parameter.
_NAMES_A_RECORD = ("_id", "_ids", "reference", "references", "callsign")


def _body_fields(schema: dict[str, Any], node: Any, depth: int = 0) -> set[str]:
    """Every property name reachable in a request body's schema (through $refs)."""
    names: set[str] = set()
    if depth > 6:
        return names
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            target = schema.get("components", {}).get("schemas", {}).get(ref.rsplit("/", 1)[1], {})
            return _body_fields(schema, target, depth + 1)
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                names.update(value)
            names |= _body_fields(schema, value, depth + 1)
    elif isinstance(node, list):
        for item in node:
            names |= _body_fields(schema, item, depth + 1)
    return names


def error_statuses(schema: dict[str, Any], method: str, op: dict[str, Any], view: Any) -> set[int]:
    """The error statuses this operation can answer with, from what it takes and what it does.

    401, 429 and 503 for every operation (each is authenticated, rate-limited per caller and uses the
    database); 403 for every change (the CSRF check of session requests, the role and record rules of the
    action) and for every view that acts as a person (`actor_of`); 400 and 422 where anything is taken
    (parameters or a body); 404 where a path parameter or a body field names a record; 409 for changes of
    an existing record, of one a body names (or creates under a name: a callsign), or where the body
    carries expected_version (L4); 413 where a body is read.
    """
    found = {401, 429, 503}
    params = op.get("parameters") or []
    body = op.get("requestBody")
    path_params = [p for p in params if p.get("in") == "path"]
    fields = _body_fields(schema, body) if body else set()
    uses_actor = view is not None and "actor_of" in getattr(getattr(view, "__code__", None), "co_names", ())
    if method in _UNSAFE or uses_actor:
        found.add(403)
    if params or body:
        found |= {400, 422}
    if path_params or any(f.endswith(_NAMES_A_RECORD) for f in fields):
        found.add(404)
    if method in _UNSAFE and (path_params or "expected_version" in fields
                              or any(f.endswith(_NAMES_A_RECORD) for f in fields)):
        found.add(409)
    if body:
        found.add(413)
    return found


def _success_schema(view: Any) -> dict[str, Any] | None:
    """The JSON shape a view's return annotation promises (an object or a list of objects)."""
    try:
        returned = typing.get_type_hints(view).get("return")
    except Exception:  # an annotation that cannot be resolved documents nothing rather than something wrong
        return None
    origin = typing.get_origin(returned) or returned
    if origin is dict:
        return {"type": "object", "additionalProperties": True}
    if origin is list:
        return {"type": "array", "items": {"type": "object", "additionalProperties": True}}
    return None


def document_responses(api: NinjaAPI, schema: dict[str, Any]) -> dict[str, Any]:
    """Add to every operation its success shape (when ninja left it bare) and its documented errors."""
    views: dict[str, Any] = {}
    for bound in api._get_bound_routers():
        for path_view in bound.path_operations.values():
            for operation in path_view.operations:
                views[operation.operation_id or api.get_openapi_operation_id(operation)] = operation.view_func
    schema.setdefault("components", {}).setdefault("schemas", {}).update(ERROR_SCHEMAS)
    for item in schema.get("paths", {}).values():
        for method, op in item.items():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            view = views.get(op.get("operationId", ""))
            responses = op["responses"]
            for code, response in responses.items():
                if str(code).startswith("2") and "content" not in response and view is not None:
                    shape = _success_schema(view)
                    if shape is not None:
                        response["content"] = {"application/json": {"schema": shape}}
            for status in sorted(error_statuses(schema, method, op, view)):
                doc: dict[str, Any] = {"description": ERROR_DESCRIPTIONS[status],
                                       "content": _INVALID_OR_REFUSAL if status == 422 else _REFUSAL}
                if status in (429, 503):
                    doc["headers"] = _RETRY_AFTER
                if status not in responses and str(status) not in responses:
                    responses[status] = doc
    return schema


class WatchkeeperAPI(NinjaAPI):
    """The NinjaAPI whose schema documents every operation's errors honestly (`document_responses`)."""

    def get_openapi_schema(self, *, path_prefix: str | None = None,
                           path_params: dict[str, Any] | None = None) -> Any:
        return document_responses(self, super().get_openapi_schema(path_prefix=path_prefix,
                                                                   path_params=path_params))


api = WatchkeeperAPI(
    parser=StrictParser(),
    title="Watchkeeper API",
    version="1",
    description="Incident logs and their safeguards. Every refusal names its safeguard (e.g. L3).",
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
    docs_decorator=docs_access,
    throttle=[ApiRateLimit()],
)


@api.exception_handler(Refusal)
def refused(request: HttpRequest, exc: Refusal) -> HttpResponse:
    response = api.create_response(request, exc.as_dict(), status=exc.status)
    for name, value in exc.headers().items():  # Retry-After on a 503/429 Busy refusal
        response[name] = value
    return response


@api.exception_handler(Throttled)
def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    # ninja adds Retry-After itself after this handler (operation._check_throttles)
    return api.create_response(
        request, {"error": "rate_limited", "message": "Too many requests from this token or session.",
                  "next_step": "Wait for the number of seconds in Retry-After, then send again."},
        status=429)


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    problems = [
        {"field": ".".join(str(p) for p in e.get("loc", ())[1:]) or "body", "message": e.get("msg", "invalid")}
        for e in exc.errors
    ]
    return api.create_response(
        request,
        {"error": "invalid", "message": "The request is not valid: "
         + "; ".join(f"{p['field']}: {p['message']}" for p in problems),
         "next_step": "Correct the input and try again.", "details": problems},
        status=422,
    )


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request,
        {"error": "unauthenticated", "message": "Sign in, or send a valid API token "
         "(Authorization: Bearer ...). Session requests also need the CSRF token.",
         "next_step": "Sign in again."},
        status=401,
    )


@api.exception_handler(BadInput)
def bad_input(request: HttpRequest, exc: BadInput) -> HttpResponse:
    return api.create_response(
        request, {"error": "invalid", "message": str(exc), "next_step": "Correct the input and try again."},
        status=400,
    )


@api.exception_handler(RequestDataTooBig)
def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return api.create_response(
        request, {"error": "too_large", "message": "The request body is larger than the server accepts.",
                  "next_step": "Send less at once (large documents: upload them as files)."},
        status=413,
    )


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    next_step = "Sign in again, then retry." if exc.status_code == 403 else "Correct the request and try again."
    return api.create_response(request, {"error": "http", "message": str(exc), "next_step": next_step},
                               status=exc.status_code)


@api.exception_handler(DatabaseError)
def database_unavailable(request: HttpRequest, exc: DatabaseError) -> HttpResponse:
    """A database that cannot take writes (read-only, full, gone) is a 503 with the reason, the same as the
    pages get from core.middleware; any other database error is a fault, left to Django's 500."""
    response = unavailable_response(request, exc)
    if response is None:
        raise exc
    return response


def _register() -> None:
    from watchkeeper.assurance.api import router as assurance
    from watchkeeper.cases.api import router as cases
    from watchkeeper.dispatch.api import router as dispatch
    from watchkeeper.geo.api import router as geo
    from watchkeeper.incidents.api import router as incidents
    from watchkeeper.learning.api import router as learning
    from watchkeeper.people.api import router as people
    from watchkeeper.referrals.api import router as referrals
    from watchkeeper.risk.api import router as risk
    from watchkeeper.safeguards.api import router as safeguards
    from watchkeeper.search.api import router as search
    from watchkeeper.staff.api import router as staff
    from watchkeeper.web.policy_api import router as policy

    api.add_router("/", incidents)
    api.add_router("/", people)
    api.add_router("/", dispatch)
    api.add_router("/safeguards", safeguards)
    api.add_router("/staff", staff)
    api.add_router("/policy", policy)
    api.add_router("/learning", learning)
    api.add_router("/risk", risk)
    api.add_router("/", search)
    api.add_router("/", geo)
    api.add_router("/assurance", assurance)
    api.add_router("/cases", cases)
    api.add_router("/referrals", referrals)


_register()
