"""The shape of every policy key, and how the keys must agree with one another.

A policy value is written by one administrator and read by every action in the control room, so a value
the rules cannot use stops raising, grading or closing for everyone. Every key in `policy.DEFAULTS` has a
pydantic schema here (`SCHEMAS`): types (strict: "10" is not a number), ranges, non-empty lists where the
control room depends on them, and no unexpected fields. `consistency(values)` then checks what one key
names in another (a grade a rule proposes, a flag a category carries, the categories a trigger names);
checks that need an app's own codes are registered by the app (`config.add_policy_validator`).

The log reference format (L1) is a template of its own: literal text, `{date:...}` with strftime
directives that name the day, and `{seq:0Nd}` exactly once; nothing else is formatted, so no attribute
or index of the values can be reached through it.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, ValidationError, model_validator

from watchkeeper.core.roles import Role

STRICT = ConfigDict(strict=True, extra="forbid")

Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,64}$")]
Label = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"\S")]
RoleCode = Annotated[str, StringConstraints(pattern="^(" + "|".join(r.value for r in Role) + ")$")]
Trigger = Annotated[str, StringConstraints(pattern=r"^(category:|cue:)?[A-Za-z0-9_.-]{1,64}$")]


def bounded(low: int, high: int) -> Any:
    return Annotated[int, Field(ge=low, le=high)]


def _unique(items: list[Any], what: str, attr: str | None = "code") -> list[Any]:
    seen = [getattr(i, attr) if attr else i for i in items]
    dupes = sorted({str(s) for s in seen if seen.count(s) > 1})
    if dupes:
        raise ValueError(f"{what} must be unique: {', '.join(dupes)} repeated")
    return items


class _Strict(BaseModel):
    model_config = STRICT


class Grade(_Strict):
    code: Code
    label: Label
    rank: Annotated[int, Field(ge=1, le=99)]


class Category(_Strict):
    code: Code
    label: Label
    flags: list[Code]


class CodeLabel(_Strict):
    code: Code
    label: Label


class ClosingCode(_Strict):
    code: Code
    label: Label
    positive: bool


class When(_Strict):
    categories: list[Code] | None = Field(default=None, min_length=1)
    flags_any: list[Code] | None = Field(default=None, min_length=1)
    flags_all: list[Code] | None = Field(default=None, min_length=1)
    threat_at_least: Code | None = None
    harm_at_least: Code | None = None
    risk_at_least: Code | None = None
    vulnerability_at_least: Code | None = None


class GradeRule(_Strict):
    name: Label
    when: When
    grade: Code


class Window(_Strict):
    days: Annotated[int, Field(ge=1, le=3650)]
    at_least: Annotated[int, Field(ge=1, le=1000)]


class StaffingBand(_Strict):
    """The duty roster's minimum for one desk role in one band of the day (HH:MM local; end 24:00 is
    midnight; an end before the start runs past midnight)."""

    desk_role: Code
    start: Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    end: Annotated[str, StringConstraints(pattern=r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")]
    minimum: Annotated[int, Field(ge=0, le=100)]


class CloseInstrument(_Strict):
    """R1: a flag whose logs need this instrument's assessment before closing."""

    flag: Code
    instrument: Code


class ReviewCadence(_Strict):
    """P9: a missing-person risk level's review interval and the roles that review it."""

    level: Annotated[str, StringConstraints(pattern=r"^(low|medium|high)$")]
    minutes: Annotated[int, Field(ge=5, le=10_080)]
    reviewer_roles: Annotated[list[RoleCode], Field(min_length=1, max_length=11)]


class FollowUpMinutes(_Strict):
    """P9, R7, P11: default due times of follow-ups, and the escalation after a missed one's reminder."""

    agency_callback: Annotated[int, Field(ge=5, le=10_080)]
    force_referral: Annotated[int, Field(ge=5, le=10_080)]
    escalate_after: Annotated[int, Field(ge=5, le=10_080)]


PostcodeArea = Annotated[str, StringConstraints(pattern=r"^[A-Z]{1,2}$")]


class ReferralTargets(_Strict):
    """P7: days each risk tier of intelligence referral may wait before it is overdue."""

    children: Annotated[int, Field(ge=1, le=365)]
    high: Annotated[int, Field(ge=1, le=365)]
    medium: Annotated[int, Field(ge=1, le=365)]
    unassessed: Annotated[int, Field(ge=1, le=365)]
    low: Annotated[int, Field(ge=1, le=365)]


class ReferralQueue(_Strict):
    """P7: the order referrals are worked in (every key once, any order), the order of access-to-children
    answers and of grades within it, the target ages, the escalation and the checks behind "no access"."""

    order: Annotated[list[Literal["access_to_children", "risk_grade", "risk_score", "age"]],
                     Field(min_length=1, max_length=4)]
    access_order: Annotated[list[Literal["yes", "unknown", "no"]], Field(min_length=3, max_length=3)]
    grade_order: Annotated[list[Literal["high", "medium", "low", "unassessed"]], Field(min_length=4, max_length=4)]
    target_days: ReferralTargets
    escalate_after_days: Annotated[int, Field(ge=1, le=90)]
    no_access_checks: Annotated[list[Literal["dbs", "pnc", "visor", "local", "address", "social_care"]],
                                Field(max_length=6)]

    @model_validator(mode="after")
    def _each_once(self) -> ReferralQueue:
        for name in ("order", "access_order", "grade_order", "no_access_checks"):
            _unique(getattr(self, name), name, None)
        return self


class IncomingReferralMinutes(_Strict):
    """P11: minutes before an unacknowledged referral from another force reminds, then escalates."""

    acknowledge: Annotated[int, Field(ge=5, le=10_080)]
    escalate_after: Annotated[int, Field(ge=5, le=10_080)]


class Course(_Strict):
    """A1: a training course, how many months it stays current, and the roles that must hold it."""

    code: Code
    label: Label
    valid_months: Annotated[int, Field(ge=1, le=120)]
    roles: Annotated[list[RoleCode], Field(max_length=20)]


class TrainingGate(_Strict):
    """A1: an action that needs current training (and, for a safeguarding gate, the flags that make it one)."""

    action: Code
    courses: Annotated[list[Code], Field(min_length=1, max_length=20)]
    flags: Annotated[list[Code], Field(max_length=50)]


class Training(_Strict):
    courses: Annotated[list[Course], Field(max_length=100)]
    gates: Annotated[list[TrainingGate], Field(max_length=50)]
    untrained_gated: bool

    @model_validator(mode="after")
    def _known(self) -> Training:
        _unique(self.courses, "training.courses codes")
        known = {c.code for c in self.courses}
        for gate in self.gates:
            missing = sorted(set(gate.courses) - known)
            if missing:
                raise ValueError(f"gate {gate.action} names courses not listed: {', '.join(missing)}")
        return self


class _RepeatViews(_Strict):
    enabled: bool
    window_days: Annotated[int, Field(ge=1, le=365)]
    at_least: Annotated[int, Field(ge=2, le=1000)]


class _Enabled(_Strict):
    enabled: bool


class _OutsideShift(_Strict):
    enabled: bool
    grace_minutes: Annotated[int, Field(ge=0, le=720)]


class _HighContact(_Strict):
    enabled: bool
    window_days: Annotated[int, Field(ge=1, le=365)]
    at_least: Annotated[int, Field(ge=2, le=10_000)]
    involved_at_least: Annotated[int, Field(ge=2, le=10_000)]


class _Area(_Strict):
    area: Label
    postcodes: Annotated[list[Annotated[str, StringConstraints(min_length=2, max_length=8)]],
                         Field(min_length=1, max_length=200)]


class _OutsideArea(_Strict):
    enabled: bool
    areas: Annotated[list[_Area], Field(max_length=200)]


class AnomalyRules(_Strict):
    """A2: the anomaly rules over views of people's records, with their thresholds."""

    vulnerable_markers: Annotated[list[Code], Field(min_length=1, max_length=20)]
    repeat_views: _RepeatViews
    watch_list_views: _Enabled
    outside_shift: _OutsideShift
    # Added later: a stored value without them runs them with their defaults.
    high_contact: _HighContact | None = None
    outside_area: _OutsideArea | None = None
    watch_list_searches: _Enabled | None = None
    max_records_per_run: Annotated[int, Field(ge=1000, le=50_000_000)]


class RepeatWindows(_Strict):
    """C1: the context lookup reads all three; none may be missing."""

    repeat_caller: Window
    repeat_address: Window
    repeat_victim: Window


class _Grades(_Strict):
    v: list[Grade] = Field(min_length=1, max_length=20)

    @model_validator(mode="after")
    def _distinct(self) -> _Grades:
        _unique(self.v, "grade codes")
        _unique(self.v, "grade ranks", "rank")
        return self


class _Coded(_Strict):
    """Lists of coded items: non-empty (the control room chooses from them), codes unique."""

    v: list[Any]

    @model_validator(mode="after")
    def _distinct(self) -> _Coded:
        _unique(self.v, "codes")
        return self


class _Categories(_Coded):
    v: list[Category] = Field(min_length=1, max_length=200)  # type: ignore[assignment]


class _Flags(_Coded):
    v: list[CodeLabel] = Field(min_length=1, max_length=200)  # type: ignore[assignment]


class _AckReasons(_Coded):
    v: list[CodeLabel] = Field(min_length=1, max_length=20)  # type: ignore[assignment]

    @model_validator(mode="after")
    def _no_other(self) -> _AckReasons:
        if any(r.code == "other" for r in self.v):
            raise ValueError("'other' (say what) is always offered; it is not one of the reasons listed")
        return self


class _Cancellations(_Coded):
    v: list[CodeLabel] = Field(min_length=1, max_length=50)  # type: ignore[assignment]


class _ClosingCodes(_Coded):
    v: list[ClosingCode] = Field(min_length=1, max_length=100)  # type: ignore[assignment]

    @model_validator(mode="after")
    def _one_positive(self) -> _ClosingCodes:
        if not any(c.positive for c in self.v):
            raise ValueError("at least one closing code must count as positive action (L10: a flagged log "
                             "closes on a positive outcome)")
        return self


def _codes(min_length: int = 0, max_length: int = 100) -> Any:
    return Annotated[list[Code], Field(min_length=min_length, max_length=max_length)]


class _Fractions(_Strict):
    v: list[Annotated[float, Field(gt=0, le=1)]] = Field(min_length=1, max_length=10)

    @model_validator(mode="after")
    def _ascending(self) -> _Fractions:
        if any(b <= a for a, b in zip(self.v, self.v[1:], strict=False)):
            raise ValueError("alert fractions must rise strictly (for example 0.5, 0.8, 1.0)")
        return self


_DATE_DIRECTIVES = re.compile(r"^(%[YymdjU]|[-/._ ])+$")
_SEQ_SPEC = re.compile(r"^0?[1-9]?d?$")
_LITERAL = re.compile(r"^[A-Za-z0-9/._ -]*$")
REFERENCE_MAX = 32  # incidents.Log.reference


def check_reference_format(template: str) -> str:
    """L1: a reference template is literal text, the day (`{date:%Y%m%d}`: it must name the year and the
    day, because the sequence restarts each day) and the sequence (`{seq:04d}`) exactly once, and its
    longest reference fits the column. Fields are never looked up: `{seq.__class__}` is refused."""
    if not isinstance(template, str) or not template or len(template) > 64:
        raise ValueError("the reference format must be text of 1 to 64 characters")
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ValueError(f"the reference format is not a template: {exc}") from exc
    fields: list[str] = []
    for literal, name, spec, conversion in parts:
        if not _LITERAL.match(literal):
            raise ValueError("reference text may hold only letters, digits, '/', '.', '_', '-' and spaces")
        if name is None:
            continue
        if conversion is not None or name not in ("date", "seq"):
            raise ValueError(f"{{{name}}} is not allowed: a reference names only {{date:...}} and {{seq:...}}")
        if name == "date" and not (spec and _DATE_DIRECTIVES.match(spec)):
            raise ValueError("{date:...} takes only %Y %y %m %d %j %U and separators")
        if name == "seq" and not _SEQ_SPEC.match(spec or ""):
            raise ValueError("{seq:...} takes only a width, such as {seq:04d}")
        fields.append(name)
    if fields.count("seq") != 1:
        raise ValueError("the reference format must contain {seq:...} exactly once")
    day_spec = "".join(spec or "" for _, name, spec, _ in parts if name == "date")
    if not (("%Y" in day_spec or "%y" in day_spec) and ("%j" in day_spec or {"%m", "%d"} <= set(
            re.findall(r"%[a-zA-Z]", day_spec)))):
        raise ValueError("the reference format must name the day ({date:%Y%m%d}): the sequence restarts daily, "
                         "so without the day references would repeat")
    longest = template.format(date=dt.date(2099, 12, 31), seq=99_999_999)
    if len(longest) > REFERENCE_MAX:
        raise ValueError(f"a reference from this format can be {len(longest)} characters; at most "
                         f"{REFERENCE_MAX} fit")
    return template


class _Reference(_Strict):
    v: str

    @model_validator(mode="after")
    def _safe(self) -> _Reference:
        check_reference_format(self.v)
        return self


# Every key in DEFAULTS: a type or a one-field model (`v`) validated strictly.
SCHEMAS: dict[str, Any] = {
    "grades": _Grades,
    "categories": _Categories,
    "flags": _Flags,
    "alert_ack_reasons": _AckReasons,
    "grade_rules": Annotated[list[GradeRule], Field(min_length=1, max_length=200)],
    "levels": Annotated[list[Code], Field(min_length=2, max_length=10)],
    "downgrade_authoriser_roles": Annotated[list[RoleCode], Field(min_length=1)],
    "flagged_close_authoriser_roles": Annotated[list[RoleCode], Field(min_length=1)],
    "dismissal_close_prompt_kinds": _codes(),
    "closing_codes": _ClosingCodes,
    "forbidden_closing_codes": _codes(1),
    "cancellation_codes": _Cancellations,
    "task_escalation_minutes": bounded(0, 10_080),
    "review_escalation_minutes": bounded(1, 10_080),
    "automatic_sources": _codes(),
    "log_reference_format": _Reference,
    "circulation_latest_entries": bounded(1, 200),
    "repeat_windows": RepeatWindows,
    "context_list_limit": bounded(1, 200),
    "risk_republish_max_logs": bounded(1, 1000),
    "mentioned_numbers_max": bounded(1, 100),
    "second_call_hours": bounded(1, 168),
    "age_exempt_channels": _codes(),
    "child_age_under": bounded(1, 25),
    "required_checks": dict[Trigger, Annotated[list[Code], Field(min_length=1, max_length=20)]],
    "pattern_window": Window,
    "scheme_max_days": bounded(1, 3650),
    "scheme_review_days_before": bounded(0, 365),
    "scheme_default_floor": Code,
    "scheme_overdue_escalation_hours": bounded(1, 168),
    "scheme_floor_roles": _codes(1),
    "cue_additions": dict[Code, list[Any]],
    "cue_disabled": dict[Code, list[Annotated[str, StringConstraints(min_length=1, max_length=500)]]],
    "cue_flags": dict[Code, Code],
    "firearms_access_flag": Code,
    "promise_due_minutes": bounded(1, 10_080),
    "missing_reclassify_from": _codes(),
    "response_targets": dict[Code, dict[Code, Annotated[int, Field(ge=1, le=1440)]]],
    "clock_alert_fractions": _Fractions,
    "emergency_channels": _codes(1),
    "grading_deadline_minutes": bounded(1, 1440),
    "default_area_type": Code,
    "alert_escalation_minutes": bounded(1, 1440),
    "divert_decision_minutes": bounded(1, 1440),
    "firearms_referral_triggers": Annotated[list[Trigger], Field(max_length=50)],
    "minimum_staffing": Annotated[list[StaffingBand], Field(max_length=200)],
    "training": Training,
    "anomaly_rules": AnomalyRules,
    "risk_close_instruments": Annotated[list[CloseInstrument], Field(max_length=50)],
    "missing_review_cadence": Annotated[list[ReviewCadence], Field(min_length=3, max_length=3)],
    "risk_followup_minutes": FollowUpMinutes,
    "force_postcode_areas": Annotated[list[PostcodeArea], Field(max_length=100)],
    "referral_queue": ReferralQueue,
    "incoming_referral_minutes": IncomingReferralMinutes,
    "case_review_days": dict[Code, dict[Code, Annotated[int, Field(ge=1, le=365)]]],
    "case_review_escalation_days": bounded(1, 90),
    "case_stale_days": bounded(1, 365),
    "victim_update_confirm_hours": bounded(1, 720),
    "disclosure_markers": _codes(0, 50),
    "disclosure_flags": _codes(0, 50),
    "disclosure_decision_days": bounded(1, 90),
    "bail_review_max_days": bounded(1, 365),
    "bail_victim_notice_hours": bounded(1, 720),
}

_ADAPTERS: dict[str, TypeAdapter[Any]] = {}


def _is_model(schema: Any) -> bool:
    return isinstance(schema, type) and issubclass(schema, BaseModel)


def _wrapped(key: str) -> bool:
    """A one-field model (`v`) carries checks over the whole list (unique codes, one positive outcome)."""
    schema = SCHEMAS[key]
    return _is_model(schema) and "v" in schema.model_fields


def _adapter(key: str) -> TypeAdapter[Any]:
    if key not in _ADAPTERS:
        schema = SCHEMAS[key]
        _ADAPTERS[key] = TypeAdapter(schema) if _is_model(schema) else TypeAdapter(schema, config=STRICT)
    return _ADAPTERS[key]


def _describe(key: str, exc: ValidationError) -> str:
    problems = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err["loc"] if p != "v")
        msg = str(err["msg"]).removeprefix("Value error, ")
        problems.append(f"{key}{'.' + where if where else ''}: {msg}")
    more = len(exc.errors()) - 5
    return "; ".join(problems) + (f" (and {more} more)" if more > 0 else "")


def shape_problem(key: str, value: Any) -> str | None:
    """Why `value` does not have the shape of policy `key`, or None."""
    try:
        _adapter(key).validate_python({"v": value} if _wrapped(key) else value)
    except ValidationError as exc:
        return _describe(key, exc)
    return None


def consistency(values: dict[str, Any]) -> list[str]:
    """What one key names in another and does not exist there. `values` is a whole policy whose keys each
    have their shape; every problem is a sentence naming the keys involved."""
    problems: list[str] = []
    grades = {g["code"] for g in values["grades"]}
    categories = {c["code"] for c in values["categories"]}
    flags = {f["code"] for f in values["flags"]}
    levels = set(values["levels"])

    def unknown(names: Any, known: set[str], what: str, where: str) -> None:
        missing = sorted({n for n in names if n not in known})
        if missing:
            problems.append(f"{where} names {what} not in force: {', '.join(missing)}")

    for c in values["categories"]:
        unknown(c["flags"], flags, "flags", f"categories[{c['code']}]")
    for i, rule in enumerate(values["grade_rules"]):
        where = f"grade_rules[{i}] ({rule['name']})"
        unknown([rule["grade"]], grades, "a grade", where)
        when = rule["when"]
        unknown(when.get("categories") or [], categories, "categories", where)
        unknown([*(when.get("flags_any") or []), *(when.get("flags_all") or [])], flags, "flags", where)
        unknown([when[k] for k in when if k.endswith("_at_least")], levels, "levels", where)
    closing = {c["code"] for c in values["closing_codes"]}
    both = sorted(closing & set(values["forbidden_closing_codes"]))
    if both:
        problems.append(f"closing_codes include forbidden closing codes: {', '.join(both)}")
    unknown([values["scheme_default_floor"]], grades, "a grade", "scheme_default_floor")
    if values["scheme_review_days_before"] >= values["scheme_max_days"]:
        problems.append("scheme_review_days_before must be less than scheme_max_days")
    unknown(values["cue_flags"].values(), flags, "flags", "cue_flags")
    unknown([values["firearms_access_flag"]], flags, "a flag", "firearms_access_flag")
    unknown(values["missing_reclassify_from"], categories, "categories", "missing_reclassify_from")
    unknown(values["response_targets"], grades, "grades", "response_targets")
    for where in ("required_checks", "firearms_referral_triggers"):
        for trigger in values[where]:
            if trigger.startswith("category:"):
                unknown([trigger.removeprefix("category:")], categories, "a category", f"{where}[{trigger}]")
            elif not trigger.startswith("cue:"):
                unknown([trigger], flags, "a flag", f"{where}[{trigger}]")
    return problems
