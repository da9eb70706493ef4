"""The safeguards of incident logs: pure functions over plain data (no Django imports).

Each safeguard is named by its catalogue ID in its docstring. A rule either returns a decision or raises a
`Refusal` naming the safeguard, the reason and the next step. Numbers come from `Policy`, never from here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from watchkeeper.core.errors import Conflict, Invalid, Refusal
from watchkeeper.core.policy import Policy

THRIVE_LEVELLED = ("threat", "harm", "risk", "vulnerability")
THRIVE_NOTE_MAX = 2000
THRIVE_ELEMENTS = ("threat", "harm", "risk", "investigation", "vulnerability", "engagement")


# ---------------------------------------------------------------------------------------------- L1
def log_reference(day: date, seq: int, policy: Policy) -> str:
    """L1: a force-style reference from the local date and that day's sequence number.

    The sequence comes from a counter that only ever increases, so a reference is never issued twice."""
    if seq < 1:
        raise ValueError("sequence numbers start at 1")
    return str(policy["log_reference_format"]).format(date=day, seq=seq)


# ---------------------------------------------------------------------------------------------- L4
def check_version(expected: int | None, current: int, changes: Sequence[dict[str, Any]]) -> None:
    """L4: a change made against an old version is refused with what changed, never applied over it."""
    if expected is None:
        raise Invalid("expected_version is required for this change (L4: nothing is overwritten)",
                      "expected_version")
    if expected != current:
        raise Conflict(
            f"This log changed since you loaded it (you had version {expected}, it is now {current}).",
            details={"expected_version": expected, "current_version": current, "changes": list(changes)},
        )


def notify_on_addition(author_id: int | None, owner_id: int | None, assignee_ids: Iterable[int]) -> list[int]:
    """L4: who is told at once when something is added to a log: the owner and assigned staff, not the
    author themselves."""
    people = [owner_id, *assignee_ids]
    out: list[int] = []
    for pid in people:
        if pid is not None and pid != author_id and pid not in out:
            out.append(pid)
    return out


# ---------------------------------------------------------------------------------------------- L3
@dataclass(frozen=True)
class EntryFact:
    seq: int
    author_id: int | None
    kind: str
    text: str
    at: datetime


def unseen_entries(entries: Iterable[EntryFact], seen_seq: int, user_id: int) -> list[EntryFact]:
    """L3: entries this user has not seen: added by someone else after the furthest point they read."""
    return [e for e in entries if e.seq > seen_seq and e.author_id != user_id]


def check_read_before_close(unseen: Sequence[EntryFact], acknowledged_through: int | None) -> None:
    """L3 read before close: refuse while any unseen entry is not acknowledged."""
    pending = [e for e in unseen if acknowledged_through is None or e.seq > acknowledged_through]
    if pending:
        raise Refusal(
            f"{len(pending)} entr{'y' if len(pending) == 1 else 'ies'} on this log "
            "ha{} not been seen by you.".format("s" if len(pending) == 1 else "ve"),
            safeguard="L3",
            next_step="Read the entries listed and acknowledge them, then close again.",
            details={
                "unseen": [
                    {"seq": e.seq, "kind": e.kind, "text": e.text, "at": e.at.isoformat()} for e in pending
                ],
                "acknowledge_through": max(e.seq for e in pending),
            },
            status=409,
        )


def close_instruction_stands(ready_seq: int | None, last_seq: int) -> bool:
    """L3: an earlier "close this down" only stands while nothing has been added to the log since."""
    return ready_seq is not None and ready_seq >= last_seq


# --------------------------------------------------------------------------------------------- L10
# Not a number or a threshold but the safeguard itself: no configuration makes these an outcome.
NEVER_AN_OUTCOME = frozenset({"no_units_available"})


def check_closing_outcome(
    *,
    flags: Sequence[str],
    code: str,
    closer_role: str,
    authorisation_rationale: str,
    policy: Policy,
    dismissed: Sequence[dict[str, Any]] = (),
) -> bool:
    """L10 positive action before close. Returns True when the close is a supervisor's authorisation.

    "No units available" is never an outcome (L10/D3). A log flagged for safeguarding, or one on which a
    child, domestic-abuse, weapons or exploitation prompt was dismissed (`dismissed`), needs a positive
    outcome (seen, located or spoken to and safe) or an authoriser's close with a rationale.
    """
    if code in NEVER_AN_OUTCOME or code in policy["forbidden_closing_codes"]:
        raise Refusal(
            '"No units available" is not a closing outcome: the log stays open and pending.',
            safeguard="L10",
            next_step="Keep the log open; escalate to the controller or duty inspector for a unit.",
        )
    if not code:
        raise Invalid("Choose an outcome: none is chosen for you", "code")
    outcome = policy.closing_code(code)
    if outcome is None:
        raise Invalid(f"Unknown closing code {code!r}", "code")
    safeguarding = [f for f in flags if f in policy.flag_codes()]
    if not (safeguarding or dismissed) or outcome["positive"]:
        return False
    if closer_role in policy["flagged_close_authoriser_roles"] and authorisation_rationale.strip():
        return True
    why = []
    if safeguarding:
        why.append(f"is flagged ({', '.join(policy.flag_label(f) for f in safeguarding)})")
    if dismissed:
        why.append(f"had {len(dismissed)} safeguarding prompt{'s' if len(dismissed) != 1 else ''} dismissed ("
                   + "; ".join(f"{d['safeguard']}: {d['text']}" for d in dismissed) + ")")
    raise Refusal(
        f"This log {' and '.join(why)}: it needs a recorded positive outcome to close.",
        safeguard="L10",
        next_step="Record that the person was seen, located or spoken to and is safe, or ask a supervisor "
        "to close it with a rationale.",
        details={"flags": list(safeguarding), "positive_outcomes": [
            c["code"] for c in policy["closing_codes"] if c["positive"]],
            **({"dismissed_prompts": list(dismissed)} if dismissed else {})},
    )


# ------------------------------------------------------------------------------------- L6 and L11
def check_nothing_open(open_requests: Sequence[dict[str, Any]], open_tasks: Sequence[dict[str, Any]]) -> None:
    """L6 and L11: open requests between services and open commitments block closing."""
    if open_requests:
        raise Refusal(
            f"{len(open_requests)} request(s) to or from another service are still open.",
            safeguard="L6",
            next_step="Action, decline or withdraw each request (say why), then close.",
            details={"open_requests": list(open_requests)},
        )
    if open_tasks:
        raise Refusal(
            f"{len(open_tasks)} commitment(s) made on this log are still open.",
            safeguard="L11",
            next_step="Complete or hand over each task, then close.",
            details={"open_tasks": list(open_tasks)},
        )


def next_task_alert(stage: int, due_at: datetime, policy: Policy) -> datetime | None:
    """L11: when a task's next alert falls. Stage 0: the owner at the due time; stage 1: the owner's
    supervisor after the escalation delay; stage 2: nothing further (it stays visible as overdue)."""
    if stage == 0:
        return due_at
    if stage == 1:
        return due_at + timedelta(minutes=int(policy["task_escalation_minutes"]))
    return None


# ---------------------------------------------------------------------------------------------- C4
@dataclass(frozen=True)
class GradeFacts:
    category: str
    flags: tuple[str, ...]
    thrive: dict[str, Any]
    floor: str | None = None  # D5: an active special scheme's grade floor


@dataclass(frozen=True)
class Proposal:
    grade: str | None
    reasons: tuple[str, ...] = field(default_factory=tuple)


def validate_thrive(thrive: dict[str, Any], policy: Policy) -> dict[str, dict[str, str]]:
    """C4: THRIVE is recorded with every grading: a level for threat, harm, risk and vulnerability, and a
    note for each of the six elements where the handler has one."""
    if not isinstance(thrive, dict):
        raise Invalid("THRIVE must be an object with threat, harm, risk, investigation, vulnerability, "
                      "engagement", "thrive")
    levels: list[str] = policy["levels"]
    clean: dict[str, dict[str, str]] = {}
    for element in THRIVE_ELEMENTS:
        raw = thrive.get(element) or {}
        if isinstance(raw, str):
            raw = {"level": raw} if element in THRIVE_LEVELLED else {"note": raw}
        if not isinstance(raw, dict):
            raise Invalid(f"THRIVE {element} must be an object", f"thrive.{element}")
        note = raw.get("note") or ""
        if not isinstance(note, str) or len(note) > THRIVE_NOTE_MAX or "\x00" in note:
            raise Invalid(f"THRIVE {element} note must be text of at most {THRIVE_NOTE_MAX} characters",
                          f"thrive.{element}")
        item: dict[str, str] = {"note": note.strip()}
        if element in THRIVE_LEVELLED:
            level = raw.get("level")
            if level not in levels:
                raise Invalid(f"THRIVE {element} needs a level: one of {', '.join(levels)}", f"thrive.{element}")
            item["level"] = str(level)
        clean[element] = item
    return clean


def _level(thrive: dict[str, Any], element: str) -> str | None:
    value = thrive.get(element)
    if isinstance(value, dict):
        return value.get("level")
    return value if isinstance(value, str) else None


def _rule_matches(when: dict[str, Any], facts: GradeFacts, policy: Policy) -> bool:
    if "categories" in when and facts.category not in when["categories"]:
        return False
    if "flags_any" in when and not set(when["flags_any"]) & set(facts.flags):
        return False
    if "flags_all" in when and not set(when["flags_all"]) <= set(facts.flags):
        return False
    for element in THRIVE_LEVELLED:
        key = f"{element}_at_least"
        if key in when and policy.level_rank(_level(facts.thrive, element)) < policy.level_rank(when[key]):
            return False
    return True


def propose_grade(facts: GradeFacts, policy: Policy) -> Proposal:
    """C4: the policy grade: the most urgent grade of every policy rule whose conditions hold."""
    best: str | None = None
    reasons: list[str] = []
    rules = list(policy["grade_rules"])
    if facts.floor is not None:
        rules.append({"name": "D5 active special scheme", "when": {}, "grade": facts.floor})
    for rule in rules:
        if _rule_matches(rule.get("when", {}), facts, policy):
            grade = rule["grade"]
            reasons.append(f"{rule['name']} → {policy.grade_label(grade)}")
            rank, best_rank = policy.grade_rank(grade), policy.grade_rank(best)
            if best is None or (rank is not None and (best_rank is None or rank < best_rank)):
                best = grade
    return Proposal(best, tuple(reasons))


def less_urgent(a: str | None, b: str | None, policy: Policy) -> bool:
    """True when grade a is less urgent than grade b (an ungraded b is never exceeded)."""
    ra, rb = policy.grade_rank(a), policy.grade_rank(b)
    return ra is not None and rb is not None and ra > rb


def check_grade_choice(
    chosen: str, proposal: Proposal, rationale: str, policy: Policy, floor: str | None = None
) -> bool:
    """C4: choosing a grade less urgent than the policy grade needs a rationale; returns True when the
    choice is below policy (so it is reported). D5: never below an active special scheme's floor."""
    if policy.grade_rank(chosen) is None:
        raise Invalid(f"Unknown grade {chosen!r}", "grade")
    if floor is not None and less_urgent(chosen, floor, policy):
        raise Refusal(
            f"This call comes from a phone or address under an active special scheme: it is graded no lower "
            f"than {policy.grade_label(floor)}.",
            safeguard="D5",
            next_step=f"Grade {policy.grade_label(floor)} or higher.",
            details={"floor": floor},
        )
    below = less_urgent(chosen, proposal.grade, policy)
    if below and not rationale.strip():
        raise Refusal(
            f"Policy proposes {policy.grade_label(proposal.grade)} for this log; "
            f"{policy.grade_label(chosen)} is lower.",
            safeguard="C4",
            next_step="Grade at the policy grade, or give a rationale for the lower grade (it is reported).",
            details={"proposed_grade": proposal.grade, "reasons": list(proposal.reasons)},
        )
    return below


def regrade_prompt(current: str | None, proposal: Proposal, policy: Policy) -> str | None:
    """C6 (first part): after new information, a policy grade more urgent than the current grade is a
    prompt to the owner and the supervisor. Returns the prompt text or None."""
    if current is None or proposal.grade is None or not less_urgent(current, proposal.grade, policy):
        return None
    return (
        f"Policy now proposes {policy.grade_label(proposal.grade)} (graded {policy.grade_label(current)}): "
        + "; ".join(proposal.reasons)
    )


# ---------------------------------------------------------------------------------------------- L5
def check_downgrade_request(reason: str, authoriser_role: str | None, policy: Policy) -> None:
    """L5: a downgrade needs a reason and a named authoriser of a configured role."""
    if not reason.strip():
        raise Refusal("A downgrade needs a reason.", safeguard="L5",
                      next_step="Say why the grade should be lower.")
    if authoriser_role is None:
        raise Refusal(
            "A downgrade needs an authoriser who reads the log themselves.",
            safeguard="L5",
            next_step="Name an authoriser ("
            + ", ".join(r.replace("_", " ") for r in policy["downgrade_authoriser_roles"])
            + "); they must open the log and authorise it.",
        )
    if authoriser_role not in policy["downgrade_authoriser_roles"]:
        raise Refusal(
            "The person named cannot authorise downgrades.",
            safeguard="L5",
            next_step="Name someone in one of these roles: "
            + ", ".join(r.replace("_", " ") for r in policy["downgrade_authoriser_roles"]) + ".",
        )


def check_authoriser_has_looked(opened_seq: int | None, last_seq: int) -> None:
    """L5: the authoriser must have opened the log themselves after its latest entry, not rely on a
    verbal summary."""
    if opened_seq is None or opened_seq < last_seq:
        raise Refusal(
            "You have not opened this log since its latest entry.",
            safeguard="L5",
            next_step="Open the log, read what was added since the last grading, then authorise.",
            status=409,
        )


# ---------------------------------------------------------------------------------------------- L7
@dataclass(frozen=True)
class MergeFacts:
    reference: str
    status: str
    callers: frozenset[str]
    parties: frozenset[str]
    allegations: frozenset[str]


# Placeholders a handler types when no name is given: they identify nobody.
ANONYMOUS_NAMES = frozenset({"anonymous", "caller", "unknown", "withheld", "not given", "no name", "passer by",
                             "member of public", "mop"})


def normalise_caller(name: str, phone: str) -> set[str]:
    """Identities a caller can be matched on: a phone number's digits, a name folded to letters (hyphens
    and other separators become spaces). Placeholder names identify nobody."""
    ids: set[str] = set()
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) >= 6:
        ids.add("tel:" + digits[-10:])
    plain = name.casefold().replace("'", "").replace("\u2019", "")  # O'Brien and OBrien are one name
    folded = " ".join("".join(ch if ch.isalpha() else " " for ch in plain).split())
    if folded and folded not in ANONYMOUS_NAMES:
        ids.add("name:" + folded)
    return ids


def normalise_allegation(text: str) -> str:
    return " ".join(text.casefold().split())


def check_merge(source: MergeFacts, target: MergeFacts, link_kinds: Iterable[str], reason: str) -> None:
    """L7 link, don't merge: merging is only for true duplicates (same caller, or the same allegation),
    needs a reason, and a counter-allegation from another party is never merged away."""
    if not reason.strip():
        raise Refusal("A merge needs a reason.", safeguard="L7", next_step="Say why these are duplicates.")
    if source.reference == target.reference:
        raise Invalid("A log cannot be merged into itself", "target")
    for facts in (source, target):
        if facts.status != "open":
            raise Refusal(f"Log {facts.reference} is {facts.status}; only open logs are merged.",
                          safeguard="L7", next_step="Link the logs instead.")
    if "counter_allegation" in set(link_kinds):
        raise Refusal(
            "These logs are a counter-allegation from another party; they are never merged.",
            safeguard="L7",
            next_step="Keep them as linked logs so officers see both accounts.",
        )
    different_parties = bool(source.parties and target.parties and not source.parties & target.parties)
    same_caller = bool(source.callers & target.callers) and not different_parties
    src_alleg = {a for a in source.allegations if a}
    tgt_alleg = {a for a in target.allegations if a}
    same_allegation = bool(src_alleg & tgt_alleg)
    if not (same_caller or same_allegation):
        raise Refusal(
            "This is not a duplicate: neither the same caller nor the same allegation.",
            safeguard="L7",
            next_step="Link the logs (same event or counter-allegation) so every account stays visible.",
        )


# ---------------------------------------------------------------------------------------------- L8
def route_message(addressee_absent: bool, addressee_team_id: int | None) -> tuple[str, int | None]:
    """L8: a message for an absent officer goes to their team's queue, not an unread inbox.
    Returns ("officer", None) or ("team", team_id)."""
    if addressee_absent:
        if addressee_team_id is None:
            raise Refusal(
                "The officer is absent and has no team whose queue could take the message.",
                safeguard="L8",
                next_step="Address the message to someone present, or give the officer a team.",
            )
        return "team", addressee_team_id
    return "officer", None


# ---------------------------------------------------------------------------------------------- L9
def review_assignee(reviewer_id: int, reviewer_absent: bool, deputy_id: int, deputy_absent: bool,
                    supervisor_id: int | None) -> tuple[int, str]:
    """L9: who must own an automatically created log now: the reviewer, or when away the named deputy,
    or when both are away the reviewer's supervisor. Returns (user id, why)."""
    if not reviewer_absent:
        return reviewer_id, "reviewer"
    if not deputy_absent:
        return deputy_id, "deputy (reviewer away)"
    if supervisor_id is not None:
        return supervisor_id, "supervisor (reviewer and deputy away)"
    return deputy_id, "deputy (reviewer away; deputy also away)"


@dataclass(frozen=True)
class ReviewerFact:
    """A member of staff named as a queue's reviewer or deputy (L9)."""

    id: int
    name: str
    role_label: str
    active: bool
    may_review: bool


def check_intake_reviewers(reviewer: ReviewerFact, deputy: ReviewerFact) -> None:
    """L9: a queue of automatic intake has a reviewer and a different deputy, both active staff whose role
    may own a review, so a log that arrives while the reviewer is away still reaches a person."""
    for field_name, who, what in (("reviewer_id", reviewer, "reviewer"), ("deputy_id", deputy, "deputy")):
        if not who.active:
            raise Refusal(f"{who.name} is not active staff and cannot be the {what}.", safeguard="L9",
                          next_step=f"Choose an active member of staff as the {what}.",
                          details={"field": field_name}, status=400)
        if not who.may_review:
            raise Refusal(f"{who.name} ({who.role_label}) cannot own a review, so cannot be the {what}.",
                          safeguard="L9",
                          next_step=f"Choose as {what} someone whose role may take logs from the review queue.",
                          details={"field": field_name}, status=400)
    if reviewer.id == deputy.id:
        raise Refusal(f"{reviewer.name} cannot be both reviewer and deputy: the deputy covers the reviewer's "
                      "absence.", safeguard="L9", next_step="Choose a different person as deputy.",
                      details={"field": "deputy_id"}, status=400)


# --------------------------------------------------------------------------------------------- L12
def circulation_summary(
    *,
    reference: str,
    category_label: str,
    grade_label: str,
    status: str,
    location: str,
    flags: Sequence[str],
    risks: dict[str, Any] | None,
    allegations: Sequence[dict[str, Any]],
    latest_entries: Sequence[dict[str, Any]],
    open_requests: Sequence[dict[str, Any]],
    markers: Sequence[dict[str, Any]] = (),
    risk_summary: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """L12 full circulation: what anyone assigned receives. Every allegation (from merged logs too), the
    risks and flags, the officer-safety summary (the same badges as the log's header and the boards), and
    the latest entries, never just the first line."""
    return {
        "reference": reference,
        "category": category_label,
        "grade": grade_label,
        "status": status,
        "location": location,
        "flags": list(flags),
        "risks": risks or {},
        "markers": list(markers),
        "risk_summary": risk_summary or {"badges": [], "none_recorded": True, "checked": {}},
        "allegations": list(allegations),
        "open_requests": list(open_requests),
        "latest_entries": list(latest_entries),
    }


# ------------------------------------------------------------------------------------- per record
@dataclass(frozen=True)
class LogHolders:
    """Who a log belongs to, as plain data: its owner and the staff assigned to it (active)."""

    owner_id: int | None
    assigned_ids: frozenset[int] = frozenset()


def check_may_close(user_id: int | None, may_close_any: bool, holders: LogHolders, doing: str,
                    reference: str) -> None:
    """Who may close, cancel, reopen or mark ready to close one log. Those who run the room (the
    `log.close_any` permission: dispatcher, controller, duty inspector, supervisor) may do it to any log;
    anyone else with the action's permission (a call handler, a response officer) only to a log they own or
    are assigned to. The system (no user) acts for the force. Refuses with 403 before anything is written."""
    if user_id is None or may_close_any:
        return
    if user_id == holders.owner_id or user_id in holders.assigned_ids:
        return
    raise Refusal(
        f"You may {doing} only a log you own or are assigned to; {reference} is neither.",
        next_step="Ask a dispatcher, controller, duty inspector or supervisor, or be assigned to the log first.",
        status=403,
    )


@dataclass(frozen=True)
class MessageFacts:
    """Where a message was addressed, as plain data (L8): the addressee, the team whose queue it went to
    when they were away, and the supervisor of the addressee's team."""

    addressee_id: int | None
    routed_team_id: int | None
    addressee_supervisor_id: int | None


def check_may_handle_message(user_id: int | None, user_team_id: int | None, may_handle_any: bool,
                             message: MessageFacts) -> None:
    """L8: a message is handled by the person it is for: its addressee; when it went to a team's queue (the
    addressee away), a member of that team; the addressee's supervisor; or the people who run the room
    (`message.handle_any`: controller, duty inspector). Anyone else is refused (403), so nobody marks a
    colleague's message handled without them knowing."""
    if user_id is None or may_handle_any:
        return
    if user_id in (message.addressee_id, message.addressee_supervisor_id):
        return
    if message.routed_team_id is not None and user_team_id == message.routed_team_id:
        return
    raise Refusal(
        "This message is for someone else: only its addressee, their team's queue (when it was routed there), "
        "their supervisor, a controller or a duty inspector may handle it.",
        safeguard="L8",
        next_step="Leave it for the person it is addressed to, or tell their supervisor.",
        status=403,
    )
