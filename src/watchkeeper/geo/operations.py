"""Every geo state change as the API and the command line reach it: its input schema and the call."""

from __future__ import annotations

from typing import Any

from watchkeeper.core.actor import Actor
from watchkeeper.geo import actions
from watchkeeper.geo.schemas import GazetteerIn, PositionIn
from watchkeeper.web.forms import Operation


def _gazetteer(actor: Actor, body: GazetteerIn) -> Any:
    return actions.load_gazetteer(actor, body)


def _position(actor: Actor, body: PositionIn, *, unit_id: int) -> Any:
    return actions.report_position(actor, unit_id, body)


OPERATIONS: dict[str, Operation[Any]] = {
    "gazetteer": Operation(GazetteerIn, _gazetteer),
    "position": Operation(PositionIn, _position),
}
