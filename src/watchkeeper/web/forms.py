"""One input path for the UI and the API.

An app declares each of its state changes once, as an `Operation`: the input schema the API already uses
(a django-ninja `Schema`, i.e. a pydantic model) and the function that calls the action. The API endpoint
validates a JSON body against the schema; the UI's `/do/<what>/` view turns the posted form into the same
shape (`form_to_data`) and validates it against the same schema (`parse_form`). So a value the API refuses
the form refuses with the same message, and both reach the same action, which checks permission, applies
the rules and writes the one audit record.

Form encoding (what templates name their inputs):
- a scalar field `note`                         -> `<input name="note">`; an empty value of a non-text field
                                                   counts as absent, so the schema's default applies;
- a list field `flags`                          -> repeated `<input name="flags">` (empty values dropped);
- a nested schema `thrive: ThriveIn`            -> `thrive.threat.level`, `thrive.threat.note`, ... ;
- a list of nested schemas `parties: [Party]`   -> `parties.0.person_id`, `parties.0.role`, ... ;
- a list field whose presence matters (`flags: list[str] | None`: absent = unchanged, empty = clear)
                                                -> a hidden `<input name="flags" value="">` marks it sent.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, QueryDict
from django.utils.dateparse import parse_datetime
from pydantic import BaseModel, ValidationError

from watchkeeper.core.actor import Actor
from watchkeeper.core.errors import Invalid

if TYPE_CHECKING:  # the type only: web never imports an app at run time
    from watchkeeper.staff.models import User

S = TypeVar("S", bound=BaseModel)


def actor_of(request: HttpRequest, via: str = "ui") -> Actor:
    """The person acting through this request (the signed-in user; the API passes its token's user)."""
    user = getattr(request, "auth", None) if via == "api" else request.user
    return Actor(user=user, request_id=getattr(request, "request_id", ""), via=via)  # type: ignore[arg-type]


def signed_in_user(request: HttpRequest) -> User:
    """The member of staff signed in to this request. Pages are `@login_required`, so the anonymous user
    never reaches a view; should one, it is refused rather than treated as a member of staff."""
    if not request.user.is_authenticated:
        raise PermissionDenied("Sign in first.")
    return cast("User", request.user)


# --------------------------------------------------------------------------- query-string values (GET filters)
def int_param(value: str | None, field: str) -> int | None:
    """A whole number from a query string or form field, or None when blank."""
    if value in (None, ""):
        return None
    try:
        return int(value)  # type: ignore[arg-type]
    except ValueError:
        raise Invalid(f"{field} must be a whole number", field) from None


def date_param(value: str | None, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid(f"{field} must be a date (YYYY-MM-DD)", field) from None


def datetime_param(value: str | None, field: str) -> datetime | None:
    if not value:
        return None
    dt = parse_datetime(value)
    if dt is None:
        raise Invalid(f"{field} must be a date and time", field)
    return dt


# --------------------------------------------------------------------------- forms -> schema
def _strip_optional(annotation: Any) -> Any:
    """`X | None` -> X (for deciding how to read the form); other annotations unchanged."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _model_of(annotation: Any) -> type[BaseModel] | None:
    ann = _strip_optional(annotation)
    return ann if isinstance(ann, type) and issubclass(ann, BaseModel) else None


def _list_item(annotation: Any) -> Any | None:
    ann = _strip_optional(annotation)
    if typing.get_origin(ann) in (list, tuple, set, frozenset):
        args = typing.get_args(ann)
        return args[0] if args else str
    return None


def _is_text(annotation: Any) -> bool:
    return _strip_optional(annotation) is str


def form_to_data(schema: type[BaseModel], form: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """The posted form as the dict the schema validates (see the module docstring for the encoding)."""
    def getlist(key: str) -> list[Any]:
        if isinstance(form, QueryDict):
            return form.getlist(key)
        return [form[key]] if key in form else []

    data: dict[str, Any] = {}
    for name, info in schema.model_fields.items():
        key = f"{prefix}{info.alias or name}"
        ann = info.annotation
        item = _list_item(ann)
        nested = _model_of(ann)
        if item is not None:
            item_model = _model_of(item)
            if item_model is not None:
                indexes = sorted({int(m.group(1)) for k in form
                                  if (m := re.match(re.escape(key) + r"\.(\d+)\.", k))})
                if indexes:
                    data[name] = [form_to_data(item_model, form, f"{key}.{i}.") for i in indexes]
            elif key in form:
                data[name] = [v for v in getlist(key) if v != ""]
        elif nested is not None:
            if any(k.startswith(key + ".") for k in form):
                data[name] = form_to_data(nested, form, key + ".")
        elif key in form:
            value = form.get(key) if isinstance(form, QueryDict) else form[key]
            if value == "" and not _is_text(ann):
                continue  # a blank number, date or choice: absent, so the default (or "required") applies
            data[name] = value
    return data


def _label(loc: tuple[Any, ...]) -> str:
    """`('thrive', 'threat', 'level')` -> "Thrive threat level"; list positions are left out."""
    words = " ".join(str(p).replace("_", " ") for p in loc if not isinstance(p, int))
    return words[:1].upper() + words[1:] if words else "The form"


def invalid_from(exc: ValidationError) -> Invalid:
    """A schema's refusal as the UI shows it: what was wrong with each field, in words, and the first
    field's name (the API's 422 names the same fields)."""
    problems = []
    for err in exc.errors():
        loc = tuple(err.get("loc", ()))
        label = _label(loc)
        if err.get("type") == "missing":
            text = f"{label} is required"
        else:
            text = f"{label}: {str(err.get('msg', 'invalid')).removeprefix('Value error, ')}"
        problems.append((".".join(str(p) for p in loc) or "form", text))
    return Invalid("; ".join(t for _, t in problems) or "The form is not valid", problems[0][0] if problems else None)


def parse_form(schema: type[S], form: Mapping[str, Any], **extra: Any) -> S:
    """Validate the posted form against `schema`; `extra` supplies values that come from the URL or the page."""
    data = {**form_to_data(schema, form), **extra}
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        raise invalid_from(exc) from None


# --------------------------------------------------------------------------- operations
@dataclass(frozen=True)
class Operation(Generic[S]):
    """One state change, as both the API and the UI reach it: its input schema and the call to its action.
    `run(actor, body, **path)` gets the validated body and the values from the URL (a reference, an id)."""

    schema: type[S]
    run: Callable[..., Any]

    def from_form(self, actor: Actor, form: Mapping[str, Any], **path: Any) -> Any:
        return self.run(actor, parse_form(self.schema, form), **path)


def operation(table: dict[str, Operation[Any]], what: str) -> Operation[Any]:
    """The operation a `/do/<what>/` URL names, or a 404-style refusal naming what exists."""
    try:
        return table[what]
    except KeyError:
        raise Invalid(f"Unknown action {what!r}; expected one of: {', '.join(sorted(table))}", "action") from None
