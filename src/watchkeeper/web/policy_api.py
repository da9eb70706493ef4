"""Policy configuration over the API: everyone may read it; administrators preview, change and roll it back.

Every value is checked against its key's schema and the rest of the policy before anything is written
(`core.config`); a change is previewed against current data, needs a reason and writes one audit record;
every version is kept and any earlier one can be put back.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from watchkeeper.core.config import (
    current_policy,
    policy_versions,
    preview_policy,
    rollback_policy,
    set_policy,
)
from watchkeeper.web.forms import actor_of

router = Router(tags=["policy"])


class PolicyIn(Schema):
    value: Any
    reason: str = Field(max_length=2000)


class PolicyPreviewIn(Schema):
    value: Any


class PolicyRollbackIn(Schema):
    version_id: int = Field(ge=0, le=2**62, description="A version from /versions; 0 is the default")
    reason: str = Field(max_length=2000)


def _saved(row: Any) -> dict[str, Any]:
    return {"key": row.key, "value": row.value, "version": row.pk, "changed_at": row.changed_at.isoformat(),
            "rolled_back_from": row.rolled_back_from_id}


@router.get("", summary="The policy in force (grades, categories, grading rules, roles, timings)")
def get_policy(request: HttpRequest) -> dict[str, Any]:
    return dict(current_policy().values)


@router.put("/{key}", summary="Change one policy value (administrators; validated, audited, history kept)")
def put_policy(request: HttpRequest, key: str, body: PolicyIn) -> dict[str, Any]:
    return _saved(set_policy(actor_of(request, via="api"), key, body.value, body.reason))


@router.post("/{key}/preview", summary="What a change would do to current data, without saving it (administrators)")
def preview(request: HttpRequest, key: str, body: PolicyPreviewIn) -> dict[str, Any]:
    return preview_policy(actor_of(request, via="api"), key, body.value)


@router.get("/{key}/versions", summary="Every version of one policy value, newest first (administrators)")
def versions(request: HttpRequest, key: str) -> dict[str, Any]:
    return {"key": key, "versions": policy_versions(actor_of(request, via="api"), key)}


@router.post("/{key}/rollback", summary="Put an earlier version back in force as a new version (administrators)")
def rollback(request: HttpRequest, key: str, body: PolicyRollbackIn) -> dict[str, Any]:
    return _saved(rollback_policy(actor_of(request, via="api"), key, body.version_id, body.reason))
