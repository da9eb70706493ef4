"""Backup and restore: a backup taken while the server is writing restores into a fresh database whose
audit chain verifies, and restore never replaces a database holding records unless told to (and then keeps
the replaced content)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from tests.support.live import Server, Template, api
from watchkeeper.bench.server import drop, is_postgres, run_cli, scratch_url

CONTACT = {"channel": "999", "caller_name": "Test Caller", "account": "Man shouting in the street."}
LOG = {"contact": CONTACT, "category": "public_order", "summary": "Shouting"}
VERIFY_AND_COUNT = """
from django.core.management import call_command
from watchkeeper.incidents.models import Log
call_command("verify_audit")
print(Log.objects.count())
"""


def _verified_logs(url: str) -> tuple[str, int]:
    """`verify-audit`'s output on the database, and how many logs it holds."""
    out = run_cli(url, code=VERIFY_AND_COUNT).strip().splitlines()
    return "\n".join(out[:-1]), int(out[-1])


@pytest.mark.timeout(900)  # a dozen `watchkeeper` processes on a shared machine
def test_a_backup_taken_under_write_load_restores_and_verifies(live_template: Template, tokens: dict[str, str],
                                                               tmp_path: Path) -> None:
    server = Server(live_template.fresh_url()).start()
    target = ""
    try:
        client = api(server, tokens["handler"])
        stop = threading.Event()
        written: list[int] = []

        def write() -> None:
            while not stop.is_set():
                r = client.post("/api/logs", json=LOG)
                assert r.status_code == 201, r.text
                written.append(1)

        writer = threading.Thread(target=write)
        writer.start()
        try:
            while len(written) < 5:  # the writer is under way
                stop.wait(0.05)
            before = len(written)
            backup = tmp_path / "watchkeeper.backup"
            out = run_cli(server.db_url, "backup", str(backup))
            during = len(written)
            stop.wait(0.5)
        finally:
            stop.set()
            writer.join(timeout=60)
        assert "backup written" in out and backup.is_file()
        assert len(written) > during, "the server kept writing after the backup"

        # Restore into a database that does not exist yet.
        target = scratch_url(server.db_url, tmp_path, prefix="wk_restored")
        if is_postgres(target):
            drop(target)  # restore creates it
        restored = run_cli(target, "restore", str(backup))
        assert "restored from" in restored
        assert "audit chain valid" in restored
        verified, count = _verified_logs(target)
        assert "audit chain valid" in verified
        assert before <= count <= during + 1

        # A database holding records is not replaced without --force; nothing changes.
        assert client.post("/api/logs", json=LOG).status_code == 201
        second = tmp_path / "second.backup"
        run_cli(server.db_url, "backup", str(second))
        with pytest.raises(RuntimeError, match="holds records"):
            run_cli(target, "restore", str(second))
        assert _verified_logs(target)[1] == count
        # With --force it is replaced, and the replaced content is kept where the command says.
        keep = tmp_path / "kept"
        keep.mkdir()
        forced = run_cli(target, "restore", "--force", "--keep-dir", str(keep), str(second))
        assert "the replaced database was saved to" in forced
        assert "audit chain valid" in forced
        assert len(list(keep.iterdir())) == 1
        verified, forced_count = _verified_logs(target)
        assert "audit chain valid" in verified and forced_count > count
    finally:
        server.stop()
        if target:
            drop(target)


def test_restore_refuses_a_backup_of_the_other_kind_or_not_a_backup(live_template: Template,
                                                                    tmp_path: Path) -> None:
    url = live_template.fresh_url()
    junk = tmp_path / "notes.txt"
    junk.write_text("not a backup")
    with pytest.raises(RuntimeError, match="not a Watchkeeper backup"):
        run_cli(url, "restore", str(junk))
    other = tmp_path / "other.backup"
    other.write_bytes(b"SQLite format 3\x00" if is_postgres(url) else b"PGDMP" + b"\x00" * 20)
    with pytest.raises(RuntimeError, match="backup but the configured database is"):
        run_cli(url, "restore", str(other))
    # An existing file is not overwritten by a backup without --force.
    with pytest.raises(RuntimeError, match="exists"):
        run_cli(url, "backup", str(junk))
    assert junk.read_text() == "not a backup"
