"""The log page's panel registry and the one input path of the log page's forms (no database)."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from watchkeeper.core.errors import Invalid
from watchkeeper.incidents import hooks
from watchkeeper.incidents.operations import OPERATIONS
from watchkeeper.incidents.schemas import DecisionIn, GradeIn, UpdateLogIn
from watchkeeper.web.forms import operation, parse_form


def test_panels_are_grouped_by_slot_and_ordered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hooks, "LOG_PANELS", [])
    hooks.add_panel(hooks.Panel("main", "b.html", order=20))
    hooks.add_panel(hooks.Panel("side", "s.html"))
    hooks.add_panel(hooks.Panel("main", "a.html", order=10))
    hooks.add_panel(hooks.Panel("main", "a.html", order=10))  # registered twice (a second ready()): kept once
    grouped = hooks.panels()
    assert [p.template for p in grouped["main"]] == ["a.html", "b.html"]
    assert [p.template for p in grouped["side"]] == ["s.html"]
    with pytest.raises(ValueError, match="slot"):
        hooks.add_panel(hooks.Panel("footer", "x.html"))


def _form(**values: str | list[str]) -> QueryDict:
    q = QueryDict(mutable=True)
    for k, v in values.items():
        q.setlist(k.replace("__", "."), v if isinstance(v, list) else [v])
    return q


def test_the_grade_form_is_read_as_the_apis_schema() -> None:
    levels = {f"thrive__{el}__level": "high" for el in ("threat", "harm", "risk", "vulnerability")}
    notes = {f"thrive__{el}__note": "" for el in ("threat", "harm", "risk", "investigation", "vulnerability",
                                                 "engagement")}
    body = parse_form(GradeIn, _form(grade="immediate", rationale="", expected_version="3",
                                     thrive__investigation__level="", **levels, **notes))
    assert body.expected_version == 3 and body.thrive.threat.level == "high"
    assert body.thrive.investigation.level is None
    # A level the API refuses, the form refuses with the same field named.
    with pytest.raises(Invalid) as refused:
        parse_form(GradeIn, _form(grade="immediate", expected_version="3", **{**levels, **notes,
                                                                               "thrive__threat__level": "extreme"}))
    assert refused.value.details["field"] == "thrive.threat.level"


def test_markers_absent_mean_unchanged_and_sent_empty_mean_cleared() -> None:
    assert parse_form(UpdateLogIn, _form(expected_version="1", summary="x")).flags is None
    assert parse_form(UpdateLogIn, _form(expected_version="1", flags="")).flags == []
    assert parse_form(UpdateLogIn, _form(expected_version="1", flags=["", "weapons"])).flags == ["weapons"]


def test_the_downgrade_decision_buttons_are_the_schemas_approve() -> None:
    assert parse_form(DecisionIn, _form(approve="true", note="")).approve is True
    assert parse_form(DecisionIn, _form(approve="false")).approve is False


def test_an_unknown_log_action_is_refused_naming_the_known_ones() -> None:
    with pytest.raises(Invalid, match="entry"):
        operation(OPERATIONS, "delete")
