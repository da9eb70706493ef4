"""L11: promises to a caller in narrative text, and when they fall due (pure, no database). Sentences written
for these tests (not taken from the promise evaluation set)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from watchkeeper.cues.evaluate import evaluate_promises, load_promise_set
from watchkeeper.cues.promises import due_at, find_promises, stated_due

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 3, 10, 15, 30, tzinfo=LONDON)


def phrases(text: str, speaker: str = "staff") -> list[str]:
    return [p.phrase for p in find_promises(text, speaker=speaker)]


@pytest.mark.safeguard("L11")
@pytest.mark.parametrize(("text", "phrase"), [
    ("I will call back.", "I will call"),
    ("I'll make enquiries about the number.", "I'll make enquiries"),
    ("We will update you.", "We will update"),
    ("Will ring you in 10 minutes.", "Will ring"),
    ("Someone will be in touch.", "Someone will be in touch"),
    ("I'll get an officer to pop round later.", "I'll get an officer"),
    ("Told her I would phone once the unit had been.", "I would phone"),
    ("Checked PNC and will let the caller know the result.", "will let the caller know"),
    ("The neighbourhood team will visit on Thursday.", "The neighbourhood team will visit"),
    ("I\u2019ll chase the CCTV and keep you updated.", "I\u2019ll chase"),
])
def test_our_promises_are_found(text: str, phrase: str) -> None:
    assert phrases(text) == [phrase]


@pytest.mark.safeguard("L11")
@pytest.mark.parametrize("text", [
    "He will call back.",
    "They said they'd ring but never did.",
    "Will you call me back?",
    "Caller asked whether we would ring her back.",
    "Her mum will ring the school in the morning.",
    "Caller was told yesterday that an officer would call.",
    "Advised to ring 101 if he returns.",
    "I will not be calling back, matter closed.",
    "No callback needed.",
    "Ambulance will attend within the hour.",
])
def test_what_is_not_our_promise_is_not_found(text: str) -> None:
    assert phrases(text) == []


@pytest.mark.safeguard("L11")
def test_a_callers_account_never_commits_the_force() -> None:
    assert phrases("I will ring back later.", speaker="caller") == []
    assert phrases("I will ring back later.", speaker="staff") == ["I will ring"]


@pytest.mark.safeguard("L11")
def test_one_promise_per_sentence_and_each_sentence_counts() -> None:
    text = "I'll ring the hospital and let you know. We will send someone tomorrow morning."
    found = find_promises(text)
    assert [p.phrase for p in found] == ["I'll ring", "We will send someone"]
    assert found[1].due_phrase == "tomorrow morning"
    assert text[found[1].start:found[1].end] == "We will send someone"


@pytest.mark.safeguard("L11")
@pytest.mark.parametrize(("phrase", "minutes"), [
    ("in 10 minutes", 10),
    ("within 20 mins", 20),
    ("in the next couple of hours", 120),
    ("in half an hour", 30),
    ("within the hour", 60),
    ("in an hour", 60),
    ("by 6pm", 150),
    ("at 4.45pm", 75),
    ("by 17:00", 90),
    ("at 9am", 17 * 60 + 30),  # passed today: tomorrow
    ("tomorrow morning", 17 * 60 + 30),
    ("tomorrow", 17 * 60 + 30),
    ("tomorrow afternoon", 22 * 60 + 30),
    ("this evening", 210),
    ("tonight", 210),
    ("this afternoon", 90),  # already begun: its end
])
def test_stated_times_are_placed_from_now(phrase: str, minutes: int) -> None:
    assert stated_due(phrase, NOW) == NOW + timedelta(minutes=minutes)


@pytest.mark.safeguard("L11")
@pytest.mark.parametrize("phrase", [None, "", "this morning", "at 13pm", "by 25:00"])
def test_times_that_cannot_be_placed_are_none(phrase) -> None:
    assert stated_due(phrase, NOW) is None


@pytest.mark.safeguard("L11")
def test_a_promise_with_no_time_is_due_after_the_default() -> None:
    [promise] = find_promises("I will call back.")
    assert due_at(promise, NOW, 60) == (NOW + timedelta(minutes=60), False)
    [promise] = find_promises("I will call back in 5 minutes.")
    assert due_at(promise, NOW, 60) == (NOW + timedelta(minutes=5), True)


@pytest.mark.safeguard("L11")
def test_the_promise_set_has_both_splits_and_meets_its_target_on_the_tuned_split() -> None:
    items = load_promise_set()
    assert len({i["id"] for i in items}) == len(items)
    held = [i for i in items if i["holdout"]]
    assert held and any(i["promise"] for i in held) and any(not i["promise"] for i in held)
    assert any(i["speaker"] == "caller" for i in items)
    report = evaluate_promises(items)
    assert report["tuned"]["precision"] >= 0.85 and report["tuned"]["recall"] >= 0.85, report["tuned"]
    assert report["targets"]["met"] is True
    assert report["holdout"]["items"] == len(held)


@pytest.mark.safeguard("L11")
@pytest.mark.parametrize(("text", "phrase"), [
    ("PC 2231 will ring the caller back after the briefing.", "PC 2231 will ring"),
    ("DC Okafor will phone her about the statement.", "DC Okafor will phone"),
    ("Inspector w/b in touch with the RP.", "Inspector w/b in touch"),
    ("Someone from CID will be in contact.", "Someone from CID will be in contact"),
    ("I'll ask the duty sergeant to ring him.", "I'll ask the duty sergeant to"),
    ("We'll do our best to have an officer with her before dark.", "We'll do our best to have an officer with"),
    ("Spoke to RP, will cb shortly.", "will cb"),
    ("Explained delay, cb to caller in 25 mins.", "cb to caller"),
    ("Callback scheduled for tomorrow.", "Callback"),
    ("Promised the RP an update after the search.", "Promised the RP an update"),
    ("Agreed to call the informant back at 5pm.", "Agreed to call"),
    ("PC 881 to attend and speak to the caller.", "PC 881 to attend and speak to"),
    ("RP will be contacted by the OIC.", "RP will be contacted"),
    ("Informant to be updated once the car is found.", "Informant to be updated"),
    ("I'll let her know if anything turns up on the ANPR.", "I'll let her know"),
])
def test_new_shapes_of_our_promises_are_found(text: str, phrase: str) -> None:
    assert phrases(text) == [phrase]


@pytest.mark.safeguard("L11")
@pytest.mark.parametrize("text", [
    "If the neighbour starts again we will send a unit.",
    "Should the vehicle return, we'll get officers there.",
    "We will ring her back if she texts the address.",
    'Caller read out the message: "I\'ll ring your mum and tell her everything."',
    "Ben, the caller's nephew, will call round tonight.",
    "Caller updated; I will update the log with the crime number.",
    "RP was promised a visit on Sunday, this did not happen.",
    "Caller says the OIC said he would ring but hasn't.",
    "Caller to ring back with the reg number.",
    "Caller has been updated that the unit is en route.",
    "Her solicitor will be contacted by the court.",
])
def test_new_kinds_of_non_promise_are_not_found(text: str) -> None:
    assert phrases(text) == []


@pytest.mark.safeguard("L11")
def test_a_decimal_time_or_abbreviation_does_not_end_the_sentence() -> None:
    [promise] = find_promises("Will ring the RP back by 7.15pm with the result.")
    assert promise.due_phrase == "by 7.15pm"
    assert promise.sentence == "Will ring the RP back by 7.15pm with the result."


@pytest.mark.safeguard("L11")
@pytest.mark.parametrize(("phrase", "minutes"), [
    ("in 20", 20),  # "ring back in 20": minutes
    ("in 10-15 mins", 15),  # a range is due at its end
    ("within 20 to 30 minutes", 30),
    ("within 2 days", 2 * 1440),
    ("by 1800", 150),
    ("at 1630 hrs", 60),
    ("for 1600hrs", 30),
    ("by 17:00 hrs", 90),
    ("tomorrow p.m.", 22 * 60 + 30),
    ("tomorrow a.m.", 17 * 60 + 30),
    ("tomorrow am", 17 * 60 + 30),
    ("later today", 6 * 60 + 30),  # the end of the day (22:00)
    ("today", 6 * 60 + 30),
    ("on Thursday", 2 * 1440 - 6 * 60 - 30),  # NOW is a Tuesday: Thursday 09:00
    ("Wednesday afternoon", 1440 - 90),
    ("this Tuesday evening", 210),  # today, not yet begun
    ("on Tuesday", 7 * 1440 - 6 * 60 - 30),  # today's morning has passed: next week
])
def test_new_stated_times_are_placed_from_now(phrase: str, minutes: int) -> None:
    assert NOW.weekday() == 1
    assert stated_due(phrase, NOW) == NOW + timedelta(minutes=minutes)


@pytest.mark.safeguard("L11")
def test_later_today_after_the_day_has_ended_cannot_be_placed() -> None:
    late = NOW.replace(hour=22, minute=30)
    assert stated_due("later today", late) is None


@pytest.mark.safeguard("L11")
@pytest.mark.parametrize(("text", "due_phrase"), [
    ("Told caller we'd ring back in 20.", "in 20"),
    ("Will update the RP within 10-15 minutes.", "within 10-15 minutes"),
    ("Callback booked for 1745hrs.", "for 1745hrs"),
    ("DS Hill will visit the IP on Monday afternoon.", "on Monday afternoon"),
])
def test_due_phrases_are_taken_from_the_promise(text: str, due_phrase: str) -> None:
    [promise] = find_promises(text)
    assert promise.due_phrase == due_phrase
