"""Bounded request bodies, dates that make sense, bidi controls neutralised, and every refusal naming the
field that failed, in the API and on the page alike."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from tests.integration.test_api import json_body, send, token_client
from tests.support.personas import Personas
from watchkeeper.audit.models import AuditRecord
from watchkeeper.core import clock
from watchkeeper.core.validate import BIDI_CONTROLS, MAX_ENTRIES, MAX_TEXT, neutralise_bidi
from watchkeeper.incidents.models import Log
from watchkeeper.realtime.views import _format

pytestmark = pytest.mark.django_db


def raise_body(**extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"contact": {"channel": "101", "account": "Shed broken into overnight"},
                            "category": "other", "summary": "Shed break-in"}
    for key, value in extra.items():
        if key.startswith("contact."):
            body["contact"][key.removeprefix("contact.")] = value
        else:
            body[key] = value
    return body


def refused_fields(response: Any) -> list[str]:
    assert response.status_code == 422, response.content
    # The body's fields, as the 422 names them (a leading "body." says it was the JSON body).
    return [d["field"].removeprefix("body.") for d in json_body(response)["details"]]


def test_forty_thousand_entries_are_refused_naming_the_field_and_nothing_is_written(people: Personas) -> None:
    client = token_client(people.handler)
    before = Log.objects.count(), AuditRecord.objects.count()
    response = send(client, "POST", "/api/logs", raise_body(entries=["Caller still on the line"] * 40_000))
    assert refused_fields(response) == ["entries"]
    assert f"at most {MAX_ENTRIES}" in json_body(response)["message"]
    assert (Log.objects.count(), AuditRecord.objects.count()) == before


def test_a_text_past_its_bound_and_a_list_item_past_its_bound_are_named(people: Personas) -> None:
    client = token_client(people.handler)
    assert refused_fields(send(client, "POST", "/api/logs",
                               raise_body(**{"contact.account": "x" * (MAX_TEXT + 1)}))) == ["contact.account"]
    assert refused_fields(send(client, "POST", "/api/logs",
                               raise_body(flags=["f" * (MAX_TEXT + 1)]))) == ["flags.0"]


@pytest.mark.parametrize("received_at", ["0001-01-01T00:00:00", "9999-12-31T23:59:00"])
def test_a_call_received_in_year_1_or_9999_is_refused_naming_the_field(people: Personas, received_at: str) -> None:
    client = token_client(people.handler)
    assert refused_fields(send(client, "POST", "/api/logs",
                               raise_body(**{"contact.received_at": received_at}))) == ["contact.received_at"]


def test_a_task_due_in_9999_is_refused_and_one_due_tomorrow_is_not(people: Personas) -> None:
    client = token_client(people.handler)
    reference = json_body(send(client, "POST", "/api/logs", raise_body()))["reference"]
    task = {"reference": reference, "description": "Call the caller back", "owner_id": people.handler.pk}
    response = send(client, "POST", "/api/tasks", {**task, "due_at": "9999-01-01T09:00:00"})
    assert refused_fields(response) == ["due_at"]
    assert "years in the future" in json_body(response)["message"]
    tomorrow = (clock.now() + timedelta(days=1)).isoformat()
    assert send(client, "POST", "/api/tasks", {**task, "due_at": tomorrow}).status_code == 201


def test_the_page_refuses_the_same_date_naming_the_field(people: Personas) -> None:
    client = Client()
    client.force_login(people.handler)
    response = client.post("/new/", {"do": "raise", "contact.channel": "101", "contact.account": "Shed broken into",
                                     "contact.received_at": "0001-01-01T00:00", "category": "other",
                                     "summary": "Shed"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "received at" in page.lower() and "years in the past" in page
    assert Log.objects.count() == 0


def test_bidi_override_characters_are_kept_in_the_record_and_neutralised_wherever_shown(people: Personas) -> None:
    client = token_client(people.handler)
    summary = "Caller sent file \u202egpj.exe and \u2066isolated\u2069 text"
    response = send(client, "POST", "/api/logs", raise_body(summary=summary))
    assert response.status_code == 201, response.content
    log = Log.objects.get(reference=json_body(response)["reference"])
    assert log.summary == summary  # the record is evidence: exactly what was sent
    assert json_body(send(client, "GET", f"/api/logs/{log.reference}"))["summary"] == summary
    browser = Client()
    browser.force_login(people.handler)
    for path in (f"/logs/{log.reference}/", "/"):
        page = browser.get(path).content.decode()
        assert "[U+202E]gpj.exe" in page, path
        assert not any(c in page for c in BIDI_CONTROLS), path
    # The live stream is a display too: its frames carry the marks, JSON or rendered.
    frame = _format({"seq": 1, "kind": "log.updated", "topic": "logs", "payload": {"summary": summary}})
    assert b"[U+202E]gpj.exe" in frame and not any(c.encode() in frame for c in BIDI_CONTROLS)
    assert json.loads(frame.decode().split("data: ", 1)[1])["summary"] == neutralise_bidi(summary)


