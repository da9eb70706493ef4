"""A dismissal cannot contradict the record (C1, C2, C3, M4): the pure rule over a reason's words and plain
facts. Paraphrases are recognised; negation and doubt just before a claim mean no claim is made."""

from __future__ import annotations

import pytest

from tests.support.policy import policy
from watchkeeper.core.errors import Refusal
from watchkeeper.core.policy import Policy
from watchkeeper.people import rules
from watchkeeper.people.rules import AgeFact, CertificateFact, DismissalFacts

POLICY = Policy()
CHILD = AgeFact("Mia Cole", 16, "victim")
CHILD_CALLER = AgeFact("the caller", 15, "caller")
GROWN = AgeFact("Dan Cole", 41, "suspect")
CERT = CertificateFact("Dan Cole", "FAC-0042", "linked to Ann Cole, a party on this log")
AGES = DismissalFacts(ages=(CHILD, GROWN), child_prompt=True)
ARMS = DismissalFacts(certificates=(CERT,))
HISTORY = DismissalFacts(earlier_logs=3, newest_earlier="20261101-0007")
EVERYTHING = DismissalFacts(ages=(CHILD, GROWN), certificates=(CERT,), earlier_logs=3,
                            newest_earlier="20261101-0007", child_prompt=True)


def claim(reason: str, facts: DismissalFacts = EVERYTHING, p: Policy = POLICY) -> str | None:
    found = rules.dismissal_contradiction(reason, facts, p)
    return found.claim if found else None


ADULT_CLAIMS = [
    "adult", "Adult.", "caller is an adult", "Caller is an adult", "she is an adult", "they are adults",
    "all adults at the address", "both adults", "over 18", "caller over eighteen", "aged 18+",
    "18 or over", "eighteen and over", "not a child", "she's not a minor", "caller not under 18",
    "grown up", "no children involved", "no kids present", "nobody under 18 there", "caller is 34",
    "victim aged 19", "he is 25 years old", "IP 30 yrs", "adult caller, no concerns", "Adult female",
    "spoke to him, he is an adult; no concerns",
]
NOT_ADULT_CLAIMS = [
    "not an adult", "caller is not an adult", "isn't an adult", "she is 16", "aged 16, parents informed",
    "no adult present", "without an adult", "referred to adult social care", "adult services informed",
    "unsure whether over 18", "can't confirm she is an adult", "child safeguarding referral made",
    "mother is aware", "flat is 25 High Street", "unit 18 is closed", "",
]


@pytest.mark.safeguard("C2")
@pytest.mark.parametrize("reason", ADULT_CLAIMS)
def test_claims_of_adulthood_are_refused_when_a_party_is_under_18(reason: str) -> None:
    found = rules.dismissal_contradiction(reason, AGES, POLICY)
    assert found is not None and found.claim == "adult" and found.safeguard == "C2", reason
    assert "Mia Cole" in found.message and "16" in found.message


@pytest.mark.safeguard("C2")
@pytest.mark.parametrize("reason", NOT_ADULT_CLAIMS)
def test_words_that_do_not_claim_adulthood_are_not_refused(reason: str) -> None:
    assert claim(reason, AGES) is None, reason


@pytest.mark.safeguard("C2")
def test_adulthood_is_only_contradicted_by_someone_under_age() -> None:
    grown_only = DismissalFacts(ages=(GROWN,), child_prompt=True)
    assert claim("caller is an adult", grown_only) is None
    assert claim("adult", DismissalFacts()) is None
    assert claim("adult", DismissalFacts(ages=(AgeFact("Sam", 17, "caller"),))) == "adult"
    assert claim("adult", DismissalFacts(ages=(AgeFact("Sam", 18, "caller"),))) is None


@pytest.mark.safeguard("C2")
def test_the_age_of_a_child_comes_from_policy() -> None:
    fifteen = DismissalFacts(ages=(AgeFact("Sam", 16, "caller"),))
    assert claim("over 18", fifteen, policy(child_age_under=16)) is None
    assert claim("over 18", fifteen, policy(child_age_under=18)) == "adult"
    assert claim("she is 17", fifteen, policy(child_age_under=16)) is None  # 17 is grown under that policy
    assert claim("she is 17", fifteen, policy(child_age_under=18)) is None  # and a child's age otherwise


@pytest.mark.safeguard("C2")
def test_a_claim_about_the_caller_is_tested_against_the_caller_unless_the_prompt_is_about_a_child() -> None:
    other_prompt = DismissalFacts(ages=(CHILD, GROWN), child_prompt=False)
    assert claim("caller is an adult", other_prompt) is None  # the 16-year-old is the victim, not the caller
    assert claim("caller is an adult", AGES) == "adult"  # the child prompt is about the 16-year-old
    assert claim("victim is an adult", other_prompt) == "adult"
    assert claim("adult", other_prompt) == "adult"  # no one named: everyone on the log
    recorded = DismissalFacts(ages=(CHILD_CALLER,), child_prompt=False)
    found = rules.dismissal_contradiction("caller is over 18", recorded, POLICY)
    assert found is not None and "the caller (caller) is 15" in found.message


WEAPON_CLAIMS = [
    "no weapons", "No weapons mentioned", "no firearms", "no guns", "no guns in the house",
    "no access to weapons", "no known firearms", "not armed", "he is unarmed", "caller says no weapons",
    "nothing to suggest any firearms", "doesn't have any guns", "does not own a shotgun", "without weapons",
    "weapons not mentioned", "firearms were not seen", "no weapons, no injuries",
]
NOT_WEAPON_CLAIMS = [
    "weapons seen in the kitchen", "firearms referral made", "not sure there are no weapons",
    "can't confirm no weapons", "cannot rule out weapons", "he has a shotgun", "no injuries",
    "armed response requested", "no concerns about his mental health", "",
]


@pytest.mark.safeguard("M4")
@pytest.mark.parametrize("reason", WEAPON_CLAIMS)
def test_denying_weapons_is_refused_when_a_certificate_is_held(reason: str) -> None:
    found = rules.dismissal_contradiction(reason, ARMS, POLICY)
    assert found is not None and found.claim == "no_weapons" and found.safeguard == "M4", reason
    assert "Dan Cole" in found.message and "FAC-0042" in found.message


@pytest.mark.safeguard("M4")
@pytest.mark.parametrize("reason", NOT_WEAPON_CLAIMS)
def test_words_that_do_not_deny_weapons_are_not_refused(reason: str) -> None:
    assert claim(reason, ARMS) is None, reason


@pytest.mark.safeguard("M4")
def test_denying_weapons_stands_when_no_certificate_is_held() -> None:
    assert claim("no weapons", DismissalFacts(ages=(GROWN,))) is None


HISTORY_CLAIMS = [
    "no history", "No previous", "no previous incidents", "no prior calls", "no police history",
    "no previous history", "no trace", "first time", "first time caller", "this is the first call",
    "first ever report", "never called before", "has never reported anything", "not known to police",
    "unknown to us", "nothing known", "nothing on the system", "no previous calls from this number",
    "no previous logs",
]
NOT_HISTORY_CLAIMS = [
    "not the first time", "it isn't the first time he has done this", "previous history reviewed",
    "history of calls checked, 3 logs", "no history of violence", "no previous DA", "no previous domestic",
    "no prior threats", "unsure whether there is no history", "no concerns", "",
]


@pytest.mark.safeguard("C1")
@pytest.mark.parametrize("reason", HISTORY_CLAIMS)
def test_denying_history_is_refused_when_earlier_logs_are_held(reason: str) -> None:
    found = rules.dismissal_contradiction(reason, HISTORY, POLICY)
    assert found is not None and found.claim == "no_history" and found.safeguard == "C1", reason
    assert "3 earlier logs" in found.message and "20261101-0007" in found.message


@pytest.mark.safeguard("C1")
@pytest.mark.parametrize("reason", NOT_HISTORY_CLAIMS)
def test_words_that_do_not_deny_history_are_not_refused(reason: str) -> None:
    assert claim(reason, HISTORY) is None, reason


@pytest.mark.safeguard("C1")
def test_history_denial_stands_without_earlier_logs_and_counts_are_worded() -> None:
    assert claim("no history", DismissalFacts()) is None
    one = rules.dismissal_contradiction("first time", DismissalFacts(earlier_logs=1, newest_earlier="R1"), POLICY)
    assert one is not None and "1 earlier log is held" in one.message


@pytest.mark.safeguard("C3")
def test_each_clause_is_judged_on_its_own() -> None:
    assert claim("not a child protection matter but no weapons", ARMS) == "no_weapons"
    assert claim("it is not the first time, but no weapons", HISTORY) is None
    assert claim("caller is not an adult; no history", EVERYTHING) == "no_history"
    assert claim("she is not an adult and there are no guns", ARMS) == "no_weapons"
    assert claim("not sure about weapons. Adult caller", AGES) == "adult"


@pytest.mark.safeguard("C2")
def test_the_refusal_is_a_400_naming_the_safeguard_and_the_data() -> None:
    with pytest.raises(Refusal) as exc:
        rules.check_dismissal("Caller is an adult", AGES, POLICY)
    r = exc.value
    assert r.status == 400 and r.safeguard == "C2"
    assert r.details["record"] == [{"name": "Mia Cole", "role": "victim", "age": 16}]
    assert r.details["said"].lower().endswith("adult")
    rules.check_dismissal("Handled on the linked log", EVERYTHING, POLICY)  # no claim: nothing raised
