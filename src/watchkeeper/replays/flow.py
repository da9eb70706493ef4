"""Two calls three weeks apart: what the system knows travels with the log.

Not a case from the shared documents but the failure they share, acted out on a case of the team's own: the
context panel knew who she was, who her ex-partner was, that he held a firearms certificate and was under an
order protecting her and any child under 16; a number she read out was his; a handler promised to call back;
her special scheme reached its end date with nobody deciding. Each piece must reach the log, the dispatcher
and the crew at the moment someone decides: parties from the panel (C1), the caller's household (C2), cues in
her words (C3), the number indexed and checked (C5), the promise as a task (L11), one officer-safety summary
on the board and in the crew's circulation (L12), the class order (M3), the overdue scheme that keeps its
floor (M2, D5), dismissals the record contradicts (C2, M4), dismissed safeguarding prompts at close (L10), the
ungraded 999 log on the board (D1) and the second call about the same thing (L8).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from watchkeeper.replays.engine import Actor, Run
from watchkeeper.replays.issue41 import (
    _scheme_overdue_for,
    board_row,
    detail,
    new_unit,
    open_prompts,
    person,
    settle,
)

HER_PHONE = "07700 900561"
HER_HOME = "3 Orchard Close, Kingsbridge KB2 7RT"
HIS_PHONE = "07700 900562"
HIS_HOME = "41 Tanners Way, Kingsbridge KB3 2LP"
NEIGHBOUR_PHONE = "07700 900563"
LOW = {el: {"level": "low"} for el in ("threat", "harm", "risk", "vulnerability")}
HIGH = {el: {"level": "high"} for el in ("threat", "harm", "risk", "vulnerability")}


def _years_ago(years: int, days: int = 0) -> str:
    today = date.today()
    return (today.replace(year=today.year - years) - timedelta(days=days)).isoformat()


def _grade(actor: Actor, ref: str, grade: str, thrive: dict[str, Any]) -> dict[str, Any]:
    return {"grade": grade, "thrive": thrive, "expected_version": actor.version(ref),
            "rationale": "Officer-safety summary and the scheme's floor considered"}


def _badges(summary: dict[str, Any] | None) -> set[str]:
    return {b["kind"] for b in (summary or {}).get("badges", [])}


def case(run: Run, as_: Callable[[str], Actor]) -> None:
    records, handler, handler2 = as_("investigator"), as_("handler"), as_("handler2")
    supervisor = as_("supervisor")

    run.step("On record: Sara Quinn and her son Leo (15) at home; her ex-partner Dean Parr holds a firearms "
             "certificate and is under a restraining order protecting her and anyone under 16; a special scheme "
             "is on her home and her phone. (Its end date is compressed from three weeks to a few seconds.)")
    sara = person(records, "Sara", "Quinn", _years_ago(34), home=HER_HOME, phone=HER_PHONE)
    leo = person(records, "Leo", "Quinn", _years_ago(15, 40), home=HER_HOME)
    dean = person(records, "Dean", "Parr", _years_ago(38), home=HIS_HOME, phone=HIS_PHONE)
    records.do("POST", f"/api/people/{sara}/relationships", {"other_id": dean, "kind": "ex_partner"})
    review = (date.today() + timedelta(days=90)).isoformat()
    records.do("POST", "/api/markers", {"kind": "violence", "person_id": dean, "source": "Local intelligence",
                                        "review_at": review})
    records.do("POST", "/api/certificates", {"holder_id": dean, "address": HIS_HOME, "number": "SGC 77120",
                                             "expires_on": (date.today() + timedelta(days=400)).isoformat()})
    records.do("POST", "/api/orders", {
        "kind": "restraining", "restricted_id": dean, "protected_person_ids": [sara],
        "protected_classes": [{"max_age": 15}], "activities": ["No contact by social media"],
        "conditions": "Not to contact Sara Quinn or any child under 16, directly or indirectly",
        "starts_on": (date.today() - timedelta(days=60)).isoformat(),
        "ends_on": (date.today() + timedelta(days=300)).isoformat()})
    scheme = records.do("POST", "/api/schemes", {
        "victim_id": sara, "reason": "Ex-partner threatened her; firearms holder", "address": HER_HOME,
        "phone": HER_PHONE, "victim_told_how": "in person", "grade_floor": "emergency",
        "ends_at": (datetime.now(UTC) + timedelta(seconds=4)).isoformat(),
        "officer_id": records.staff_id("investigator")}).body

    first = _first_call(run, handler, supervisor, as_, sara=sara, leo=leo, dean=dean)

    run.step("Three weeks pass. The scheme reaches its end date and nobody decides: it stays in force as "
             "'review overdue', and its officer in charge is told.")
    if records.driver.wait_for_timers(lambda: _scheme_overdue_for(records, "Sara Quinn")):
        run.intervened("M2", "the undecided scheme stayed in force and its officer in charge was told")
    else:
        run.fail("M2: the scheme lapsed silently")

    _second_call(run, handler2, as_, first=first, scheme=scheme, dean=dean)


def _first_call(run: Run, handler: Actor, supervisor: Actor, as_: Callable[[str], Actor], *, sara: int, leo: int,
                dean: int) -> str:
    run.step("Three weeks ago: Sara rings 999. From her number the panel proposes her as the caller and "
             "Dean, her ex-partner with officer-safety markers, as involved. The handler attaches her and Leo, "
             "and raises the log before answering the proposal about Dean.")
    three_weeks_ago = datetime.now(UTC) - timedelta(days=21)
    raised = handler.do("POST", "/api/logs", {
        "contact": {"channel": "999", "caller_name": "Sara Quinn", "caller_phone": HER_PHONE, "caller_age": 34,
                    "received_at": three_weeks_ago.isoformat(),
                    "account": f"My ex keeps coming round. He said he'd shoot me if I called you. He has been "
                               f"texting my son from {HIS_PHONE}."},
        "category": "suspicious_circumstances", "summary": "Ex-partner calling round", "location": HER_HOME,
        "parties": [{"person_id": sara, "role": "caller"}, {"person_id": leo, "role": "witness"}]}).body
    ref = raised["reference"]
    proposal = next((p for p in open_prompts(handler, ref, "C1", "party_proposal")
                     if (p.get("details") or {}).get("person") == dean), None)
    if proposal:
        run.intervened("C1", proposal["text"])
    else:
        run.fail("C1: the ex-partner the panel found was not proposed on the log")

    seen = detail(handler, ref)
    mentioned = [p for p in seen["parties"] if p["role"] == "mentioned" and p["phone"]]
    if mentioned and any(c["kind"] == "previous_incidents_phone" for c in seen["checks"]):
        run.intervened("C5", f"the number she read out is on the log ({mentioned[0]['phone']}) with a check")
    else:
        run.fail("C5: the number in her account was not put on the log and checked")
    if open_prompts(handler, ref, "M3", "possible_breach"):
        run.intervened("M3", "his number, on a log with the people his order protects: possible breach")
    else:
        run.fail("M3: his number next to the people his order protects raised no possible breach")

    run.step("The proposal is answered: Dean goes on the log as the suspect.")
    handler.do("POST", f"/api/logs/{ref}/parties", {"role": "suspect", "person_id": dean})

    run.step("The child prompt is dismissed as 'caller is an adult'; Leo's date of birth says otherwise.")
    child = open_prompts(handler, ref, "C2", "child")
    if child:
        handler.attempt("POST", f"/api/prompts/{child[0]['id']}/decision",
                        {"accept": False, "reason": "Caller is an adult"}, expect="C2", status=400)
        handler.do("POST", f"/api/prompts/{child[0]['id']}/decision", {"accept": True})
    else:
        run.fail("C2: a 15-year-old on the log raised no child prompt")

    run.step("'He said he'd shoot me' is a weapons cue. Dismissing it as 'no weapons' is refused: he holds a "
             "certificate. Accepted, it flags the log, proposes Emergency and makes the firearms referral.")
    weapons = open_prompts(handler, ref, "C3", "cue_weapons_firearms")
    if not weapons:
        run.fail("C3: a reported threat to shoot her raised no weapons cue")
        return ref
    run.intervened("C3", weapons[0]["text"])
    handler.attempt("POST", f"/api/prompts/{weapons[0]['id']}/decision",
                    {"accept": False, "reason": "No weapons mentioned"}, expect="M4", status=400)
    handler.do("POST", f"/api/prompts/{weapons[0]['id']}/decision", {"accept": True})
    now = detail(handler, ref)
    if now["proposed_grade"] != "emergency" or not any(c["kind"] == "firearms_licensing" for c in now["checks"]):
        run.fail(f"C3/M4: accepting the cue proposed {now['proposed_grade']} with checks "
                 f"{sorted(c['kind'] for c in now['checks'])}")

    run.step("The handler grades it for a 60-minute response. Her phone is under the scheme: refused.")
    handler.attempt("POST", f"/api/logs/{ref}/grade", _grade(handler, ref, "priority", LOW), expect="D5")
    handler.do("POST", f"/api/logs/{ref}/grade", _grade(handler, ref, "emergency", HIGH))

    run.step("The handler writes: 'I will make enquiries about the number and call you back within the hour.'")
    handler.do("POST", f"/api/logs/{ref}/entries",
               {"text": "Told Sara I will make enquiries about the number and call you back within the hour."})
    promise = open_prompts(handler, ref, "L11", "promise")
    if promise:
        run.intervened("L11", promise[0]["text"])
        handler.do("POST", f"/api/prompts/{promise[0]['id']}/decision", {"accept": True})
    else:
        run.fail("L11: the promise to call back did not become a task prompt")

    run.step("The dispatcher's row and the crew's circulation carry one officer-safety summary: the firearms "
             "certificate and the order, not 'None recorded'.")
    dispatcher, crew = as_("dispatcher"), as_("officer")
    row = board_row(dispatcher, ref)
    callsign = new_unit(dispatcher, ref, "KQ", "Kingsbridge", [crew.staff_id("officer")])
    dispatcher.do("POST", f"/api/logs/{ref}/units", {"callsign": callsign})
    sent = next((a for a in crew.do("GET", f"/api/units/{callsign}/assignments").body if a["reference"] == ref),
                None)
    on_row = _badges((row or {}).get("risk_summary"))
    on_unit = _badges((sent or {}).get("summary", {}).get("risk_summary"))
    if {"firearms_certificate", "order"} <= on_row and on_row == on_unit:
        run.intervened("L12", f"board row and crew both show: {', '.join(sorted(on_row))}")
    else:
        run.fail(f"L12: board row shows {sorted(on_row)}, the crew {sorted(on_unit)}")

    run.step("Later the log is to close as 'advice given'. A safeguarding prompt was dismissed on it, so "
             "without a positive outcome it needs a supervisor's rationale.")
    for p in detail(handler, ref)["prompts"]:
        if p["state"] == "open" and p["kind"].startswith("cue_"):
            handler.do("POST", f"/api/prompts/{p['id']}/decision",
                       {"accept": False, "reason": "She says it is a dispute over contact with Leo"})
    for _ in range(2):  # accepting a prompt may require further checks
        settle(handler, ref, "Checked: held intelligence on both; firearms licensing told")
    for task in detail(handler, ref).get("tasks", []):
        if task.get("state") == "open":
            handler.do("POST", f"/api/tasks/{task['id']}/complete", {"result": "Rang Sara back; number is his"})
    for assignment in crew.do("GET", f"/api/units/{callsign}/assignments").body:
        for step in ("en_route", "at_scene", "cleared"):
            crew.do("POST", f"/api/assignments/{assignment['assignment']}", {"state": step})
    handler.do("GET", f"/api/logs/{ref}")
    handler.attempt("POST", f"/api/logs/{ref}/close", {"code": "advice_given"}, expect="L10")
    supervisor.do("GET", f"/api/logs/{ref}")
    supervisor.do("POST", f"/api/logs/{ref}/close", {
        "code": "advice_given", "authorisation_rationale": "Sara spoken to by the crew; Dean arrested elsewhere"})
    return ref


def _second_call(run: Run, handler: Actor, as_: Callable[[str], Actor], *, first: str, scheme: dict[str, Any],
                 dean: int) -> None:
    run.step("Today: a neighbour rings 999 about a man banging on Sara's door. The log sits on the dispatch "
             "board as ungraded, its clock running from the call.")
    dispatcher = as_("dispatcher")
    ctx = handler.do("GET", f"/api/context?phone={HIS_PHONE.replace(' ', '')}&purpose=the number he rang from").body
    if any(h["log"] == first for h in ctx["history"]):
        run.intervened("C5", f"the number Sara read out three weeks ago finds {first}")
    else:
        run.fail("C5: a lookup of the number she read out did not find her earlier log")
    ref = handler.do("POST", "/api/logs", {
        "contact": {"channel": "999", "caller_name": "Pat Neighbour", "caller_phone": NEIGHBOUR_PHONE,
                    "caller_age": 60, "account": "A man is banging on next door's door, shouting. Her boy is in."},
        "category": "suspicious_circumstances", "summary": "Man banging on door next door", "location": HER_HOME,
        "parties": [{"person_id": dean, "role": "suspect"}]}).body["reference"]
    row = board_row(dispatcher, ref)
    if row and row.get("ungraded"):
        run.intervened("D1", f"{ref} is on the board as not graded yet, its clock running")
    else:
        run.fail("D1: an ungraded 999 log is not on the dispatch board")

    run.step("Her address is the location: the overdue scheme still sets its floor.")
    held = handler.do("GET", f"/api/context?address={HER_HOME}&purpose=scheme floor").body
    if not any(s["id"] == scheme["id"] and s["state"] == "review_overdue" for s in held["schemes"]):
        run.fail("M2: the scheme past its end without a decision no longer protects her address")
    handler.attempt("POST", f"/api/logs/{ref}/grade", _grade(handler, ref, "priority", LOW), expect="D5")
    handler.do("POST", f"/api/logs/{ref}/grade", _grade(handler, ref, "emergency", HIGH))

    run.step("Minutes later Sara rings too. Her number is on an open log: the handler is offered it first, "
             "and a new log without a reason is refused.")
    second: dict[str, Any] = {"contact": {"channel": "999", "caller_name": "Sara Quinn", "caller_phone": HER_PHONE,
                          "caller_age": 34, "account": "He's outside again, banging on the door."},
              "category": "domestic_incident", "summary": "Ex-partner at the door", "location": HER_HOME}
    handler.attempt("POST", "/api/logs", second, expect="L8", status=409)
    handler.do("POST", f"/api/logs/{ref}/contacts", second["contact"])
