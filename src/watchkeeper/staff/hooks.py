"""Extension points of staff administration.

Other capabilities act when a member of staff is moved without staff importing them: each registers a
function here from its AppConfig.ready(). Guards run inside the move's unit of work.

- move_guards(actor, user, new_team, new_role): a member of staff is about to move to another team or role.
  A guard raises a Refusal (naming its safeguard, for example P1: cases still held by the person) or does the
  work the move needs (a supervisor's supervision handed over); what it writes commits with the move.
"""

from __future__ import annotations

from collections.abc import Callable

MOVE_GUARDS: list[Callable[..., None]] = []


def register_move_guard(fn: Callable[..., None]) -> None:
    if fn not in MOVE_GUARDS:
        MOVE_GUARDS.append(fn)
