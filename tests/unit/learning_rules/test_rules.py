"""The learning rules as pure functions (K2 tracker dates, statuses and colours; K3 answers and progress;
K4/K5 codes and themes). No database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from watchkeeper.core.errors import Invalid, Refusal
from watchkeeper.learning import rules
from watchkeeper.learning.rules import ActionFacts, LearningPolicy, RecommendationFacts

POLICY = LearningPolicy()
MADE = date(2020, 9, 29)


# --------------------------------------------------------------------------------------- K2 dates
@pytest.mark.safeguard("K2")
def test_statutory_default_is_56_days_after_the_date_made() -> None:
    assert POLICY.response_days == 56
    assert rules.response_due(MADE, POLICY) == date(2020, 11, 24)
    assert rules.response_due(date(2023, 3, 14), POLICY) == date(2023, 5, 9)


@pytest.mark.safeguard("K2")
def test_a_stated_due_date_wins_and_no_date_made_means_no_due_date() -> None:
    assert rules.response_due(MADE, POLICY, stated=date(2020, 12, 1)) == date(2020, 12, 1)
    assert rules.response_due(None, POLICY) is None
    assert rules.response_due(None, POLICY, stated=date(2021, 1, 4)) == date(2021, 1, 4)


@pytest.mark.safeguard("K2")
def test_the_period_comes_from_policy_not_a_constant() -> None:
    assert rules.response_due(MADE, LearningPolicy(response_days=28)) == date(2020, 10, 27)
    assert LearningPolicy.from_values({"response_days": "30", "unknown": 1}).response_days == 30


@pytest.mark.safeguard("K2")
@pytest.mark.parametrize(
    "today,responded,expected",
    [
        (date(2020, 11, 23), False, "open"),
        (date(2020, 11, 24), False, "open"),  # due today is not yet overdue
        (date(2020, 11, 25), False, "overdue"),
        (date(2021, 6, 1), True, "responded"),  # a response ends it, however late
        (date(2020, 10, 1), True, "responded"),
    ],
)
def test_response_status(today: date, responded: bool, expected: str) -> None:
    assert rules.response_status(date(2020, 11, 24), responded, today) == expected


@pytest.mark.safeguard("K2")
def test_no_due_date_is_never_overdue() -> None:
    assert rules.response_status(None, False, date(2099, 1, 1)) == "open"


@pytest.mark.safeguard("K2")
@pytest.mark.parametrize(
    "status,accepted,expected",
    [
        ("accepted", True, "accepted"),
        ("partly accepted", True, "partly"),
        ("not accepted", False, "not_accepted"),
        ("awaiting response", None, "pending"),
        (None, None, "pending"),
        (None, True, "accepted"),
        (None, False, "not_accepted"),
    ],
)
def test_acceptance_from_the_document(status: str | None, accepted: bool | None, expected: str) -> None:
    assert rules.acceptance_from_parsed(status, accepted) == expected


# ------------------------------------------------------------------------------ K2 implementation
@pytest.mark.safeguard("K2")
def test_implementation_follows_acceptance_and_actions() -> None:
    assert rules.initial_implementation("not_accepted") == "not_accepted"
    assert rules.initial_implementation("accepted") == "not_started"
    assert rules.implementation_after_acceptance("not_accepted", "in_progress") == "not_accepted"
    assert rules.implementation_after_acceptance("accepted", "not_accepted") == "not_started"
    assert rules.implementation_after_acceptance("partly", "in_progress") == "in_progress"
    assert rules.implementation_after_action("not_started") == "in_progress"
    assert rules.implementation_after_action("implemented") == "implemented"


@pytest.mark.safeguard("K2")
def test_implemented_needs_no_open_actions_and_some_evidence() -> None:
    with pytest.raises(Refusal, match="still open") as open_actions:
        rules.check_implementation("implemented", acceptance="accepted", open_actions=2, evidence=1)
    assert open_actions.value.safeguard == "K2" and open_actions.value.status == 409
    with pytest.raises(Refusal, match="needs evidence"):
        rules.check_implementation("implemented", acceptance="accepted", open_actions=0, evidence=0)
    rules.check_implementation("implemented", acceptance="partly", open_actions=0, evidence=1)


@pytest.mark.safeguard("K2")
def test_not_accepted_only_for_a_recommendation_not_accepted() -> None:
    with pytest.raises(Refusal, match="did not accept"):
        rules.check_implementation("not_accepted", acceptance="accepted", open_actions=0, evidence=0)
    with pytest.raises(Refusal, match="was not accepted"):
        rules.check_implementation("in_progress", acceptance="not_accepted", open_actions=0, evidence=0)
    with pytest.raises(Invalid):
        rules.check_implementation("finished", acceptance="accepted", open_actions=0, evidence=0)
    rules.check_implementation("not_accepted", acceptance="not_accepted", open_actions=0, evidence=0)


@pytest.mark.safeguard("K2")
def test_action_status() -> None:
    due = date(2024, 3, 1)
    assert rules.action_status(due, False, date(2024, 3, 1)) == "open"
    assert rules.action_status(due, False, date(2024, 3, 2)) == "overdue"
    assert rules.action_status(due, True, date(2025, 1, 1)) == "done"


# ---------------------------------------------------------------------------------------- K2 RAG
def facts(**kw: object) -> RecommendationFacts:
    base: dict[str, object] = {
        "acceptance": "accepted",
        "implementation": "in_progress",
        "response_due": date(2024, 6, 30),
        "responded": True,
        "actions": (),
    }
    base.update(kw)
    return RecommendationFacts(**base)  # type: ignore[arg-type]


TODAY = date(2024, 6, 1)


@pytest.mark.safeguard("K2")
@pytest.mark.parametrize(
    "kw,colour,reason",
    [
        (
            {"responded": False, "response_due": date(2024, 5, 31)},
            "red",
            "Response overdue since 31 May 2024",
        ),
        (
            {"actions": (ActionFacts(date(2024, 5, 1), False), ActionFacts(date(2024, 5, 2), True))},
            "red",
            "1 action(s) overdue",
        ),
        ({"implementation": "implemented"}, "green", "Implemented"),
        (
            {"acceptance": "not_accepted", "implementation": "not_accepted"},
            "green",
            "Not accepted; response recorded",
        ),
        ({"responded": False, "response_due": date(2024, 6, 10)}, "amber", "Response due in 9 day(s)"),
        (
            {"responded": False, "response_due": date(2024, 8, 10)},
            "amber",
            "Awaiting response, due 10 Aug 2024",
        ),
        ({"responded": False, "response_due": None}, "amber", "Awaiting response (no due date known)"),
        ({"actions": ()}, "amber", "Accepted but no action planned"),
        ({"acceptance": "pending", "actions": ()}, "amber", "Responded; acceptance and actions not recorded"),
        ({"actions": (ActionFacts(date(2024, 6, 5), False),)}, "amber", "1 action(s) due soon"),
        ({"actions": (ActionFacts(date(2024, 9, 5), False),)}, "green", "On track"),
        (
            {"actions": (ActionFacts(date(2024, 5, 5), True),)},
            "amber",
            "Actions complete; mark implemented with evidence",
        ),
    ],
)
def test_red_amber_green_with_the_reason_in_words(kw: dict[str, object], colour: str, reason: str) -> None:
    result = rules.rag(facts(**kw), TODAY, POLICY)
    assert (result.colour, result.reason) == (colour, reason)
    assert result.label == colour.capitalize()


@pytest.mark.safeguard("K2")
def test_the_amber_window_comes_from_policy() -> None:
    soon = facts(responded=False, response_due=date(2024, 6, 20))
    assert rules.rag(soon, TODAY, POLICY).reason == "Awaiting response, due 20 Jun 2024"  # 19 days > 14
    wide = LearningPolicy(response_due_soon_days=30)
    assert rules.rag(soon, TODAY, wide).reason == "Response due in 19 day(s)"


# -------------------------------------------------------------------------------------- K2 alerts
@pytest.mark.safeguard("K2")
def test_alert_days_are_the_warning_window_and_the_day_after_due() -> None:
    assert rules.alert_dates(date(2020, 11, 24), 14) == (date(2020, 11, 10), date(2020, 11, 25))


@pytest.mark.safeguard("K2")
def test_first_alert_skips_to_overdue_for_a_deadline_already_past() -> None:
    due = date(2020, 11, 24)
    assert rules.first_alert(due, date(2020, 10, 1), 14) == (rules.ALERT_DUE_SOON, date(2020, 11, 10))
    assert rules.first_alert(due, date(2020, 11, 20), 14) == (rules.ALERT_DUE_SOON, date(2020, 11, 10))
    assert rules.first_alert(due, date(2020, 11, 25), 14) == (rules.ALERT_OVERDUE, date(2020, 11, 25))
    assert rules.first_alert(None, date(2020, 11, 25), 14) == (rules.ALERT_DONE, None)


@pytest.mark.safeguard("K2")
def test_after_due_soon_comes_overdue_then_nothing() -> None:
    due = date(2020, 11, 24)
    assert rules.next_alert(rules.ALERT_DUE_SOON, due, 14) == date(2020, 11, 25)
    assert rules.next_alert(rules.ALERT_OVERDUE, due, 14) is None


@pytest.mark.safeguard("K2")
def test_a_due_soon_alert_claimed_after_the_deadline_is_sent_as_overdue() -> None:
    due = date(2020, 11, 24)
    assert rules.alert_to_fire(rules.ALERT_DUE_SOON, due, date(2020, 11, 10), 14) == rules.ALERT_DUE_SOON
    assert rules.alert_to_fire(rules.ALERT_DUE_SOON, due, date(2020, 11, 24), 14) == rules.ALERT_DUE_SOON
    assert rules.alert_to_fire(rules.ALERT_DUE_SOON, due, date(2020, 11, 25), 14) == rules.ALERT_OVERDUE
    assert rules.alert_to_fire(rules.ALERT_OVERDUE, due, date(2020, 11, 25), 14) == rules.ALERT_OVERDUE


@pytest.mark.safeguard("K2")
@pytest.mark.parametrize(
    "key,value",
    [
        ("response_days", 0),
        ("response_days", 400),
        ("response_days", True),
        ("response_days", "56"),
        ("nonsense", 5),
        ("action_due_soon_days", -1),
    ],
)
def test_settings_are_checked(key: str, value: object) -> None:
    with pytest.raises(Invalid):
        rules.check_setting(key, value)


def test_a_valid_setting_passes() -> None:
    assert rules.check_setting("response_days", 28) == 28


# -------------------------------------------------------------------------------------------- K3
@pytest.mark.safeguard("K3")
def test_an_action_needs_an_owner_and_a_due_date() -> None:
    with pytest.raises(Refusal, match="owner and a due date") as refused:
        rules.check_answer(rules.AnswerIn("We brief staff", action="Audit logs", owner_id=3))
    assert refused.value.safeguard == "K3" and refused.value.details == {"field": "due_date"}
    with pytest.raises(Refusal, match="owner and a due date"):
        rules.check_answer(rules.AnswerIn("We brief staff", action="Audit logs", due=date(2030, 1, 1)))
    rules.check_answer(
        rules.AnswerIn("We brief staff", action="Audit logs", owner_id=3, due=date(2030, 1, 1))
    )


@pytest.mark.safeguard("K3")
def test_an_answer_is_words_and_an_owner_belongs_to_an_action() -> None:
    with pytest.raises(Invalid, match="answer is required"):
        rules.check_answer(rules.AnswerIn("   "))
    with pytest.raises(Invalid, match="describe the action"):
        rules.check_answer(rules.AnswerIn("Yes", owner_id=2))
    rules.check_answer(rules.AnswerIn("Yes, it could: we have no check", evidence="Dip sample, May"))


@pytest.mark.safeguard("K3")
def test_question_status_and_progress() -> None:
    assert rules.question_status(False, "") == "not answered"
    assert rules.question_status(True, "") == "answered"
    assert rules.question_status(True, "Audit logs") == "action planned"
    assert rules.question_status(True, "Audit logs", action_done=True) == "answered"
    p = rules.progress([True, False, True, False])
    assert (p.answered, p.total, p.percent, p.label) == (2, 4, 50, "2 of 4 answered")
    assert rules.progress([]).percent == 0


# ------------------------------------------------------------------------------------- K4 and K5
@pytest.mark.safeguard("K4")
@pytest.mark.parametrize(
    "kind,issue,number,force,code",
    [
        ("bulletin", 31, 2, "", "B31.2"),
        ("case_report", 41, 2, "", "I41.2"),
        ("recommendation_record", None, None, "Essex Police", "REC-ESSEX"),
        ("recommendation_record", None, None, "Avon and Somerset Constabulary", "REC-AVON"),
        ("bulletin", None, 2, "", ""),
        ("unknown", 3, 1, "", ""),
        ("recommendation_record", None, None, " ", ""),
    ],
)
def test_lesson_codes(kind: str, issue: int | None, number: int | None, force: str, code: str) -> None:
    assert rules.lesson_code(kind, issue=issue, number=number, force=force) == code


@pytest.mark.safeguard("K5")
def test_themes_compare_without_case_or_spacing() -> None:
    assert rules.theme_key("Neighbourhood  Policing ") == rules.theme_key("neighbourhood policing")
    assert rules.distinct_themes(["Call handling", "call  handling", "", " Custody "]) == [
        "Call handling",
        "Custody",
    ]


@pytest.mark.safeguard("K5")
def test_recurring_themes_are_seen_in_two_or_more_years_most_years_first() -> None:
    rows = [
        rules.ThemeYear("Call handling", 2016, 3),
        rules.ThemeYear("Call handling", 2017, 2),
        rules.ThemeYear("Call handling", 2022, 1),
        rules.ThemeYear("Custody", 2023, 9),
        rules.ThemeYear("Public protection", 2016, 8),
        rules.ThemeYear("Public protection", 2017, 4),
    ]
    assert rules.recurring(rows) == ["Call handling", "Public protection"]
    assert rules.recurring(rows, min_years=3) == ["Call handling"]


@pytest.mark.safeguard("K2")
def test_csv_cells_never_become_formulas() -> None:
    assert rules.csv_cell('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert rules.csv_cell("-1") == "'-1"
    assert rules.csv_cell("@SUM") == "'@SUM"
    assert rules.csv_cell("Essex Police") == "Essex Police"
    assert rules.csv_cell(None) == "" and rules.csv_cell(date(2020, 11, 24)) == "2020-11-24"


def test_dates_move_only_by_policy_days() -> None:
    assert rules.response_due(date(2024, 2, 28), POLICY) == date(2024, 2, 28) + timedelta(days=56)
