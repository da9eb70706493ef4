"""Reading and changing the policy in force."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

from watchkeeper.core.errors import Invalid
from watchkeeper.core.models import PolicySetting
from watchkeeper.core.policy import DEFAULTS, Policy
from watchkeeper.core.roles import Role

_cached: tuple[object, Policy] | None = None


def current_policy() -> Policy:
    """Defaults overlaid with the newest stored value of each key.

    Built once per policy change: the newest row id says whether anything changed since (one indexed
    query), so every action reads the policy in force without rebuilding it. Policies are never mutated."""
    global _cached
    # The newest row's id and time: a rolled-back row's id can be issued again, never with the same time.
    latest = PolicySetting.objects.order_by("-id").values_list("id", "changed_at").first()
    cached = _cached
    if cached is not None and cached[0] == latest:
        return cached[1]
    values = copy.deepcopy(DEFAULTS)
    seen: set[str] = set()
    for row in PolicySetting.objects.order_by("-id").only("key", "value"):
        if row.key not in seen:
            seen.add(row.key)
            if row.key in DEFAULTS:
                values[row.key] = row.value
    policy = Policy(values)
    _cached = (latest, policy)
    return policy


_ITEM_FIELDS: dict[str, dict[str, type | tuple[type, ...]]] = {
    "grades": {"code": str, "label": str, "rank": int},
    "categories": {"code": str, "label": str, "flags": list},
    "flags": {"code": str, "label": str},
    "closing_codes": {"code": str, "label": str, "positive": bool},
    "cancellation_codes": {"code": str, "label": str},
    "grade_rules": {"name": str, "when": dict, "grade": str},
}
_RULE_CONDITIONS = {"categories", "flags_any", "flags_all", "threat_at_least", "harm_at_least",
                    "risk_at_least", "vulnerability_at_least"}
# Minutes are bounded by a week; counts by what a page can show.
_INT_RANGES = {
    "task_escalation_minutes": (0, 10_080),
    "review_escalation_minutes": (1, 10_080),
    "circulation_latest_entries": (1, 200),
    "alert_escalation_minutes": (1, 1440),
    "divert_decision_minutes": (1, 1440),
    "promise_due_minutes": (1, 10_080),
    "grading_deadline_minutes": (1, 1440),
    "scheme_overdue_escalation_hours": (1, 168),
    "risk_republish_max_logs": (1, 1000),
}
_ROLE_LISTS = {"downgrade_authoriser_roles", "flagged_close_authoriser_roles"}

# Checks that need an app's knowledge (its codes, its lexicon) are contributed by that app when Django
# starts: `add_policy_validator(key, check)`; a check raises `Invalid` naming what is wrong.
PolicyValidator = Callable[[Any], None]
_VALIDATORS: dict[str, list[PolicyValidator]] = {}


def add_policy_validator(key: str, check: PolicyValidator) -> None:
    """Register one more check for a policy key (apps call this from AppConfig.ready; idempotent)."""
    if key not in DEFAULTS:
        raise KeyError(f"no policy key {key!r}")
    checks = _VALIDATORS.setdefault(key, [])
    if check not in checks:
        checks.append(check)


def validate_policy_value(key: str, value: Any) -> None:
    """A policy value must have the shape its rules expect, so a change can never make a rule fail."""
    if key not in DEFAULTS:
        raise Invalid(f"Unknown policy key {key!r}", "key")
    default = DEFAULTS[key]
    if type(value) is not type(default):
        raise Invalid(f"Policy {key} must be a {type(default).__name__}", "value")
    try:
        json.dumps(value)
    except (TypeError, ValueError) as exc:
        raise Invalid(f"Policy {key} is not JSON data: {exc}", "value") from exc
    if isinstance(value, int) and not isinstance(value, bool):
        low, high = _INT_RANGES.get(key, (0, 10_080))
        if not low <= value <= high:
            raise Invalid(f"Policy {key} must be between {low} and {high}", "value")
    if key in _ITEM_FIELDS:
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                raise Invalid(f"Policy {key}[{i}] must be an object", "value")
            for field, kind in _ITEM_FIELDS[key].items():
                if not isinstance(item.get(field), kind) or isinstance(item.get(field), bool) != (kind is bool):
                    raise Invalid(f"Policy {key}[{i}].{field} must be a {getattr(kind, '__name__', kind)}", "value")
        if len({item["code"] for item in value if "code" in item}) != len(value) and key != "grade_rules":
            raise Invalid(f"Policy {key} has duplicate codes", "value")
    if key == "grades" and any(item["rank"] < 1 for item in value):
        raise Invalid("Policy grades are ranked from 1 (most urgent)", "value")
    if key == "grade_rules":
        grades = {g["code"] for g in current_policy()["grades"]}
        for i, rule in enumerate(value):
            unknown = set(rule["when"]) - _RULE_CONDITIONS
            if unknown or rule["grade"] not in grades:
                raise Invalid(f"Policy grade_rules[{i}] has unknown conditions {sorted(unknown)} or grade "
                              f"{rule['grade']!r}", "value")
    if key == "firearms_access_flag" and value not in {f["code"] for f in current_policy()["flags"]}:
        raise Invalid(f"Policy firearms_access_flag must be a flag code, not {value!r}", "value")
    if key in _ROLE_LISTS:
        roles = {r.value for r in Role}
        if not all(isinstance(r, str) and r in roles for r in value):
            raise Invalid(f"Policy {key} must list roles from: {', '.join(sorted(roles))}", "value")
    for check in _VALIDATORS.get(key, ()):
        check(value)


def set_policy(actor: Any, key: str, value: Any, reason: str) -> PolicySetting:
    """Change one policy value (administrators): a new row, audited; the old value stays on record."""
    from watchkeeper.core import clock, trail
    from watchkeeper.core import validate as v
    from watchkeeper.core.uow import unit_of_work

    actor.require("policy.manage")
    reason = v.text(reason, "reason", max_length=2000)
    validate_policy_value(key, value)
    with unit_of_work():
        before = current_policy()[key]
        row = PolicySetting.objects.create(key=key, value=value, changed_at=clock.now(), changed_by=actor.user,
                                           reason=reason)
        trail.record(actor, "policy.changed", "policy", key, before=before, after=value, reason=reason)
    return row
