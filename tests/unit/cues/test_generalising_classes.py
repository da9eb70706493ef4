"""C3: classes of phrasing that the rules recognise however a caller words them, and the hard negatives that
stand a family down. Every sentence here was written for these tests in control-room style, from the class
it stands for (indirect suicidal intent, someone gone in everyday words, county lines and online grooming in
the words children and parents use, an offender's named order or notification duty); none is taken from the
labelled set or the held-out batches.

Rules are checked alone (`model=None`) so a test shows the class is caught by the rules, not by the learned
model happening to know a word; the stand-downs are checked with the shipped model too, because a family
that is stood down must not come back through the model.
"""

from __future__ import annotations

from datetime import date

import pytest

from watchkeeper.cues import detect, families, prompts

AS_OF = date(2026, 6, 1)


def rules(text: str) -> set[str]:
    return families(detect(text, today=AS_OF, model=None))


def everything(text: str) -> set[str]:
    return families(detect(text, today=AS_OF))


# ------------------------------------------------------------------------------------ suicide and self-harm
@pytest.mark.safeguard("C3")
@pytest.mark.parametrize("text", [
    # farewells and affairs put in order
    "Her brother phoned her at midnight and said his goodbyes, then switched off.",
    "He has written notes to each of his children and left them on the hall table.",
    "Caller's uncle has sorted out his affairs this week and told her this is goodbye.",
    "She gave her cat to her neighbour this morning and said she won't be needing it.",
    # hopelessness in the caller's own words
    "Texted his sister: there's no point any more, tell mum I tried.",
    "Male says he can't cope no more with any of it and wants it to stop.",
    "She keeps saying she's done with life and nobody would notice.",
    "Her dad said he's not going to be a burden to the family any longer.",
    # a high place or the far side of a barrier
    "Lorry driver reports a man standing on the ledge of the flyover looking down at the traffic.",
    "Young woman on the roof of the tower block says she is not coming down.",
    "Passer-by sees a lad outside of the railings on the bridge, legs dangling.",
    # means made ready in a car
    "Her partner is in his van in the quarry car park with a hosepipe going in through the window.",
    # self-injury other than cutting
    "Mum says her 15-year-old is starving herself and scratches her arms until they bleed.",
    "He bangs his head against the wall when he's upset and says he wanted it to hurt.",
    "School reports fresh cuts on both forearms of a year 10 pupil.",
    # a place to die mentioned
    "Wife says he went out after dinner and kept saying the viaduct, over and over.",
])
def test_indirect_suicidal_intent_is_a_cue(text: str) -> None:
    assert "suicide_self_harm" in rules(text), text


@pytest.mark.safeguard("C3")
@pytest.mark.parametrize("text", [
    "The cat is on the roof of the multi-storey and won't come down, can the fire service help.",
    "Scaffolder sitting on the railings of the balcony having his lunch, no concerns.",
    "He was washing the car with the hosepipe in the garden when the neighbour shouted.",
])
def test_heights_and_hoses_without_a_person_at_risk_are_not(text: str) -> None:
    assert "suicide_self_harm" not in rules(text), text


# ------------------------------------------------------------------------------------------------ missing
@pytest.mark.safeguard("C3")
@pytest.mark.parametrize("text", [
    "Her grandson went to the chip shop at six and he never came back, phone off.",
    "Dad says his daughter, 13, was meant to be home by nine from netball.",
    "Care worker says the resident has gone from the house in his slippers.",
    "Her twin brother was playing by the pond a minute ago and is now gone.",
    "Mum of a 16-year-old, no contact since Friday teatime, not like him at all.",
    "Partner says she left her phone and purse on the table and walked out four hours ago.",
    "Lad aged 14 missing from his placement since the weekend.",
    "Sister says he hasn't been back since Tuesday and his phone goes to voicemail.",
])
def test_someone_gone_in_everyday_words_is_missing(text: str) -> None:
    assert "missing" in rules(text), text


@pytest.mark.safeguard("C3")
@pytest.mark.parametrize("text", [
    # the person has been found: the earlier words no longer describe someone missing
    "Update: misper Jordan located safe and well at his uncle's address. Log to close.",
    "Caller rang back, the missing woman has now returned home, all fine, cancel.",
    # a pet, not a person
    "Our spaniel has been missing since lunchtime from the park, she's microchipped.",
    "Her tortoise has gone missing from the garden again.",
])
def test_found_people_and_pets_are_not_missing(text: str) -> None:
    assert "missing" not in everything(text), text


@pytest.mark.safeguard("C3")
def test_a_fresh_disappearance_after_an_old_find_is_still_missing() -> None:
    text = "Last month he was located safe and well in Leeds. Today he has not come home and no one has seen him."
    assert "missing" in rules(text)


# ----------------------------------------------------------------------------------- exploitation, blackmail
@pytest.mark.safeguard("C3")
@pytest.mark.parametrize("text", [
    # county lines, in children's and parents' words
    "Mum found a burner phone in her 15-year-old's school bag and texts about going country.",
    "Teacher says two year 9 boys keep talking about shotting for an older lad.",
    "Neighbour says teenagers not from round here go into number 4 and come out with rucksacks.",
    # goods a child cannot account for, and a debt
    "Her son, 14, has new designer trainers his parents didn't buy and says he owes them now.",
    # an adult after a child online
    "Her 12-year-old says a man on a game keeps asking her age and what she's wearing.",
    "An adult sent her daughter Robux and then asked for a photo of her in bed, she's eleven.",
    "A man in a silver car has been giving lifts to year 8 girls after school.",
    # sextortion: send more or the pictures go out
    "Caller, 19, says the account wants more pictures or it goes to all his followers.",
    "Student says someone is demanding £200 in gift cards or they'll send the video to his college.",
    # cuckooing and benefits taken from a vulnerable adult
    "Tenant with learning difficulties says his 'friends' took his keys and he isn't allowed in his own flat.",
    "Carer says the client is being made to withdraw his PIP each Friday and hand it to a neighbour.",
])
def test_exploitation_in_the_words_people_use_is_a_cue(text: str) -> None:
    assert "exploitation_blackmail" in rules(text), text


@pytest.mark.safeguard("C3")
@pytest.mark.parametrize("text", [
    # a phone and a new outfit are not exploitation with no child and no debt in sight
    "Her husband has a second phone hidden in the shed, she thinks he is having an affair.",
    "Man says a debt collector is demanding money for a parking charge.",
])
def test_adult_second_phones_and_debts_are_not_exploitation(text: str) -> None:
    assert "exploitation_blackmail" not in rules(text), text


# ------------------------------------------------------------------------------------ bail, orders, notices
@pytest.mark.safeguard("C3")
@pytest.mark.parametrize("text", [
    "Offender manager says the RSO has failed to notify a new address and is staying with a woman with kids.",
    "He is a registered sex offender and has been seen outside the primary school.",
    "Male subject to a criminal behaviour order is back in the precinct shouting at shoppers.",
    "She has an SHPO - no unsupervised contact with children - and is babysitting next door.",
    "The pub has banned him from entering since the fight and he is inside again.",
])
def test_named_orders_and_notification_duties_are_cues(text: str) -> None:
    assert "breach_of_bail_or_order" in rules(text), text


# ------------------------------------------------------------------------------------------ domestic abuse
@pytest.mark.safeguard("C3")
@pytest.mark.parametrize("text", [
    "Her sister says the boyfriend broke her arm at Christmas and she still goes back to him.",
    "Ex has left 30 voicemails since midnight, the last saying if he can't have her nobody will.",
    "Mum says her son is banging on the back door demanding to be let in.",
])
def test_abuse_in_other_words_is_a_cue(text: str) -> None:
    assert "domestic_abuse" in rules(text), text


@pytest.mark.safeguard("C3")
@pytest.mark.parametrize("text", [
    # figures of speech and false alarms
    "Neighbour says 'I'll kill them if that dog barks again' - said it was a figure of speech, no threats.",
    "Heard a woman yelling he's going to kill me next door; turned out it was a horror film on loud.",
    "Report of a man with a gun near the park with his dad; it's a kid with a plastic toy gun.",
    # a man who is nobody's partner
    "Caller was punched by a bloke at the bus stop last year, the bloke got a caution.",
    # a former partner who is only the one at risk
    "Her ex-husband has texted that he's sorry for everything and has taken all his tablets.",
])
def test_figures_of_speech_false_alarms_and_bystanders_are_not_abuse(text: str) -> None:
    assert "domestic_abuse" not in everything(text), text


@pytest.mark.safeguard("C3")
def test_a_stood_down_family_returns_when_words_after_the_false_alarm_raise_it() -> None:
    text = "Screams turned out to be the telly. Then she said her husband hit her last week."
    assert "domestic_abuse" in rules(text)


@pytest.mark.safeguard("C3")
def test_each_new_prompt_names_the_words_that_raised_it() -> None:
    text = "Her 13-year-old came home with new designer trainers she didn't buy and says he owes them."
    [prompt] = [p for p in prompts(detect(text, today=AS_OF, model=None)) if p["family"] == "exploitation_blackmail"]
    assert prompt["source"] == "rules"
    assert [text[s:e] for s, e in prompt["spans"]] == prompt["phrases"]
    assert any("trainers" in phrase or "owes" in phrase for phrase in prompt["phrases"])
