"""The fixed costs every request pays, kept small and visible: the policy in force is checked once per
request (not by every rule that reads it), a bearer token is checked in one query (token, user and
lock-out together), and with SERVER_TIMING on each response says what it cost (statements, time holding
the audit-chain lock, CPU) for the benchmarks to read."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.integration.test_api import json_body, send, token_client
from tests.support.personas import Personas
from watchkeeper.bench.writepath import server_timing
from watchkeeper.core.config import current_policy, one_policy_per_request, set_policy

pytestmark = pytest.mark.django_db


def raise_body(n: int) -> dict[str, Any]:
    return {"contact": {"channel": "999", "account": "Man shouting and banging on doors",
                        "caller_phone": f"07700 9001{n:02d}"},
            "category": "public_order", "summary": f"Disturbance {n}",
            "entries": ["Caller still on the line.", "Now in the road.", "Gone towards the park."]}


def _touching(captured: CaptureQueriesContext, table: str) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if table in (q["sql"] or "")]


def test_a_raise_checks_the_policy_in_force_once_and_the_token_in_one_query(people: Personas) -> None:
    client = token_client(people.handler)
    assert send(client, "POST", "/api/logs", raise_body(1)).status_code == 201  # warm: token first use
    with CaptureQueriesContext(connection) as captured:
        response = send(client, "POST", "/api/logs", raise_body(2))
    assert response.status_code == 201, response.content
    assert len(_touching(captured, '"core_policysetting"')) == 1
    auth = [sql for sql in captured.captured_queries if '"staff_apitoken"' in (sql["sql"] or "")]
    assert len(auth) == 1 and '"axes_accessattempt"' in auth[0]["sql"]  # the lock-out read in the same query


def test_a_policy_change_is_seen_by_the_next_request_and_within_its_own(people: Personas) -> None:
    actor = people.actor("admin")
    with one_policy_per_request():
        before = current_policy()["repeat_windows"]
        changed = {**before, "repeat_caller": {"days": 35, "at_least": 3}}
        set_policy(actor, "repeat_windows", changed, reason="Longer window for the storm")
        assert current_policy()["repeat_windows"] == changed  # this request's own change
    with one_policy_per_request():
        assert current_policy()["repeat_windows"] == changed
        # Another process's change lands between two reads of one request: the request keeps one policy...
        from watchkeeper.core.models import PolicySetting

        PolicySetting.objects.create(key="repeat_windows", value=before, changed_at="2026-12-01T00:00Z",
                                     reason="elsewhere")
        assert current_policy()["repeat_windows"] == changed
    with one_policy_per_request():  # ...and the next request sees it
        assert current_policy()["repeat_windows"] == before


def test_a_locked_out_or_revoked_token_is_still_refused(people: Personas) -> None:
    client = token_client(people.handler)
    assert send(client, "GET", "/api/logs").status_code == 200
    people.handler.is_active = False
    people.handler.save()
    assert send(client, "GET", "/api/logs").status_code == 401


def test_server_timing_says_what_a_write_cost_when_asked(people: Personas, settings: Any) -> None:
    client = token_client(people.handler)
    assert "Server-Timing" not in send(client, "POST", "/api/logs", raise_body(3))
    settings.SERVER_TIMING = True
    client = token_client(people.handler)  # a new client loads the middleware with the setting on
    response = send(client, "POST", "/api/logs", raise_body(4))
    assert response.status_code == 201, json_body(response)
    costs = server_timing(response["Server-Timing"])
    assert costs["statements"] >= 10 and costs["lock_ms"] > 0 and costs["cpu_ms"] > 0 and costs["sql_ms"] > 0
    page = Client()
    page.force_login(people.handler)
    assert "lock;dur=0.00" in page.get("/")["Server-Timing"]  # a read holds no lock


def test_the_bench_reads_server_timing() -> None:
    assert server_timing('sql;desc="42";dur=3.50, lock;dur=1.25, cpu;dur=7') == {
        "statements": 42.0, "sql_ms": 3.5, "lock_ms": 1.25, "cpu_ms": 7.0}
