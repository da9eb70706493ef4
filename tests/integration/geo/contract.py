"""The map, position, gazetteer and suggestion endpoints' contracts for the API table
(`tests/integration/test_api.py`) and their rows in the authorisation matrix
(`tests/integration/authz/test_matrix.py`), kept beside the geo tests. Built by functions taking the tables'
own classes, so the tables import this module and not the reverse."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from tests.support.factories import raise_log
from tests.support.personas import Personas
from watchkeeper.core.actor import Actor
from watchkeeper.dispatch.actions import create_unit
from watchkeeper.geo.actions import load_gazetteer
from watchkeeper.geo.models import GazetteerEntry, UnitPosition
from watchkeeper.geo.schemas import GazetteerIn, PlaceIn

PLACE = {"uprn": "100000000014", "postcode": "KB1 4OW", "address": "14 Orchard Way, Kingsbridge",
         "lat": 50.2852, "lon": -3.78}
NO_FORM_POSITION = "positions come from an AVL feed or the crew's device, not from a page"
NO_FORM_GAZETTEER = "the force's administrator loads the gazetteer through the API or `watchkeeper import-gazetteer`"


def state() -> dict[str, Any]:
    """What a geo call could write (for the table's before/after comparison of refused calls)."""
    return {"gazetteer": GazetteerEntry.objects.count(),
            "positions": list(UnitPosition.objects.order_by("pk").values_list("pk", "unit_id", "at"))}


def unit(p: Personas) -> Any:
    return create_unit(p.actor("dispatcher"), callsign=f"G{uuid.uuid4().hex[:6].upper()}", area="Kingsbridge town",
                       skills=["dog"])


def gazetteer() -> None:
    load_gazetteer(Actor(None, via="test"), GazetteerIn(source="test", places=[PlaceIn(**PLACE)]))


def endpoints(endpoint: Callable[..., Any], call: Callable[..., Any]) -> list[Any]:
    def nothing(p: Personas) -> Any:
        return call()

    def position(p: Personas) -> Any:
        return call({"unit_id": unit(p).pk}, {"lat": 50.2845, "lon": -3.779})

    def lookup(p: Personas) -> Any:
        gazetteer()
        return call(query="?uprn=100000000014")

    def suggested(p: Personas) -> Any:
        unit(p)
        log = raise_log(p.actor("handler"), location="14 Orchard Way, Kingsbridge")
        return call({"reference": log.reference}, query="?skills=dog")

    return [
        endpoint("GET", "/api/map", "log.view", "dispatcher", "learning", 200, None, nothing),
        endpoint("POST", "/api/units/{unit_id}/position", "dispatch.assign", "dispatcher", "handler", 201,
                 "unit.position", position),
        endpoint("POST", "/api/geo/gazetteer", "policy.manage", "admin", "handler", 201, "gazetteer.loaded",
                 lambda p: call(body={"source": "force gazetteer 2026-12", "places": [PLACE]})),
        endpoint("GET", "/api/geo/lookup", "log.view", "handler", "learning", 200, None, lookup),
        endpoint("GET", "/api/logs/{reference}/suggested-units", "log.view", "dispatcher", "learning", 200, None,
                 suggested),
    ]


def matrix(row: Callable[..., Any], room: str) -> list[Any]:
    """Positions: the unit's crew, or those who run the room (no persona crews the unit the table makes);
    the gazetteer: the administrator."""
    return [
        row("POST", "/api/units/{unit_id}/position", room, None, no_form=NO_FORM_POSITION),
        row("POST", "/api/geo/gazetteer", "admin", None, no_form=NO_FORM_GAZETTEER),
    ]
