"""What dispatch adds to incident logs (registered with incidents.hooks in DispatchConfig.ready), and the
boards' live views (registered with the event stream, see live.py)."""

from __future__ import annotations

from typing import Any

from watchkeeper.core.errors import Refusal
from watchkeeper.dispatch import boards
from watchkeeper.incidents.hooks import Blocker


def after_grading(actor: Any, log: Any, policy: Any, previous: str | None, reason: str) -> None:
    """D1: grading arms the response clock; re-grading recomputes the target and records why."""
    from watchkeeper.dispatch.actions import arm_clock

    arm_clock(actor, log, policy, reason + (f" (was {policy.grade_label(previous)})" if previous else ""))


def after_change(actor: Any, log: Any, policy: Any) -> None:
    """A reopened log comes back to the board (when graded or with a unit on it)."""
    boards.publish_log(log)


def after_classification(actor: Any, log: Any, policy: Any) -> None:
    """A re-classified log changes its board row; so does every log merged into it (a merge re-classifies
    the survivor, and the merged log leaves the board). Logs never on the board publish nothing."""
    from watchkeeper.incidents.actions import family_ids
    from watchkeeper.incidents.models import Log

    family = family_ids(log)
    others = list(Log.objects.filter(pk__in=family[1:])) if len(family) > 1 else []
    boards.publish_logs_if_tracked([log, *others])


def after_close(actor: Any, log: Any, policy: Any) -> None:
    """D4: a log is never closed or cancelled under a unit still on it. Closing checks this among its
    blockers; cancelling (a duplicate, raised in error) does not run the blockers, so it is refused here,
    inside the same unit of work, before anything is committed."""
    from watchkeeper.dispatch.models import Assignment

    if log.status == "cancelled":
        active = list(Assignment.objects.filter(log=log, state__in=Assignment.ACTIVE).select_related("unit"))
        if active:
            raise _units_blocker(active)
    boards.publish_log(log)


def after_contact(actor: Any, log: Any, contact: Any, policy: Any) -> None:
    """D1: a contact from an emergency channel on a log not yet graded starts its grading clock (from the
    first contact), which puts it on the dispatch board as "ungraded". A further contact may move the log's
    location (C7: the newest address given); a log on the board shows it at once."""
    from watchkeeper.dispatch import rules
    from watchkeeper.dispatch.actions import arm_grading_clock

    if rules.is_emergency_channel(contact.channel, policy) and arm_grading_clock(actor, log, policy, contact):
        return
    boards.publish_logs_if_tracked([log])


def after_parties(actor: Any, log: Any, policy: Any) -> None:
    """L12: who and what is on the log changed, so its officer-safety summary may have: a log on the board
    shows it at once."""
    boards.publish_logs_if_tracked([log])


def risk_changed(log_ids: list[int]) -> None:
    """L12: what is held on the people, addresses or phones that feed these open logs' officer-safety
    summaries changed: those on the board show their rows again, with the new badges, at once (read in one
    query, their summaries together)."""
    from django.db.models import Q

    from watchkeeper.dispatch.models import Assignment, ResponseClock
    from watchkeeper.incidents.models import Log

    clocked = ResponseClock.objects.filter(log_id__in=log_ids).values("log_id")
    assigned = Assignment.objects.filter(log_id__in=log_ids, state__in=Assignment.ACTIVE).values("log_id")
    on_board = list(Log.objects.filter(Q(pk__in=clocked) | Q(pk__in=assigned), status="open").order_by("-pk"))
    if on_board:
        boards.publish_logs(on_board)


def _units_blocker(active: list[Any]) -> Refusal:
    b = _blocker(active)
    return Refusal(b.message, safeguard=b.safeguard, next_step=b.next_step, details={"open_items": b.items})


def _blocker(active: list[Any]) -> Blocker:
    return Blocker(safeguard="D4", message=f"{len(active)} unit(s) are still assigned to this log.",
                   next_step="Clear or cancel each unit's assignment, then close.",
                   items=[{"unit": a.unit.callsign, "state": a.state, "assignment": a.pk} for a in active])


def close_blockers(log: Any, family: list[int]) -> list[Blocker]:
    """D4: a log with a unit still on it (assigned, en route, at scene) is not closed under the unit.
    D3: a log graded for attendance that nobody attended is not closed: "no units" is not an outcome."""
    from watchkeeper.dispatch.models import Assignment, ResponseClock

    found = []
    active = list(Assignment.objects.filter(log_id__in=family, state__in=Assignment.ACTIVE).select_related("unit"))
    if active:
        found.append(_blocker(active))
    clk = ResponseClock.objects.filter(log=log).first()
    if clk is not None and clk.kind == "response" and clk.target_at is not None and clk.attended_at is None:
        found.append(Blocker(
            safeguard="D3",
            message="This log is graded for attendance and nobody has attended.",
            next_step="Send a unit; or, if attendance is truly no longer needed, downgrade it with an authoriser "
                      "(L5) first.",
            items=[{"grade": clk.grade, "target_at": clk.target_at.isoformat()}],
        ))
    return found


def register() -> None:
    from watchkeeper.dispatch import live
    from watchkeeper.incidents import hooks

    live.register()

    hooks.AFTER_GRADING.append(after_grading)
    hooks.AFTER_CLOSE.append(after_close)
    hooks.AFTER_REOPEN.append(after_change)
    hooks.AFTER_CLASSIFICATION.append(after_classification)
    hooks.AFTER_CONTACT.append(after_contact)
    hooks.AFTER_PARTIES.append(after_parties)
    hooks.RISK_CHANGED.append(risk_changed)
    hooks.CLOSE_BLOCKERS.append(close_blockers)
