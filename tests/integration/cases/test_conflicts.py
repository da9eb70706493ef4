"""P10 through the real database: a member of staff who declares a conflict of interest on a case (or on a
person on it) is refused every action on that case, naming P10, until a supervisor assesses it; not allowed
keeps refusing; allowed lets them act. Declarations are kept."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test import Client

from tests.integration.cases.support import SUMMARY, case_for, person
from tests.support.factories import raise_log
from tests.support.personas import Personas
from watchkeeper.audit.models import AuditRecord
from watchkeeper.cases import actions, queries
from watchkeeper.cases.models import ConflictDeclaration
from watchkeeper.core.errors import Forbidden, Invalid, Refusal
from watchkeeper.incidents.models import Notification

pytestmark = pytest.mark.django_db


@pytest.mark.safeguard("P10")
def test_a_declared_conflict_refuses_the_declarers_actions_until_assessed(people: Personas) -> None:
    c = case_for(people)
    v = person(people)
    actions.add_party(people.actor("officer"), c.pk, person_id=v.pk, role="victim")
    d = actions.declare_conflict(people.actor("officer"), c.pk, nature="The suspect is my cousin")
    assert Notification.objects.filter(recipient=people.supervisor, kind="conflict_declared").exists()
    ref = raise_log(people.actor("handler")).reference
    refusals = [
        lambda: actions.link_log(people.actor("officer"), c.pk, reference=ref),
        lambda: actions.log_contact(people.actor("officer"), c.pk, person_id=v.pk, channel="phone", summary="x"),
        lambda: actions.hand_over(people.actor("officer"), c.pk, to_user_id=people.investigator.pk,
                                  reason="Moving", summary=SUMMARY),
        lambda: actions.close_case(people.actor("officer"), c.pk, note="Done"),
    ]
    for attempt in refusals:
        with pytest.raises(Refusal) as why:
            attempt()
        assert why.value.safeguard == "P10" and why.value.status == 403
    actions.link_log(people.actor("supervisor"), c.pk, reference=ref)  # others work the case meanwhile
    with pytest.raises(Refusal) as own:
        actions.assess_conflict(people.actor("officer"), c.pk, conflict_id=d.pk, decision="allowed", rationale="x")
    assert isinstance(own.value, Forbidden)
    with pytest.raises(Invalid):
        actions.assess_conflict(people.actor("supervisor"), c.pk, conflict_id=d.pk, decision="allowed",
                                rationale="")
    actions.assess_conflict(people.actor("supervisor"), c.pk, conflict_id=d.pk, decision="not_allowed",
                            rationale="A close relative of the suspect: hand the case over")
    with pytest.raises(Refusal) as still:
        actions.close_case(people.actor("officer"), c.pk, note="Done")
    assert still.value.safeguard == "P10"
    with pytest.raises(Refusal) as twice:
        actions.assess_conflict(people.actor("inspector"), c.pk, conflict_id=d.pk, decision="allowed",
                                rationale="Changed my mind")
    assert twice.value.status == 409
    view = queries.case(actions._case(c.pk))
    assert view["conflicts"][0]["decision"] == "not_allowed"
    assert [a.action for a in AuditRecord.objects.filter(action__startswith="case.conflict").order_by("seq")] == [
        "case.conflict_declared", "case.conflict_assessed"]


@pytest.mark.safeguard("P10")
def test_a_conflict_on_a_person_covers_their_cases_and_allowed_lets_the_declarer_act(people: Personas) -> None:
    c = case_for(people)
    suspect = person(people, family="Suspect")
    actions.add_party(people.actor("officer"), c.pk, person_id=suspect.pk, role="suspect")
    with pytest.raises(Invalid):  # the person must be on the case
        actions.declare_conflict(people.actor("officer"), c.pk, nature="x", person_id=person(people, "Other").pk)
    d = actions.declare_conflict(people.actor("supervisor"), c.pk, nature="Played football with him years ago",
                                 person_id=suspect.pk)
    with pytest.raises(Refusal) as why:
        actions.review_case(people.actor("supervisor"), c.pk, note="x", no_progress=True)
    assert why.value.safeguard == "P10"
    with pytest.raises(Refusal):  # the supervisor is refused on the case, the officer is not
        actions.link_log(people.actor("supervisor"), c.pk, reference=raise_log(people.actor("handler")).reference)
    actions.link_log(people.actor("officer"), c.pk, reference=raise_log(people.actor("handler")).reference)
    actions.assess_conflict(people.actor("inspector"), c.pk, conflict_id=d.pk, decision="allowed_with_conditions",
                            conditions="Not to interview the suspect", rationale="Acquaintance long ago")
    actions.review_case(people.actor("supervisor"), c.pk, note="Suspect interviewed by the officer",
                        no_progress=True)
    assert Notification.objects.filter(recipient=people.supervisor, kind="conflict_assessed").exists()


@pytest.mark.safeguard("P10")
def test_declarations_are_kept_and_the_case_page_forms(people: Personas) -> None:
    c = case_for(people)
    officer = Client()
    officer.force_login(people.officer)
    assert officer.post(f"/cases/{c.pk}/do/conflict/", {"nature": "My neighbour", "person_id": ""}).status_code == 302
    refused = officer.post(f"/cases/{c.pk}/do/close/", {"note": "Done"})
    assert refused.status_code == 403 and b"P10" in refused.content
    d = ConflictDeclaration.objects.get()
    sup = Client()
    sup.force_login(people.supervisor)
    page = sup.get(f"/cases/{c.pk}/")
    assert f"assess-{d.pk}".encode() in page.content and b"My neighbour" in page.content
    assert sup.post(f"/cases/{c.pk}/do/assess/", {"conflict_id": d.pk, "decision": "allowed", "conditions": "",
                                                  "rationale": "Lives streets away"}).status_code == 302
    assert officer.post(f"/cases/{c.pk}/do/close/", {"note": "Done"}).status_code == 302
    for sql in ("UPDATE cases_conflictdeclaration SET nature = 'x'", "DELETE FROM cases_conflictdeclaration"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql)
