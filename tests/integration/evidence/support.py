"""A small force of kept-forever records, made through the real actions, for the evidence tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import connection, transaction

from tests.integration.people.support import person, review_day
from tests.support.factories import fresh, raise_log, thrive
from tests.support.personas import Personas
from watchkeeper.core import clock
from watchkeeper.incidents import actions as logs
from watchkeeper.incidents.models import DowngradeRequest, Log, ServiceRequest, Task
from watchkeeper.people import actions
from watchkeeper.people.models import FirearmsCertificate, Marker, Order, SpecialScheme


@dataclass
class Held:
    log: Log
    task: Task
    request: ServiceRequest
    downgrade: DowngradeRequest
    marker: Marker
    scheme: SpecialScheme
    order: Order
    certificate: FirearmsCertificate


def make_records(people: Personas) -> Held:
    h, d, inv = people.actor("handler"), people.actor("dispatcher"), people.actor("investigator")
    log = raise_log(h, category="assist_other_agency", summary="Concern for a neighbour")
    task = logs.add_task(h, description="Call the caller back", owner_id=people.handler.pk,
                         due_at=clock.now() + timedelta(hours=1), reference=log.reference)
    request = logs.add_service_request(h, log.reference, direction="outbound", service="ambulance",
                                       requester="Control", ask="Send an ambulance")
    logs.grade_log(h, log.reference, grade="emergency", thrive=thrive(), expected_version=fresh(log).version)
    downgrade = logs.request_downgrade(d, log.reference, grade="scheduled", thrive=thrive(), reason="update awaited",
                                       authoriser_id=people.controller.pk, expected_version=fresh(log).version)
    victim = person(people, "Vera", "Vale")
    other = person(people, "Rex", "Vale")
    marker = actions.add_marker(inv, kind="violence", source="PNC", review_at=review_day(), person_id=other.pk)
    scheme = actions.create_scheme(inv, victim_id=victim.pk, reason="Threats to kill", victim_told_how="phone",
                                   phone="07700 900701", ends_at=clock.now() + timedelta(days=60))
    today = clock.local(clock.now()).date()
    order = actions.create_order(inv, kind="non_molestation", restricted_id=other.pk, conditions="No contact",
                                 starts_on=today - timedelta(days=3), protected_person_ids=[victim.pk])
    certificate = actions.add_certificate(inv, holder_id=other.pk, address="3 Quarry Lane, Kingsbridge KB6 2BB",
                                          number="SGC 1", expires_on=today + timedelta(days=300))
    return Held(fresh(log), task, request, downgrade, marker, scheme, order, certificate)


def sql(statement: str, params: list[Any] | None = None) -> None:
    """Run SQL as someone bypassing the application would, in a savepoint so a refusal leaves the test's
    transaction usable."""
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(statement, params or [])
