"""C3: a cue prompt says which words raised it — stored with the prompt as spans of the entry, highlighted on
the log page and returned by the API — and deciding it records the words it was about. Through the real
actions, hooks, page and API, against the real database (SQLite or PostgreSQL)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.integration.people.support import call, open_prompts
from watchkeeper.audit.models import AuditRecord
from watchkeeper.core.actor import Actor
from watchkeeper.incidents import actions as logs
from watchkeeper.incidents.models import Entry
from watchkeeper.staff.actions import issue_token

pytestmark = pytest.mark.django_db

TEXT = "Neighbour says the woman at 9 told her that her ex-fella rang and said he'd do her in tonight."


def cue_prompt(people):
    log = call(people, category="other")
    logs.add_entry(people.actor("handler"), log.reference, TEXT)
    [prompt] = open_prompts(log, "C3", "cue_domestic_abuse")
    return log, prompt


@pytest.mark.safeguard("C3")
def test_the_prompt_stores_where_the_words_that_raised_it_stand_in_the_entry(people):
    log, prompt = cue_prompt(people)
    entry = Entry.objects.get(pk=prompt.entry_id)
    assert entry.text == TEXT and prompt.details["entry"] == entry.seq
    words = [entry.text[s:e] for s, e in prompt.details["spans"]]
    assert words == prompt.details["phrases"]
    assert "ex-fella" in words and any("do her in" in w for w in words)
    assert prompt.details["source"] in ("rules", "model")


@pytest.mark.safeguard("C3")
def test_the_log_page_highlights_the_words_in_the_entry(people):
    log, prompt = cue_prompt(people)
    client = Client()
    client.force_login(people.handler)
    page = client.get(f"/logs/{log.reference}/people/part/prompts/").content.decode()
    item = page[page.index(f'id="prompt-{prompt.pk}"'):]
    item = item[:item.index("</li>")]
    assert '<mark class="cue-word">ex-fella</mark>' in item
    assert 'said he&#x27;d <mark class="cue-word">do her in</mark> tonight.' in item
    assert f"in entry {prompt.details['entry']}" in item


@pytest.mark.safeguard("C3")
def test_a_dismissal_through_the_api_records_the_words_it_dismissed(people):
    log, prompt = cue_prompt(people)
    detail = logs.view_log(people.actor("handler"), log.reference)
    assert detail is not None
    _, secret = issue_token(Actor(None), people.handler.pk, "t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    shown = client.get(f"/api/logs/{log.reference}").json()
    [seen] = [p for p in shown["prompts"] if p["id"] == prompt.pk]
    assert seen["details"]["spans"] == prompt.details["spans"]
    r = client.post(f"/api/prompts/{prompt.pk}/decision", data=json.dumps({"accept": False,
                    "reason": "Spoke to the caller: a film she was describing"}), content_type="application/json")
    assert r.status_code == 200, r.content
    audit = AuditRecord.objects.filter(action="prompt.dismissed", object_id=str(prompt.pk)).get()
    assert audit.after["words"] == prompt.details["phrases"] and audit.after["entry"] == prompt.details["entry"]
    note = Entry.objects.filter(log=log, kind="system").order_by("-seq").first()
    assert note is not None and "dismissed words:" in note.text and "\u201cex-fella\u201d" in note.text


@pytest.mark.safeguard("C3")
def test_highlighting_keeps_context_marks_every_span_and_ignores_spans_that_do_not_fit():
    from watchkeeper.people.queries import HIGHLIGHT_CONTEXT, highlight

    text = "a" * 200 + " knife " + "b" * 200 + " gun " + "c" * 10
    k, g = text.index("knife"), text.index("gun")
    pieces = highlight(text, [[g, g + 3], [k, k + 5], [5, 2], [0, 10_000], ["x", 3]])
    assert [t for t, marked in pieces if marked] == ["knife", "gun"]
    joined = "".join(t for t, _ in pieces)
    assert joined.startswith("…") and len(joined) < len(text)
    assert pieces[1][0] == text[k - HIGHLIGHT_CONTEXT:k]
    assert highlight("short", []) == [] and highlight("short", None) == []
