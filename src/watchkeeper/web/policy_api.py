"""Policy configuration over the API: everyone may read it; administrators change it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from watchkeeper.core.config import current_policy, set_policy
from watchkeeper.web.forms import actor_of

router = Router(tags=["policy"])


class PolicyIn(Schema):
    value: Any
    reason: str


@router.get("", summary="The policy in force (grades, categories, grading rules, roles, timings)")
def get_policy(request: HttpRequest) -> dict[str, Any]:
    return dict(current_policy().values)


@router.put("/{key}", summary="Change one policy value (administrators; audited, history kept)")
def put_policy(request: HttpRequest, key: str, body: PolicyIn) -> dict[str, Any]:
    row = set_policy(actor_of(request, via="api"), key, body.value, body.reason)
    return {"key": row.key, "value": row.value, "changed_at": row.changed_at.isoformat()}
