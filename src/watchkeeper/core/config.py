"""Reading and changing the policy in force: validated on write, previewed, versioned, rolled back.

A value is checked three ways before it is stored (nothing else can make a rule fail on it): its shape
(`policy_schemas.SCHEMAS`, a pydantic schema per key), what it names in other keys
(`policy_schemas.consistency`), and the checks the apps own (`add_policy_validator`: closing codes, cue
families, party roles, channels). A change is previewed against the current data first (`preview_policy`:
what would move, and what would be refused because open logs use it; apps contribute these through
`add_policy_impact`), needs a reason and writes one audit record. Every version stays; a rollback writes a
new row equal to an earlier version, checked again as if typed afresh.
"""

from __future__ import annotations

import copy
import inspect
import itertools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any

from watchkeeper.core import validate as v
from watchkeeper.core.errors import Invalid, NotFound, Refusal
from watchkeeper.core.models import PolicySetting
from watchkeeper.core.policy import DEFAULTS, Policy
from watchkeeper.core.policy_schemas import consistency, shape_problem

_cached: tuple[object, Policy] | None = None


class _Scope(threading.local):
    request = 0  # the request this thread serves (0: none, e.g. the sweeper or a command)
    checked = 0  # the request whose policy has been checked against the database already


_scope = _Scope()
_requests = itertools.count(1)


@contextmanager
def one_policy_per_request() -> Iterator[None]:
    """Within this block (one request) the policy in force is checked against the database once, not by
    every rule that reads it: one request is one decision, made under one policy. A change made in the
    block is seen at once (`change_policy` forgets the check)."""
    _scope.request, _scope.checked = next(_requests), 0
    try:
        yield
    finally:
        _scope.request = _scope.checked = 0


def current_policy() -> Policy:
    """Defaults overlaid with the newest stored value of each key.

    Built once per policy change: the newest row id says whether anything changed since (one indexed
    query, once per request: `one_policy_per_request`), so every action reads the policy in force without
    rebuilding it. Policies are never mutated."""
    global _cached
    cached = _cached
    if cached is not None and _scope.request and _scope.checked == _scope.request:
        return cached[1]
    # The newest row's id and time: a rolled-back row's id can be issued again, never with the same time.
    latest = PolicySetting.objects.order_by("-id").values_list("id", "changed_at").first()
    _scope.checked = _scope.request
    if cached is not None and cached[0] == latest:
        return cached[1]
    values = copy.deepcopy(DEFAULTS)
    seen: set[str] = set()
    for row in PolicySetting.objects.order_by("-id").only("key", "value"):
        # A version stored before its key had a schema and not of its shape is passed over (the next older
        # valid one, or the default, is in force), so no rule is ever handed a value it cannot read.
        if row.key not in seen and row.key in DEFAULTS and shape_problem(row.key, row.value) is None:
            seen.add(row.key)
            values[row.key] = row.value
    policy = Policy(values)
    _cached = (latest, policy)
    return policy


# Checks that need an app's knowledge (its codes, its lexicon) are contributed by that app when Django
# starts: `add_policy_validator(key, check)`; a check raises `Invalid` naming what is wrong. A check taking
# two arguments also receives the whole policy the value would join (`check(value, values)`), so it can
# compare with other keys as they would be after the change.
PolicyValidator = Callable[..., None]
_VALIDATORS: dict[str, list[PolicyValidator]] = {}


@dataclass(frozen=True)
class Impact:
    """What a change would do to current data: said in the preview; a blocking impact refuses the change."""

    message: str
    blocking: bool = False
    count: int = 0


# (before, after, key) -> impacts. Apps that hold the data register these (root/wiring.py).
PolicyImpact = Callable[[Policy, Policy, str], list[Impact]]
_IMPACTS: list[PolicyImpact] = []


def add_policy_validator(key: str, check: PolicyValidator) -> None:
    """Register one more check for a policy key (apps call this from AppConfig.ready; idempotent)."""
    if key not in DEFAULTS:
        raise KeyError(f"no policy key {key!r}")
    checks = _VALIDATORS.setdefault(key, [])
    if check not in checks:
        checks.append(check)


def _wants_policy(check: PolicyValidator) -> bool:
    params = [p for p in inspect.signature(check).parameters.values()
              if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(params) >= 2


def add_policy_impact(impact: PolicyImpact) -> None:
    """Register what a policy change does to data an app holds (idempotent)."""
    if impact not in _IMPACTS:
        _IMPACTS.append(impact)


def _problems(values: dict[str, Any]) -> list[str]:
    """Every key's shape, then how the keys agree (a key of the wrong shape is compared as its default)."""
    problems = []
    usable = dict(values)
    for key, value in values.items():
        problem = shape_problem(key, value)
        if problem:
            problems.append(problem)
            usable[key] = DEFAULTS[key]
    return problems + consistency(usable)


def validate_policy_value(key: str, value: Any, base: Policy | None = None) -> None:
    """A policy value must have the shape its rules expect and agree with the rest of the policy, so a
    change can never make a rule fail. `base` is the policy the value joins (the defaults when not given;
    writes pass the policy in force). Problems already in `base` (stored before these checks existed) are
    not held against a change that does not add to them, so an administrator can always repair."""
    if key not in DEFAULTS:
        raise Invalid(f"Unknown policy key {key!r}", "key")
    bad_text = v.first_bad_text(value)
    if bad_text:
        raise Invalid(f"Policy {key}{'.' + bad_text[0] if bad_text[0] else ''} {bad_text[1]}", "value")
    problem = shape_problem(key, value)
    if problem:
        raise Invalid(f"Policy {problem}", "value")
    base = base or Policy()
    values = {**base.values, key: value}
    before = set(_problems(dict(base.values)))
    new = [p for p in _problems(values) if p not in before]
    if new:
        raise Invalid("Policy " + "; ".join(new[:5]), "value")
    for check in _VALIDATORS.get(key, ()):
        try:
            if _wants_policy(check):
                check(value, values)
            else:
                check(value)
        except Invalid as exc:
            if key in exc.message:
                raise
            raise Invalid(f"Policy {key}: {exc.message}", "value") from exc


def _impacts(key: str, before: Policy, after: Policy) -> list[Impact]:
    found: list[Impact] = []
    for impact in _IMPACTS:
        found.extend(impact(before, after, key))
    return found


def _candidate(key: str, value: Any) -> tuple[Policy, Policy]:
    before = current_policy()
    validate_policy_value(key, value, before)
    return before, Policy({**before.values, key: copy.deepcopy(value)})


def preview_policy(actor: Any, key: str, value: Any) -> dict[str, Any]:
    """What saving `value` for `key` would do, without saving: the value before and after, what would move
    in current data (open logs whose policy grade changes, codes in use that disappear) and whether the
    change would be refused. A malformed value is refused here exactly as on save."""
    actor.require("policy.manage")
    before, after = _candidate(key, value)
    impacts = _impacts(key, before, after)
    return {"key": key, "before": before[key], "after": value, "changed": before[key] != value,
            "impacts": [asdict(i) for i in impacts],
            "refused": [i.message for i in impacts if i.blocking]}


def _refuse_blocking(key: str, impacts: list[Impact]) -> None:
    blocking = [i.message for i in impacts if i.blocking]
    if blocking:
        raise Refusal(f"Policy {key} cannot change while it is in use: " + "; ".join(blocking),
                      next_step="Preview the change to see what uses it; move that data first, or keep the code.",
                      details={"field": "value", "refused": blocking}, status=409)


def _write(actor: Any, key: str, value: Any, reason: str, action: str,
           rolled_back_from: PolicySetting | None = None) -> PolicySetting:
    from watchkeeper.core import clock, trail
    from watchkeeper.core.uow import unit_of_work

    reason = v.text(reason, "reason", max_length=2000)
    validate_policy_value(key, value, current_policy())
    with unit_of_work():
        _scope.checked = 0  # read again under the lock, and with this change by whatever follows
        before, after = _candidate(key, value)  # again under the lock: nothing changed in between
        _refuse_blocking(key, _impacts(key, before, after))
        row = PolicySetting.objects.create(key=key, value=value, changed_at=clock.now(), changed_by=actor.user,
                                           reason=reason, rolled_back_from=rolled_back_from)
        trail.record(actor, action, "policy", key, before=before[key], after=value, reason=reason)
        _scope.checked = 0
    return row


def set_policy(actor: Any, key: str, value: Any, reason: str) -> PolicySetting:
    """Change one policy value (administrators): validated, refused if current data depends on what it
    removes, a new row with one audit record; the old value stays on record."""
    actor.require("policy.manage")
    return _write(actor, key, value, reason, "policy.changed")


def policy_versions(actor: Any, key: str) -> list[dict[str, Any]]:
    """Every version of a key, newest first, the one in force marked; the last is the default (id 0)."""
    actor.require("policy.manage")
    if key not in DEFAULTS:
        raise NotFound(f"No policy key {key!r}")
    rows = list(PolicySetting.objects.filter(key=key).select_related("changed_by").order_by("-id"))
    # The newest version of the key's shape is in force (`current_policy` passes over any other).
    in_force = next((r.pk for r in rows if shape_problem(key, r.value) is None), 0)
    versions = [{"id": r.pk, "value": r.value, "changed_at": r.changed_at.isoformat(),
                 "changed_by": r.changed_by.username if r.changed_by else None, "reason": r.reason,
                 "rolled_back_from": r.rolled_back_from_id, "in_force": r.pk == in_force} for r in rows]
    versions.append({"id": 0, "value": copy.deepcopy(DEFAULTS[key]), "changed_at": None, "changed_by": None,
                     "reason": "The default a new force starts with", "rolled_back_from": None,
                     "in_force": in_force == 0})
    return versions


def rollback_policy(actor: Any, key: str, version_id: int, reason: str) -> PolicySetting:
    """Put an earlier version of a key back in force: a new row equal to it (nothing is deleted), checked
    against today's schema and data like any change. Version 0 is the default."""
    actor.require("policy.manage")
    if key not in DEFAULTS:
        raise NotFound(f"No policy key {key!r}")
    if isinstance(version_id, bool) or not isinstance(version_id, int):
        raise Invalid("version_id must be a version number", "version_id")
    source: PolicySetting | None = None
    if version_id == 0:
        value = copy.deepcopy(DEFAULTS[key])
    else:
        source = PolicySetting.objects.filter(key=key, pk=version_id).first()
        if source is None:
            raise NotFound(f"No version {version_id} of policy {key}")
        value = source.value
    reason = v.text(reason, "reason", max_length=1900)
    return _write(actor, key, value, f"Back to {f'version {version_id}' if source else 'the default'}: {reason}",
                  "policy.rolled_back", rolled_back_from=source)
