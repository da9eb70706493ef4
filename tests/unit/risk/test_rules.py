"""The risk rules at their edges (R1, R2, R3, R5, R6), on the shipped illustrative instruments and on small
instruments written here, with a property test that adding a "yes" never lowers the guidance (R3)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from watchkeeper.core.errors import Invalid, Refusal
from watchkeeper.risk import rules
from watchkeeper.risk.instrument import Instrument, InstrumentError, parse
from watchkeeper.risk.rules import AnswerData, LogFacts

SHIPPED = {p.name.removesuffix(".json"): p.read_text() for p in (resources.files("watchkeeper.risk") / "instruments")
           .iterdir() if p.name.endswith(".json")}
DA = parse(SHIPPED["domestic-abuse"])


def _yes(*codes: str, **kw: Any) -> dict[str, AnswerData]:
    return {c: AnswerData("yes", **kw) for c in codes}


def _all(spec: Instrument, value: str = "no", sections: tuple[str, ...] | None = None) -> dict[str, AnswerData]:
    out = {}
    for s in spec.sections:
        if sections is None or s.code in sections:
            for q in s.questions:
                out[q.code] = AnswerData(value if q.type == "yes_no" else (q.options[0].code if q.options else "x"))
    return out


def _small(**over: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "format": 1, "code": "t", "version": "1", "title": "Test", "subject_roles": ["victim"],
        "levels": [{"code": "low", "label": "Low", "rank": 1}, {"code": "high", "label": "High", "rank": 2}],
        "sections": [{"code": "a", "title": "A", "questions": [
            {"code": "q1", "text": "One?", "type": "yes_no", "indicates": ["s"]},
            {"code": "q2", "text": "Two?", "type": "yes_no", "critical": True}]},
            {"code": "b", "title": "B", "mandatory": False, "mandatory_when": {"indicators": ["s"]},
             "questions": [{"code": "q3", "text": "Three?", "type": "yes_no"}]}],
        "guidance": [{"count": "critical", "at_least": 1, "level": "high"}],
    }
    doc.update(over)
    return doc


# ------------------------------------------------------------------------------------------ R1 format
@pytest.mark.safeguard("R1")
@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_every_shipped_instrument_is_valid_and_versioned(name: str) -> None:
    spec = parse(SHIPPED[name])
    assert spec.code == name and spec.version and spec.questions()


@pytest.mark.safeguard("R1")
@pytest.mark.parametrize(("change", "field"), [
    ({"format": 2}, "definition.format"),
    ({"levels": [{"code": "low", "label": "Low", "rank": 1}]}, "definition.levels"),
    ({"guidance": [{"count": "yes", "at_least": 1, "level": "extreme"}]}, "definition"),
    ({"code": "Not A Code"}, "definition.code"),
    ({"surprise": True}, "definition.surprise"),
])
def test_an_invalid_instrument_is_refused_naming_the_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(InstrumentError) as caught:
        parse(json.dumps(_small(**change)))
    assert caught.value.field == field


@pytest.mark.safeguard("R1")
def test_duplicate_question_codes_and_unknown_indicators_are_refused() -> None:
    doc = _small()
    doc["sections"][1]["questions"][0]["code"] = "q1"
    with pytest.raises(InstrumentError, match="question codes must be unique"):
        parse(doc)
    doc = _small()
    doc["sections"][1]["mandatory_when"] = {"indicators": ["nothing_indicates_this"]}
    with pytest.raises(InstrumentError, match="no question indicates"):
        parse(doc)


def test_not_json_and_oversized_documents_are_refused() -> None:
    with pytest.raises(InstrumentError, match="not JSON"):
        parse("{")
    with pytest.raises(InstrumentError, match="at most"):
        parse(" " * 300_000)
    with pytest.raises(InstrumentError, match="nested too deeply"):
        parse("[" * 100_000 + "]" * 100_000)


# ------------------------------------------------------------------------------------------ answers, R5
@pytest.mark.safeguard("R5")
def test_a_refusal_is_an_answer_and_a_value_with_it_comes_from_records() -> None:
    q = DA.question("injured")
    assert q is not None
    assert rules.check_answer(q, "", refused=True, source="person").answered
    assert rules.check_answer(q, "yes", refused=True, source="records").value == "yes"
    with pytest.raises(Invalid) as caught:
        rules.check_answer(q, "yes", refused=True, source="person")
    assert caught.value.details["field"] == "source"
    with pytest.raises(Invalid):
        rules.check_answer(q, "", refused=False, source="person")
    with pytest.raises(Invalid):
        rules.check_answer(q, "maybe", refused=False, source="person")


def test_a_choice_takes_its_options_or_not_known() -> None:
    q = DA.question("relationship")
    assert q is not None
    assert rules.check_answer(q, "ex_partner", refused=False, source="person").value == "ex_partner"
    assert rules.check_answer(q, "not_known", refused=False, source="person").value == "not_known"
    with pytest.raises(Invalid):
        rules.check_answer(q, "neighbour", refused=False, source="person")


# ------------------------------------------------------------------------------------------ R3 guidance
@pytest.mark.safeguard("R3")
def test_guidance_counts_yes_answers_and_critical_items() -> None:
    assert rules.compute_guidance(DA, _all(DA)).level == "standard"
    one_critical = rules.compute_guidance(DA, {**_all(DA), **_yes("strangulation")})
    assert (one_critical.level, one_critical.critical) == ("medium", 1)
    three = rules.compute_guidance(DA, _yes("strangulation", "threats_to_kill", "weapon"))
    assert three.level == "high"
    six_plain = _yes("injured", "frightened", "separation", "children", "controlling", "isolated")
    assert rules.compute_guidance(DA, six_plain).level == "standard"
    assert rules.compute_guidance(DA, {**six_plain, **_yes("suicide_threat")}).level == "medium"


@pytest.mark.safeguard("R3")
def test_a_section_rule_counts_only_its_own_section() -> None:
    stalking = _yes("st_fear", "st_before", "st_property", "st_places")
    g = rules.compute_guidance(DA, stalking)
    assert g.level == "high" and any("in stalking" in r for r in g.reasons)
    assert rules.compute_guidance(DA, _yes("st_fear", "st_before", "st_property")).level == "standard"


@pytest.mark.safeguard("R5")
def test_guidance_says_when_it_is_partly_from_records() -> None:
    answers = {"injured": AnswerData("", refused=True), "previous_police": AnswerData("yes", True, "records")}
    g = rules.compute_guidance(DA, answers)
    assert g.partly_from_records and g.refused == 2 and g.from_records == 1
    assert not rules.compute_guidance(DA, _yes("injured")).partly_from_records


YES_NO_CODES = [q.code for q in DA.questions() if q.type == "yes_no"]
ANSWER = st.sampled_from(["yes", "no", "not_known", "", "refused"])


def _answers(values: dict[str, str]) -> dict[str, AnswerData]:
    return {c: AnswerData("", True) if v == "refused" else AnswerData(v) for c, v in values.items() if v}


@pytest.mark.safeguard("R3")
@settings(max_examples=300, deadline=None)
@given(values=st.dictionaries(st.sampled_from(YES_NO_CODES), ANSWER, max_size=len(YES_NO_CODES)),
       extra=st.sampled_from(YES_NO_CODES))
def test_adding_a_yes_never_lowers_the_guidance(values: dict[str, str], extra: str) -> None:
    before = rules.compute_guidance(DA, _answers(values))
    after = rules.compute_guidance(DA, _answers({**values, extra: "yes"}))
    assert after.rank >= before.rank
    assert after.yes >= before.yes and after.critical >= before.critical


@st.composite
def instruments(draw: st.DrawFn) -> Instrument:
    """Random instruments: any number of sections and yes/no questions, critical or not, any rules."""
    n_levels = draw(st.integers(2, 5))
    levels = [{"code": f"l{i}", "label": f"L{i}", "rank": r} for i, r in
              enumerate(draw(st.lists(st.integers(1, 99), min_size=n_levels, max_size=n_levels, unique=True)))]
    sections = []
    q = 0
    for s in range(draw(st.integers(1, 3))):
        qs = []
        for _ in range(draw(st.integers(1, 6))):
            qs.append({"code": f"q{q}", "text": "?", "type": "yes_no", "critical": draw(st.booleans())})
            q += 1
        sections.append({"code": f"s{s}", "title": "S", "questions": qs})
    rules_ = [{"count": draw(st.sampled_from(["yes", "critical"])), "at_least": draw(st.integers(1, q)),
               "level": draw(st.sampled_from(levels))["code"],
               "section": draw(st.sampled_from([None] + [x["code"] for x in sections]))}
              for _ in range(draw(st.integers(1, 6)))]
    return parse({"format": 1, "code": "r", "version": "1", "title": "R", "subject_roles": ["victim"],
                  "levels": levels, "sections": sections, "guidance": rules_})


@pytest.mark.safeguard("R3")
@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_on_any_instrument_adding_a_yes_never_lowers_the_guidance(data: st.DataObject) -> None:
    spec = data.draw(instruments())
    codes = [q.code for q in spec.questions()]
    values = data.draw(st.dictionaries(st.sampled_from(codes), ANSWER))
    extra = data.draw(st.sampled_from(codes))
    before = rules.compute_guidance(spec, _answers(values))
    after = rules.compute_guidance(spec, _answers({**values, extra: "yes"}))
    assert after.rank >= before.rank


# ------------------------------------------------------------------------------------------ R2 mandatory
@pytest.mark.safeguard("R2")
def test_the_stalking_screen_is_mandatory_on_an_answer_a_category_or_words() -> None:
    none = rules.mandatory_sections(DA, _all(DA, sections=("current",)), LogFacts())
    assert set(none) == {"current"}
    by_answer = rules.mandatory_sections(DA, {**_all(DA, sections=("current",)), **_yes("followed")}, LogFacts())
    assert by_answer["stalking"] == ["answer indicating stalking"]
    by_category = rules.mandatory_sections(DA, {}, LogFacts(category="stalking_harassment"))
    assert by_category["stalking"] == ["log category stalking_harassment"]
    by_words = rules.mandatory_sections(DA, {}, LogFacts(text="She says he KEEPS TURNING UP at work"))
    assert by_words["stalking"] == ["'keeps turning up' in the log"]
    assert "stalking" not in rules.mandatory_sections(DA, {}, LogFacts(text="unharassed"))


@pytest.mark.safeguard("R2")
def test_submission_is_refused_while_the_indicated_screen_is_unanswered() -> None:
    answers = {**_all(DA, sections=("current",)), **_yes("followed")}
    with pytest.raises(Refusal) as caught:
        rules.check_submission(DA, answers, LogFacts(), judgement="high", rationale="")
    assert caught.value.safeguard == "R2"
    assert caught.value.details["missing"] == [q.code for q in DA.sections[1].questions]
    done = rules.check_submission(DA, {**answers, **_all(DA, sections=("stalking",))}, LogFacts(),
                                  judgement="standard", rationale="")
    assert "stalking" in done.mandatory


@pytest.mark.safeguard("R5")
def test_refused_answers_count_as_answered_for_submission() -> None:
    answers = {q.code: AnswerData("", True) for q in DA.sections[0].questions}
    done = rules.check_submission(DA, answers, LogFacts(), judgement="standard", rationale="")
    assert done.guidance.partly_from_records and not done.below_guidance


# ------------------------------------------------------------------------------------------ R3 judgement
@pytest.mark.safeguard("R3")
def test_a_judgement_below_the_guidance_needs_a_rationale() -> None:
    answers = {**_all(DA, sections=("current",)), **_yes("strangulation", "threats_to_kill", "weapon")}
    with pytest.raises(Refusal) as caught:
        rules.check_submission(DA, answers, LogFacts(), judgement="medium", rationale="no")
    assert caught.value.safeguard == "R3" and caught.value.details["guidance"]["level"] == "high"
    below = rules.check_submission(DA, answers, LogFacts(), judgement="medium",
                                   rationale="He is in custody until the hearing next month")
    assert below.below_guidance and below.guidance.level == "high"
    at = rules.check_submission(DA, answers, LogFacts(), judgement="high", rationale="")
    assert not at.below_guidance
    with pytest.raises(Invalid):
        rules.check_submission(DA, answers, LogFacts(), judgement="extreme", rationale="")


@pytest.mark.safeguard("R3")
def test_a_review_agrees_or_raises_with_a_rationale_and_never_on_ones_own() -> None:
    why = "The answers show strangulation and threats"
    assert rules.check_review(DA, judgement="medium", decision="agree", level="", rationale=why,
                              reviewer_id=2, assessor_id=1) == "medium"
    assert rules.check_review(DA, judgement="medium", decision="raise", level="high", rationale=why,
                              reviewer_id=2, assessor_id=1) == "high"
    with pytest.raises(Invalid):
        rules.check_review(DA, judgement="medium", decision="raise", level="standard", rationale=why,
                           reviewer_id=2, assessor_id=1)
    with pytest.raises(Invalid):
        rules.check_review(DA, judgement="medium", decision="agree", level="", rationale="ok",
                           reviewer_id=2, assessor_id=1)
    with pytest.raises(Refusal) as caught:
        rules.check_review(DA, judgement="medium", decision="agree", level="", rationale=why,
                           reviewer_id=1, assessor_id=1)
    assert caught.value.status == 403


def test_only_the_assessor_or_a_reviewer_works_on_a_draft_and_a_submitted_one_is_kept() -> None:
    rules.check_may_work_on(state="draft", started_by_id=1, actor_id=1, actor_reviews=False)
    rules.check_may_work_on(state="draft", started_by_id=1, actor_id=2, actor_reviews=True)
    with pytest.raises(Refusal) as other:
        rules.check_may_work_on(state="draft", started_by_id=1, actor_id=2, actor_reviews=False)
    assert other.value.status == 403
    with pytest.raises(Refusal) as kept:
        rules.check_may_work_on(state="submitted", started_by_id=1, actor_id=1, actor_reviews=True)
    assert kept.value.status == 409


# ------------------------------------------------------------------------------------------ R4, R6
@pytest.mark.safeguard("R4")
def test_what_changed_between_two_assessments() -> None:
    before = {"injured": AnswerData("no"), "weapon": AnswerData("no")}
    after = {"injured": AnswerData("yes"), "weapon": AnswerData("no"), "followed": AnswerData("", True)}
    changed = {c["question"]: (c["before"], c["after"]) for c in rules.changes(DA, before, after)}
    assert changed == {"injured": ("no", "yes"), "followed": ("", "refused")}


@pytest.mark.safeguard("R6")
def test_a_risk_decision_needs_a_kind_a_decision_and_a_rationale() -> None:
    rules.check_decision("arrest", "No arrest", "He had left; the victim is with her sister tonight")
    with pytest.raises(Refusal) as caught:
        rules.check_decision("arrest", "No arrest", "no")
    assert caught.value.safeguard == "R6"
    with pytest.raises(Invalid):
        rules.check_decision("hunch", "x", "a b c d")
    with pytest.raises(Invalid):
        rules.check_decision("arrest", " ", "a b c d")


# ------------------------------------------------------------------------------------------ R7
@pytest.mark.safeguard("R7")
def test_a_police_action_waits_for_the_suicide_risk_assessment_the_log_calls_for() -> None:
    need = rules.SuicideRiskNeed("suspect-suicide", "Suspect suicide risk", ("'indecent images' in the log",), False)
    for kind in ("search", "arrest", "interview"):
        with pytest.raises(Refusal) as caught:
            rules.check_police_action(kind, [need])
        assert caught.value.safeguard == "R7" and caught.value.details["instrument"] == "suspect-suicide"
    rules.check_police_action("dynamic_risk", [need])  # not a police action against the suspect
    rules.check_police_action("search", [])  # nothing calls for one
    rules.check_police_action("search", [rules.SuicideRiskNeed("suspect-suicide", "S", ("x",), True)])


# ------------------------------------------------------------------------------------------ P9
@pytest.mark.safeguard("P9")
def test_each_missing_level_has_its_cadence_and_its_reviewer() -> None:
    from watchkeeper.core.policy import DEFAULTS

    c = rules.cadence(DEFAULTS["missing_review_cadence"])  # the policy default keeps the earlier table
    assert c == {"high": (60, ("duty_inspector",)), "medium": (240, ("supervisor", "duty_inspector")),
                 "low": (720, ("supervisor", "duty_inspector"))}
    assert rules.review_minutes("high", c) < rules.review_minutes("medium", c) < rules.review_minutes("low", c)
    rules.check_missing_reviewer("duty_inspector", "high", c)
    rules.check_missing_reviewer("supervisor", "medium", c)
    with pytest.raises(Refusal) as caught:
        rules.check_missing_reviewer("supervisor", "high", c)
    assert caught.value.safeguard == "P9" and caught.value.status == 403


@pytest.mark.safeguard("P9")
def test_a_decision_on_forcing_entry_records_why() -> None:
    rules.check_place("searched", "not_needed", "")
    rules.check_place("not_yet", "not_forced", "No sign of anyone; the key holder is on the way")
    with pytest.raises(Refusal):
        rules.check_place("searched", "forced", "")
    with pytest.raises(Invalid):
        rules.check_place("looked", "not_needed", "")


@pytest.mark.safeguard("P9")
def test_escalation_triggers_are_prompts_by_age_time_and_what_the_log_records() -> None:
    assert rules.escalation_triggers(level="low", age=30, hours_missing=2, flags=frozenset()) == []
    child = rules.escalation_triggers(level="medium", age=14, hours_missing=2, flags=frozenset())
    assert child == ["A child (14): consider raising the level"]
    assert rules.escalation_triggers(level="high", age=14, hours_missing=30, flags=frozenset()) == []
    long = rules.escalation_triggers(level="low", age=None, hours_missing=30, flags=frozenset({"vulnerable_adult"}))
    assert len(long) == 2
