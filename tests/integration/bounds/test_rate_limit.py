"""Per-caller rate limits on the API: a bulk caller over its limit gets 429 with Retry-After, and the 999
call from another token (or another signed-in session) still goes through."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from limits import parse

from tests.integration.test_api import json_body, send, token_client
from tests.support.personas import Personas
from watchkeeper.api import api
from watchkeeper.incidents.models import Log
from watchkeeper.web.ratelimit import ApiRateLimit

pytestmark = pytest.mark.django_db


def raise_body(account: str = "Alarm sounding at the warehouse") -> dict[str, Any]:
    return {"contact": {"channel": "alarm", "account": account}, "category": "other", "summary": "Alarm"}


@pytest.fixture
def limiter(monkeypatch: pytest.MonkeyPatch) -> Iterator[ApiRateLimit]:
    """The API's one limiter, with small limits for the test (and its counts forgotten before and after)."""
    found = [t for t in (api.throttle if isinstance(api.throttle, list) else [api.throttle])
             if isinstance(t, ApiRateLimit)]
    assert len(found) == 1, "the API has exactly one per-caller rate limit"
    limit = found[0]
    monkeypatch.setattr(limit, "write_rate", parse("3/minute"))
    monkeypatch.setattr(limit, "rate", parse("6/minute"))
    limit.reset()
    yield limit
    limit.reset()


def test_a_bulk_token_is_held_to_its_limit_and_the_999_call_still_goes_through(
        people: Personas, limiter: ApiRateLimit) -> None:
    bulk, handler = token_client(people.handler2), token_client(people.handler)
    for i in range(3):
        assert send(bulk, "POST", "/api/logs", raise_body(f"Alarm {i}")).status_code == 201
    before = Log.objects.count()
    refused = send(bulk, "POST", "/api/logs", raise_body("Alarm 4"))
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert json_body(refused)["message"]
    assert Log.objects.count() == before  # refused before anything ran
    emergency = {"contact": {"channel": "999", "account": "Someone is breaking in downstairs"},
                 "category": "other", "summary": "Intruder"}
    assert send(handler, "POST", "/api/logs", emergency).status_code == 201


def test_reads_have_the_overall_limit_and_each_session_is_counted_on_its_own(
        people: Personas, limiter: ApiRateLimit) -> None:
    bulk = token_client(people.handler2)
    statuses = [send(bulk, "GET", "/api/logs").status_code for _ in range(7)]
    assert statuses == [200] * 6 + [429]
    browser = Client()
    browser.force_login(people.handler2)  # the same person signed in: a session of its own
    assert browser.get("/api/logs").status_code == 200


def test_the_default_limits_are_well_above_what_an_interactive_user_or_the_tests_send() -> None:
    limit = ApiRateLimit(rate=None, write_rate=None)
    assert limit.rate is not None and limit.rate.amount / limit.rate.get_expiry() >= 50
    assert limit.write_rate is not None and limit.write_rate.amount / limit.write_rate.get_expiry() >= 10
    off = ApiRateLimit(rate="off", write_rate="off")  # benchmarks' scratch servers
    assert off.rate is None and off.write_rate is None
