"""What dispatch adds to incident logs (registered with incidents.hooks in DispatchConfig.ready)."""

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

    for member in Log.objects.filter(pk__in=family_ids(log)):
        if _tracked(member):
            boards.publish_log(log if member.pk == log.pk else member)


def _tracked(log: Any) -> bool:
    """Whether dispatch holds anything on the log (a clock or a unit), i.e. it can have a board row."""
    from watchkeeper.dispatch.models import Assignment, ResponseClock

    return ResponseClock.objects.filter(log=log).exists() or Assignment.objects.filter(
        log=log, state__in=Assignment.ACTIVE).exists()


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
    """A further contact may move the log's location (C7: the newest address given); a log on the board
    shows it at once."""
    if _tracked(log):
        boards.publish_log(log)


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
    if clk is not None and clk.target_at is not None and clk.attended_at is None:
        found.append(Blocker(
            safeguard="D3",
            message="This log is graded for attendance and nobody has attended.",
            next_step="Send a unit; or, if attendance is truly no longer needed, downgrade it with an authoriser "
                      "(L5) first.",
            items=[{"grade": clk.grade, "target_at": clk.target_at.isoformat()}],
        ))
    return found


def register() -> None:
    from watchkeeper.incidents import hooks

    hooks.AFTER_GRADING.append(after_grading)
    hooks.AFTER_CLOSE.append(after_close)
    hooks.AFTER_REOPEN.append(after_change)
    hooks.AFTER_CLASSIFICATION.append(after_classification)
    hooks.AFTER_CONTACT.append(after_contact)
    hooks.CLOSE_BLOCKERS.append(close_blockers)
