"""The map's data, unit positions (an AVL feed or the crew's device), the gazetteer and unit suggestions over
the API. Thin: bodies are validated by geo/schemas.py and run through geo/operations.py."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from watchkeeper.core.config import current_policy
from watchkeeper.core.errors import Invalid
from watchkeeper.geo import actions, queries
from watchkeeper.geo.operations import OPERATIONS
from watchkeeper.geo.schemas import GazetteerIn, PositionIn
from watchkeeper.incidents.actions import resolve
from watchkeeper.web.forms import actor_of

router = Router(tags=["map and positions"])
NO_SKILLS = Query([])  # ?skills=dog&skills=firearms


@router.get("/map", summary="Open logs (grade, officer-safety badges) and units (status, last seen) with positions")
def map_data(request: HttpRequest, reference: str = "") -> dict[str, Any]:
    actor_of(request, via="api").require("log.view")
    return queries.map_data(current_policy(), reference=reference[:32])


@router.post("/units/{unit_id}/position", response={201: dict},
             summary="A unit's position from its AVL feed or device (WGS84 lat/lon, at: when it was there)")
def position(request: HttpRequest, unit_id: int, body: PositionIn) -> Status[dict[str, Any]]:
    pos = OPERATIONS["position"].run(actor_of(request, via="api"), body, unit_id=unit_id)
    return Status(201, actions.position_out(pos))


@router.post("/geo/gazetteer", response={201: dict},
             summary="Load a batch of gazetteer places (UPRN/postcode -> lat/lon)")
def gazetteer(request: HttpRequest, body: GazetteerIn) -> Status[dict[str, Any]]:
    n = OPERATIONS["gazetteer"].run(actor_of(request, via="api"), body)
    return Status(201, {"loaded": n, "source": body.source})


@router.get("/geo/lookup", summary="Coordinates of a place from the gazetteer: by UPRN, address or postcode "
                                   "(matched is null when the gazetteer has no such place)")
def lookup(request: HttpRequest, uprn: str = "", postcode: str = "", address: str = "") -> dict[str, Any]:
    actor_of(request, via="api").require("log.view")
    if not (uprn.strip() or postcode.strip() or address.strip()):
        raise Invalid("Give a UPRN, a postcode or an address to look up.", "address")
    found = queries.lookup(uprn=uprn.strip()[:12], postcode=postcode[:10], address=address[:300])
    return found or {"lat": None, "lon": None, "matched": None}


@router.get("/logs/{reference}/suggested-units",
            summary="Units to send, best first (status, skills, distance or estimated time), each saying why")
def suggested(request: HttpRequest, reference: str, skills: list[str] = NO_SKILLS) -> dict[str, Any]:
    actor_of(request, via="api").require("log.view")
    log, _ = resolve(reference)
    return queries.suggestions(log, skills=[s[:40] for s in skills[:5]])
