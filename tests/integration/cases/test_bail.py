"""P8 through the real database: a bail condition needs its proportionality rationale and review and end
dates; it goes on the orders register through the people app so a contact with the suspect and the victim
shows a possible breach (M3); an amendment is a new record with its reason and nothing changes in place;
every change is to be told to the victim through a P4 update, and a victim left untold, or a review left
undone, alerts once."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test import Client

from tests.integration.cases.support import case_for, person
from tests.support.factories import raise_log
from tests.support.personas import Personas
from watchkeeper.audit.models import AuditRecord
from watchkeeper.cases import actions, queries
from watchkeeper.cases.models import BailCondition, BailNotice
from watchkeeper.core import clock
from watchkeeper.core.errors import Forbidden, Invalid, Refusal
from watchkeeper.incidents.models import Notification
from watchkeeper.people import actions as people_actions
from watchkeeper.people.models import Order, Prompt

pytestmark = pytest.mark.django_db
HOME = "3 Mill Lane, Kingsbridge KB2 1ML"


def _case(p: Personas) -> tuple[int, int, int]:
    c = case_for(p)
    victim, suspect = person(p), person(p, "Suspect")
    actions.add_party(p.actor("officer"), c.pk, person_id=victim.pk, role="victim")
    actions.add_party(p.actor("officer"), c.pk, person_id=suspect.pk, role="suspect")
    return c.pk, victim.pk, suspect.pk


def _today() -> object:
    return clock.local(clock.now()).date()


@pytest.mark.safeguard("P8")
def test_a_condition_needs_its_rationale_and_goes_on_the_orders_register(people: Personas) -> None:
    case_id, victim, suspect = _case(people)
    sergeant = people.actor("supervisor")
    today = _today()
    kw = {"suspect_id": suspect, "text": "Not to contact her or go to her address", "places": [HOME],
          "review_on": today + timedelta(days=7), "end_on": today + timedelta(days=21)}
    with pytest.raises(Refusal) as why:
        actions.set_bail(sergeant, case_id, rationale="  ", **kw)
    assert why.value.safeguard == "P8" and why.value.details == {"field": "rationale"}
    with pytest.raises(Refusal) as late:  # policy bail_review_max_days
        actions.set_bail(sergeant, case_id, rationale="x", **{**kw, "review_on": today + timedelta(days=60),
                                                              "end_on": today + timedelta(days=90)})
    assert late.value.safeguard == "P8"
    with pytest.raises(Invalid):  # the review falls before the end
        actions.set_bail(sergeant, case_id, rationale="x", **{**kw, "review_on": today + timedelta(days=22)})
    with pytest.raises(Invalid):  # only a suspect on the case
        actions.set_bail(sergeant, case_id, rationale="x", **{**kw, "suspect_id": victim})
    with pytest.raises(Forbidden):  # order.manage: a response officer in charge asks a sergeant
        actions.set_bail(people.actor("officer"), case_id, rationale="x", **kw)
    with pytest.raises(Forbidden):  # may manage orders, but not on this case
        actions.set_bail(people.actor("investigator"), case_id, rationale="x", **kw)
    assert not BailCondition.objects.exists() and not Order.objects.exists()

    before = AuditRecord.objects.count()
    b = actions.set_bail(sergeant, case_id, rationale="He knows where she lives and drank before the assault", **kw)
    assert [a.action for a in AuditRecord.objects.order_by("seq")[before:]] == ["order.created"]
    order = Order.objects.get(pk=b.order_id)
    assert (order.kind, order.restricted_id, order.ends_on) == ("bail_conditions", suspect, kw["end_on"])
    assert list(order.protected_people.values_list("pk", flat=True)) == [victim]
    assert [a.text for a in order.protected_addresses.all()] and "case" in order.conditions
    [notice] = BailNotice.objects.all()
    assert (notice.person_id, notice.change, notice.update_id) == (victim, "set", None)

    # M3: a later call with the suspect and the victim on it shows "possible breach".
    log = raise_log(people.actor("handler"), category="domestic_incident", phone="07700 900555")
    people_actions.link_party(people.actor("handler"), log.reference, role="victim", person_id=victim)
    people_actions.link_party(people.actor("handler"), log.reference, role="suspect", person_id=suspect)
    assert Prompt.objects.filter(log=log, safeguard="M3", kind="possible_breach").exists()

    # P4: the victim is told by an update of kind "bail change".
    u = actions.send_update(people.actor("officer"), case_id, person_id=victim, kind="bail_change", channel="text",
                            text="He is bailed: no contact, not to come to your address")
    notice.refresh_from_db()
    assert notice.update_id == u.pk
    view = queries.case(actions._case(case_id))
    assert view["bail"][0]["state"] == "in_force" and view["bail_notices"][0]["told"] is True
    with pytest.raises(Refusal) as closing:
        actions.close_case(people.actor("officer"), case_id, note="NFA")
    assert closing.value.safeguard == "P8"


@pytest.mark.safeguard("P8")
def test_an_amendment_is_a_new_record_with_its_reason_and_the_victim_is_told(people: Personas) -> None:
    case_id, victim, suspect = _case(people)
    sergeant = people.actor("supervisor")
    today = _today()
    first = actions.set_bail(sergeant, case_id, suspect_id=suspect, text="Not to enter the depot",
                             rationale="The offence happened at the depot", places=["Kingsbridge bus depot"],
                             activities=["No trade union activity"], review_on=today + timedelta(days=7),
                             end_on=today + timedelta(days=90))
    with pytest.raises(Invalid):  # an amendment says why
        actions.amend_bail(sergeant, case_id, condition_id=first.pk, text="x", rationale="x", reason=" ",
                           review_on=today + timedelta(days=7), end_on=today + timedelta(days=90))
    second = actions.amend_bail(sergeant, case_id, condition_id=first.pk, text="Not to approach the complainant",
                                rationale="No previous convictions; only the complainant needs protecting",
                                reason="Solicitor's representations on proportionality",
                                review_on=today + timedelta(days=14), end_on=today + timedelta(days=90))
    assert second.amends_id == first.pk and second.order_id != first.order_id
    first.refresh_from_db()
    assert first.text == "Not to enter the depot"  # unchanged
    with pytest.raises(Refusal) as gone:  # only the condition in force is amended
        actions.amend_bail(sergeant, case_id, condition_id=first.pk, text="x", rationale="x", reason="x",
                           review_on=today + timedelta(days=7), end_on=today + timedelta(days=90))
    assert gone.value.safeguard == "P8" and gone.value.status == 409
    assert [n.change for n in BailNotice.objects.order_by("pk")] == ["set", "amended"]
    states = {b["id"]: b["state"] for b in queries.bail(actions._case(case_id))}
    assert states == {first.pk: "amended", second.pk: "in_force"}
    for sql in ("UPDATE cases_bailcondition SET rationale = 'x'",
                "UPDATE cases_bailcondition SET end_on = '2030-01-01'",
                "DELETE FROM cases_bailcondition", "DELETE FROM cases_bailnotice"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql)

    ended = actions.end_bail(people.actor("officer"), case_id, condition_id=second.pk, reason="No further action")
    assert ended.kind == "ended"
    assert [n.change for n in BailNotice.objects.order_by("pk")] == ["set", "amended", "ended"]
    with pytest.raises(Refusal):
        actions.end_bail(people.actor("officer"), case_id, condition_id=second.pk, reason="again")
    assert AuditRecord.objects.filter(action="case.bail_ended").count() == 1
    # Nobody told her: an alert once, to the officer in charge and the supervisor.
    later = clock.now() + timedelta(days=2)
    assert actions.fire_untold_bail_changes(later) == 3
    assert actions.fire_untold_bail_changes(later) == 0
    assert Notification.objects.filter(recipient=people.officer, kind="bail_victim_untold", safeguard="P8").count() == 3
    actions.close_case(people.actor("officer"), case_id, note="No further action; victim told")


@pytest.mark.safeguard("P8")
def test_an_overdue_review_alerts_once_and_a_review_sets_the_next(people: Personas) -> None:
    case_id, _, suspect = _case(people)
    today = _today()
    b = actions.set_bail(people.actor("supervisor"), case_id, suspect_id=suspect, text="Curfew 9pm to 7am",
                         activities=["Curfew 9pm to 7am at his home"], rationale="Offences were at night",
                         review_on=today + timedelta(days=2), end_on=today + timedelta(days=20))
    assert actions.fire_bail_reviews(clock.now()) == 0
    later = clock.now() + timedelta(days=4)
    assert actions.fire_bail_reviews(later) == 1
    assert actions.fire_bail_reviews(later) == 0
    for who in (people.officer, people.supervisor):
        assert Notification.objects.filter(recipient=who, kind="bail_review_overdue", safeguard="P8").count() == 1
    assert queries.bail(actions._case(case_id))[0]["review_overdue"] is False
    with time_machine.travel(later, tick=False):
        assert queries.bail(actions._case(case_id))[0]["review_overdue"] is True
    with pytest.raises(Invalid):
        actions.review_bail(people.actor("officer"), case_id, condition_id=b.pk, note=" ",
                            next_review_on=today + timedelta(days=9))
    actions.review_bail(people.actor("officer"), case_id, condition_id=b.pk,
                        note="Still offending risk at night; curfew kept", next_review_on=today + timedelta(days=9))
    b.refresh_from_db()
    assert (b.review_due_on, b.review_alerted_on) == (today + timedelta(days=9), None)
    assert AuditRecord.objects.filter(action="case.bail_reviewed").count() == 1


@pytest.mark.safeguard("P8")
def test_the_bail_forms(people: Personas) -> None:
    case_id, _, suspect = _case(people)
    today = _today()
    sergeant = Client()
    sergeant.force_login(people.supervisor)
    form = {"suspect_id": suspect, "text": "Not to contact her", "rationale": "", "places": "", "activities": "",
            "protect_victims": "true", "review_on": (today + timedelta(days=7)).isoformat(),
            "end_on": (today + timedelta(days=21)).isoformat()}
    refused = sergeant.post(f"/cases/{case_id}/do/bail/", form)
    assert refused.status_code == 400 and b"P8" in refused.content
    assert sergeant.post(f"/cases/{case_id}/do/bail/", {**form, "rationale": "Repeat contact"}).status_code == 302
    b = BailCondition.objects.get()
    page = sergeant.get(f"/cases/{case_id}/")
    assert f"bail-amend-{b.pk}".encode() in page.content and b"not told yet" in page.content
    officer = Client()
    officer.force_login(people.officer)
    assert b"bail-form" not in officer.get(f"/cases/{case_id}/").content  # no order.manage: no form
    ended = officer.post(f"/cases/{case_id}/do/bail_end/", {"condition_id": b.pk, "reason": "Charged"})
    assert ended.status_code == 302
