"""C3: a negation reaches only the cue it governs in its own clause, and threats reported in speech or
messages are cues. Sentences written for these tests in control-room style (not taken from the evaluation
set)."""

from __future__ import annotations

from datetime import date

import pytest

from watchkeeper.cues import detect, families, is_negated

AS_OF = date(2026, 6, 1)


def found(text: str) -> set[str]:
    return families(detect(text, today=AS_OF))


def negated(text: str, words: str) -> bool:
    start = text.index(words)
    return is_negated(text, start, start + len(words))


# ------------------------------------------------------------------------------------------ negation scope
@pytest.mark.safeguard("C3")
@pytest.mark.parametrize(("text", "family"), [
    # the negation governs "met", a relative clause; the main clause's cue stands
    ("A man I have never met is blackmailing me.", "exploitation_blackmail"),
    ("Someone she has never seen before is threatening to share her pictures unless she pays.",
     "exploitation_blackmail"),
    # a clause turned by "but", "and then", "because", "although", "when"
    ("She didn't say anything but he has a knife.", "weapons_firearms"),
    ("There was no trouble earlier and then he pulled out a knife.", "weapons_firearms"),
    ("Not a problem for her because he has a gun in the car.", "weapons_firearms"),
    ("He has never been violent although he did push her last night, he's her husband.", "domestic_abuse"),
    ("Nothing happened until now when he turned up with a machete.", "weapons_firearms"),
    # a relative clause carries its own negation, not the rest of the sentence
    ("The man who isn't from round here, who has no car, is carrying a knife.", "weapons_firearms"),
    ("Caller doesn't know the youths, who have a knife.", "weapons_firearms"),
])
def test_a_negation_does_not_reach_past_its_own_clause(text: str, family: str) -> None:
    assert family in found(text)


@pytest.mark.safeguard("C3")
@pytest.mark.parametrize(("text", "family"), [
    ("No weapons mentioned.", "weapons_firearms"),
    ("She says there are no weapons in the house.", "weapons_firearms"),
    ("He hasn't got a knife, just shouting.", "weapons_firearms"),
    ("Caller didn't see a knife.", "weapons_firearms"),
    ("No children at the address.", "children"),
    ("Denies any domestic abuse, the argument was with a taxi driver.", "domestic_abuse"),
    ("Never been reported missing before, he is at his mum's now.", "missing"),
])
def test_a_negation_still_cancels_the_cue_it_governs(text: str, family: str) -> None:
    assert family not in found(text)


@pytest.mark.safeguard("C3")
def test_is_negated_stops_at_a_new_predicate_after_the_negated_verb() -> None:
    assert negated("a man I have never met is blackmailing me", "blackmailing") is False
    assert negated("I have never met a man blackmailing me", "blackmailing") is False  # two words away
    assert negated("there has never been any blackmail", "blackmail") is True
    assert negated("no sign of any weapons", "weapons") is True


# ------------------------------------------------------------------------------------------ reported threats
@pytest.mark.safeguard("C3")
@pytest.mark.parametrize(("text", "expected"), [
    ("He said he'd shoot her.", {"weapons_firearms", "domestic_abuse"}),
    ("She told me he will kill her.", {"domestic_abuse"}),
    ("He's threatened to stab me.", {"weapons_firearms", "domestic_abuse"}),
    ("Texted saying he'd burn the house down.", {"weapons_firearms", "domestic_abuse"}),
    ("My neighbour says her boyfriend said he's going to stab her tonight.", {"weapons_firearms", "domestic_abuse"}),
    ("Her ex messaged her saying he would torch her car.", {"weapons_firearms", "domestic_abuse"}),
    ("Her brother said he would slash her face.", {"weapons_firearms", "domestic_abuse"}),
])
def test_a_threat_reported_in_speech_or_a_message_is_a_cue(text: str, expected: set[str]) -> None:
    assert expected <= found(text)


@pytest.mark.safeguard("C3")
@pytest.mark.parametrize(("text", "absent"), [
    # a stranger's threat is a weapons cue, not domestic abuse
    ("A male threatened to stab the shopkeeper.", "domestic_abuse"),
    ("The customer said he'd shoot him, according to the security guard.", "domestic_abuse"),
    # the same verbs with nothing to burn or shoot
    ("He said he'd burn the toast if she left him to cook.", "weapons_firearms"),
    ("She says she'll shoot off now, she is late for work.", "weapons_firearms"),
])
def test_look_alikes_of_reported_threats_stay_quiet(text: str, absent: str) -> None:
    assert absent not in found(text)


# ------------------------------------------------------------------------------------------ ages in words
@pytest.mark.safeguard("C3")
@pytest.mark.parametrize("text", [
    "My daughter is fifteen and she has gone off with an older man.",
    "There is a lad of about twelve on the railway bridge.",
    "Caller's son, who is seven, has been left alone.",
    "Her nephew, who's fourteen, has not come home.",
])
def test_ages_written_in_words_or_in_a_relative_clause_make_a_child(text: str) -> None:
    assert "children" in found(text)


@pytest.mark.safeguard("C3")
def test_an_adult_age_in_a_relative_clause_is_not_a_child() -> None:
    assert "children" not in found("Her son, who is thirty, lives with her.")
