"""Replays of bulletin 31 (December 2017), call-handling cases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from watchkeeper.replays.engine import Actor, Run

HIGH = {el: {"level": "high"} for el in ("threat", "harm", "risk", "vulnerability")}
LOW = {el: {"level": "low"} for el in ("threat", "harm", "risk", "vulnerability")}


def case_1(run: Run, as_: Callable[[str], Actor]) -> None:
    """Request for assistance: a conditional note read the wrong way round; a downgrade authorised on a
    verbal summary; no officers sent."""
    handler, dispatcher, leader = as_("handler"), as_("dispatcher"), as_("controller")

    run.step("Ambulance service asks police to attend in case entry must be forced; the caller will call back "
             "if police are NOT needed. The call handler raises a log.")
    log = handler.do("POST", "/api/logs", {
        "contact": {"channel": "partner_agency", "caller_name": "Ambulance control",
                    "account": "Man with severe breathing difficulty, line went quiet. Crew on the way; need "
                               "police in case we must force entry. We will call back if you are not needed."},
        "category": "assist_other_agency", "summary": "Ambulance requests police to force entry",
        "location": "3 Mill Lane"}).body
    ref = log["reference"]
    run.step("The request is recorded as a structured item with its condition, not a free-text note (L6).")
    handler.do("POST", f"/api/logs/{ref}/service-requests", {
        "direction": "inbound", "service": "ambulance", "requester": "Ambulance control",
        "ask": "Police to attend to force entry",
        "condition": "Ambulance will call back to CANCEL the request if the crew gain entry"})
    run.step("The handler grades it an immediate response with THRIVE.")
    version = handler.do("GET", f"/api/logs/{ref}").body["version"]
    handler.do("POST", f"/api/logs/{ref}/grade", {"grade": "emergency", "thrive": HIGH, "expected_version": version})

    run.step("The dispatcher misreads the note and lowers the grade himself.")
    version = dispatcher.do("GET", f"/api/logs/{ref}").body["version"]
    dispatcher.attempt("POST", f"/api/logs/{ref}/grade", {"grade": "scheduled", "thrive": LOW,
                                                          "expected_version": version}, expect="L5")
    run.step("He asks the dispatch team leader to authorise the downgrade.")
    req = dispatcher.do("POST", f"/api/logs/{ref}/downgrade-requests", {
        "grade": "scheduled", "thrive": LOW, "reason": "Ambulance will call back if police assistance needed",
        "authoriser_id": dispatcher.staff_id("controller"), "expected_version": version}).body
    run.step("The team leader authorises on the dispatcher's verbal summary, without opening the log.")
    leader.attempt("POST", f"/api/downgrade-requests/{req['id']}/decision", {"approve": True}, expect="L5")

    run.step("The team leader opens the log and sees the request's condition, word for word.")
    seen = leader.do("GET", f"/api/logs/{ref}").body
    cond = [r["condition"] for r in seen["service_requests"] if r["state"] == "open"]
    if not any("CANCEL" in c for c in cond):
        run.fail("the authoriser was not shown the request's condition")
    else:
        run.note(f"shown: {cond[0]}")
    run.step("Having read it, the team leader refuses the downgrade; the log stays an emergency.")
    leader.do("POST", f"/api/downgrade-requests/{req['id']}/decision",
              {"approve": False, "note": "Condition says they call back to cancel: police are needed"})
    if leader.do("GET", f"/api/logs/{ref}").body["grade"] != "emergency":
        run.fail("the grade changed without an authorised downgrade")
    run.step("Nobody can close the log while the ambulance's request is open.")
    leader.attempt("POST", f"/api/logs/{ref}/close", {"code": "no_further_action"}, expect="L6")


def case_2(run: Run, as_: Callable[[str], Actor]) -> None:
    """Response to welfare concerns: a log closed on an old instruction while a new caller said the man was
    not breathing; an ambulance request treated as a throwaway remark; a log deleted."""
    handler, handler2, rdo, rdo2 = as_("handler"), as_("handler2"), as_("dispatcher"), as_("dispatcher2")

    run.step("A passer-by reports a man lying at the side of the road; a log is raised.")
    ref = handler.do("POST", "/api/logs", {
        "contact": {"channel": "999", "caller_name": "Passer-by",
                    "account": "There is a man lying at the side of the road."},
        "category": "concern_for_welfare", "summary": "Man lying at roadside", "location": "Station Road"}
    ).body["reference"]
    run.step("The sergeant says officers saw him earlier: no cause for concern. The RDO reads the log and marks "
             "it ready to close.")
    rdo.do("POST", f"/api/logs/{ref}/entries", {"text": "Sgt by radio: officers spoke to him earlier tonight, "
                                                       "no cause for concern."})
    rdo.do("GET", f"/api/logs/{ref}")
    rdo.do("POST", f"/api/logs/{ref}/ready-to-close", {})

    run.step("A retired paramedic calls: the man is unconscious and not breathing; she asks for police and an "
             "ambulance.")
    handler2.do("POST", f"/api/logs/{ref}/contacts", {
        "channel": "999", "caller_name": "Retired paramedic",
        "account": "He is unconscious and not breathing. I am doing CPR. Please send police and an ambulance."})
    run.step("The ambulance request is an item someone must action, not a throwaway remark (L6).")
    handler2.do("POST", f"/api/logs/{ref}/service-requests", {
        "direction": "inbound", "service": "ambulance", "requester": "Retired paramedic (caller)",
        "ask": "Send an ambulance: man not breathing"})
    run.step("The owner and the RDO who gave the close instruction are told at once (L4, L3).")
    owner_notes = handler.do("GET", "/api/notifications").body
    rdo_notes = rdo.do("GET", "/api/notifications").body
    if any(n["safeguard"] == "L4" and n["log"] == ref for n in owner_notes):
        run.intervened("L4", "the log's owner was notified of the new caller")
    else:
        run.fail("L4: the owner was not notified of the addition")
    if not any(n["safeguard"] == "L3" and n["log"] == ref for n in rdo_notes):
        run.fail("L3: the RDO was not told their close instruction no longer stands")

    run.step("Another RDO closes the log 'as per the instruction given previously', without reading the update.")
    resp = rdo2.attempt("POST", f"/api/logs/{ref}/close", {"code": "no_further_action"}, expect="L3")
    unseen = (resp.body.get("details") or {}).get("unseen", [])
    if not any("not breathing" in u["text"] for u in unseen):
        run.fail("L3: the refusal did not show the new caller's words")
    else:
        run.note("shown: " + next(u["text"] for u in unseen if "not breathing" in u["text"])[:90])
    run.step("Having acknowledged the entries, the RDO closes it as 'no further action': a concern for "
             "welfare needs a positive outcome (L10).")
    through = (resp.body.get("details") or {}).get("acknowledge_through")
    rdo2.attempt("POST", f"/api/logs/{ref}/close", {"code": "no_further_action", "acknowledged_through": through},
                 expect="L10")
    run.step("He tries 'spoken to and safe' on the strength of the earlier encounter: the open ambulance "
             "request still blocks closing (L6).")
    rdo2.attempt("POST", f"/api/logs/{ref}/close", {"code": "spoken_to_safe", "acknowledged_through": through},
                 expect="L6")

    run.step("Paramedics at the scene call; a new log is raised and then 'deleted' by the operator.")
    other = handler.do("POST", "/api/logs", {
        "contact": {"channel": "partner_agency", "caller_name": "Paramedic crew",
                    "account": "We are giving CPR to a man in a public place, need police."},
        "category": "assist_other_agency", "summary": "Paramedics request police at CPR scene"}).body["reference"]
    resp = handler.driver.call("handler", "DELETE", f"/api/logs/{other}")
    if resp.status in (404, 405):
        run.intervened("L1", f"there is no way to delete a log (DELETE answered {resp.status})")
    else:
        run.fail(f"L1: DELETE answered {resp.status}")
    handler.do("POST", f"/api/logs/{other}/cancel", {"code": "duplicate", "reason": "Same incident as " + ref,
                                                      "duplicate_of": ref})
    run.step("Half an hour later the ambulance crew cite that reference: it still resolves.")
    found = handler.do("GET", f"/api/logs/{other}").body
    if found["reference"] != other or found["status"] != "cancelled":
        run.fail("L1: the cancelled reference did not resolve")
    else:
        run.note(f"{other} resolves: {found['status']} — {found['closing_code']}")


def case_3(run: Run, as_: Callable[[str], Actor]) -> None:
    """Safeguarding a vulnerable young person: "we'll check back in an hour", and nobody did."""
    officer = as_("officer")
    run.step("PCSOs find a 13-year-old girl, drunk, left behind in a park; the encounter is logged.")
    ref = officer.do("POST", "/api/logs", {
        "contact": {"channel": "police_generated", "caller_name": "PCSO patrol", "caller_age": 13,
                    "account": "13-year-old girl left in the park by a group drinking; she has been drinking."},
        "category": "child_protection", "summary": "Intoxicated 13-year-old girl in park",
        "location": "Memorial Park"}).body["reference"]
    run.step("The officer tells her they will check back in an hour: the promise is recorded as his task (L11).")
    due = (datetime.now(UTC) + timedelta(seconds=2)).isoformat()  # the hour, compressed for the replay
    officer.do("POST", "/api/tasks", {"reference": ref, "description": "Check back on the girl in the park in "
                                      "an hour and take her home if she is still there",
                                      "owner_id": officer.staff_id("officer"), "due_at": due})
    run.step("The officers finish their patrol and go home. The hour passes.")
    if officer.driver.wait_for_timers(lambda: officer.told("L11", ref, "task_overdue")):
        run.intervened("L11", "the promise fell due and its owner was alerted")
    else:
        run.fail("L11: nobody was alerted that the promise fell due")
    run.step("Nobody can close the log while the promise is open.")
    officer.do("GET", f"/api/logs/{ref}")
    officer.attempt("POST", f"/api/logs/{ref}/close", {"code": "located_safe"}, expect="L11")
