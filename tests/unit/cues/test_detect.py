"""C3 risk cues in free text: the pure detector (no database).

Each family's typical phrases raise a cue with the prompt it suggests; negations ("no weapons mentioned")
and hard negatives ("food court", "shot glass", "missing bin collection") do not; ages are computed, so
"13-year-old" is a child and "45-year-old" is not. The sentences are written for these tests, in the style
of control-room narrative, and are not taken from the evaluation set.
"""

from __future__ import annotations

from datetime import date

import pytest

from watchkeeper.cues import FAMILIES, Cue, detect, families, is_negated, prompts

AS_OF = date(2026, 6, 1)


def found(text: str) -> set[str]:
    return families(detect(text, today=AS_OF))


# ------------------------------------------------------------------------------------------ each family
@pytest.mark.safeguard("C3")
@pytest.mark.parametrize(("text", "family"), [
    ("Caller wants to reactivate a court order against her ex-husband, he has been in touch again.",
     "domestic_abuse"),
    ("She says they went through a bit of a domestic violence case last year.", "domestic_abuse"),
    ("Her partner threatened to kill her if she went to the police.", "domestic_abuse"),
    ("Caller whispering, says he hits me and I can't leave.", "domestic_abuse"),
    ("IP says her husband is very controlling and checks her phone every night.", "domestic_abuse"),
    ("She has a non-molestation order against him.", "domestic_abuse"),
    ("Male outside the station waving a machete.", "weapons_firearms"),
    ("Three shots fired from a passing car on the estate.", "weapons_firearms"),
    ("Firearms licensing confirm a shotgun certificate holder lives at the address.", "weapons_firearms"),
    ("He grabbed a kitchen knife from the drawer and came at her.", "weapons_firearms"),
    ("Patient has made two attempts to take his own life in recent weeks.", "suicide_self_harm"),
    ("Friend says she has taken an overdose of paracetamol.", "suicide_self_harm"),
    ("Male on the wrong side of the railings on the bridge, threatening to jump.", "suicide_self_harm"),
    ("Student has been self-harming again.", "suicide_self_harm"),
    ("Voluntary patient was on authorised leave and has not returned to the ward.", "missing"),
    ("Mum says her son hasn't come home from school.", "missing"),
    ("Prison reports an inmate failed to return from day release.", "missing"),
    ("Resident with dementia wandered off from the care home at teatime.", "missing"),
    ("PCSOs found a 13-year-old girl drunk in the park.", "children"),
    ("My son is 9 and he is on his own.", "children"),
    ("Toddler found alone in the road outside the shop.", "children"),
    ("Witness aged 15 saw the whole thing.", "children"),
    ("Caller's brother has paranoid schizophrenia and has stopped his medication.",
     "mental_health_learning_disability"),
    ("Man with a learning disability is being taken advantage of.", "mental_health_learning_disability"),
    ("Community psychiatric nurse asking for help with a Mental Health Act assessment.",
     "mental_health_learning_disability"),
    ("A man who befriended him has taken his spare key and his bank details.", "exploitation_blackmail"),
    ("She is being blackmailed by a man who has intimate images of her.", "exploitation_blackmail"),
    ("Neighbour thinks the flat has been cuckooed by a county line.", "exploitation_blackmail"),
    ("The man is in breach of his bail conditions by coming to the house.", "breach_of_bail_or_order"),
    ("There is a restraining order in place and he is not allowed to contact her.", "breach_of_bail_or_order"),
    ("Male on a curfew with an electronic tag seen out at midnight.", "breach_of_bail_or_order"),
])
def test_typical_phrases_raise_their_family(text: str, family: str) -> None:
    assert family in found(text)


@pytest.mark.safeguard("C3")
def test_every_family_has_a_default_prompt_and_reason() -> None:
    text = ("Her ex-partner has a knife, she has taken an overdose, her 12-year-old son is missing from home, "
            "he has schizophrenia, he is being blackmailed, and the ex is on bail not to contact her.")
    cues = detect(text, today=AS_OF)
    assert families(cues) == set(FAMILIES)
    for cue in cues:
        assert cue.suggestion in {"reclassify", "run_checks", "raise_grade"}
        assert cue.reason
    by_family = {p["family"]: p for p in prompts(cues)}
    assert by_family["domestic_abuse"]["category"] == "domestic_incident"
    assert by_family["missing"]["category"] == "missing_person"
    assert by_family["children"]["category"] == "child_protection"
    assert by_family["weapons_firearms"]["suggestion"] == "raise_grade"


# ------------------------------------------------------------------------------------------ negation
@pytest.mark.safeguard("C3")
@pytest.mark.parametrize(("text", "family"), [
    ("No weapons mentioned, two males arguing over a parking space.", "weapons_firearms"),
    ("She denies any domestic abuse; the call is about her car being keyed.", "domestic_abuse"),
    ("No children in the house, two flatmates arguing about the rent.", "children"),
    ("She doesn't have a court order against her brother, advised it is a civil matter.", "domestic_abuse"),
    ("Weapons: none seen.", "weapons_firearms"),
    ("Caller says there are no concerns about self-harm.", "suicide_self_harm"),
    ("He is not known to mental health services.", "mental_health_learning_disability"),
    ("No knives, guns or bats involved.", "weapons_firearms"),
    ("Children not present at the address.", "children"),
])
def test_negated_cues_are_marked_and_not_raised(text: str, family: str) -> None:
    assert family not in found(text)
    negated = [c for c in detect(text, today=AS_OF, include_negated=True) if c.family == family]
    assert negated and all(c.negated for c in negated)


@pytest.mark.safeguard("C3")
def test_not_missing_is_not_a_missing_cue() -> None:
    assert "missing" not in found("Not missing, he was at his mum's all along.")


@pytest.mark.safeguard("C3")
@pytest.mark.parametrize(("text", "family"), [
    # "not sure" does not negate what follows: the lesson's caller was not sure it was her ex-husband
    ("She is not sure if it was her ex-husband at the door.", "domestic_abuse"),
    ("She is no longer with her ex-partner but he keeps calling her.", "domestic_abuse"),
    ("No injuries reported, but he has a knife.", "weapons_firearms"),
    ("Outside No 14 a child is screaming.", "children"),
])
def test_pseudo_negations_and_clause_breaks_keep_the_cue(text: str, family: str) -> None:
    assert family in found(text)


@pytest.mark.safeguard("C3")
def test_is_negated_looks_only_at_the_cues_own_clause() -> None:
    text = "No injuries. He has a knife."
    start = text.index("knife")
    assert is_negated(text, start, start + len("knife")) is False
    text = "There was no sign of a knife."
    start = text.index("knife")
    assert is_negated(text, start, start + len("knife")) is True


# ------------------------------------------------------------------------------------------ hard negatives
@pytest.mark.safeguard("C3")
@pytest.mark.parametrize("text", [
    "Fight in the food court, security dealing.",
    "Caller's ex-colleague keeps posting rude comments about her.",
    "Broken shot glass behind the bar, customer cut his hand clearing up.",
    "A knife block he ordered was delivered to the wrong address.",
    "Residents complaining about a missing bin collection.",
    "Two males outside the bookies killing time, no offences.",
    "Caller's wallet is missing, left on the bus.",
    "Domestic burglary, rear door forced, occupants away.",
    "Nail gun stolen from a van on the industrial estate.",
    "The group outside were killing themselves laughing and throwing eggs.",
    "Minor RTC on the roundabout, no injuries, details exchanged.",
    "The 45-year-old driver failed to stop.",
    "Caller's cat hasn't come home for two days.",
    "Man took a shot at goal and broke the caller's window.",
    "Organisers of the suicide prevention charity walk asking about road closures.",
    "Customer at the dog grooming parlour refusing to pay.",
    "Caller's ex-boss will not pay her final wages.",
    "Caller asks about bailiffs at his door, advised civil matter.",
    "Advice wanted about a court order to make next door cut back his hedge.",
    "Heard screaming next door, went round, it was the couple watching a horror film, all fine.",
])
def test_hard_negatives_raise_nothing(text: str) -> None:
    assert found(text) == set()


# ------------------------------------------------------------------------------------------ ages
@pytest.mark.safeguard("C3")
@pytest.mark.parametrize(("text", "child"), [
    ("Victim is a 13-year-old girl.", True),
    ("Victim is a 17 year old boy.", True),
    ("Victim is an 18-year-old man.", False),
    ("Suspect, a 34-year-old male, detained.", False),
    ("Male (15) detained for shoplifting.", True),
    ("Caller is fifteen years old.", True),
    ("He is 6ft tall with a shaved head.", False),
    ("She is 5 months pregnant.", False),
])
def test_ages_are_computed_and_only_under_18_is_a_child(text: str, child: bool) -> None:
    assert ("children" in found(text)) is child


@pytest.mark.safeguard("C3")
def test_a_date_of_birth_becomes_an_age_on_the_given_day() -> None:
    text = "Subject DOB 12/05/2010, shoplifting."
    assert "children" in families(detect(text, today=date(2026, 5, 11)))  # 15, a day before 16
    assert "children" not in families(detect(text, today=date(2028, 5, 12)))  # 18 today
    [cue] = [c for c in detect(text, today=date(2026, 5, 11)) if c.family == "children"]
    assert cue.age == 15 and "age 15" in cue.reason


# ------------------------------------------------------------------------------------------ the cue itself
@pytest.mark.safeguard("C3")
def test_a_cue_says_what_matched_where_and_why() -> None:
    text = "999 call. Female states her ex-husband is banging on the door. Shouting heard."
    [cue] = [c for c in detect(text, today=AS_OF) if c.phrase == "ex-husband"]
    assert isinstance(cue, Cue)
    assert text[cue.start:cue.end] == "ex-husband"
    assert "ex-husband" in cue.snippet
    assert cue.family == "domestic_abuse" and cue.negated is False
    assert cue.suggestion == "reclassify" and cue.category == "domestic_incident"
    assert cue.as_dict()["phrase"] == "ex-husband"


@pytest.mark.safeguard("C3")
def test_typographic_apostrophes_match_like_plain_ones() -> None:
    assert "missing" in found("Her son hasn\u2019t come home from school.")


@pytest.mark.safeguard("C3")
def test_overlapping_matches_in_a_family_become_one_cue() -> None:
    cues = [c for c in detect("There is a domestic violence case ongoing.", today=AS_OF)
            if c.family == "domestic_abuse"]
    assert len(cues) == 1 and cues[0].phrase.lower().startswith("domestic violence")


@pytest.mark.safeguard("C3")
def test_prompts_give_one_decision_per_family_with_every_phrase() -> None:
    cues = detect("Her ex-partner threatened to kill her; the ex-partner has a DVPO.", today=AS_OF)
    da = [p for p in prompts(cues) if p["family"] == "domestic_abuse"]
    assert len(da) == 1
    assert "ex-partner" in da[0]["phrases"] and len(da[0]["phrases"]) >= 2


@pytest.mark.safeguard("C3")
def test_empty_text_has_no_cues() -> None:
    assert detect("") == [] and prompts([]) == []


@pytest.mark.safeguard("C3")
@pytest.mark.parametrize(("text", "expected"), [
    # distress explained by something else is not domestic abuse
    ("Caller says her son is frightened and has locked himself in his room after someone threatened to send a "
     "video of him to his followers unless he pays.", {"exploitation_blackmail"}),
    ("Her dad is frightened and hiding upstairs; he left a note saying sorry and says he will take all his "
     "tablets.", {"suicide_self_harm"}),
    # fear of a named partner or relative is abuse evidence of its own, whatever else is said
    ("Caller is frightened of her husband, she is hiding upstairs and he has said he will take all his tablets.",
     {"domestic_abuse", "suicide_self_harm"}),
    ("Caller is hiding upstairs from her partner, who is screaming at her.", {"domestic_abuse"}),
])
def test_distress_is_abuse_only_while_nothing_else_explains_it(text: str, expected: set[str]) -> None:
    assert found(text) == expected
