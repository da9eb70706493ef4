"""Lists read through the same permission check in the UI as in the API: a role the API refuses a list of
logs sees no list of logs on a page either (the queue, the board's rows, the grade strip, the review queue)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.integration.test_api import token_client
from tests.support.factories import raise_log
from tests.support.personas import ONE_PER_ROLE, Personas

pytestmark = pytest.mark.django_db

# A page that lists logs, and the API list it must agree with.
PAGES = [
    ("/queue/fragment/", "/api/logs"),
    ("/queue/fragment/?view=board", "/api/logs"),
    ("/queue/fragment/?view=strip", "/api/logs"),
    ("/find/?q=nothing-like-a-reference", "/api/logs"),
    ("/review/", "/api/review-queue"),
]


def test_every_role_gets_from_a_page_what_it_gets_from_the_api(people: Personas) -> None:
    log = raise_log(people.actor("handler"), location="14 Beech Grove")
    disagree = []
    for name in ONE_PER_ROLE:
        page = Client()
        page.force_login(getattr(people, name))
        api = token_client(getattr(people, name))
        for path, api_path in PAGES:
            ui_status, api_status = page.get(path).status_code, api.get(api_path).status_code
            api_refused = api_status == 403
            if api_refused != (ui_status == 403):
                disagree.append(f"{name}: {path} {ui_status}, {api_path} {api_status}")
        if api.get("/api/logs").status_code == 403:
            body = page.get("/queue/fragment/?view=board").content.decode()
            assert log.reference not in body and "14 Beech Grove" not in body, name
    assert not disagree, "\n".join(disagree)


@pytest.mark.parametrize("name", ["learning", "admin"])
def test_a_role_that_may_not_read_logs_starts_in_the_learning_library_not_on_the_queue(
        people: Personas, name: str) -> None:
    raise_log(people.actor("handler"), location="14 Beech Grove")
    page = Client()
    page.force_login(getattr(people, name))
    response = page.get("/")
    assert response.status_code == 302 and response["Location"] == "/learning/"
    refused = page.get("/queue/fragment/?view=board")
    assert refused.status_code == 403 and "14 Beech Grove" not in refused.content.decode()
    assert page.get("/review/").status_code == 403


def test_the_queue_still_serves_those_who_read_logs(people: Personas) -> None:
    log = raise_log(people.actor("handler"), location="14 Beech Grove")
    page = Client()
    page.force_login(people.qa)
    assert log.reference in page.get("/").content.decode()
    assert log.reference in page.get("/queue/fragment/?view=board").content.decode()
