"""The demonstration force's places and unit positions: its gazetteer (a made-up one for Kingsbridge and
Moorland, matching the streets in static/geo/demo-force.geojson) loaded as a force would load its own, and
each unit's last reported position."""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path

from watchkeeper.core import clock
from watchkeeper.core.actor import Actor
from watchkeeper.dispatch.models import Unit
from watchkeeper.geo import actions
from watchkeeper.geo.schemas import GazetteerIn, PlaceIn, PositionIn

GAZETTEER = Path(__file__).resolve().parent / "fixtures" / "demo-gazetteer.csv"
# callsign: (lat, lon, minutes ago)
POSITIONS = {"KB11": (50.28450, -3.77900, 1), "KB12": (50.28220, -3.77450, 3), "KB21": (50.28350, -3.77200, 2),
             "RM31": (50.31000, -3.82500, 4), "RM32": (50.32000, -3.83500, 25)}


def places(path: Path = GAZETTEER) -> list[PlaceIn]:
    with path.open(newline="", encoding="utf-8") as f:
        return [PlaceIn(uprn=r["uprn"], postcode=r["postcode"], address=r["address"], lat=float(r["lat"]),
                        lon=float(r["lon"])) for r in csv.DictReader(f)]


def load(actor: Actor | None = None) -> None:
    actor = actor or Actor(None, via="demo")
    actions.load_gazetteer(actor, GazetteerIn(source="demo gazetteer", places=places()))
    now = clock.now()
    for unit in Unit.objects.filter(callsign__in=POSITIONS):
        lat, lon, ago = POSITIONS[unit.callsign]
        actions.report_position(actor, unit.pk, PositionIn(lat=lat, lon=lon, at=now - timedelta(minutes=ago)))
