"""Grading: THRIVE and the grade (C4), downgrades a named authoriser decides (L5), the D5 floor."""

from __future__ import annotations

from typing import Any

from watchkeeper.audit import writer as audit
from watchkeeper.core import clock
from watchkeeper.core import validate as v
from watchkeeper.core.actor import Actor
from watchkeeper.core.config import current_policy
from watchkeeper.core.errors import Invalid, NotFound, Refusal
from watchkeeper.core.policy import Policy
from watchkeeper.core.uow import unit_of_work
from watchkeeper.incidents import hooks, rules
from watchkeeper.incidents.actions.common import (
    _append,
    _lock,
    _notify,
    _require_open,
    _snapshot,
    _staff,
    grade_facts,
)
from watchkeeper.incidents.actions.reading import changes_since
from watchkeeper.incidents.models import (
    DowngradeRequest,
    Entry,
    Grading,
    Log,
    LogSeen,
)
from watchkeeper.staff.models import User


def grade_log(
    actor: Actor,
    reference: str,
    *,
    grade: str,
    thrive: dict[str, Any],
    rationale: str = "",
    expected_version: int | None,
) -> Grading:
    """C4: grade with THRIVE against the policy grade. Lower than policy needs a rationale and is reported.
    Lowering an existing grade is a downgrade and goes through an authoriser (L5)."""
    actor.require("log.grade")
    policy = current_policy()
    rationale = v.text(rationale, "rationale", max_length=4000, required=False)
    clean_thrive = rules.validate_thrive(thrive, policy)
    if policy.grade_rank(grade) is None:
        raise Invalid(f"Unknown grade {grade!r}", "grade")
    with unit_of_work():
        log = _lock(reference)
        _require_open(log, "grade it")
        rules.check_version(expected_version, log.version, changes_since(log, expected_version or 0))
        if rules.less_urgent(grade, log.grade, policy):
            raise Refusal(
                f"{policy.grade_label(grade)} is lower than the current grade "
                f"({policy.grade_label(log.grade)}): that is a downgrade.",
                safeguard="L5",
                next_step="Request the downgrade with a reason and a named authoriser.",
            )
        return _apply_grade(actor, log, grade, clean_thrive, rationale, policy)


def _apply_grade(
    actor: Actor,
    log: Log,
    grade: str,
    thrive: dict[str, Any],
    rationale: str,
    policy: Policy,
    *,
    graded_by: User | None = None,
    authorised_by: User | None = None,
    request: DowngradeRequest | None = None,
) -> Grading:
    by = graded_by or actor.person  # a grading always names the person who graded
    facts = grade_facts(log, policy, thrive)
    proposal = rules.propose_grade(facts, policy)
    below = rules.check_grade_choice(grade, proposal, rationale, policy, floor=facts.floor)
    previous = log.grade
    before = _snapshot(log)
    log.grade, log.thrive, log.graded_at, log.proposed_grade = grade, thrive, clock.now(), proposal.grade
    log.save(update_fields=["grade", "thrive", "graded_at", "proposed_grade"])
    g = Grading.objects.create(
        log=log, at=log.graded_at, graded_by=by, grade=grade, previous_grade=previous,
        proposed_grade=proposal.grade, proposal_reasons=list(proposal.reasons), below_policy=below,
        rationale=rationale, thrive=thrive, authorised_by=authorised_by, downgrade_request=request,
    )
    text = f"Graded {policy.grade_label(grade)}"
    if previous:
        text += f" (was {policy.grade_label(previous)})"
    text += f"; policy grade {policy.grade_label(proposal.grade)}."
    if below:
        text += f" Below policy — rationale: {rationale}"
    if authorised_by:
        text += f" Downgrade authorised by {authorised_by.display}."
    text += " THRIVE: " + ", ".join(
        f"{k} {val['level']}" for k, val in thrive.items() if "level" in val
    )
    _append(actor, log, "grading", text, policy=policy)
    hooks.run(hooks.AFTER_GRADING, actor, log, policy, previous,
              f"{'Downgrade authorised' if request else 'Graded'} {policy.grade_label(grade)}")
    audit.record(actor, "downgrade.authorised" if request else "log.graded", "log", log.reference,
                 before=before, after={**_snapshot(log), "below_policy": below, "thrive": thrive,
                                       "request": request.pk if request else None}, reason=rationale)
    return g


def request_downgrade(
    actor: Actor,
    reference: str,
    *,
    grade: str,
    thrive: dict[str, Any],
    reason: str,
    authoriser_id: int | None,
    expected_version: int | None,
) -> DowngradeRequest:
    """L5: ask a named authoriser to lower the grade. They must open the log themselves to decide."""
    actor.require("log.grade")
    policy = current_policy()
    reason = v.text(reason, "reason", max_length=4000, required=False)
    clean_thrive = rules.validate_thrive(thrive, policy)
    authoriser = _staff(authoriser_id, "authoriser_id") if authoriser_id is not None else None
    rules.check_downgrade_request(reason, authoriser.role if authoriser else None, policy)
    assert authoriser is not None
    with unit_of_work():
        log = _lock(reference)
        _require_open(log, "downgrade it")
        rules.check_version(expected_version, log.version, changes_since(log, expected_version or 0))
        current = log.grade
        if current is None or not rules.less_urgent(grade, current, policy):  # an ungraded log has no lower
            raise Invalid(f"{policy.grade_label(grade)} is not lower than {policy.grade_label(current)}",
                          "grade")
        DowngradeRequest.objects.filter(log=log, state="pending").update(state="superseded")
        req = DowngradeRequest.objects.create(
            log=log, requested_at=clock.now(), requested_by=actor.person, from_grade=current, to_grade=grade,
            reason=reason, thrive=clean_thrive, authoriser=authoriser,
        )
        audit.record(actor, "downgrade.requested", "log", log.reference, reason=reason,
                     after={"request": req.pk, "from": log.grade, "to": grade, "authoriser": authoriser.username})
        _append(actor, log, "grading", f"Downgrade to {policy.grade_label(grade)} requested from "
                f"{authoriser.display}: {reason}", policy=policy)
        _notify(authoriser, kind="downgrade", safeguard="L5", log=log,
                text=f"{log.reference}: downgrade to {policy.grade_label(grade)} needs your authorisation. "
                "Open the log and read it first.")
    return req


def decide_downgrade(actor: Actor, request_id: int, *, approve: bool, note: str = "") -> DowngradeRequest:
    """L5: the named authoriser decides, having opened the log after its latest entry."""
    policy = current_policy()
    note = v.text(note, "note", max_length=4000, required=False)
    with unit_of_work():
        req = DowngradeRequest.objects.select_for_update().filter(pk=request_id).first()
        if req is None:
            raise NotFound(f"No downgrade request {request_id}.")
        if actor.user_id != req.authoriser_id:
            raise Refusal("Only the named authoriser can decide this downgrade.", safeguard="L5", status=403,
                          next_step="Ask the authoriser to open the log and decide.")
        if actor.role not in policy["downgrade_authoriser_roles"]:
            raise Refusal("Your role can no longer authorise downgrades.", safeguard="L5", status=403,
                          next_step="Ask for a new request naming a current authoriser.")
        if req.state != "pending":
            raise Refusal(f"This request is already {req.state}.", status=409)
        log = Log.objects.select_for_update().get(pk=req.log_id)
        _require_open(log, "downgrade it")
        if approve:
            seen = LogSeen.objects.filter(log=log, user=actor.user).first()
            rules.check_authoriser_has_looked(seen.opened_seq if seen and seen.opened_at else None,
                                              log.last_seq)
            if log.grade != req.from_grade:
                raise Refusal("The grade changed after this request was made.", safeguard="L5", status=409,
                              next_step="Ask for a new downgrade request against the current grade.")
        req.state = "authorised" if approve else "refused"
        req.decided_at = clock.now()
        req.decision_note = note
        req.save(update_fields=["state", "decided_at", "decision_note"])
        if not approve:
            audit.record(actor, "downgrade.refused", "log", log.reference, reason=note,
                         after={"request": req.pk, "to": req.to_grade})
        if approve:
            _apply_grade(actor, log, req.to_grade, req.thrive, req.reason, policy,
                         graded_by=req.requested_by, authorised_by=actor.user, request=req)
        else:
            _append(actor, log, "grading", f"Downgrade to {policy.grade_label(req.to_grade)} refused"
                    + (f": {note}" if note else "."), policy=policy)
        _notify(req.requested_by, kind="downgrade_decided", safeguard="L5", log=log,
                text=f"{log.reference}: downgrade {req.state} by {actor.username}.")
    return req


def entries_since_last_grading(log: Log) -> list[Entry]:
    """L5: what the authoriser must see: everything added since the grade in force was set."""
    last = Grading.objects.filter(log=log).order_by("-at").first()
    qs = Entry.objects.filter(log=log).select_related("author")
    if last is not None:
        qs = qs.filter(at__gte=last.at)
    return list(qs.order_by("seq"))
