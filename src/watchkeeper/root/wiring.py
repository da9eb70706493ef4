"""What joins the apps to the kernel and the pages, where no single app owns the join.

Called once when Django starts (RootConfig.ready, after every app's own ready()):
- policy checks that need an app's codes (`core.config.add_policy_validator`): closing codes (incidents, L10),
  channels and intake sources (incidents), the party roles a scheme floor names (people, M2), check kinds
  (people, C5), area types (dispatch, D1) and the cue families and lexicon (cues, C3);
- what a policy change would do to the data the apps hold (`core.config.add_policy_impact`): codes open
  logs use that would disappear (refused), open logs whose policy grade would move (C4, shown);
- the navigation's unread count (`web.context.add_navigation`), from the incidents app's notifications.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from watchkeeper.core.config import Impact, add_policy_impact, add_policy_validator
from watchkeeper.core.errors import Invalid
from watchkeeper.core.policy import Policy
from watchkeeper.web.context import add_navigation


def closing_codes(value: Any) -> None:
    """L10: 'no units available' is never a closing outcome."""
    from watchkeeper.incidents.rules import NEVER_AN_OUTCOME

    if any(item["code"] in NEVER_AN_OUTCOME for item in value):
        raise Invalid("L10: 'no units available' is never a closing outcome", "value")


def forbidden_closing_codes(value: Any) -> None:
    """L10 / D3: the codes that are never an outcome stay forbidden whatever else a force adds."""
    from watchkeeper.incidents.rules import NEVER_AN_OUTCOME

    missing = sorted(NEVER_AN_OUTCOME - set(value))
    if missing:
        raise Invalid(f"L10: forbidden_closing_codes must keep {', '.join(missing)}", "value")


def _known(value: Any, known: set[str], key: str, what: str) -> None:
    unknown = sorted({str(v) for v in value} - known)
    if unknown:
        raise Invalid(f"Policy {key} names {what} that do not exist: {', '.join(unknown)} (known: "
                      f"{', '.join(sorted(known))})", "value")


def _channels() -> set[str]:
    from watchkeeper.incidents.models import CHANNELS

    return {code for code, _ in CHANNELS}


def automatic_sources(value: Any) -> None:
    """L9: each automatic intake source is a source a contact can come from (not 'manual')."""
    from watchkeeper.incidents.models import SOURCES

    _known(value, {code for code, _ in SOURCES} - {"manual"}, "automatic_sources", "automatic sources")


def age_exempt_channels(value: Any) -> None:
    """C2: channels, by their codes."""
    _known(value, _channels(), "age_exempt_channels", "channels")


def emergency_channels(value: Any) -> None:
    """D1: channels, by their codes."""
    _known(value, _channels(), "emergency_channels", "channels")


def required_checks(value: Any) -> None:
    """C5: each required check is a kind of check people records."""
    from watchkeeper.people.models import Check

    _known({k for kinds in value.values() for k in kinds}, {code for code, _ in Check.KINDS}, "required_checks",
           "check kinds")


def _area_types() -> set[str]:
    from watchkeeper.dispatch.models import AREA_TYPES

    return {code for code, _ in AREA_TYPES}


def default_area_type(value: Any) -> None:
    """D1: an area type units and clocks know."""
    _known([value], _area_types(), "default_area_type", "area types")


def response_targets(value: Any) -> None:
    """D1: targets per grade are given per area type units and clocks know."""
    _known({area for targets in value.values() for area in targets}, _area_types(), "response_targets",
           "area types")


def cue_disabled(value: Any, values: dict[str, Any]) -> None:
    """C3: switching off a default cue names a real family and an entry it has (else cue scanning, which
    builds the lexicon for every entry written, would fail for everyone)."""
    from watchkeeper.cues import DEFAULT_LEXICON, merge_lexicon

    merge_lexicon(DEFAULT_LEXICON, values["cue_additions"], disabled=value)


def cue_additions(value: Any, values: dict[str, Any]) -> None:
    """C3: a force's own cue phrases and patterns are valid lexicon entries of real families."""
    from watchkeeper.cues import DEFAULT_LEXICON, merge_lexicon

    merge_lexicon(DEFAULT_LEXICON, value, disabled=values["cue_disabled"])


def firearms_referral_triggers(value: Any) -> None:
    """M4: a "cue:<name>" trigger names a cue family or the start of one ("cue:mental_health")."""
    from watchkeeper.cues.lexicon import FAMILIES

    for trigger in value:
        name = trigger.removeprefix("cue:")
        if trigger.startswith("cue:") and not any(f == name or f.startswith(name + "_") for f in FAMILIES):
            raise Invalid(f"Policy firearms_referral_triggers: {trigger!r} names no cue family ({', '.join(FAMILIES)})",
                          "value")


def dismissal_close_prompt_kinds(value: Any) -> None:
    """L10: a "cue_<family>" prompt kind names a real cue family."""
    from watchkeeper.cues.lexicon import FAMILIES

    _known([k for k in value if k.startswith("cue_")], {f"cue_{f}" for f in FAMILIES},
           "dismissal_close_prompt_kinds", "cue prompt kinds")


def scheme_floor_roles(value: Any) -> None:
    """M2: the floor applies to parties in these roles; each must be a party role."""
    from watchkeeper.people.models import ROLES

    codes = {code for code, _ in ROLES}
    if not value or not all(isinstance(r, str) and r in codes for r in value):
        raise Invalid(f"Policy scheme_floor_roles must list party roles from: {', '.join(sorted(codes))}",
                      "value")


def cue_flags(value: Any, values: dict[str, Any]) -> None:
    """C3: each cue family maps to a flag code in force (in the policy as it would be after the change)."""
    from watchkeeper.cues.lexicon import FAMILIES

    flags = {f["code"] for f in values["flags"]}
    for family, flag in value.items():
        if family not in FAMILIES or not isinstance(flag, str) or flag not in flags:
            raise Invalid(f"Policy cue_flags maps cue families ({', '.join(FAMILIES)}) to flag codes "
                          f"({', '.join(sorted(flags))}); {family!r}: {flag!r} is not one", "value")


# ------------------------------------------------------------------------------ what a change would do
_GRADE_KEYS = {"grade_rules", "grades", "categories", "flags", "levels"}
_SHOWN = 10


def _codes(policy: Policy, key: str) -> set[str]:
    return {item["code"] for item in policy[key]}


def _in_use(removed: set[str], uses: dict[str, list[str]], key: str, what: str, *, blocking: bool) -> list[Impact]:
    out = []
    for code in sorted(removed):
        refs = uses.get(code, [])
        if refs:
            shown = ", ".join(refs[:_SHOWN]) + (f" and {len(refs) - _SHOWN} more" if len(refs) > _SHOWN else "")
            out.append(Impact(f"{key}: {code!r} is removed but {len(refs)} {what} use it ({shown})", blocking,
                              len(refs)))
    return out


def policy_impacts(before: Policy, after: Policy, key: str) -> list[Impact]:
    """What a change to `key` does to current logs. Decided per key:
    - grades, categories, flags, levels: removing one an open log carries is refused (the log could no
      longer be graded, shown or re-proposed against it); reclassify or regrade those logs first;
    - closing and cancellation codes: removing one closed logs carry is shown, not refused (a closed log keeps
      the outcome it was closed with, and the label falls back to the code);
    - whatever moves the policy grade (C4): the open logs whose policy grade would change are counted and
      named, so an administrator sees who would be prompted to regrade.
    """
    from watchkeeper.incidents.actions.common import grade_floor
    from watchkeeper.incidents.models import Log
    from watchkeeper.incidents.rules import GradeFacts, propose_grade

    impacts: list[Impact] = []
    open_logs = Log.objects.filter(status="open").order_by("pk")
    if key in ("grades", "categories", "flags", "levels", "closing_codes", "cancellation_codes"):
        if key == "levels":
            removed = set(before[key]) - set(after[key])
        else:
            removed = _codes(before, key) - _codes(after, key)
        if removed:
            uses: dict[str, list[str]] = {}
            if key == "grades":
                for ref, grade, proposed in open_logs.values_list("reference", "grade", "proposed_grade"):
                    for code in {grade, proposed} & removed:
                        uses.setdefault(str(code), []).append(ref)
            elif key == "categories":
                for ref, category in open_logs.filter(category__in=removed).values_list("reference", "category"):
                    uses.setdefault(category, []).append(ref)
            elif key == "flags":
                for ref, flags in open_logs.values_list("reference", "flags"):
                    for code in set(flags or []) & removed:
                        uses.setdefault(code, []).append(ref)
            elif key == "levels":
                for ref, thrive in open_logs.exclude(thrive__isnull=True).values_list("reference", "thrive"):
                    for item in (thrive or {}).values():
                        level = item.get("level") if isinstance(item, dict) else None
                        if isinstance(level, str) and level in removed:
                            uses.setdefault(level, []).append(ref)
            else:
                status = "closed" if key == "closing_codes" else "cancelled"  # both kept in closing_code
                for ref, code in (Log.objects.filter(status=status, closing_code__in=removed)
                                  .values_list("reference", "closing_code")):
                    uses.setdefault(code, []).append(ref)
            blocking = key not in ("closing_codes", "cancellation_codes")
            impacts += _in_use(removed, uses, key, "open logs" if blocking else "ended logs (they keep it)",
                               blocking=blocking)
    if key in _GRADE_KEYS and not any(i.blocking for i in impacts):
        moved = []
        for log in open_logs.only("pk", "reference", "category", "flags", "thrive", "proposed_grade"):
            floor = grade_floor(log, before)
            old = propose_grade(GradeFacts(log.category, tuple(log.flags or ()), log.thrive or {}, floor), before)
            new = propose_grade(GradeFacts(log.category, tuple(log.flags or ()), log.thrive or {}, floor), after)
            if old.grade != new.grade:
                moved.append(f"{log.reference} {before.grade_label(old.grade)} → {after.grade_label(new.grade)}")
        if moved:
            shown = "; ".join(moved[:_SHOWN]) + (f" and {len(moved) - _SHOWN} more" if len(moved) > _SHOWN else "")
            impacts.append(Impact(f"The policy grade of {len(moved)} open logs would change ({shown}); each is "
                                  "re-proposed when next updated", False, len(moved)))
    return impacts


def unread(request: HttpRequest, user: Any) -> dict[str, Any]:
    """The signed-in person's unread notifications (their own and their team's)."""
    from django.db.models import Q

    from watchkeeper.incidents.models import Notification

    mine = Q(recipient=user) | (Q(team_id=user.team_id) if user.team_id else Q(pk__in=[]))
    return {"unread_count": Notification.objects.filter(mine, read_at__isnull=True).count()}


def register() -> None:
    add_policy_validator("closing_codes", closing_codes)
    add_policy_validator("forbidden_closing_codes", forbidden_closing_codes)
    add_policy_validator("automatic_sources", automatic_sources)
    add_policy_validator("age_exempt_channels", age_exempt_channels)
    add_policy_validator("emergency_channels", emergency_channels)
    add_policy_validator("required_checks", required_checks)
    add_policy_validator("default_area_type", default_area_type)
    add_policy_validator("response_targets", response_targets)
    add_policy_validator("scheme_floor_roles", scheme_floor_roles)
    add_policy_validator("cue_flags", cue_flags)
    add_policy_validator("cue_disabled", cue_disabled)
    add_policy_validator("cue_additions", cue_additions)
    add_policy_validator("firearms_referral_triggers", firearms_referral_triggers)
    add_policy_validator("dismissal_close_prompt_kinds", dismissal_close_prompt_kinds)
    add_policy_impact(policy_impacts)
    add_navigation(unread)
