"""Geo state changes: loading gazetteer places and recording a unit's position. Each is one unit of work with
one audit record; a bad row refuses the whole batch (nothing half-loaded)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings

from watchkeeper.audit import writer as audit
from watchkeeper.core import clock
from watchkeeper.core.actor import Actor
from watchkeeper.core.errors import Invalid, NotFound
from watchkeeper.core.uow import unit_of_work
from watchkeeper.dispatch.models import Unit
from watchkeeper.geo import rules
from watchkeeper.geo.models import GazetteerEntry, UnitPosition
from watchkeeper.geo.schemas import GazetteerIn, PositionIn
from watchkeeper.people.rules import address_key, normalise_postcode

# A device's clock may run a little fast; a position from further ahead than this is refused.
FUTURE_SKEW = timedelta(minutes=2)


def load_gazetteer(actor: Actor, body: GazetteerIn) -> int:
    """Add a batch of places to the gazetteer (the newest row for a UPRN, postcode or address is the one used)."""
    actor.require("policy.manage")
    bounds = settings.MAP_BOUNDS
    rows = []
    now = clock.now()
    for i, p in enumerate(body.places):
        field = f"places.{i}"
        problem = rules.check_point(p.lat, p.lon, bounds) or rules.check_uprn(p.uprn.strip())
        if problem:
            raise Invalid(f"{field}: {problem}", field)
        postcode = normalise_postcode(p.postcode) if p.postcode.strip() else ""
        if p.postcode.strip() and not postcode:
            raise Invalid(f"{field}: {p.postcode!r} is not a postcode", f"{field}.postcode")
        text = " ".join(p.address.split())
        if not (p.uprn.strip() or postcode or text):
            raise Invalid(f"{field}: give a uprn, a postcode or an address", field)
        key = address_key(text).key if text else ""  # as a log's place is typed (a postcode in the text counts)
        rows.append(GazetteerEntry(uprn=p.uprn.strip(), postcode=postcode, address=text, address_key=key,
                                   latitude=p.lat, longitude=p.lon, source=body.source.strip(), loaded_at=now,
                                   loaded_by=actor.user))
    with unit_of_work():
        GazetteerEntry.objects.bulk_create(rows)
        audit.record(actor, "gazetteer.loaded", "gazetteer", body.source.strip(), after={"places": len(rows)})
    return len(rows)


def report_position(actor: Actor, unit_id: int, body: PositionIn) -> UnitPosition:
    """A unit's position from its AVL feed or the crew's device. Its crew may report it; otherwise it takes those
    who run the room (dispatch.assign)."""
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise NotFound(f"No unit has id {unit_id}.")
    if actor.user is None or not unit.crew.filter(pk=actor.user.pk).exists():
        actor.require("dispatch.assign")
    problem = rules.check_point(body.lat, body.lon, settings.MAP_BOUNDS)
    if problem:
        raise Invalid(problem, "lat")
    now = clock.now()
    at = body.at or now
    if at > now + FUTURE_SKEW:
        raise Invalid("at is in the future: check the device's clock", "at")
    with unit_of_work():
        pos = UnitPosition.objects.create(unit=unit, latitude=body.lat, longitude=body.lon, at=at, received_at=now,
                                          reported_by=actor.user)
        audit.record(actor, "unit.position", "unit", unit.callsign,
                     after={"lat": body.lat, "lon": body.lon, "at": at.isoformat()})
    return pos


def position_out(pos: UnitPosition) -> dict[str, Any]:
    return {"id": pos.pk, "unit_id": pos.unit_id, "lat": pos.latitude, "lon": pos.longitude,
            "at": pos.at.isoformat(), "received_at": pos.received_at.isoformat()}
