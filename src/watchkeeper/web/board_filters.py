"""The dispatch and command boards' filters: grade, area type, category, status and flag, held in the page's
URL query (so a reload, a bookmark or a shared link shows the same queue) and in the board API's query.

Pure: `parse` checks a query against the force's policy (an unknown value is refused with 400 naming the
field, never ignored: a filter silently dropped would show a queue the person did not ask for); `matches`
says whether a row's facts pass. The board's script applies the same test to a row arriving live, from the
row's `data-*` attributes (`row_attrs`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from watchkeeper.core.errors import Invalid
from watchkeeper.core.policy import Policy

FIELDS = ("grade", "area", "category", "status", "flag")
LABELS = [("grade", "Grade"), ("area", "Area"), ("category", "Category"), ("status", "Status"), ("flag", "Flag")]
STATUSES = {"pending": "Pending: no unit", "in_hand": "Unit on it or attended", "ungraded": "Not graded yet",
            "breached": "Target breached", "diverted": "Diverted"}
AREAS = {"urban": "Urban", "rural": "Rural"}
NO_GRADE = "none"


def choices(policy: Policy) -> dict[str, list[tuple[str, str]]]:
    """What each filter offers, in the order the page lists them."""
    return {
        "grade": [(g, policy.grade_label(g)) for g in policy.grade_codes()] + [(NO_GRADE, "Ungraded")],
        "area": list(AREAS.items()),
        "category": sorted(((c["code"], str(c["label"])) for c in policy["categories"]), key=lambda c: c[1]),
        "status": list(STATUSES.items()),
        "flag": [(f, policy.flag_label(f)) for f in policy.flag_codes()],
    }


def parse(query: Mapping[str, Any], policy: Policy) -> dict[str, str]:
    """The filters asked for (empty values are no filter); refused with 400 naming the field when a value is
    not one the force's policy knows."""
    offered = choices(policy)
    found = {}
    for name in FIELDS:
        value = query.get(name)
        if value is None or value == "":
            continue
        value = str(value).strip()
        codes = {code for code, _ in offered[name]}
        if value not in codes:
            raise Invalid(f"{name}: {value[:64]!r} is not one of: {', '.join(sorted(codes))[:400]}", name)
        found[name] = value
    return found


def statuses(facts: Mapping[str, Any]) -> set[str]:
    """The statuses a log's board facts have (several may hold: pending and breached)."""
    out = set()
    if facts.get("pending"):
        out.add("pending")
    elif facts.get("pending") is not None:
        out.add("in_hand")
    if facts.get("ungraded"):
        out.add("ungraded")
    if facts.get("breached_at"):
        out.add("breached")
    if facts.get("diverted"):
        out.add("diverted")
    return out


def matches(filters: Mapping[str, str], facts: Mapping[str, Any]) -> bool:
    """Whether a log with these facts (grade, area_type, category_code, flags, pending, ungraded, breached_at,
    diverted) passes every filter."""
    if not filters:
        return True
    if "grade" in filters and (facts.get("grade") or NO_GRADE) != filters["grade"]:
        return False
    if "area" in filters and facts.get("area_type") != filters["area"]:
        return False
    if "category" in filters and facts.get("category_code") != filters["category"]:
        return False
    if "flag" in filters and filters["flag"] not in (facts.get("flags") or []):
        return False
    return not ("status" in filters and filters["status"] not in statuses(facts))


def row_attrs(facts: Mapping[str, Any]) -> dict[str, str]:
    """The facts as a row's data attributes, for the script's test of a live row."""
    return {"grade": facts.get("grade") or NO_GRADE, "area": facts.get("area_type") or "",
            "category": facts.get("category_code") or "", "flags": " ".join(facts.get("flags") or []),
            "status": " ".join(sorted(statuses(facts)))}
