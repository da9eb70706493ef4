"""Replays of the referral parts of bulletin 28: acting on intelligence (B28.7: P7, R7, A5), and the concern
for welfare whose email from a neighbouring force gave the woman's current address (B28.5, extended for P11:
the email is a referral received from another force, tracked until acknowledged and actioned at the address
it gives)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from watchkeeper.replays import bulletin28
from watchkeeper.replays.engine import Actor, Driver, Response, Run
from watchkeeper.replays.issue41 import person
from watchkeeper.replays.risk_lessons import _instrument

OPERATION = "Operation Spade"
# The list as it arrived: in no order of priority; the agency's own risk assessment marked two as high (red).
SPADE = [
    ("Derek Vance", "Bought two items", "unassessed"),
    ("Martin Hale", "Bought four items", "unassessed"),
    ("Neil Carter", "Bought one item", "unassessed"),
    ("Paul Ridley", "Bought eleven items; highlighted red by the agency", "high"),
    ("Simon Beck", "Bought six items; highlighted red by the agency", "high"),
]
TEACHER = "Martin Hale"


def _notes(actor: Actor, safeguard: str, kind: str) -> list[dict[str, Any]]:
    return [n for n in actor.notifications() if n["safeguard"] == safeguard and n["kind"] == kind]


def case_7(run: Run, as_: Callable[[str], Actor]) -> None:
    """Acting on intelligence: a national agency's list of online offenders worked in the order it came, not by
    risk; "no children at his address" taken as no access to children without a DBS check; a researcher
    overloaded while the list aged; a teacher found months later, visited, and found dead the next day."""
    researcher, supervisor, inspector = as_("investigator"), as_("supervisor"), as_("inspector")
    handler, admin, officer = as_("handler"), as_("admin"), as_("officer")

    run.step("The agency's referral arrives: a list of people who bought child exploitation material. It was "
             "received six weeks ago and is imported as it came, in no order of priority.")
    received = (datetime.now(UTC) - timedelta(days=42)).isoformat()
    csv = "subject_name,summary,risk_grade,source_reference\n" + "".join(
        f"{name},{summary},{grade},SPADE-{n:03d}\n" for n, (name, summary, grade) in enumerate(SPADE, start=1))
    batch = researcher.do("POST", "/api/referrals/import", {"source": "CEOP", "operation": OPERATION, "text": csv,
                                                            "received_at": received}).body
    refs = set(batch["references"])
    queue = [r for r in researcher.do("GET", "/api/referrals/queue").body if r["reference"] in refs]
    ids = {r["subject_name"]: r["id"] for r in queue}
    order = [r["subject_name"] for r in queue]
    if order[:2] == ["Paul Ridley", "Simon Beck"] and order != [s[0] for s in SPADE]:
        run.intervened("P7", f"queued by risk, not as listed: {', '.join(order)}")
    else:
        run.fail(f"P7: the queue is not in order of risk: {order}")

    run.step("A supervisor allocates the list to the researcher, who takes charge of every referral on it.")
    me = supervisor.staff_id("investigator")
    for rid in ids.values():
        supervisor.do("POST", f"/api/referrals/{rid}/allocation", {"officer_id": me, "note": OPERATION})

    run.step("The checks find no children living at one man's address, so he is recorded as having no access "
             "to children and a low risk, without a DBS check.")
    teacher = ids[TEACHER]
    researcher.attempt("POST", f"/api/referrals/{teacher}/risk", {
        "access_to_children": "no", "risk_grade": "low", "checks": ["address", "pnc", "visor"],
        "note": "No children at the address"}, expect="P7", status=400)
    researcher.do("POST", f"/api/referrals/{teacher}/risk", {
        "access_to_children": "unknown", "risk_grade": "low", "checks": ["address", "pnc", "visor"],
        "note": "No children at the address; DBS check requested"})

    run.step("Weeks pass with the list unworked. Each referral past its target age reminds the researcher, and "
             "then escalates to the team and the duty inspector.")
    if researcher.driver.wait_for_timers(lambda: bool(_notes(inspector, "P7", "referral_escalated"))):
        seen = _notes(inspector, "P7", "referral_escalated")
        run.intervened("P7", f"{len(seen)} referral(s) escalated to the duty inspector: {seen[0]['text'][:120]}")
    else:
        run.fail("P7: referrals past their target age escalated to nobody")

    run.step("The researcher tells the supervisors she is struggling with the volume of work. The supervisor is "
             "told and sees the backlog: its size and its age.")
    researcher.do("POST", "/api/assurance/workload/overload",
                  {"reason": f"Struggling with the volume of {OPERATION} checks on top of other work"})
    told = _notes(supervisor, "A5", "overload")
    backlog = next(b for b in supervisor.do("GET", "/api/referrals/backlog").body
                   if b["queue"] == "Intelligence referrals")
    if told and backlog["size"] >= len(SPADE) and backlog["oldest_days"] >= 42 and backlog["overdue"]:
        run.intervened("A5", f"overload reported to the supervisor; backlog {backlog['size']} referrals, oldest "
                             f"{backlog['oldest_days']} days, {backlog['overdue']} past target")
    else:
        run.fail(f"A5: overload or the backlog not visible to the supervisor ({len(told)} told; {backlog})")

    run.step("The DBS check comes back: the man who bought four items is a teacher. He has access to children "
             "through his work, and goes to the top of the queue.")
    researcher.do("POST", f"/api/referrals/{teacher}/risk", {
        "access_to_children": "yes", "risk_grade": "high", "checks": ["address", "dbs", "pnc", "visor"],
        "note": "DBS: employed as a teacher"})
    top = [r for r in researcher.do("GET", "/api/referrals/queue").body if r["reference"] in refs][0]
    if top["id"] == teacher and top["tier"] == "children" and top["overdue"]:
        run.intervened("P7", f"{top['subject_name']} first in the queue: {top['tier_label'].lower()}, "
                             f"{top['age_days']} days old, past its target")
    else:
        run.fail(f"P7: access to children did not put him first ({top['subject_name']}, {top['tier']})")
    officer.attempt("POST", f"/api/referrals/{teacher}/outcome", {"outcome": "visited"}, expect="P7", status=403)

    run.step("The referral opens an investigation; a log is raised to search his home and arrest him.")
    case = researcher.do("POST", f"/api/referrals/{teacher}/case", {"kind": "public_protection"}).body
    run.note(f"case {case['reference']}, officer in charge the researcher")
    _instrument(admin, "suspect-suicide")
    man = person(researcher, "Martin", "Hale", "1978-04-21", home="12 School Lane, Kingsbridge KB4 1SL")
    ref = handler.do("POST", "/api/logs", {
        "contact": {"channel": "online", "caller_name": "Online investigation team",
                    "caller_age_reason": "Organisation",
                    "account": f"{OPERATION}: he bought indecent images of children; he is a teacher."},
        "category": "child_protection", "summary": "Indecent images of children: search and arrest",
        "location": "12 School Lane, Kingsbridge KB4 1SL"}).body["reference"]
    handler.do("POST", f"/api/logs/{ref}/parties", {"role": "suspect", "person_id": man})
    researcher.attempt("POST", "/api/risk/decisions", {
        "kind": "search", "decision": "Search his home for devices", "reference": ref, "person_id": man,
        "rationale": "Warrant applied for"}, expect="R7")

    run.step("The suicide-risk assessment is done before the visit, with a plan for contact and support after "
             "it; the visit is recorded, and the referral's outcome.")
    a = researcher.do("POST", "/api/risk/assessments", {"instrument": "suspect-suicide", "person_id": man,
                                                        "role": "suspect", "reference": ref}).body["id"]
    researcher.do("POST", f"/api/risk/assessments/{a}/answers", {"answers": [
        {"question": "offence_shame", "value": "yes"}, {"question": "previous_attempt", "value": "not_known"},
        {"question": "mental_health", "value": "not_known"}, {"question": "lives_alone", "value": "yes"},
        {"question": "job_or_family", "value": "yes"}, {"question": "expressed_intent", "value": "not_known"},
        {"question": "means", "value": "not_known"},
        {"question": "contact_plan", "value": "Officer stays with him after the search; mental health team and "
                                              "Samaritans details; a call the next morning", "source": "officer"}]})
    researcher.do("POST", f"/api/risk/assessments/{a}/submit", {"judgement": "high"})
    researcher.do("POST", "/api/risk/decisions", {
        "kind": "search", "decision": "Search his home for devices", "reference": ref, "person_id": man,
        "rationale": "He has access to children through his work; high suicide risk managed by the contact plan"})
    researcher.do("POST", f"/api/referrals/{teacher}/outcome",
                  {"outcome": "searched", "note": "Devices seized; contact plan in place"})


# ------------------------------------------------------------------------------------------ B28.5 and P11
class _Watched(Actor):
    """An actor whose successful calls are shown to a listener (to act on what the story just did)."""

    def __init__(self, run: Run, driver: Driver, persona: str,
                 listener: Callable[[str, str, dict[str, Any] | None, Response], None]) -> None:
        super().__init__(run, driver, persona)
        self.listener = listener

    def do(self, method: str, path: str, body: dict[str, Any] | None = None) -> Response:
        resp = super().do(method, path, body)
        self.listener(method, path, body, resp)
        return resp


def case_5(run: Run, as_: Callable[[str], Actor]) -> None:
    """Concern for welfare, with P11: the neighbouring force's email is a referral received from another force,
    recorded with who sent it, what it asks and the address it gives; not acknowledged in time it reminds its
    owner; actioned at the address held here instead of the one it gives, it asks why."""
    controller = as_("controller")
    seen: dict[str, Any] = {}

    def listener(method: str, path: str, body: dict[str, Any] | None, resp: Response) -> None:
        if method != "POST" or body is None:
            return
        if path == "/api/people" and body.get("given_names") == "Leah" and "leah" not in seen:
            seen["leah"] = int(resp.body["id"])
        elif "leah" in seen and path == f"/api/people/{seen['leah']}/residences" and "held" not in seen:
            seen["held"] = body["address"]
        elif path == "/api/logs" and body.get("contact", {}).get("channel") == "email" and "email" not in seen:
            seen["email"] = resp.body["reference"]
            _received(run, as_, controller, seen, body["contact"]["account"])

    bulletin28.case_5(run, lambda persona: _Watched(run, as_(persona).driver, persona, listener))
    if "incoming" not in seen:
        run.fail("P11: the email from the neighbouring force was never recorded as a referral")
        return

    run.step("The referral is closed as actioned after a visit to the address held here, not the one the "
             "email gives.")
    x = seen["incoming"]
    controller.attempt("POST", f"/api/referrals/forces/incoming/{x}/actioned", {
        "note": "Officers attended; no reply", "address_attended": seen.get("held", "")}, expect="P11", status=400)
    done = controller.do("POST", f"/api/referrals/forces/incoming/{x}/actioned", {
        "note": "Officers sent to the address the email gives; she has not been seen: concern continues",
        "reference": seen["email"]}).body
    run.note(f"actioned at {done['address_attended']} (log {done['log']})")


def _received(run: Run, as_: Callable[[str], Actor], controller: Actor, seen: dict[str, Any], account: str) -> None:
    """P11: the email, as the referral it is."""
    m = re.search(r"current address: (.+?)\.?$", account)
    given = m.group(1) if m else ""
    run.step("The email is also recorded as a referral from the neighbouring force: who sent it, what it asks, "
             "about whom and at which address. The controller owns it until it is acknowledged.")
    handler = as_("handler")
    due = (datetime.now(UTC) + timedelta(seconds=2)).isoformat()
    x = handler.do("POST", "/api/referrals/forces/incoming", {
        "sending_force": "Neighbouring force", "sender": "PC, neighbouring force", "received_via": "email",
        "person_id": seen["leah"], "subject_role": "victim", "address_given": given,
        "ask": "Check on her as a concern for welfare", "reference": seen["email"],
        "owner_id": handler.staff_id("controller"), "ack_due_at": due}).body
    seen["incoming"] = x["id"]
    if controller.driver.wait_for_timers(lambda: bool(_notes(controller, "P11", "incoming_referral_due"))):
        run.intervened("P11", f"{x['reference']} not acknowledged by its due time: its owner was reminded "
                              f"(address given: {x['address_given']})")
    else:
        run.fail("P11: a referral from another force went unacknowledged and nobody was reminded")
    controller.do("POST", f"/api/referrals/forces/incoming/{x['id']}/acknowledge",
                  {"note": "Told the neighbouring force the control room has it"})
