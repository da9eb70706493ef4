"""The rules of cases (P1): pure functions over plain data. No Django.

Who may act on a case, what a handover needs, and whether a member of staff may be moved while they hold
cases. Each refusal names its safeguard.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from watchkeeper.core.errors import Forbidden, Invalid, Refusal

KINDS: dict[str, str] = {"crime": "Crime", "safeguarding": "Safeguarding", "public_protection": "Public protection"}
PARTY_ROLES: dict[str, str] = {
    "victim": "Victim", "suspect": "Suspect", "witness": "Witness", "subject": "Subject",
    "reporting_person": "Reporting person", "other": "Other",
}
STATES: dict[str, str] = {"open": "Open", "closed": "Closed"}
HANDOVER_KINDS: dict[str, str] = {"officer": "Officer in charge", "supervisor": "Supervision"}
# A move guard lists at most this many cases in its refusal (the rest are counted).
LISTED = 20


@dataclass(frozen=True)
class Holder:
    """A member of staff as the case rules see them."""

    id: int
    name: str
    active: bool
    may_hold: bool  # their role may be officer in charge of a case
    may_supervise: bool  # their role may supervise cases
    team_id: int | None = None


@dataclass(frozen=True)
class CaseFacts:
    id: int
    reference: str
    state: str
    officer_id: int
    supervisor_id: int


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise Invalid(f"A case is one of: {', '.join(KINDS)}; not {kind!r}.", "kind")
    return kind


def check_party_role(role: str) -> str:
    if role not in PARTY_ROLES:
        raise Invalid(f"A person is on a case as one of: {', '.join(PARTY_ROLES)}; not {role!r}.", "role")
    return role


def check_owners(officer: Holder, supervisor: Holder) -> None:
    """P1: every case has an officer in charge and a supervisor, each able to be one, and not the same person."""
    if not officer.active or not officer.may_hold:
        raise Refusal(f"{officer.name} cannot be officer in charge of a case.", safeguard="P1",
                      next_step="Choose a response officer, investigator or supervisor who is at work.")
    if not supervisor.active or not supervisor.may_supervise:
        raise Refusal(f"{supervisor.name} cannot supervise a case.", safeguard="P1",
                      next_step="Choose a supervisor or duty inspector.")
    if officer.id == supervisor.id:
        raise Refusal("The officer in charge cannot supervise their own case.", safeguard="P1",
                      next_step="Choose another supervisor, for example the officer's team supervisor.")


def check_may_act(actor_id: int | None, may_any: bool, case: CaseFacts) -> None:
    """P1: a case is worked by its officer in charge and its supervisor; supervisors and duty inspectors
    (`case.supervise`) may act on any case. The system may do anything."""
    if actor_id is None or may_any or actor_id in (case.officer_id, case.supervisor_id):
        return
    raise Forbidden(f"Case {case.reference} is not yours: only its officer in charge, its supervisor or a "
                    "supervisor may change it.")


def check_open(case: CaseFacts) -> None:
    if case.state != "open":
        raise Refusal(f"Case {case.reference} is closed.", safeguard="P1", status=409,
                      next_step="Nothing more is recorded on a closed case.")


def check_handover(case: CaseFacts, kind: str, receiver: Holder, reason: str, summary: str) -> None:
    """P1: a handover says to whom, why, and what the receiver needs to know; the receiver can take it."""
    check_open(case)
    if kind not in HANDOVER_KINDS:
        raise Invalid(f"A handover is of one of: {', '.join(HANDOVER_KINDS)}; not {kind!r}.", "kind")
    if not reason.strip():
        raise Invalid("Say why the case is handed over.", "reason")
    if not summary.strip():
        raise Invalid("Write a summary for the receiver: where the case stands and what is outstanding.", "summary")
    if kind == "officer":
        if receiver.id == case.officer_id:
            raise Invalid(f"{receiver.name} is already the officer in charge.", "to_user_id")
        if not receiver.active:
            raise Refusal(f"{receiver.name} is not at work.", safeguard="P1", next_step="Choose someone at work.")
        if receiver.id == case.supervisor_id:
            return  # queued to the supervisor: they hold it until they allocate it
        if not receiver.may_hold:
            raise Refusal(f"{receiver.name} cannot be officer in charge of a case.", safeguard="P1",
                          next_step="Choose a response officer, investigator or supervisor, or queue it to the "
                                    "case's supervisor.")
    else:
        if receiver.id == case.supervisor_id:
            raise Invalid(f"{receiver.name} already supervises this case.", "to_user_id")
        if not receiver.active or not receiver.may_supervise:
            raise Refusal(f"{receiver.name} cannot supervise a case.", safeguard="P1",
                          next_step="Choose a supervisor or duty inspector.")
        if receiver.id == case.officer_id:
            raise Refusal("The officer in charge cannot supervise their own case.", safeguard="P1",
                          next_step="Choose another supervisor.")


def check_acknowledge(acknowledger_id: int | None, receiver_id: int, acknowledged: bool) -> None:
    """P1: only the receiver acknowledges a handover, once."""
    if acknowledged:
        raise Refusal("This handover is already acknowledged.", safeguard="P1", status=409)
    if acknowledger_id is not None and acknowledger_id != receiver_id:
        raise Forbidden("Only the person the case was handed to acknowledges the handover.")


def check_officer_move(name: str, held: Iterable[str], total: int) -> None:
    """P1: a member of staff who is officer in charge of open cases is not moved until each is handed over
    (to another officer, or queued to their supervisor)."""
    listed = list(held)
    if not total:
        return
    more = f" and {total - len(listed)} more" if total > len(listed) else ""
    raise Refusal(
        f"{name} is officer in charge of {total} open case{'s' if total != 1 else ''}: "
        f"{', '.join(listed)}{more}.", safeguard="P1",
        next_step="Hand each case over on its case page (to another officer, or to their supervisor's queue), "
                  "then move them.",
        details={"cases": listed, "open_cases": total}, status=409)


@dataclass(frozen=True)
class SupervisionPlan:
    """What a supervisor's move does with the cases they supervise: hand supervision to `to` (the team's
    supervisor after the move), or nothing when they keep supervising."""

    to: Holder | None


def plan_supervisor_move(mover: Holder, leaves: bool, successor: Holder | None, cases: list[str], total: int,
                         officers: set[int]) -> SupervisionPlan:
    """P1: a supervisor who moves (to another team, or out of supervising) hands supervision of their open cases
    to their team's supervisor; refused, naming what to do, when there is nobody to hand it to."""
    if not total or not leaves:
        return SupervisionPlan(None)
    if successor is None or successor.id == mover.id or not successor.active or not successor.may_supervise:
        raise Refusal(
            f"{mover.name} supervises {total} open case{'s' if total != 1 else ''} ({', '.join(cases)}) and "
            "their team has no other supervisor to take them over.", safeguard="P1",
            next_step="Set the team's new supervisor first, or hand supervision of each case over on its case "
                      "page, then move them.", details={"cases": cases, "open_cases": total}, status=409)
    if successor.id in officers:
        raise Refusal(
            f"{successor.name} would supervise a case they are officer in charge of.", safeguard="P1",
            next_step="Hand supervision of that case over on its case page to someone else, then move them.",
            status=409)
    return SupervisionPlan(successor)


# ------------------------------------------------------------------------------ P2 reviews and stale cases
RISKS: dict[str, str] = {"standard": "Standard", "medium": "Medium", "high": "High"}
EVIDENCE_KINDS: dict[str, str] = {"event": "Case timeline", "entry": "Log entry", "task": "Task",
                                  "assessment": "Risk assessment"}
MAX_EVIDENCE = 50


def check_risk(risk: str) -> str:
    if risk not in RISKS:
        raise Invalid(f"A case's risk is one of: {', '.join(RISKS)}; not {risk!r}.", "risk")
    return risk


def review_days(schedule: dict[str, dict[str, int]], kind: str, risk: str) -> int:
    """P2: days between supervisory reviews for a case of this kind at this risk (force policy
    `case_review_days`)."""
    return int(schedule[kind][risk])


def check_schedule(schedule: dict[str, dict[str, int]]) -> None:
    """P2: the review schedule names every kind of case and every risk level (else a case could not be given
    its next review)."""
    missing = [f"{k}/{r}" for k in KINDS for r in RISKS if r not in schedule.get(k, {})]
    extra = [k for k in schedule if k not in KINDS] + [
        f"{k}/{r}" for k, levels in schedule.items() for r in levels if r not in RISKS]
    if missing or extra:
        raise Invalid("case_review_days needs a number of days for every kind and risk level"
                      + (f"; missing {', '.join(missing)}" if missing else "")
                      + (f"; unknown {', '.join(extra)}" if extra else ""), "value")


def parse_evidence(items: Iterable[str]) -> list[tuple[str, int]]:
    """P2: evidence is cited as "kind:id" (a timeline line, a log entry, a task, a risk assessment)."""
    out: list[tuple[str, int]] = []
    for raw in items:
        kind, _, ident = str(raw).partition(":")
        if kind not in EVIDENCE_KINDS or not ident.isdigit():
            raise Invalid(f"Evidence is cited as kind:id with kind one of {', '.join(EVIDENCE_KINDS)}; "
                          f"not {raw!r}.", "evidence")
        if (kind, int(ident)) not in out:
            out.append((kind, int(ident)))
    if len(out) > MAX_EVIDENCE:
        raise Invalid(f"A review cites at most {MAX_EVIDENCE} pieces of evidence.", "evidence")
    return out


def check_review(reviewer_id: int | None, may_supervise: bool, case: CaseFacts, evidence: int, no_progress: bool,
                 note: str) -> None:
    """P2: a supervisory review is made by someone who supervises cases and is not the officer in charge, and
    records the evidence of progress it saw; a review that saw none says so (no progress) and what happens
    next. "Reviewed" alone is refused."""
    check_open(case)
    if reviewer_id is not None and not may_supervise:
        raise Forbidden("Supervisory reviews are made by a supervisor or duty inspector (case.supervise).")
    if reviewer_id is not None and reviewer_id == case.officer_id:
        raise Refusal("The officer in charge cannot review their own case.", safeguard="P2",
                      next_step="Ask the case's supervisor to review it.")
    if not note.strip():
        raise Invalid("Say what the review found and what happens next.", "note")
    if evidence and no_progress:
        raise Invalid("A review either cites evidence of progress or records that there was none, not both.",
                      "no_progress")
    if not evidence and not no_progress:
        raise Refusal("A review records the evidence of progress it saw.", safeguard="P2",
                      next_step="Tick the entries, tasks, assessments or timeline lines you looked at, or record "
                                "that there was no progress and what happens next.")


def is_stale(last_activity_days: float, stale_days: int) -> bool:
    """P2: a case with no activity for `case_stale_days` is stale."""
    return last_activity_days >= stale_days


# ------------------------------------------------------------------------------ P3 single point of contact
CHANNELS: dict[str, str] = {
    "phone": "Phone", "in_person": "In person", "letter": "Letter", "email": "Email", "text": "Text message",
    "video": "Video call", "via_advocate": "Through an advocate",
}


def check_channel(channel: str) -> str:
    if channel not in CHANNELS:
        raise Invalid(f"A contact is made by one of: {', '.join(CHANNELS)}; not {channel!r}.", "channel")
    return channel


def check_point_of_contact(victim_cases: int, contact: Holder, current_id: int | None, reason: str) -> None:
    """P3: a victim (a person in the victim role on a case) has one named point of contact across all their
    cases: someone at work who can hold cases; setting or changing it says why."""
    if victim_cases == 0:
        raise Refusal("Only a victim on a case has a point of contact.", safeguard="P3", status=409,
                      next_step="Add the person to a case as its victim first.")
    if not contact.active or not contact.may_hold:
        raise Refusal(f"{contact.name} cannot be a victim's point of contact.", safeguard="P3",
                      next_step="Choose an officer at work who can hold cases.")
    if current_id == contact.id:
        raise Refusal(f"{contact.name} is already the victim's point of contact.", safeguard="P3", status=409)
    if not reason.strip():
        raise Invalid("P3: say why the point of contact is set or changed.", "reason")


def check_contact(is_victim: bool, name: str) -> None:
    """P3: contacts logged on a case are with a victim on it."""
    if not is_victim:
        raise Refusal(f"{name} is not a victim on this case.", safeguard="P3", status=409,
                      next_step="Add them to the case as its victim first.")


# ------------------------------------------------------------------------------ P4 confirmed victim updates
UPDATE_KINDS: dict[str, str] = {
    "bail_change": "Bail change", "no_further_action": "No further action", "protection_ending": "Protection ending",
    "court_result": "Court result", "other": "Other",
}
OUTCOMES: dict[str, str] = {"pending": "Awaiting confirmation", "confirmed": "Delivery confirmed",
                            "failed": "Not delivered"}
FAILURES: dict[str, str] = {
    "returned_letter": "Letter returned", "unanswered_call": "Call not answered",
    "voicemail_unacknowledged": "Voicemail not acknowledged", "bounced_email": "Email bounced",
    "other": "Other failure",
}


def check_update_kind(kind: str) -> str:
    if kind not in UPDATE_KINDS:
        raise Invalid(f"An update is one of: {', '.join(UPDATE_KINDS)}; not {kind!r}.", "kind")
    return kind


def check_channels(channels: Iterable[str]) -> list[str]:
    """P4: a victim's preferred channels, in order, each known and given once."""
    out: list[str] = []
    for c in channels:
        check_channel(c)
        if c in out:
            raise Invalid(f"{CHANNELS[c]} is given twice.", "channels")
        out.append(c)
    if not out:
        raise Invalid("Give at least one preferred channel.", "channels")
    return out


def check_outcome(current: str, outcome: str, failure: str) -> None:
    """P4: an update's delivery is confirmed or recorded as failed (how) once; a later one is a new update."""
    if outcome not in ("confirmed", "failed"):
        raise Invalid("An update's delivery is either confirmed or failed.", "outcome")
    if current != "pending":
        raise Refusal(f"This update's delivery is already recorded ({OUTCOMES.get(current, current).lower()}).",
                      safeguard="P4", status=409, next_step="Send a new update by another channel.")
    if outcome == "failed" and failure not in FAILURES:
        raise Invalid(f"Say how it failed: one of {', '.join(FAILURES)}.", "failure")
    if outcome == "confirmed" and failure:
        raise Invalid("A confirmed update has no failure.", "failure")


def next_channel(preferred: list[str], tried: Iterable[str]) -> str | None:
    """P4: the victim's next preferred channel not yet tried for this update, or None."""
    done = set(tried)
    return next((c for c in preferred if c not in done), None)


# ------------------------------------------------------------------------------ P10 conflicts of interest
DECISIONS: dict[str, str] = {"allowed": "Allowed", "allowed_with_conditions": "Allowed with conditions",
                             "not_allowed": "Not allowed"}


@dataclass(frozen=True)
class Declared:
    """A conflict of interest as the rules see it: on which case (or person), and the assessment, if any."""

    id: int
    decision: str  # "" until a supervisor assesses it


def check_not_conflicted(conflicts: Iterable[Declared], reference: str) -> None:
    """P10: a member of staff who declared a conflict on a case (or a person on it) does not act on it until a
    supervisor has assessed it, nor ever when it was not allowed."""
    for c in conflicts:
        if not c.decision:
            raise Refusal(f"You declared a conflict of interest on case {reference}: a supervisor must assess it "
                          "before you act on the case.", safeguard="P10", status=403,
                          next_step="Ask a supervisor to assess the declaration.")
        if c.decision == "not_allowed":
            raise Refusal(f"Your conflict of interest on case {reference} was assessed as not allowed: you do not "
                          "act on this case.", safeguard="P10", status=403,
                          next_step="Ask the supervisor to hand the work to someone else.")


def check_assessment(assessor_id: int | None, declarer_id: int, assessed: bool, decision: str, conditions: str,
                     rationale: str) -> None:
    """P10: a supervisor (not the declarer) assesses a declaration once, with a rationale (and the conditions
    when allowed with conditions)."""
    if assessor_id == declarer_id:
        raise Refusal("You cannot assess your own declaration of a conflict of interest.", safeguard="P10",
                      status=403, next_step="Ask another supervisor.")
    if assessed:
        raise Refusal("This declaration is already assessed.", safeguard="P10", status=409,
                      next_step="Ask the person to declare again if things have changed.")
    if decision not in DECISIONS:
        raise Invalid(f"An assessment is one of: {', '.join(DECISIONS)}; not {decision!r}.", "decision")
    if not rationale.strip():
        raise Invalid("P10: an assessment gives its rationale.", "rationale")
    if decision == "allowed_with_conditions" and not conditions.strip():
        raise Invalid("P10: say what the conditions are.", "conditions")


# ------------------------------------------------------------------------------ P6 multi-agency actions
REFERRAL_KINDS: dict[str, str] = {
    "marac": "Multi-agency risk assessment conference (MARAC)", "mappa": "Public protection arrangements (MAPPA)",
    "strategy": "Safeguarding strategy meeting", "mash": "Safeguarding hub referral", "other": "Other meeting",
}


def check_referral_kind(kind: str) -> str:
    if kind not in REFERRAL_KINDS:
        raise Invalid(f"A referral or meeting is one of: {', '.join(REFERRAL_KINDS)}; not {kind!r}.", "kind")
    return kind


def check_action_owner(owner_user: bool, agency: str) -> None:
    """P6: every multi-agency action has one owner: a member of staff or a partner agency (by name)."""
    if owner_user == bool(agency.strip()):
        raise Invalid("P6: an action has one owner: a member of staff or a partner agency, not both or neither.",
                      "owner_id" if not owner_user else "agency")


def check_no_open_actions(open_actions: list[str], total: int, what: str) -> None:
    """P6: a case (or a log linked to one) is not closed while its multi-agency actions are open."""
    if total:
        listed = "; ".join(open_actions)
        more = f" and {total - len(open_actions)} more" if total > len(open_actions) else ""
        raise Refusal(f"{what} has {total} open multi-agency action{'s' if total != 1 else ''}: {listed}{more}.",
                      safeguard="P6", status=409, next_step="Record each action's completion first.",
                      details={"actions": open_actions, "total": total})


# ------------------------------------------------------------------------------ P5 disclosure decisions
DISCLOSURE_DECISIONS: dict[str, str] = {"disclose": "Disclose", "not_disclose": "Do not disclose"}
# A disclosure task keeps at most this many pieces of the suspect's history (the newest).
MAX_HISTORY = 20


@dataclass(frozen=True)
class HistoryItem:
    """Something the force holds about a suspect: a marker (its kind), an order restricting them (its kind) or
    an earlier log they were on (its flags)."""

    source: str  # "marker", "order" or "log"
    codes: tuple[str, ...]
    text: str


def relevant_history(items: Iterable[HistoryItem], markers: Iterable[str], flags: Iterable[str]) -> list[HistoryItem]:
    """P5: the suspect's history that makes disclosure to their victim worth considering: a marker of a kind in
    policy `disclosure_markers` (violence, domestic abuse, weapons: ended ones too, history is history), any
    order that restricted them (bail conditions, protective orders), and an earlier log carrying a flag in
    policy `disclosure_flags` (domestic abuse, weapons, breach of an order). Bounded to MAX_HISTORY."""
    kinds, wanted = set(markers), set(flags)
    out = []
    for item in items:
        if (item.source == "order" or (item.source == "marker" and kinds & set(item.codes))
                or (item.source == "log" and wanted & set(item.codes))):
            out.append(item)
    return out[:MAX_HISTORY]


def check_disclosure_decision(decided: bool, decision: str, rationale: str, channel: str,
                              delivered: bool) -> None:
    """P5: a disclosure decision is made once: disclose or not, and why; a disclosure says how it was delivered
    (the channel) and when; a decision not to disclose delivers nothing."""
    if decided:
        raise Refusal("This disclosure decision is already recorded.", safeguard="P5", status=409,
                      next_step="Record anything new on the case; the decision stands as made.")
    if decision not in DISCLOSURE_DECISIONS:
        raise Invalid(f"A disclosure decision is one of: {', '.join(DISCLOSURE_DECISIONS)}; not {decision!r}.",
                      "decision")
    if not rationale.strip():
        raise Refusal("A disclosure decision records why it was made.", safeguard="P5", status=400,
                      next_step="Say why the victim is (or is not) told of the suspect's history.",
                      details={"field": "rationale"})
    if decision == "disclose":
        if channel not in CHANNELS:
            raise Invalid(f"Say how the disclosure was delivered: one of {', '.join(CHANNELS)}.", "channel")
        if not delivered:
            raise Invalid("Say when the disclosure was delivered.", "delivered_at")
    elif channel or delivered:
        raise Invalid("A decision not to disclose delivers nothing: leave the channel and time blank.", "channel")


def check_no_undecided_disclosures(undecided: list[str], what: str) -> None:
    """P5: a case is not closed while considering disclosure to a victim is undecided."""
    if undecided:
        raise Refusal(f"{what} has {len(undecided)} undecided disclosure task{'s' if len(undecided) != 1 else ''}: "
                      f"{'; '.join(undecided[:LISTED])}.", safeguard="P5", status=409,
                      next_step="Record each disclosure decision (disclose or not, and why) first.",
                      details={"disclosures": undecided[:LISTED]})


# ------------------------------------------------------------------------------ P8 bail
BAIL_STATES: dict[str, str] = {"in_force": "In force", "amended": "Amended", "ended": "Ended",
                               "expired": "Expired"}
BAIL_CHANGES: dict[str, str] = {"set": "Bail condition set", "amended": "Bail condition amended",
                                "ended": "Bail condition ended"}
MAX_PLACES = 10


def check_bail_condition(*, text: str, rationale: str, review_on: date, end_on: date, today: date,
                         max_review_days: int, protects: int) -> None:
    """P8: a bail condition says what it is, why it is necessary and proportionate (refused without), when it
    is next reviewed (within policy `bail_review_max_days`) and when it ends; and it protects someone or
    somewhere, or restricts an activity, so the orders register can see a breach (M3)."""
    if not text.strip():
        raise Invalid("Write the condition as it was imposed.", "text")
    if not rationale.strip():
        raise Refusal("A bail condition needs its proportionality rationale: why it is necessary and "
                      "proportionate to this offence and this suspect.", safeguard="P8", status=400,
                      next_step="Say what risk the condition manages (interfering with witnesses, further "
                                "offences, failing to appear) and why nothing less would do.",
                      details={"field": "rationale"})
    if end_on < today:
        raise Invalid("A bail condition ends today or later.", "end_on")
    if review_on < today or review_on > end_on:
        raise Invalid("The review date is between today and the day the condition ends.", "review_on")
    if (review_on - today).days > max_review_days:
        raise Refusal(f"A bail condition is reviewed within {max_review_days} days.", safeguard="P8", status=400,
                      next_step="Choose an earlier review date.", details={"field": "review_on"})
    if not protects:
        raise Invalid("Say whom or where the condition protects (the case's victims, places) or which activity "
                      "it restricts.", "places")


def check_bail_change(in_force: bool, reason: str, what: str) -> None:
    """P8: only a condition in force is amended, reviewed or ended, and an amendment or end says why."""
    if not in_force:
        raise Refusal("This bail condition is no longer in force (amended, ended or past its end).", safeguard="P8",
                      status=409, next_step="Act on the condition in force now.")
    if not reason.strip():
        raise Invalid(f"Say why the condition is {what}.", "reason")


def bail_state(amended: bool, ended: bool, end_on: date, today: date) -> str:
    """P8: a condition is in force until it is amended (a newer version replaces it), ended, or past its end."""
    if amended:
        return "amended"
    if ended:
        return "ended"
    return "in_force" if end_on >= today else "expired"
