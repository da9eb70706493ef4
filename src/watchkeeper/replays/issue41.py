"""Replay of issue 41, case 2 (November 2022): failure to identify risks to protect a victim of domestic
abuse. The parts the people-and-context safeguards answer: the earlier switchboard call and the email to an
absent officer are found at the next call (L8, C1); her words raise the domestic-abuse cue (C3) and the
policy grade (C4); her special scheme cannot lapse or be deleted silently and, while it stands, sets the
grade floor (M2, D5); intelligence checks are tasks that block closing (C5). Dispatch: the crew get the
whole picture, not the first line (L12); the divert tags her log, puts it back on the pending queue with its
clock running and asks the controller to decide (D2); and the target cannot pass unseen: alerts at 50%, 80%
and the breach, escalating until a person in the chain acknowledges them (D1)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote

from watchkeeper.replays.engine import Actor, Run

MS_A_PHONE = "07700 900411"
MS_A_HOME = "14 Beech Grove, Kingsbridge KB4 1AA"
LOW = {el: {"level": "low"} for el in ("threat", "harm", "risk", "vulnerability")}


# -------------------------------------------------------- steps shared by the people-and-context replays
def person(actor: Actor, given: str, family: str, dob: str, *, home: str = "", phone: str = "") -> int:
    """A person in the nominal index with their current address and phone."""
    pid = int(actor.do("POST", "/api/people", {"given_names": given, "family_name": family, "dob": dob}).body["id"])
    if home:
        actor.do("POST", f"/api/people/{pid}/residences", {"address": home, "current": True})
    if phone:
        actor.do("POST", f"/api/people/{pid}/phones", {"phone": phone})
    return pid


def detail(actor: Actor, ref: str) -> dict[str, Any]:
    body: dict[str, Any] = actor.do("GET", f"/api/logs/{ref}").body
    return body


def open_prompts(actor: Actor, ref: str, safeguard: str, kind: str = "") -> list[dict[str, Any]]:
    return [p for p in detail(actor, ref)["prompts"]
            if p["state"] == "open" and p["safeguard"] == safeguard and (not kind or p["kind"] == kind)]


def settle(actor: Actor, ref: str, result: str) -> None:
    """Record every outstanding check and answer every open prompt (the log's earlier life, done right)."""
    seen = detail(actor, ref)
    for check in seen["checks"]:
        if check["state"] == "outstanding":
            actor.do("POST", f"/api/checks/{check['id']}", {"result": result, "system": "force systems"})
    for prompt in seen["prompts"]:
        if prompt["state"] == "open":
            actor.do("POST", f"/api/prompts/{prompt['id']}/decision", {"accept": True})


def past_log(actor: Actor, checker: Actor, raise_body: dict[str, Any], parties: list[tuple[str, int]], *,
             result: str, code: str) -> str:
    """An earlier incident on record: raised, its people linked, its checks and prompts dealt with, closed.
    (Left ungraded: its response is history, not part of the replay.)"""
    ref: str = actor.do("POST", "/api/logs", raise_body).body["reference"]
    for role, pid in parties:
        actor.do("POST", f"/api/logs/{ref}/parties", {"role": role, "person_id": pid})
    settle(checker, ref, result)
    actor.do("GET", f"/api/logs/{ref}")
    actor.do("POST", f"/api/logs/{ref}/close", {"code": code})
    return ref


# ------------------------------------------------------------------------- steps shared by dispatch replays
# Replay time is compressed: a minute of target stands for the policy's 15 or 60, and an unacknowledged alert
# goes up the chain after a minute (the shortest the policy allows).
COMPRESSED = {"response_targets": {"emergency": {"urban": 1, "rural": 1}, "priority": {"urban": 1, "rural": 1}},
              "alert_escalation_minutes": 1}


@contextmanager
def compressed_time(admin: Actor, values: dict[str, Any]) -> Iterator[None]:
    """Set short policy timings for the replay (as an administrator, audited) and put them back after."""
    before = admin.do("GET", "/api/policy").body
    for key, value in values.items():
        admin.do("PUT", f"/api/policy/{key}", {"value": value, "reason": "Lesson replay: time compressed"})
    try:
        yield
    finally:
        for key in values:
            admin.do("PUT", f"/api/policy/{key}", {"value": before[key], "reason": "Lesson replay over: restored"})


def board(actor: Actor) -> dict[str, Any]:
    body: dict[str, Any] = actor.do("GET", "/api/boards/dispatch").body
    return body


def board_row(actor: Actor, ref: str) -> dict[str, Any] | None:
    row: dict[str, Any] | None = board(actor)["logs"].get(ref)
    return row


def alerts_on(actor: Actor, ref: str, kind: str = "", level: str = "") -> list[dict[str, Any]]:
    """The alerts on the command board (unacknowledged) for one log."""
    return [a for a in board(actor)["alerts"].values() if a["reference"] == ref
            and (not kind or a["kind"] == kind) and (not level or a["level"] == level)]


def new_unit(actor: Actor, ref: str, prefix: str, area: str, crew: list[int]) -> str:
    """A response unit for this replay (a callsign of its own, so replays can run again on one database)."""
    callsign = f"{prefix}{re.sub(r'[^0-9]', '', ref)[-6:]}"
    actor.do("POST", "/api/units", {"callsign": callsign, "area": area, "crew_ids": crew})
    return callsign


def _told(actor: Actor, safeguard: str, ref: str, kind: str, words: str) -> bool:
    return any(n["safeguard"] == safeguard and n["log"] == ref and n["kind"] == kind and words in n["text"]
               for n in actor.notifications())


def _scheme_overdue_for(actor: Actor, victim: str) -> bool:
    return any(n["safeguard"] == "M2" and n["kind"] == "scheme_overdue" and victim in n["text"]
               for n in actor.notifications())


# ------------------------------------------------------------------------------------------- replay
def case_2(run: Run, as_: Callable[[str], Actor]) -> None:
    """Ms A: an earlier call through the switchboard lost in an absent officer's inbox, a special scheme
    deleted without telling her, and a 999 call graded 'suspicious circumstances' with no checks."""
    handler, pc_b, oic = as_("handler"), as_("officer"), as_("investigator")
    admin = as_("admin")

    run.step("Last year: Ms A's ex-husband threatened to kill her. The case is on record: both of them, her "
             "address and phone, the ex-partner link, a MARAC marker, and the closed domestic incident log.")
    ms_a = person(oic, "Amy", "Archer", "1986-04-12", home=MS_A_HOME, phone=MS_A_PHONE)
    ex = person(oic, "Mark", "Archer", "1982-09-30", home="3 Quarry Lane, Kingsbridge KB6 2BB")
    oic.do("POST", f"/api/people/{ms_a}/relationships", {"other_id": ex, "kind": "ex_partner"})
    review = (date.today() + timedelta(days=180)).isoformat()
    oic.do("POST", "/api/markers", {"kind": "domestic_abuse_victim", "source": "MARAC referral",
                                    "review_at": review, "person_id": ms_a,
                                    "note": "Ex-husband threatened to kill her; serious assaults before."})
    earlier = past_log(handler, oic, {
        "contact": {"channel": "999", "caller_name": "Amy Archer", "caller_phone": MS_A_PHONE, "caller_age": 35,
                    "account": "My ex-husband has threatened to kill me."},
        "category": "domestic_incident", "summary": "Threats to kill by ex-husband", "location": MS_A_HOME,
    }, [("victim", ms_a), ("suspect", ex)], result="Previous domestic abuse crimes by the ex-husband; MARAC.",
        code="seen_safe")

    run.step("A special scheme is put on her address. The officer first tries to create it without telling "
             "her.")
    scheme: dict[str, Any] = {"victim_id": ms_a, "reason": "Ex-husband threatened to kill her",
                              "address": MS_A_HOME, "officer_id": oic.staff_id("investigator")}
    oic.attempt("POST", "/api/schemes", scheme, expect="M2")
    run.step("She is told what the scheme is and how long it lasts. (It stood for three months; here it ends "
             "in a few seconds.)")
    ends = datetime.now(UTC) + timedelta(seconds=3)
    first = oic.do("POST", "/api/schemes", {**scheme, "victim_told_how": "phone call",
                                            "ends_at": ends.isoformat()}).body
    run.note(f"scheme {first['id']} on her address, floor {first['grade_floor']}, ends {first['ends_at']}")

    run.step("The scheme reaches its end date with nobody having decided. It does not lapse: it stays in force "
             "as 'review overdue' (calls from her address keep its floor), the officer in charge is told, and "
             "every day until someone decides, the officer and her supervisor are told again.")
    if oic.driver.wait_for_timers(lambda: _scheme_overdue_for(oic, "Amy Archer")):
        run.intervened("M2", "the undecided scheme stayed in force and its officer in charge was told")
    else:
        run.fail("M2: the scheme ended silently (no notification to its officer)")
    held = oic.do("GET", f"/api/context?address={quote(MS_A_HOME)}&purpose=scheme review").body
    if not any(s["id"] == first["id"] and s["state"] == "review_overdue" for s in held["schemes"]) \
            or held["grade_floor"] != first["grade_floor"]:
        run.fail("M2: a scheme past its end without a decision no longer protects her address")

    run.step("An officer decides the scheme can be deleted — time has passed with no incidents and she felt "
             "safe — without contacting her.")
    oic.attempt("POST", f"/api/schemes/{first['id']}/remove",
                {"reason": "No further incidents; victim not engaging and feels safe at home"}, expect="M2")

    run.step("She rings and is put through the switchboard, asking for the officer she dealt with before, "
             "who is on long-term leave: the call is recorded as a message and goes to his team's queue.")
    absent = pc_b.staff_id("investigator2")
    call = pc_b.do("POST", "/api/messages", {"addressed_to": absent, "contact": {
        "channel": "switchboard", "caller_name": "Amy Archer", "caller_phone": MS_A_PHONE, "caller_age": 36,
        "account": "Asked for the officer she dealt with before. Wants to reactivate her court order against "
                   "her ex-husband: he has been in contact with her."}}).body
    run.step("PC B emails the absent officer to relay it; the email goes to the team queue too.")
    email = pc_b.do("POST", "/api/messages", {"addressed_to": absent, "contact": {
        "channel": "email", "caller_name": "Amy Archer (relayed by PC Owen Price)", "caller_phone": MS_A_PHONE,
        "account": "Ms Archer says her court order against her ex-husband has expired and wants it renewed as "
                   "he has been in contact. No new offences disclosed."}}).body
    if call["routed_to_team"] and email["routed_to_team"]:
        run.intervened("L8", f"both went to the {call['routed_to_team']} queue, not an unread inbox")
    else:
        run.fail("L8: a message for an absent officer was left in their inbox")
    queue = [n for n in oic.notifications() if n["safeguard"] == "L8" and n["team"] and "Amy Archer" in n["text"]]
    if len(queue) < 2:
        run.fail("L8: the team's queue does not show both messages")

    run.step("Told of the overdue scheme and the message, the officer in charge contacts her; she wants it "
             "extended. An extension for a year is refused: six months at most.")
    oic.do("POST", f"/api/schemes/{first['id']}/contacts",
           {"channel": "phone", "reached": True,
            "outcome": "Ex-husband back in contact; she wants the scheme and the order renewed"})
    too_long = (datetime.now(UTC) + timedelta(days=365)).isoformat()
    oic.attempt("POST", f"/api/schemes/{first['id']}/extend",
                {"until": too_long, "reason": "Ex-husband back in contact"}, expect="M2")
    oic.do("POST", f"/api/schemes/{first['id']}/extend",
           {"until": (datetime.now(UTC) + timedelta(days=180)).isoformat(),
            "reason": "Ex-husband back in contact; she asked for it to continue (six months)"})

    run.step("(Replay time is compressed from here: a response target of one minute stands for the policy's "
             "15 or 60, and an alert nobody acknowledges goes up the chain after a minute.)")
    with compressed_time(admin, COMPRESSED):
        _the_999_call(run, as_, ms_a, ex, earlier)


def _the_999_call(run: Run, as_: Callable[[str], Actor], ms_a: int, ex: int, earlier: str) -> None:
    handler, dispatcher = as_("handler"), as_("dispatcher")
    run.step("A week later she calls 999. The call handler's screen shows, from her number alone, the "
             "switchboard call, the email, last year's case, her ex-husband and the scheme.")
    ctx = handler.do("GET", f"/api/context?phone={MS_A_PHONE.replace(' ', '')}").body
    channels = {h["channel"] for h in ctx["history"]}
    found = {"switchboard": "Switchboard transfer" in channels, "email": "Email" in channels,
             "last year's log": any(h["log"] == earlier for h in ctx["history"]),
             "ex-partner": any(link["id"] == ex for link in ctx["linked"]),
             "scheme": any(s["state"] == "active" for s in ctx["schemes"])}
    if all(found.values()):
        run.intervened("C1", f"{ctx['history_total']} earlier contacts and logs, the ex-partner and an active "
                             "scheme, newest first")
    else:
        run.fail("C1: the context lookup on her number did not find "
                 + ", ".join(k for k, ok in found.items() if not ok))

    run.step("Call handler C codes it 'suspicious circumstances': someone is banging at her door.")
    raised = handler.do("POST", "/api/logs", {
        "contact": {"channel": "999", "caller_name": "Amy Archer", "caller_phone": MS_A_PHONE, "caller_age": 36,
                    "account": "Me and my ex-husband went through a bit of a domestic violence case last year. "
                               "There is loud banging at the door, I think it is him."},
        "category": "suspicious_circumstances", "summary": "someone's buzzing at my door, don't know who it is",
    }).body
    before, ref = raised["proposed_grade"], raised["reference"]
    cue = open_prompts(handler, ref, "C3", "cue_domestic_abuse")
    if cue:
        run.intervened("C3", cue[0]["text"])
    else:
        run.fail("C3: her words raised no domestic-abuse prompt")
        return
    run.step("She tries to put the cue aside without saying why.")
    resp = handler.driver.call("handler", "POST", f"/api/prompts/{cue[0]['id']}/decision", {"accept": False})
    if not resp.ok and (resp.body.get("details") or {}).get("field") == "reason":
        run.intervened("C3", "a cue is dismissed only with a recorded reason")
    else:
        run.fail(f"C3: the cue was dismissed without a reason ({resp.status})")
    run.step("She accepts it: the log becomes a domestic incident and the policy grade rises.")
    handler.do("POST", f"/api/prompts/{cue[0]['id']}/decision", {"accept": True})
    now = detail(handler, ref)
    if now["category"] != "domestic_incident" or now["proposed_grade"] == before:
        run.fail(f"C3: accepting the cue left the log {now['category']} with policy grade {now['proposed_grade']}")
    else:
        run.note(f"category {now['category_label']}; policy grade {before} → {now['proposed_grade']}")
    run.step("She grades it for a 60-minute response, believing Ms A safe behind the door.")
    handler.attempt("POST", f"/api/logs/{ref}/grade", {"grade": "scheduled", "thrive": LOW,
                                                       "expected_version": handler.version(ref)}, expect="C4")

    run.step("Ms A confirms she is at home: her address is under the special scheme, so nothing below its "
             "floor (an immediate response) is accepted.")
    handler.do("PATCH", f"/api/logs/{ref}", {"location": MS_A_HOME, "expected_version": handler.version(ref)})
    handler.do("POST", f"/api/logs/{ref}/parties", {"role": "location", "address": MS_A_HOME})
    handler.do("POST", f"/api/logs/{ref}/parties", {"role": "victim", "person_id": ms_a})
    handler.do("POST", f"/api/logs/{ref}/parties", {"role": "suspect", "person_id": ex})
    handler.attempt("POST", f"/api/logs/{ref}/grade", {"grade": "priority", "thrive": LOW,
                                                       "expected_version": handler.version(ref)}, expect="D5")
    handler.do("POST", f"/api/logs/{ref}/grade", {"grade": "emergency", "thrive": LOW,
                                                  "expected_version": handler.version(ref)})
    _unit_diverted(run, as_, ref)

    run.step("No support operator is on duty and nobody runs the intelligence checks. Hours later the "
             "dispatcher tries to close the log.")
    pending = [c for c in detail(dispatcher, ref)["checks"] if c["state"] == "outstanding" and c["mandatory"]]
    run.note("outstanding: " + ", ".join(c["label"] for c in pending))
    dispatcher.attempt("POST", f"/api/logs/{ref}/close", {"code": "seen_safe"}, expect="C5")
    run.step("The local intelligence check, once run, shows what was there all along.")
    local = next((c for c in pending if c["kind"] == "local_intelligence"), None)
    if local is None:
        run.fail("C5: no local intelligence check was required for a domestic incident")
    else:
        dispatcher.do("POST", f"/api/checks/{local['id']}", {
            "system": "local intelligence",
            "result": "Seven intelligence logs: three safeguarding reports on her children, domestic violence "
                      "disclosure scheme requests, MARAC, previous domestic abuse crimes (serious assaults "
                      "by the ex-husband)."})


def _unit_diverted(run: Run, as_: Callable[[str], Actor], ref: str) -> None:
    """The unit sent to Ms A is moved to a higher-graded call; no other unit goes; the target passes."""
    dispatcher, controller, inspector = as_("dispatcher"), as_("controller"), as_("inspector")
    crew, handler2 = as_("officer"), as_("handler2")

    run.step("Dispatcher D sends a response unit. Its crew receive the whole picture, not the first line "
             "('someone's buzzing at my door, don't know who it is').")
    callsign = new_unit(dispatcher, ref, "KB", "Kingsbridge", [crew.staff_id("officer")])
    mine = dispatcher.do("POST", f"/api/logs/{ref}/units", {"callsign": callsign}).body
    sent = [n["text"] for n in crew.notifications()
            if n["safeguard"] == "L12" and n["log"] == ref and n["kind"] == "unit_assigned"]
    wanted = {"her account": "a bit of a domestic violence case last year", "the category": "Domestic incident",
              "her MARAC marker": "Domestic abuse victim", "the special scheme": "Special scheme"}
    lacking = [what for what, words in wanted.items() if not sent or words not in sent[-1]]
    if sent and not lacking:
        run.intervened("L12", f"{callsign}'s crew told: {sent[-1][:160]}…")
    else:
        run.fail("L12: the crew were not given " + (", ".join(lacking) if sent else "anything"))
    crew.do("POST", f"/api/assignments/{mine['assignment']}", {"state": "en_route"})

    run.step("While en route, the crew volunteer for a newer, higher-graded call. Dispatcher D moves them to "
             "it, believing they will attend both.")
    other = handler2.do("POST", "/api/logs", {
        "contact": {"channel": "999", "caller_name": "Passing motorist", "caller_age": 44,
                    "account": "Two cars have crashed on the bypass; a driver is trapped and bleeding."},
        "category": "road_traffic_collision", "summary": "Collision on the bypass, driver trapped",
        "location": "Kingsbridge bypass, eastbound"}).body["reference"]
    handler2.do("POST", f"/api/logs/{other}/grade", {
        "grade": "emergency", "thrive": {el: {"level": "high"} for el in ("threat", "harm", "risk", "vulnerability")},
        "expected_version": handler2.version(other)})
    dispatcher.do("POST", "/api/diverts", {"callsign": callsign, "from_reference": ref, "to_reference": other,
                                           "reason": "Crew volunteered for a higher-graded call; they will attend "
                                                     "both"})
    row = board_row(dispatcher, ref) or {}
    tagged = "DIVERTED" in " ".join(e["text"] for e in detail(dispatcher, ref)["entries"])
    if row.get("diverted") and row.get("pending") and row.get("target_at") and not row.get("attended_at") \
            and tagged and controller.told("D2", ref, "alert_divert"):
        run.intervened("D2", f"{ref} is tagged diverted, back on the pending queue with its clock running "
                             f"(target {row['target_at'][11:19]}); the controller is asked to decide")
    else:
        run.fail(f"D2: after the divert her log shows {row} (tagged: {tagged})")
    at_other = next(a for a in crew.do("GET", f"/api/units/{callsign}/assignments").body if a["reference"] == other)
    crew.do("POST", f"/api/assignments/{at_other['assignment']}", {"state": "at_scene"})

    run.step("Communications supervisor H weighs the comparative risk and approves the divert: the duty "
             "inspector is asked to find another unit for Ms A.")
    divert = next(d for d in dispatcher.do("GET", "/api/diverts").body if d["from"] == ref)
    controller.do("GET", f"/api/logs/{ref}")
    controller.do("POST", f"/api/diverts/{divert['id']}/decision",
                  {"approve": True, "note": "Trapped casualty is the greater risk; find another unit for Ms A"})
    if inspector.told("D2", ref, "alert_divert_approved"):
        run.intervened("D2", f"the duty inspector is told {ref} lost {callsign}: find another unit")
    else:
        run.fail("D2: the approved divert did not reach the duty inspector")

    run.step("No other unit is sent to her. Her clock keeps running: at half the time allowed, the dispatchers "
             "are alerted.")
    if dispatcher.driver.wait_for_timers(lambda: _told(dispatcher, "D1", ref, "alert_clock", "50%"), timeout=75):
        run.intervened("D1", "50% of the response time gone: the dispatchers are alerted")
    else:
        run.fail("D1: no alert at 50% of the response time")
    run.step("Nobody acknowledges it; at 80% they are alerted again, and then the target passes.")
    if dispatcher.driver.wait_for_timers(lambda: _told(dispatcher, "D1", ref, "alert_clock", "80%"), timeout=45):
        run.intervened("D1", "80% of the response time gone")
    else:
        run.fail("D1: no alert at 80% of the response time")
    if dispatcher.driver.wait_for_timers(lambda: _told(dispatcher, "D1", ref, "alert_breach", "BREACHED"),
                                         timeout=45):
        breached = (board_row(dispatcher, ref) or {}).get("breached_at")
        run.intervened("D1", f"target BREACHED and recorded at {str(breached)[11:19]}")
    else:
        run.fail("D1: the target passed unseen")
    run.step("The first alert, still unacknowledged, goes up the chain to the controller.")
    if dispatcher.driver.wait_for_timers(lambda: bool(alerts_on(controller, ref, "clock", "controller")), timeout=90):
        run.intervened("D1", "unacknowledged by the dispatchers, the alert escalated to the controller")
    else:
        run.fail("D1: the unacknowledged alert did not escalate")

    run.step("The breach cannot be cleared by someone outside the chain, nor the escalated alert by the "
             "dispatcher it went past.")
    breach = alerts_on(controller, ref, "breach")
    up = alerts_on(controller, ref, "clock", "controller")
    if breach:
        crew.attempt("POST", f"/api/alerts/{breach[0]['id']}/acknowledge", {"note": "Seen"}, expect="D1")
    if up:
        dispatcher.attempt("POST", f"/api/alerts/{up[0]['id']}/acknowledge", {"note": "Seen"}, expect="D1")
    run.step("Supervisor H acknowledges them, saying what she is doing.")
    for alert in alerts_on(controller, ref, level="controller") + alerts_on(controller, ref, "breach"):
        controller.do("POST", f"/api/alerts/{alert['id']}/acknowledge",
                      {"note": "Ms A not attended: next free unit to her address now"})
    listed = next(d for d in controller.do("GET", "/api/diverts").body if d["from"] == ref)
    if listed["first_log_breached"] and (board_row(controller, ref) or {}).get("breached_at"):
        run.note(f"divert list: {callsign} from {ref} to {listed['to']} ({listed['state']} by "
                 f"{listed['decided_by']}); first log breached: yes")
    else:
        run.fail("D1: the breach was not kept on record once acknowledged")
