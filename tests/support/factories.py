"""Helpers that drive the real actions to put logs into a state (no shortcuts into the tables)."""

from __future__ import annotations

from typing import Any

from watchkeeper.core.actor import Actor
from watchkeeper.incidents import actions
from watchkeeper.incidents.actions import ContactIn
from watchkeeper.incidents.models import Log

# L8: why a test's further log from the same phone, place or person is not the same matter.
SEPARATE = "A separate matter (test set-up)"

THRIVE_LOW = {el: {"level": "low"} for el in ("threat", "harm", "risk", "vulnerability")}
THRIVE_HIGH = {el: {"level": "high"} for el in ("threat", "harm", "risk", "vulnerability")}


def thrive(threat: str = "low", harm: str = "low", risk: str = "low", vulnerability: str = "low") -> dict[str, Any]:
    return {"threat": {"level": threat}, "harm": {"level": harm}, "risk": {"level": risk},
            "vulnerability": {"level": vulnerability}}


def raise_log(actor: Actor, *, category: str = "other", account: str = "Caller reports a problem.",
              caller: str = "Alex Caller", phone: str = "07700 900001", allegation: str = "", party: str = "",
              channel: str = "999", **kw: Any) -> Log:
    return actions.raise_log(
        actor,
        contact=ContactIn(channel, account, caller_name=caller, caller_phone=phone, allegation=allegation,
                          party=party),
        category=category,
        summary=kw.pop("summary", f"{category} reported"),
        # L8: set-ups raise several logs from one phone; each says why it is a separate matter (and is linked).
        second_call_reason=kw.pop("second_call_reason", SEPARATE),
        **kw,
    )


def fresh(log: Log) -> Log:
    return Log.objects.get(pk=log.pk)
