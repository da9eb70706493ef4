"""L10 with dismissed safeguarding prompts, the outcome a closer must choose, and L9's reviewer settings:
pure rules, no database."""

from __future__ import annotations

import pytest

from watchkeeper.core.errors import Invalid, Refusal
from watchkeeper.core.policy import Policy
from watchkeeper.incidents import rules
from watchkeeper.incidents.rules import ReviewerFact

POLICY = Policy()
CHILD = {"id": 7, "safeguard": "C2", "kind": "child", "text": "Mia Cole is under 18: consider child safeguarding.",
         "reason": "Mother is with her", "by": "Handler"}
DA = {"id": 8, "safeguard": "C3", "kind": "cue_domestic_abuse", "text": "Domestic abuse cue", "reason": "Historic",
      "by": "Handler"}


def close(code: str, *, flags: tuple[str, ...] = (), dismissed: tuple[dict, ...] = (), role: str = "call_handler",
          rationale: str = "") -> bool:
    return rules.check_closing_outcome(flags=list(flags), code=code, closer_role=role,
                                       authorisation_rationale=rationale, policy=POLICY, dismissed=dismissed)


@pytest.mark.safeguard("L10")
def test_a_dismissed_safeguarding_prompt_needs_a_positive_outcome() -> None:
    with pytest.raises(Refusal) as exc:
        close("advice_given", dismissed=(CHILD,))
    r = exc.value
    assert r.safeguard == "L10" and "1 safeguarding prompt dismissed" in r.message and "Mia Cole" in r.message
    assert r.details["dismissed_prompts"] == [CHILD] and "seen_safe" in r.details["positive_outcomes"]
    assert close("seen_safe", dismissed=(CHILD,)) is False
    assert close("spoken_to_safe", dismissed=(CHILD, DA)) is False


@pytest.mark.safeguard("L10")
@pytest.mark.parametrize("role", ["supervisor", "controller", "duty_inspector"])
def test_a_supervisor_closes_it_with_a_rationale(role: str) -> None:
    assert close("no_further_action", dismissed=(CHILD, DA), role=role, rationale="Spoke to the mother") is True
    with pytest.raises(Refusal):
        close("no_further_action", dismissed=(CHILD,), role=role, rationale="   ")


@pytest.mark.safeguard("L10")
def test_a_handlers_rationale_does_not_authorise_and_the_message_names_flag_and_prompts() -> None:
    with pytest.raises(Refusal) as exc:
        close("advice_given", flags=("child",), dismissed=(CHILD, DA), rationale="I am sure")
    assert "is flagged (" in exc.value.message and "2 safeguarding prompts dismissed" in exc.value.message


@pytest.mark.safeguard("L10")
def test_nothing_dismissed_and_nothing_flagged_closes_with_any_outcome() -> None:
    assert close("advice_given") is False


@pytest.mark.safeguard("L10")
def test_no_outcome_is_chosen_for_the_closer() -> None:
    with pytest.raises(Invalid) as exc:
        close("")
    assert exc.value.details == {"field": "code"} and exc.value.status == 400
    with pytest.raises(Refusal) as never:
        close("no_units_available", dismissed=(CHILD,), role="supervisor", rationale="x")
    assert never.value.safeguard == "L10"


def staff(pk: int, *, active: bool = True, may_review: bool = True) -> ReviewerFact:
    return ReviewerFact(pk, f"Person {pk}", "Call handler", active, may_review)


@pytest.mark.safeguard("L9")
def test_reviewer_and_deputy_are_two_active_people_who_may_review() -> None:
    rules.check_intake_reviewers(staff(1), staff(2))
    cases = [((staff(1), staff(1)), "deputy_id", "both reviewer and deputy"),
             ((staff(1, active=False), staff(2)), "reviewer_id", "not active"),
             ((staff(1), staff(2, active=False)), "deputy_id", "not active"),
             ((staff(1, may_review=False), staff(2)), "reviewer_id", "cannot own a review"),
             ((staff(1), staff(2, may_review=False)), "deputy_id", "cannot own a review")]
    for (reviewer, deputy), field, says in cases:
        with pytest.raises(Refusal) as exc:
            rules.check_intake_reviewers(reviewer, deputy)
        r = exc.value
        assert (r.status, r.safeguard, r.details["field"]) == (400, "L9", field) and says in r.message
