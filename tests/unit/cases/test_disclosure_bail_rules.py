"""P5 and P8 rules as pure functions: which history makes disclosure worth considering, what a disclosure
decision needs, what a bail condition needs, and when it is in force."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from watchkeeper.cases import rules
from watchkeeper.core.errors import Invalid, Refusal

TODAY = date(2026, 12, 7)
MARKERS = ["violence", "domestic_abuse_perpetrator"]
FLAGS = ["domestic_abuse"]


@pytest.mark.safeguard("P5")
def test_relevant_history_is_markers_orders_and_flagged_logs_by_policy() -> None:
    items = [
        rules.HistoryItem("marker", ("vulnerability",), "Vulnerable"),
        rules.HistoryItem("marker", ("violence",), "Violence (ended)"),
        rules.HistoryItem("order", ("restraining",), "Restraining order"),
        rules.HistoryItem("log", ("missing",), "Log A: missing"),
        rules.HistoryItem("log", ("domestic_abuse", "child"), "Log B: domestic"),
        rules.HistoryItem("log", (), "Log C: no flags"),
    ]
    found = rules.relevant_history(items, MARKERS, FLAGS)
    assert [i.text for i in found] == ["Violence (ended)", "Restraining order", "Log B: domestic"]
    assert rules.relevant_history(items, [], []) == [items[2]]  # any order that restricted them counts
    many = [rules.HistoryItem("order", ("bail_conditions",), str(n)) for n in range(50)]
    assert len(rules.relevant_history(many, MARKERS, FLAGS)) == rules.MAX_HISTORY


@pytest.mark.safeguard("P5")
def test_a_disclosure_decision_is_made_once_with_why_and_how_it_was_delivered() -> None:
    rules.check_disclosure_decision(False, "disclose", "Knife attack on a former partner", "in_person", True)
    rules.check_disclosure_decision(False, "not_disclose", "She already knows", "", False)
    with pytest.raises(Refusal) as done:
        rules.check_disclosure_decision(True, "disclose", "x", "in_person", True)
    assert done.value.safeguard == "P5" and done.value.status == 409
    with pytest.raises(Refusal) as why:
        rules.check_disclosure_decision(False, "disclose", "  ", "in_person", True)
    assert why.value.safeguard == "P5" and why.value.details == {"field": "rationale"}
    for args, field in [(("maybe", "x", "", False), "decision"), (("disclose", "x", "pigeon", True), "channel"),
                        (("disclose", "x", "letter", False), "delivered_at"),
                        (("not_disclose", "x", "letter", False), "channel")]:
        with pytest.raises(Invalid) as bad:
            rules.check_disclosure_decision(False, *args)
        assert bad.value.details == {"field": field}


@pytest.mark.safeguard("P5")
def test_an_undecided_disclosure_keeps_the_case_open() -> None:
    rules.check_no_undecided_disclosures([], "Case CS-1")
    with pytest.raises(Refusal) as open_:
        rules.check_no_undecided_disclosures(["Gary → Karen"], "Case CS-1")
    assert open_.value.safeguard == "P5" and "1 undecided disclosure task:" in open_.value.message


def _condition(**kw: object) -> None:
    args: dict[str, object] = {"text": "Not to contact her", "rationale": "Repeated contact", "today": TODAY,
                               "review_on": TODAY + timedelta(days=7), "end_on": TODAY + timedelta(days=21),
                               "max_review_days": 28, "protects": 1, **kw}
    rules.check_bail_condition(**args)  # type: ignore[arg-type]


@pytest.mark.safeguard("P8")
def test_a_bail_condition_needs_its_proportionality_rationale_and_sensible_dates() -> None:
    _condition()
    _condition(review_on=TODAY, end_on=TODAY)  # reviewed and ending today
    with pytest.raises(Refusal) as why:
        _condition(rationale=" ")
    assert why.value.safeguard == "P8" and why.value.details == {"field": "rationale"}
    with pytest.raises(Refusal) as late:
        _condition(review_on=TODAY + timedelta(days=29), end_on=TODAY + timedelta(days=60))
    assert late.value.safeguard == "P8"
    _condition(review_on=TODAY + timedelta(days=28), end_on=TODAY + timedelta(days=60))
    for kw, field in [({"end_on": TODAY - timedelta(days=1)}, "end_on"),
                      ({"review_on": TODAY - timedelta(days=1)}, "review_on"),
                      ({"review_on": TODAY + timedelta(days=22)}, "review_on"),
                      ({"protects": 0}, "places"), ({"text": " "}, "text")]:
        with pytest.raises(Invalid) as bad:
            _condition(**kw)
        assert bad.value.details == {"field": field}


@pytest.mark.safeguard("P8")
def test_only_a_condition_in_force_changes_and_a_change_says_why() -> None:
    rules.check_bail_change(True, "Solicitor's representations", "amended")
    with pytest.raises(Refusal) as gone:
        rules.check_bail_change(False, "x", "amended")
    assert gone.value.safeguard == "P8" and gone.value.status == 409
    with pytest.raises(Invalid):
        rules.check_bail_change(True, " ", "ended")


@pytest.mark.safeguard("P8")
def test_a_condition_is_in_force_until_amended_ended_or_past_its_end() -> None:
    assert rules.bail_state(False, False, TODAY, TODAY) == "in_force"
    assert rules.bail_state(False, False, TODAY - timedelta(days=1), TODAY) == "expired"
    assert rules.bail_state(True, False, TODAY + timedelta(days=9), TODAY) == "amended"
    assert rules.bail_state(False, True, TODAY + timedelta(days=9), TODAY) == "ended"
