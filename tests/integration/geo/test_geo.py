"""Where logs and units are: the gazetteer (loaded, validated, bounded), unit positions (crew or the room,
never from the future or off the force's area), geocoding a log, the map's data with grades and
officer-safety badges, and units suggested by status, skills and distance, each saying why."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from tests.integration.geo.contract import PLACE
from tests.support.factories import raise_log
from tests.support.personas import Personas
from watchkeeper.audit.models import AuditRecord
from watchkeeper.core import clock
from watchkeeper.core.actor import Actor
from watchkeeper.core.config import current_policy
from watchkeeper.core.errors import Forbidden, Invalid
from watchkeeper.dispatch.actions import assign_unit, create_unit
from watchkeeper.geo import queries, rules
from watchkeeper.geo.actions import load_gazetteer, report_position
from watchkeeper.geo.models import GazetteerEntry, UnitPosition
from watchkeeper.geo.schemas import GazetteerIn, PlaceIn, PositionIn
from watchkeeper.people.models import Address

pytestmark = pytest.mark.django_db
SYSTEM = Actor(None, via="test")


def _load(*places: dict[str, Any]) -> int:
    return load_gazetteer(SYSTEM, GazetteerIn(source="test", places=[PlaceIn(**p) for p in places]))


def _unit(p: Personas, callsign: str, skills: list[str] | None = None, crew: list[int] | None = None) -> Any:
    return create_unit(p.actor("dispatcher"), callsign=callsign, area="Kingsbridge town", skills=skills or [],
                       crew_ids=crew or [])


def _at(p: Personas, unit: Any, lat: float, lon: float, minutes_ago: int = 1) -> None:
    report_position(p.actor("dispatcher"), unit.pk, PositionIn(lat=lat, lon=lon,
                                                               at=clock.now() - timedelta(minutes=minutes_ago)))


def test_a_bad_place_refuses_the_whole_batch_naming_it(people: Personas) -> None:
    for bad, says in [({**PLACE, "lat": 40.0}, "outside the force's area"), ({**PLACE, "uprn": "12ab"}, "uprn"),
                      ({**PLACE, "postcode": "nonsense"}, "not a postcode"),
                      ({"lat": 50.28, "lon": -3.78}, "give a uprn, a postcode or an address")]:
        with pytest.raises(Invalid) as exc:
            _load(PLACE, bad)
        assert says in exc.value.message and "places.1" in exc.value.message
    assert GazetteerEntry.objects.count() == 0
    with pytest.raises(Forbidden):
        load_gazetteer(people.actor("dispatcher"), GazetteerIn(source="x", places=[PlaceIn(**PLACE)]))


def test_the_api_bounds_a_batch(people: Personas) -> None:
    client = Client()
    client.force_login(people.admin)
    big = {"source": "too big", "places": [PLACE] * 5001}
    r = client.post("/api/geo/gazetteer", big, content_type="application/json")
    assert r.status_code == 422 and GazetteerEntry.objects.count() == 0


def test_a_log_is_placed_by_its_address_else_uprn_else_address_else_postcode(people: Personas) -> None:
    h = people.actor("handler")
    _load(PLACE, {"postcode": "KB2 9BS", "lat": 50.281, "lon": -3.778})
    typed = raise_log(h, location="14 Orchard Way, Kingsbridge")  # the gazetteer's address key
    by_postcode = raise_log(h, location="99 Somewhere Else KB2 9BS", phone="07700 900002")
    nowhere = raise_log(h, location="1 Unknown Road", phone="07700 900003")
    points = queries.log_points([typed, by_postcode, nowhere])
    assert points[typed.pk] == rules.Point(50.2852, -3.78)
    assert points[by_postcode.pk] == rules.Point(50.281, -3.778)
    assert nowhere.pk not in points
    # the address's own coordinates come first; then its UPRN
    Address.objects.filter(text="99 Somewhere Else KB2 9BS").update(uprn="100000000014")
    assert queries.log_points([by_postcode])[by_postcode.pk] == rules.Point(50.2852, -3.78)
    Address.objects.filter(text="99 Somewhere Else KB2 9BS").update(latitude=50.29, longitude=-3.77)
    assert queries.log_points([by_postcode])[by_postcode.pk] == rules.Point(50.29, -3.77)
    # a newer load of the same place is the one used
    _load({**PLACE, "lat": 50.2853})
    assert queries.log_points([typed])[typed.pk].lat == 50.2853
    assert queries.lookup(postcode="kb29bs") == {"lat": 50.281, "lon": -3.778, "matched": "postcode"}


def test_the_lookup_api_answers_a_place_says_when_there_is_none_and_refuses_an_empty_question(
        people: Personas) -> None:
    _load(PLACE)
    client = Client()
    client.force_login(people.handler)
    found = client.get("/api/geo/lookup", {"postcode": PLACE["postcode"]})
    assert found.status_code == 200 and found.json()["matched"] == "postcode"
    none = client.get("/api/geo/lookup", {"postcode": "ZZ99 9ZZ"})
    assert none.status_code == 200 and none.json() == {"lat": None, "lon": None, "matched": None}
    empty = client.get("/api/geo/lookup", {"postcode": "", "address": " "})
    assert empty.status_code == 400 and "UPRN, a postcode or an address" in empty.json()["message"]


def test_positions_from_the_crew_or_the_room_never_the_future_or_off_the_area(people: Personas) -> None:
    crewed = _unit(people, "KB77", crew=[people.officer.pk])
    other = _unit(people, "KB78")
    report_position(people.actor("officer"), crewed.pk, PositionIn(lat=50.2845, lon=-3.779))
    with pytest.raises(Forbidden):
        report_position(people.actor("officer"), other.pk, PositionIn(lat=50.2845, lon=-3.779))
    with pytest.raises(Invalid):
        report_position(people.actor("dispatcher"), other.pk,
                        PositionIn(lat=50.28, lon=-3.78, at=clock.now() + timedelta(minutes=10)))
    with pytest.raises(Invalid):
        report_position(people.actor("dispatcher"), other.pk, PositionIn(lat=-3.78, lon=50.28))  # swapped
    assert UnitPosition.objects.count() == 1
    assert AuditRecord.objects.filter(action="unit.position").count() == 1


def test_the_map_shows_grades_safety_badges_and_last_seen(people: Personas) -> None:
    _load(PLACE)
    log = raise_log(people.actor("handler"), location="14 Orchard Way, Kingsbridge", flags=["weapons"])
    u = _unit(people, "KB31")
    _at(people, u, 50.2845, -3.779, minutes_ago=12)
    data = queries.map_data(current_policy())
    row = next(x for x in data["logs"] if x["reference"] == log.reference)
    assert (row["lat"], row["lon"], row["flags"]) == (50.2852, -3.78, ["Weapons"])
    unit = next(x for x in data["units"] if x["callsign"] == "KB31")
    assert (unit["lat"], unit["status"], unit["last_seen"]) == (50.2845, "available", "12 min ago")
    assert data["basemap"] == "demo"


def test_suggested_units_available_first_then_skills_then_nearest_each_saying_why(people: Personas) -> None:
    _load(PLACE)
    log = raise_log(people.actor("handler"), location="14 Orchard Way, Kingsbridge")
    busy_near = _unit(people, "A1", ["dog"])
    far_dog = _unit(people, "A2", ["dog"])
    near = _unit(people, "A3")
    unplaced = _unit(people, "A4", ["dog"])
    _at(people, busy_near, 50.2851, -3.7801)
    _at(people, far_dog, 50.31, -3.825)
    _at(people, near, 50.2849, -3.7799)
    other = raise_log(people.actor("handler"), location="3 Mill Lane", phone="07700 900009")
    assign_unit(people.actor("dispatcher"), other.reference, "A1")
    s = queries.suggestions(log, skills=["dog"])
    order = [u["callsign"] for u in s["units"]]
    assert order == ["A2", "A4", "A3", "A1"], order
    by = {u["callsign"]: u for u in s["units"]}
    assert by["A2"]["why"][0] == "Available" and by["A2"]["why"][1] == "has dog" and "km away" in by["A2"]["why"][2]
    assert by["A4"]["why"][2] == "no position reported"
    assert by["A3"]["why"][1] == "lacks dog"
    assert by["A1"]["why"][0] == "Assigned: would be diverted"
    assert by["A3"]["distance_m"] < 100 and by["A2"]["minutes"] > by["A3"]["minutes"]
    assert [u["callsign"] for u in queries.suggestions(log)["units"]][:2] == ["A3", "A2"]  # no skills: nearest
    assert unplaced  # used above
    on_it = queries.suggestions(other)["units"]
    assert "A1" not in [u["callsign"] for u in on_it]


def test_the_csv_import_loads_in_batches_and_names_a_bad_line(people: Personas, tmp_path: Path) -> None:
    good = tmp_path / "g.csv"
    good.write_text("uprn,postcode,address,lat,lon\n100000000014,KB1 4OW,\"14 Orchard Way\",50.2852,-3.78\n"
                    ",KB2 9BS,,50.281,-3.778\n", encoding="utf-8")
    call_command("import_gazetteer", str(good))
    assert GazetteerEntry.objects.count() == 2
    bad = tmp_path / "b.csv"
    bad.write_text("uprn,postcode,address,lat,lon\n1,KB1 4OW,x,50.2,-3.7\n2,KB1 4OW,y,north,-3.7\n", encoding="utf-8")
    with pytest.raises(CommandError, match="line 3"):
        call_command("import_gazetteer", str(bad))
    assert GazetteerEntry.objects.count() == 2
    with pytest.raises(CommandError, match="missing columns"):
        (tmp_path / "c.csv").write_text("a,b\n1,2\n", encoding="utf-8")
        call_command("import_gazetteer", str(tmp_path / "c.csv"))


def test_pages_map_data_suggestions_and_the_log_panel(people: Personas) -> None:
    _load(PLACE)
    log = raise_log(people.actor("handler"), location="14 Orchard Way, Kingsbridge")
    _at(people, _unit(people, "KB41", ["firearms"]), 50.2849, -3.7799)
    client = Client()
    client.force_login(people.dispatcher)
    assert client.get("/map/").status_code == 200
    data = client.get("/map/data/", {"reference": log.reference}).json()
    assert any(x["reference"] == log.reference and x["lat"] for x in data["logs"])
    frag = client.get(f"/map/suggestions/{log.reference}/", {"skills": "firearms"}).content.decode()
    assert 'data-callsign="KB41"' in frag and "has firearms" in frag
    page = client.get(f"/logs/{log.reference}/").content.decode()
    assert f'data-focus="{log.reference}"' in page and "geo/map.js" in page
    board = client.get("/dispatch/").content.decode()
    assert "data-map" in board and "Nearest units" in board
    learning = Client()
    learning.force_login(people.learning)
    assert learning.get("/map/").status_code == 403
    assert learning.get("/map/data/").status_code == 403
