"""Search across logs, on the real database (FTS5 on SQLite, full text on PostgreSQL): the index is kept by
the database's own triggers as logs, entries, contacts and parties are written; every term and filter must
match; results are bounded pages with marked snippets; a search is authorised like opening a log and
audited (A2)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from tests.support.factories import raise_log, thrive
from tests.support.personas import Personas
from watchkeeper.audit.models import AuditRecord
from watchkeeper.core import clock
from watchkeeper.core.errors import Invalid, Refusal
from watchkeeper.dispatch import actions as dispatch
from watchkeeper.incidents import actions
from watchkeeper.incidents.models import Log
from watchkeeper.people.actions import create_person, link_party
from watchkeeper.search import sql
from watchkeeper.search.actions import search
from watchkeeper.search.models import LogText
from watchkeeper.search.schemas import SearchIn

pytestmark = pytest.mark.django_db


def refs(p: Personas, who: str = "handler", **kw: Any) -> list[str]:
    return [h["reference"] for h in search(p.actor(who), SearchIn(**kw)).hits]


def _log(p: Personas, account: str, **kw: Any) -> Log:
    return raise_log(p.actor("handler"), account=account, **kw)


def test_words_said_are_found_with_the_matched_words_marked(people: Personas) -> None:
    a = _log(people, "My ex-husband is outside shouting he will kill me")
    _log(people, "Someone has taken my bike from the shed")
    found = search(people.actor("handler"), SearchIn(q="kill")).hits
    assert [h["reference"] for h in found] == [a.reference]
    assert "<mark>kill</mark>" in found[0]["snippet_html"]
    assert "kill" in found[0]["snippet"] and "<mark>" not in found[0]["snippet"]
    # stems match: "killing" finds "kill"
    assert refs(people, q="killing") == [a.reference]


def test_entries_added_later_are_searched_and_only_words_said(people: Personas) -> None:
    a = _log(people, "Caller reports a problem.")
    assert refs(people, q="ladder") == []
    actions.add_entry(people.actor("handler"), a.reference, "Officer found a ladder against the rear window")
    assert refs(people, q="ladder") == [a.reference]
    actions.add_task(people.actor("handler"), reference=a.reference, description="Check the zebrafish enclosure",
                     owner_id=people.handler.pk, due_at=clock.now() + timedelta(hours=1))
    assert refs(people, q="zebrafish") == []  # a task's line is not something said


def test_a_phrase_matches_the_words_in_order(people: Personas) -> None:
    a = _log(people, "Glass broken at the rear window")
    b = _log(people, "The window at the rear is open")
    assert refs(people, q='"rear window"') == [a.reference]
    assert sorted(refs(people, q="rear window")) == sorted([a.reference, b.reference])


def test_person_phone_and_address_search_their_own_fields(people: Personas) -> None:
    a = _log(people, "Shouting next door", caller="Rachel Moore", phone="07700 900123",
             location="14 Orchard Way, Kingsbridge")
    b = _log(people, "Rachel Moore mentioned in passing", caller="Tom Ellis", phone="01632 960111")
    gary = create_person(people.actor("investigator"), given_names="Gary", family_name="Quarrington")
    link_party(people.actor("handler"), b.reference, role="suspect", person_id=gary.pk)
    assert refs(people, person="rachel moore") == [a.reference]  # the caller, not a mention in the text
    assert refs(people, person="quarrington") == [b.reference]  # a party linked after the log was raised
    assert sorted(refs(people, q="rachel")) == sorted([a.reference, b.reference])
    for typed in ("07700900123", "+44 7700 900123", "07700 900 123"):
        assert refs(people, phone=typed) == [a.reference], typed
        assert refs(people, q=typed) == [a.reference], typed
    assert refs(people, address="orchard way") == [a.reference]
    assert refs(people, address="kill") == []


def test_a_reference_is_searchable(people: Personas) -> None:
    a = _log(people, "Anything")
    _log(people, "Anything else")
    assert refs(people, q=a.reference) == [a.reference]


def test_filters_narrow_and_every_one_must_match(people: Personas) -> None:
    h = people.actor("handler")
    emergency = _log(people, "Burglar in the garden", category="burglary", flags=["weapons"])
    actions.grade_log(h, emergency.reference, grade="emergency", thrive=thrive("high", "high", "high", "high"),
                      expected_version=Log.objects.get(pk=emergency.pk).version)
    dispatch.set_area(people.actor("dispatcher"), emergency.reference, area_type="rural", reason="Moor road")
    other = _log(people, "Burglar seen leaving", category="theft")
    actions.cancel_log(h, other.reference, code="raised_in_error", reason="Duplicate entry raised in error.")
    everything = sorted([emergency.reference, other.reference])
    assert sorted(refs(people, q="burglar")) == everything
    assert refs(people, q="burglar", category="burglary") == [emergency.reference]
    assert refs(people, q="burglar", grade="emergency") == [emergency.reference]
    assert refs(people, q="burglar", grade="ungraded") == [other.reference]
    assert refs(people, q="burglar", status="cancelled") == [other.reference]
    assert refs(people, q="burglar", area="rural") == [emergency.reference]
    assert refs(people, q="burglar", area="urban") == [other.reference]  # a 999 call has a grading clock
    assert refs(people, q="burglar", flags=["weapons"]) == [emergency.reference]
    assert refs(people, q="burglar", flags=["weapons", "child"]) == []
    today = clock.local(clock.now()).date()
    assert sorted(refs(people, q="burglar", date_from=today, date_to=today)) == everything
    assert refs(people, q="burglar", date_from=today + timedelta(days=1)) == []
    assert refs(people, q="burglar", date_to=today - timedelta(days=1)) == []
    # filters alone (no words) list the matching logs newest first
    assert refs(people, category="burglary") == [emergency.reference]


def test_pages_are_bounded_and_do_not_repeat(people: Personas) -> None:
    made = [_log(people, f"Graffiti on the wall number {i}").reference for i in range(7)]
    first = search(people.actor("handler"), SearchIn(q="graffiti", per_page=3))
    second = search(people.actor("handler"), SearchIn(q="graffiti", per_page=3, page=2))
    third = search(people.actor("handler"), SearchIn(q="graffiti", per_page=3, page=3))
    shown = [h["reference"] for r in (first, second, third) for h in r.hits]
    assert shown == list(reversed(made))  # newest first, each once
    assert (first.has_more, second.has_more, third.has_more) == (True, True, False)


def test_relevance_order_puts_the_better_match_first(people: Personas) -> None:
    once = _log(people, "A knife was mentioned")
    many = _log(people, "Knife! He has a knife, a big knife, waving the knife")
    assert refs(people, q="knife") == [many.reference, once.reference]  # newest first
    assert refs(people, q="knife", sort="relevance")[0] == many.reference


def test_a_search_is_audited_with_what_was_asked_and_shown(people: Personas) -> None:
    a = _log(people, "Dog barking all night")
    before = AuditRecord.objects.count()
    search(people.actor("handler2"), SearchIn(q="barking", status="open"))
    record = AuditRecord.objects.order_by("-seq").first()
    assert AuditRecord.objects.count() == before + 1 and record is not None
    assert (record.action, record.actor_id) == ("search.performed", people.handler2.pk)
    after = record.after if isinstance(record.after, dict) else json.loads(record.after)
    assert after["query"] == {"q": "barking", "status": "open", "sort": "newest", "page": 1, "per_page": 20}
    assert after["shown"] == [a.reference]


def test_who_may_not_open_a_log_may_not_search(people: Personas) -> None:
    _log(people, "Dog barking all night")
    before = AuditRecord.objects.count()
    with pytest.raises(Refusal) as exc:
        search(people.actor("learning"), SearchIn(q="barking"))
    assert "log.view" in exc.value.message
    assert AuditRecord.objects.count() == before


def test_an_empty_search_is_refused_naming_the_field(people: Personas) -> None:
    with pytest.raises(Invalid) as exc:
        search(people.actor("handler"), SearchIn(q='  "" '))
    assert exc.value.details["field"] == "q"
    with pytest.raises(Invalid):
        search(people.actor("handler"), SearchIn(q="x", date_from=clock.now().date(),
                                                 date_to=clock.now().date() - timedelta(days=2)))


def test_api_validates_bounds_and_answers_with_its_schema(people: Personas) -> None:
    a = _log(people, "Smoke from the chimney of the old mill")
    client = Client()
    client.force_login(people.handler)
    ok = client.get("/api/search", {"q": "chimney", "flags": [], "per_page": 5})
    assert ok.status_code == 200, ok.content
    body = ok.json()
    assert body["results"][0]["reference"] == a.reference and body["has_more"] is False
    assert set(body["results"][0]) >= {"url", "snippet_html", "grade_label", "category_label", "created_at"}
    for bad in ({"q": "x", "per_page": 51}, {"q": "x", "page": 0}, {"q": "x", "status": "deleted"},
                {"q": "x" * 201}, {"q": "x", "date_from": "0001-01-01"},
                {"q": "x", "flags": ["a", "b", "c", "d", "e", "f"]}):
        r = client.get("/api/search", bad)
        assert r.status_code in (400, 422), (bad, r.status_code, r.content[:200])
    assert client.get("/api/search", {"q": " "}).status_code == 400


def test_the_search_page_shows_marked_snippets_and_links_to_the_log(people: Personas) -> None:
    a = _log(people, "The <b>caller</b> says a window was smashed")
    client = Client()
    client.force_login(people.handler)
    page = client.get("/search/", {"q": "smashed"})
    assert page.status_code == 200
    html = page.content.decode()
    assert f'href="/logs/{a.reference}/"' in html
    assert "<mark>smashed</mark>" in html and "<b>caller" not in html  # the text escaped (or, on PostgreSQL,
    # its tags left out of the passage): only the marks are HTML
    refused = Client()
    refused.force_login(people.learning)
    assert refused.get("/search/", {"q": "smashed"}).status_code == 403
    bad = client.get("/search/", {"q": "x", "per_page": "500"})
    assert bad.status_code == 400 and "Per page" in bad.content.decode()


def test_the_top_bar_opens_a_reference_and_searches_anything_else(people: Personas) -> None:
    a = _log(people, "Loose horse on the road")
    client = Client()
    client.force_login(people.handler)
    r = client.get("/search/find/", {"q": a.reference})
    assert r.status_code == 302 and r["Location"] == f"/logs/{a.reference}/"
    r = client.get("/search/find/", {"q": "loose horse"})
    assert r.status_code == 302 and r["Location"] == "/search/?q=loose+horse"
    r = client.get("/search/find/", {"q": "20991231-9999"})  # not a reference held: searched
    assert r["Location"].startswith("/search/?q=")
    learning = Client()
    learning.force_login(people.learning)  # may not open logs: not told whether a reference exists either
    assert learning.get("/search/find/", {"q": a.reference}).status_code == 403


def test_a_merged_log_keeps_its_words_and_a_message_joining_a_log_brings_its_caller(people: Personas) -> None:
    h = people.actor("handler")
    first = _log(people, "Bike stolen from the shed", phone="07700 900222")
    second = _log(people, "Reporting a bicycle stolen from my shed", phone="07700 900222")
    actions.merge_logs(h, second.reference, first.reference, reason="Same caller reporting the same theft")
    assert sorted(refs(people, q="shed")) == sorted([first.reference, second.reference])
    assert refs(people, q="shed", status="merged") == [second.reference]


def test_the_index_triggers_are_installed_and_install_indexes_what_is_missing(people: Personas) -> None:
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            expected = set(sql.SQLITE_TRIGGERS)
        else:
            cur.execute("SELECT trigger_name FROM information_schema.triggers")
            expected = set(sql.POSTGRES_TRIGGERS)
        installed = {r[0] for r in cur.fetchall()}
    assert expected <= installed, expected - installed
    a = _log(people, "Fireworks let off in the park")
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":  # the FTS row goes with its text row (the delete keeps them in step)
            cur.execute("INSERT INTO search_fts (search_fts, rowid, ref, said, people, places, phones) "
                        "SELECT 'delete', log_id, ref, said, people, places, phones FROM search_logtext "
                        "WHERE log_id = %s", [a.pk])
        cur.execute("DELETE FROM search_logtext WHERE log_id = %s", [a.pk])
    assert refs(people, q="fireworks") == []
    sql.install(connection)
    assert refs(people, q="fireworks") == [a.reference]
    assert "Fireworks" in LogText.objects.get(log_id=a.pk).said
