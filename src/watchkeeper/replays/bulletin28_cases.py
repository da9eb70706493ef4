"""Bulletin 28, case 6 acted out against cases (P1, P2): an investigation left with an officer who moved to a
major operation without handing it over, a line manager who moved without handing over supervision, and a
thematic review that called the case "in progress" with no evidence of progress."""

from __future__ import annotations

from collections.abc import Callable

from watchkeeper.replays.engine import Actor, Run

SUMMARY = ("Allegation recorded as a crime; the girl and her parents spoken to by a specially trained officer. "
           "Nothing done since: the suspect is not yet identified or interviewed.")


def case_6(run: Run, as_: Callable[[str], Actor]) -> None:
    """Investigation of sexual assault on a minor: the case stays with nobody working it."""
    handler, specialist, cid = as_("handler"), as_("officer"), as_("investigator")
    manager, successor, admin = as_("supervisor"), as_("inspector"), as_("admin")
    run.step("The school reports that a 14-year-old girl had sex with a 17 or 18-year-old male; a log is raised.")
    ref = handler.do("POST", "/api/logs", {
        "contact": {"channel": "partner_agency", "caller_name": "School safeguarding lead",
                    "account": "A pupil, 14, told us she had sex with a male of 17 or 18."},
        "category": "child_protection", "summary": "School reports sexual activity involving a 14-year-old"},
    ).body["reference"]
    run.step("A specially trained officer records it as a crime: a case opened from the log and allocated to a "
             "CID officer, supervised by his line manager (P1).")
    cid_id, manager_id = admin.staff_id("investigator"), admin.staff_id("supervisor")
    # Where the two who move are now: the replay puts them back at the end (other replays use the same staff).
    was = {s["id"]: s for s in admin.do("GET", "/api/staff").body if s["id"] in (cid_id, manager_id)}
    case = specialist.do("POST", "/api/cases", {
        "kind": "crime", "title": "Sexual activity with a child (school referral)", "reference": ref,
        "officer_id": cid_id, "supervisor_id": manager_id}).body
    case_id = case["id"]
    run.note(f"case {case['reference']}: officer in charge {case['officer']}, supervisor {case['supervisor']}")

    run.step("A month later the CID officer is moved to a major operation without handing the case over.")
    admin.attempt("POST", f"/api/staff/{cid_id}/move", {"team": "Major operation", "role": "investigator",
                                                        "reason": "Posted to the major operation"}, expect="P1")
    run.step("He hands it over first: to his line manager's queue, with a summary of where it stands.")
    handed = cid.do("POST", f"/api/cases/{case_id}/handovers", {
        "to_user_id": manager_id, "reason": "Posted to the major operation", "summary": SUMMARY}).body
    admin.do("POST", f"/api/staff/{cid_id}/move", {"team": "Major operation", "role": "investigator",
                                                   "reason": "Posted to the major operation"})
    manager.do("POST", f"/api/cases/{case_id}/acknowledge", {"handover_id": handed["id"]})
    run.step("The line manager allocates the case to another officer, who acknowledges it.")
    officer_id = admin.staff_id("officer")
    allocated = manager.do("POST", f"/api/cases/{case_id}/handovers", {
        "to_user_id": officer_id, "reason": "Allocation from the queue", "summary": SUMMARY}).body
    specialist.do("POST", f"/api/cases/{case_id}/acknowledge", {"handover_id": allocated["id"]})
    mine = specialist.do("GET", "/api/cases/mine").body["cases"]
    if any(c["id"] == case_id for c in mine):
        run.note("the case is in the new officer's \"my cases\"")
    else:
        run.fail("P1: the case allocated from the queue is not in the officer's cases")

    run.step("Two months on the line manager moves solely to the major operation without handing over "
             "supervision: nobody else supervises her team, so the move is refused (P1).")
    admin.attempt("POST", f"/api/staff/{manager_id}/move", {"team": "Major operation", "role": "supervisor",
                                                            "reason": "Senior investigating officer full time"},
                  expect="P1")
    run.step("She hands supervision of the case to her successor, then moves.")
    successor_id = admin.staff_id("inspector")
    manager.do("POST", f"/api/cases/{case_id}/handovers", {
        "kind": "supervisor", "to_user_id": successor_id, "reason": "Moving to the major operation",
        "summary": SUMMARY})
    admin.do("POST", f"/api/staff/{manager_id}/move", {"team": "Major operation", "role": "supervisor",
                                                       "reason": "Senior investigating officer full time"})

    run.step("Six months after the report a review calls the case \"in progress\" with no evidence of progress: "
             "refused (P2). The reviewer records what was (not) done and what happens next.")
    successor.attempt("POST", f"/api/cases/{case_id}/reviews", {"note": "In progress"}, expect="P2")
    successor.do("POST", f"/api/cases/{case_id}/reviews", {
        "note": "No progress since the report: suspect to be identified and interviewed this week", "risk": "high",
        "no_progress": True})
    view = successor.do("GET", f"/api/cases/{case_id}").body
    run.note(f"officer in charge {view['officer']}, supervisor {view['supervisor']}, risk {view['risk']}, "
             f"next review {view['review_due_at'][:10]}")

    run.step("Afterwards (not in the lesson): the case is closed and the two officers return to their teams, "
             "so the staff are as they were for the next replay.")
    specialist.do("POST", f"/api/cases/{case_id}/close", {"note": "Replay finished"})
    for staff_id, before in was.items():
        admin.do("POST", f"/api/staff/{staff_id}/move", {"team": before["team"] or "", "role": before["role"],
                                                         "reason": "Back from the major operation"})
