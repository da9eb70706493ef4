"""Failing safely: a database that cannot take writes is a 503 with the reason (UI and API), the sweeper
backs off and logs the outage once (and once when it ends), `/ready` says which check fails, and `serve`
refuses to start on such a database. Every failure here is the database's own: a SQLite file made
immutable (the kernel then refuses writes even to open files, and root too), a PostgreSQL database switched
to read-only transactions, SQLite's page limit (a full disk), a PostgreSQL lock held past the bound."""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest

from tests.support.live import Server, Template, api
from watchkeeper.bench.server import BIN, SCRATCH_SECRET_KEY, is_postgres, pg_exec

CONTACT = {"channel": "999", "caller_name": "Test Caller", "account": "Man shouting in the street."}
LOG = {"contact": CONTACT, "category": "public_order", "summary": "Shouting"}


def _sqlite_files(url: str) -> list[str]:
    path = urlparse(url).path
    return [p for p in (path, path + "-wal") if Path(p).exists()]


@contextmanager
def read_only(url: str) -> Iterator[None]:
    """Make the database refuse writes, for real, until the block ends."""
    if is_postgres(url):
        name = urlparse(url).path.lstrip("/")
        pg_exec(url, f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
        try:
            yield
        finally:
            pg_exec(url, f'ALTER DATABASE "{name}" RESET default_transaction_read_only')
        return
    files = _sqlite_files(url)
    # chattr +i holds even for root and for descriptors opened before (chmod does neither).
    subprocess.run(["chattr", "+i", *files], check=True)
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", *files], check=True)


def _wait_for(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _sign_in_page(server: Server) -> tuple[httpx.Client, str]:
    ui = httpx.Client(base_url=server.base, timeout=30)
    page = ui.get("/login/")
    assert page.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token
    return ui, token.group(1)


def test_a_read_only_database_is_503_with_the_reason_and_the_sweeper_logs_the_outage_once(
        live_template: Template, tokens: dict[str, str], staff_ids: dict[str, int]) -> None:
    # Connections are not kept between requests, so each request meets the database as it is now.
    server = Server(live_template.fresh_url(), extra_env={"WATCHKEEPER_CONN_MAX_AGE": "0"}).start()
    try:
        client = api(server, tokens["handler"])
        assert client.post("/api/logs", json=LOG).status_code == 201
        # A timer falls due during the outage, so the sweeper has something to write.
        due = datetime.now(UTC) + timedelta(seconds=2)
        task = client.post("/api/tasks", json={"description": "Ring the caller back", "owner_id":
                                               staff_ids["handler"], "due_at": due.isoformat()})
        assert task.status_code == 201, task.text
        ui, csrf = _sign_in_page(server)
        assert httpx.get(server.base + "/ready").status_code == 200

        with read_only(server.db_url):
            # The API: 503, the reason, when to retry; nothing written.
            r = client.post("/api/logs", json=LOG)
            assert r.status_code == 503, r.text
            body = r.json()
            assert body["error"] == "unavailable"
            assert "read-only" in body["message"]
            assert int(r.headers["Retry-After"]) > 0
            # The UI: signing in writes (session, last sign-in): a 503 page saying why, not a 500.
            page = ui.post("/login/", data={"username": "handler", "password": "wrong-but-irrelevant",
                                            "csrfmiddlewaretoken": csrf})
            assert page.status_code == 503, page.text[:500]
            assert "read-only" in page.text and "cannot record" in page.text
            assert int(page.headers["Retry-After"]) > 0
            # /ready names the failing check; /health still says the process is up.
            ready = httpx.get(server.base + "/ready")
            assert ready.status_code == 503
            checks = ready.json()["checks"]
            assert checks["database"]["ok"] is False and "read-only" in checks["database"]["detail"]
            assert checks["migrations"]["ok"] is True
            assert httpx.get(server.base + "/health").status_code == 200
            # The sweeper meets the outage when the task falls due: several failed sweeps, one log line.
            _wait_for(lambda: "sweeper: The database is read-only" in server.log.read_text(), 20,
                      "the sweeper to report the outage")
            time.sleep(3)
        _wait_for(lambda: "sweeper: sweeping again" in server.log.read_text(), 40, "the sweeper to recover")
        text = server.log.read_text()
        assert text.count("sweeper: The database is read-only") == 1, text
        assert text.count("sweeper: sweeping again") == 1, text
        assert "Traceback" not in text, text
        # Back to normal: the held timer fired, writes and readiness return.
        _wait_for(lambda: httpx.get(server.base + "/ready").status_code == 200, 20, "/ready to be 200")
        assert client.post("/api/logs", json=LOG).status_code == 201
        notes = client.get("/api/notifications")
        assert notes.status_code == 200
        assert "Ring the caller back" in notes.text
    finally:
        server.stop()


def test_serve_refuses_to_start_on_a_database_it_cannot_write(live_template: Template) -> None:
    url = live_template.fresh_url()
    env = {"WATCHKEEPER_SECRET_KEY": SCRATCH_SECRET_KEY, **_base_env(), "WATCHKEEPER_DATABASE_URL": url}
    with read_only(url):
        out = subprocess.run([str(BIN), "serve", "--port", "1", "--no-sweeper"], env=env, capture_output=True,
                             text=True, timeout=60)
    assert out.returncode != 0
    assert "read-only" in out.stderr
    assert "does not start on a database it cannot write to" in out.stderr


def _base_env() -> dict[str, str]:
    import os

    return dict(os.environ)


def test_health_needs_no_sign_in_and_ready_names_every_check(server: Server) -> None:
    health = httpx.get(server.base + "/health")
    assert health.status_code == 200 and health.json() == {"status": "up"}
    ready = httpx.get(server.base + "/ready")
    assert ready.status_code == 200, ready.text
    assert ready.json() == {"status": "ready", "checks": {
        "database": {"ok": True, "detail": "writable"},
        "migrations": {"ok": True, "detail": "all applied"},
        "sweeper": {"ok": True, "detail": "sweeping"},
    }}
    assert ready.headers["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_a_full_or_read_only_database_is_503_with_the_reason_not_500(client: Any, people: Any) -> None:
    """In process, on the configured database: SQLite with its page limit reached (a full disk), PostgreSQL
    with the transaction switched to read-only (as on a standby)."""
    from django.db import connection, transaction

    client.force_login(people.handler)
    before = transaction.savepoint()  # rolled back to at the end: the page limit / read-only mode goes too
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("PRAGMA page_count")
            pages = cur.fetchone()[0]
            cur.execute(f"PRAGMA max_page_count = {pages}")
            expected = "disk is full"
        else:
            cur.execute("SET transaction_read_only = on")
            expected = "read-only"
    try:
        codes = []
        for i in range(40):
            contact = {**CONTACT, "account": f"{i} " + "words of the caller " * 500}
            r = client.post("/api/logs", data={**LOG, "contact": contact}, content_type="application/json")
            codes.append(r.status_code)
            if r.status_code == 503:
                break
        assert codes[-1] == 503, codes
        assert set(codes[:-1]) <= {201}, codes
        assert r.json()["error"] == "unavailable" and expected in r.json()["message"]
        assert int(r["Retry-After"]) > 0
    finally:
        transaction.savepoint_rollback(before)
        if connection.vendor == "sqlite":
            with connection.cursor() as cur:
                cur.execute("PRAGMA max_page_count = 4294967294")
