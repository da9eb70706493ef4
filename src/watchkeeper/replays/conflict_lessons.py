"""Bulletin 31, case 5 acted out against cases: a public protection officer who knew the family at the heart
of a child protection case talked it over with a colleague, who agreed there was no conflict; nobody senior
assessed it (P10). Here she declares it on the case: a supervisor, not a colleague, assesses it, her work on
the case waits until then, and the assessment and its conditions are kept for when the family complains.

What no system can do is notice a friendship nobody declares: the replay shows the place the declaration
goes and what follows from it, not the system finding it out."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from watchkeeper.replays.engine import Actor, Run
from watchkeeper.replays.issue41 import person

FAMILY_HOME = "3 Heron Way, Kingsbridge KB5 1HW"
NATURE = "The father and his wife are neighbours of a close friend of mine; I know them as acquaintances"
CONDITIONS = ("May attend the strategy meeting, saying at its start that she knows the family; no part in the "
              "decisions or the joint visit; the case goes to another officer to follow up after the meeting")


def _case(actor: Actor, case_id: int) -> dict[str, Any]:
    body: dict[str, Any] = actor.do("GET", f"/api/cases/{case_id}").body
    return body


def _at(days: int, hour: int) -> str:
    return f"{(date.today() + timedelta(days=days)).isoformat()}T{hour:02d}:00"


def case_5(run: Run, as_: Callable[[str], Actor]) -> None:
    """Recognising conflicts of interest."""
    records, ppu, colleague, sergeant = as_("investigator"), as_("investigator"), as_("officer"), as_("supervisor")
    son = person(records, "Daniel", "Hollis", "1994-06-12")
    father = person(records, "Graham", "Hollis", "1966-01-27", home=FAMILY_HOME)
    wife = person(records, "Angela", "Hollis", "1975-10-03", home=FAMILY_HOME)

    run.step("A man reports that his father abused him between the ages of seven and 11. The father has another "
             "child and a stepchild: a safeguarding case is opened, with an officer of the public protection unit "
             "in charge (P1).")
    ppu_id, follow_up_id = sergeant.staff_id("investigator"), sergeant.staff_id("officer")
    case = sergeant.do("POST", "/api/cases", {
        "kind": "safeguarding", "title": "Historical abuse by a father: his other child and stepchild",
        "officer_id": ppu_id, "risk": "high"}).body
    case_id = int(case["id"])
    ppu.do("POST", f"/api/cases/{case_id}/people", {"person_id": son, "role": "victim"})
    ppu.do("POST", f"/api/cases/{case_id}/people", {"person_id": father, "role": "suspect"})
    ppu.do("POST", f"/api/cases/{case_id}/people", {"person_id": wife, "role": "other"})

    run.step("Social services cannot visit the father's wife straight away; a child protection strategy meeting "
             "with social services is arranged for four days after the allegation, and she is to attend (P6).")
    meeting = ppu.do("POST", f"/api/cases/{case_id}/referrals", {
        "kind": "strategy", "meeting_at": _at(4, 10),
        "note": "Child protection strategy meeting with children's social care"}).body

    run.step("Preparing for the meeting she realises the father and his wife are neighbours of a close friend. "
             "Rather than settling it with a colleague, she declares it on the case: her supervisor is told to "
             "assess it (P10).")
    declared = ppu.do("POST", f"/api/cases/{case_id}/conflicts", {"nature": NATURE}).body
    told = [n for n in sergeant.notifications() if n["safeguard"] == "P10" and n["kind"] == "conflict_declared"
            and case["reference"] in n["text"]]
    if told and not declared.get("decision"):
        run.note(f"declaration {declared['id']}: {declared['decision_label']}; the supervisor is told: "
                 f"{told[0]['text']}")
    else:
        run.fail("P10: the declaration did not reach the case's supervisor for assessment")

    run.step("The colleague she talks it over with agrees there is no conflict, but a colleague's view is not an "
             "assessment: he has no way to record one; only a supervisor may.")
    view = colleague.driver.call(colleague.persona, "POST", f"/api/cases/{case_id}/conflict-assessments", {
        "conflict_id": declared["id"], "decision": "allowed", "rationale": "We agreed there is no conflict"})
    if view.status == 403:
        run.note(f"refused ({view.status}): {(view.body or {}).get('message', '')}")
    else:
        run.fail(f"P10: a colleague without the supervisor's role assessed the declaration ({view.status})")

    run.step("Until the supervisor assesses it, her own work on the case waits: recording the joint visit the "
             "meeting will need is refused, naming P10. Others can work the case meanwhile.")
    visit = {"description": "Joint visit with children's social care: tell the father and his wife of the "
                            "allegation and put safeguards in place",
             "due_at": _at(4, 18), "owner_id": follow_up_id, "referral_id": meeting["id"]}
    ppu.attempt("POST", f"/api/cases/{case_id}/agency-actions", visit, expect="P10", status=403)

    run.step("The supervisor assesses it: allowed with conditions, with the rationale. The assessment, its "
             "conditions and who made it go on the case, and she is told (P10).")
    sergeant.do("POST", f"/api/cases/{case_id}/conflict-assessments", {
        "conflict_id": declared["id"], "decision": "allowed_with_conditions", "conditions": CONDITIONS,
        "rationale": "Acquaintances through a friend, not friends of the family: she may share what the unit "
                     "knows at the meeting, but the decisions and the visit are for officers with no connection"})
    kept: dict[str, Any] = next((c for c in _case(sergeant, case_id)["conflicts"] if c["id"] == declared["id"]), {})
    heard = [n for n in ppu.notifications() if n["safeguard"] == "P10" and n["kind"] == "conflict_assessed"
             and case["reference"] in n["text"]]
    if kept.get("decision") == "allowed_with_conditions" and kept.get("conditions") == CONDITIONS and \
            kept.get("assessed_by") and heard:
        run.intervened("P10", f"declaration {kept['id']} ({kept['nature'][:60]}...) assessed by "
                              f"{kept['assessed_by']}: {kept['decision_label']}; conditions: {kept['conditions']}")
    else:
        run.fail("P10: the assessment, its conditions or its assessor are not on the case, or she was not told")
        return
    run.note("the conditions are recorded on the case for everyone working it to see; keeping to them is for "
             "the officer and the supervisor (the system does not enforce them)")

    run.step("At the start of the meeting she says she knows the family; the meeting agrees the joint visit for "
             "later that day, which she now records, owned by the officer who will follow up.")
    action = ppu.do("POST", f"/api/cases/{case_id}/agency-actions", visit).body

    run.step("As the conditions say, she allocates the case to another officer and has no further involvement; "
             "he acknowledges the handover (P1) and makes the joint visit with social services.")
    handed = ppu.do("POST", f"/api/cases/{case_id}/handovers", {
        "to_user_id": follow_up_id, "reason": "Conflict of interest assessed: another officer to follow up",
        "summary": "Strategy meeting held; joint visit with social services today to tell the father and his wife "
                   "of the allegation and put safeguards in place for the two children"}).body
    colleague.do("POST", f"/api/cases/{case_id}/acknowledge", {"handover_id": handed["id"]})
    colleague.do("POST", f"/api/cases/{case_id}/agency-actions/complete", {
        "action_id": action["id"], "note": "Visited with social services: both told; safety plan for the children"})

    run.step("The father's wife complains that the officer should not have been in the meeting or the decisions. "
             "The case answers: when she declared it, who assessed it, on what conditions, and when she handed "
             "the case on.")
    final = _case(sergeant, case_id)
    record: dict[str, Any] = next((c for c in final["conflicts"] if c["id"] == declared["id"]), {})
    run.note(f"declared {str(record.get('declared_at', ''))[:16]} by {record.get('user')}; assessed "
             f"{str(record.get('assessed_at', ''))[:16]} by {record.get('assessed_by')}: "
             f"{record.get('decision_label')}; officer in charge now {final['officer']}")

    run.step("Afterwards (not in the lesson): the case is closed, so the staff hold no open case for the next "
             "replay.")
    colleague.do("POST", f"/api/cases/{case_id}/close", {"note": "Replay finished"})
