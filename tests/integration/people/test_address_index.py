"""Matching a typed address against the stored ones uses the address key's index at any history size: a
place typed without its postcode is found through an index range on SQLite (the ORM's LIKE there scanned
every address, 31-41 ms per raise at 300,000 addresses), and through the pattern index on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from watchkeeper.people.actions import address_for
from watchkeeper.people.models import Address

pytestmark = pytest.mark.django_db


def _address_queries(captured: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if 'FROM "people_address"' in q["sql"]]


@pytest.mark.safeguard("D5")
def test_a_place_typed_without_its_postcode_is_the_same_record_found_through_the_index() -> None:
    held = address_for("Flat 2, 14 Mill Lane, Northam, NX1 4AB")
    for n in range(1, 40):  # other places on the same and other streets
        address_for(f"{n} Mill Lane, Northam, NX1 4AB")
        address_for(f"{n} Kiln Row, Northam, NX2 9ZZ")
    with CaptureQueriesContext(connection) as captured:
        again = address_for("flat 2 14 mill lane northam")
    assert again == held and Address.objects.filter(pk=held.pk).count() == 1
    queries = _address_queries(captured)
    assert queries, "the typed place was not matched against stored addresses"
    for sql in queries:
        assert " LIKE " not in sql or connection.vendor == "postgresql", sql
        if connection.vendor == "sqlite":
            with connection.cursor() as cur:
                cur.execute(f"EXPLAIN QUERY PLAN {sql}")
                plan = " ".join(str(row[-1]) for row in cur.fetchall())
            assert "SCAN people_address" not in plan.replace('"', ""), plan
