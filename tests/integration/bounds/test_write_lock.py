"""A write that waits for the audit-chain lock past its bound is refused with 503 and Retry-After, writes
nothing, and the 999 call raised once the lock frees goes through: never a 500 "database is locked"
(a 40,000-entry request held the lock for 43 s and a 999 log raised meanwhile failed that way).

The lock is held the way another writer holds it: on SQLite, another thread of this process in the writer
queue (in process) or another process's IMMEDIATE transaction (a real server); on PostgreSQL, another
connection holding the advisory lock. Every test runs on both databases."""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest
from django.db import connection

from tests.support.live import Server, Template, api
from watchkeeper.bench.server import is_postgres
from watchkeeper.core import uow
from watchkeeper.core.errors import Busy


@contextmanager
def lock_held_in_this_process() -> Iterator[None]:
    """Another writer holds the audit-chain lock until the block ends."""
    if connection.vendor == "postgresql":
        import psycopg

        settings_dict = connection.settings_dict
        other = psycopg.connect(host=settings_dict["HOST"] or None, port=settings_dict["PORT"] or None,
                                user=settings_dict["USER"], password=settings_dict["PASSWORD"] or None,
                                dbname=settings_dict["NAME"], autocommit=False)
        try:
            other.execute("SELECT pg_advisory_xact_lock(%s)", [uow.CHAIN_LOCK_KEY])
            yield
        finally:
            other.rollback()
            other.close()
        return
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with uow._sqlite_writer:
            held.set()
            release.wait(60)

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    assert held.wait(10)
    try:
        yield
    finally:
        release.set()
        thread.join(10)


def raise_999() -> dict[str, Any]:
    return {"contact": {"channel": "999", "account": "My husband has a knife and says he will kill me",
                        "caller_phone": "07700 900999"},
            "category": "domestic_incident", "summary": "Threat with a knife", "location": "12 Mill Lane"}


@pytest.mark.django_db
def test_the_unit_of_work_refuses_past_the_bound_and_takes_the_lock_once_free(settings: Any) -> None:
    # Nothing is written before the lock is held elsewhere, so this test's own transaction does not hold it.
    settings.WRITE_LOCK_WAIT_SECONDS = 0.2
    with lock_held_in_this_process(), pytest.raises(Busy) as refused:
        with uow.unit_of_work():
            pytest.fail("the lock was taken while another writer held it")
    assert refused.value.status == 503 and refused.value.headers() == {"Retry-After": "1"}
    with uow.unit_of_work():
        pass


@contextmanager
def lock_held_by_another_process(db_url: str) -> Iterator[None]:
    """Another process's writer: an IMMEDIATE transaction on the SQLite file, or the advisory lock on
    PostgreSQL, held from a connection of this test process (not the server's)."""
    if is_postgres(db_url):
        import psycopg

        with psycopg.connect(db_url) as other:
            other.execute("SELECT pg_advisory_xact_lock(%s)", [uow.CHAIN_LOCK_KEY])
            yield
            other.rollback()
        return
    other = sqlite3.connect(urlparse(db_url).path, isolation_level=None, timeout=30)
    try:
        other.execute("BEGIN IMMEDIATE")
        yield
        other.execute("ROLLBACK")
    finally:
        other.close()


@pytest.fixture(scope="module")
def busy_server(live_template: Template) -> Iterator[Server]:
    server = Server(live_template.fresh_url(), sweeper=False,
                    extra_env={"WATCHKEEPER_WRITE_LOCK_WAIT_SECONDS": "1"}).start()
    yield server
    server.stop()


def test_a_real_server_answers_503_while_another_process_holds_the_lock(
        busy_server: Server, tokens: dict[str, str]) -> None:
    client = api(busy_server, tokens["handler"])
    assert client.get("/api/logs").status_code == 200  # the token's first use is recorded before the lock
    before = len(client.get("/api/logs").json())
    with lock_held_by_another_process(busy_server.db_url):
        response = client.post("/api/logs", json=raise_999())
        assert response.status_code == 503, response.text
        body = response.json()
        assert body["error"] == "refused" and "busy" in body["message"] and "nothing was saved" in body["message"]
        assert response.headers["Retry-After"] == str(body["details"]["retry_after"])
    assert len(client.get("/api/logs").json()) == before
    response = client.post("/api/logs", json=raise_999())  # the lock is free: the 999 call goes through
    assert response.status_code == 201, response.text
    assert len(client.get("/api/logs").json()) == before + 1


def test_the_page_says_busy_with_503_too(busy_server: Server, live_template: Template) -> None:
    """The UI reaches the same bound: the new-call form answers 503 with the plain reason, not a 500, and
    the same form goes through once the lock is free."""
    ui = httpx.Client(base_url=busy_server.base, timeout=30)
    csrf = _csrf(ui.get("/login/").text)
    password = live_template.seed["passwords"]["handler"]
    signed_in = ui.post("/login/", data={"username": "handler", "password": password,
                                         "csrfmiddlewaretoken": csrf})
    assert signed_in.status_code == 302, signed_in.text[:2000]
    form = {"do": "raise", "contact.channel": "999", "contact.account": "Smoke coming from the flat upstairs",
            "category": "other", "summary": "Smoke from flat", "location": "3 Kiln Row",
            "csrfmiddlewaretoken": _csrf(ui.get("/new/").text)}
    with lock_held_by_another_process(busy_server.db_url):
        response = ui.post("/new/", data=form)
        assert response.status_code == 503, response.text[:2000]
        assert "busy" in response.text and response.headers["Retry-After"].isdigit()
    assert "Smoke from flat" not in ui.get("/").text
    response = ui.post("/new/", data=form)
    assert response.status_code == 302, response.text[:2000]
    assert "Smoke from flat" in ui.get(response.headers["Location"]).text


def _csrf(page: str) -> str:
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, page[:2000]
    return token.group(1)
