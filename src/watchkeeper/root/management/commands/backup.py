"""`watchkeeper backup PATH`: a consistent copy of the whole database, taken while the server runs.

SQLite: the online backup API (`sqlite3.Connection.backup`) copies every page inside one read transaction,
so the copy is the database as it was at one moment even while the server goes on writing (WAL lets the
writers carry on). The copy is a single self-contained file (rollback journal, not WAL) checked with
`PRAGMA integrity_check` before it is moved into place.

PostgreSQL: `pg_dump --format=custom` (one consistent snapshot of the database), restored with
`watchkeeper restore`. pg_dump is looked for in WATCHKEEPER_PG_BIN, then on PATH, then in
/usr/lib/postgresql/<version>/bin; the password, if any, is passed in the environment, never on the command
line.

The backup is written beside PATH and renamed into place when complete, so PATH is never half a backup; an
existing PATH is not replaced unless --force is given.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError


def pg_tool(name: str) -> str:
    """The path of a PostgreSQL client program (pg_dump, pg_restore), or a CommandError saying how to get it."""
    import glob
    import shutil

    given = os.environ.get("WATCHKEEPER_PG_BIN", "").strip()
    candidates = [str(Path(given) / name)] if given else []
    found = shutil.which(name)
    if found:
        candidates.append(found)
    candidates += sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    for path in candidates:
        if os.access(path, os.X_OK):
            return path
    raise CommandError(f"{name} was not found. Install the PostgreSQL client programs of the server's version "
                       "(Debian: apt-get install postgresql-client), or set WATCHKEEPER_PG_BIN to the directory "
                       f"that holds {name}.")


def pg_env(db: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for the PostgreSQL client programs, and their environment (the password)."""
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sqlite_backup(source: str, target: Path) -> None:
    """Copy the SQLite database `source` to `target` (a new file) at one moment, and check the copy."""
    from urllib.parse import quote

    src = sqlite3.connect(f"file:{quote(source)}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(str(target))
    try:
        src.backup(dst)  # all pages in one step: one read transaction, so one moment
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        result = dst.execute("PRAGMA integrity_check").fetchone()
        if not result or result[0] != "ok":
            raise CommandError(f"the copy failed its integrity check: {result}")
    finally:
        dst.close()
        src.close()


class Command(BaseCommand):
    help = "Write a consistent backup of the database to PATH (safe while the server runs)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", help="the backup file to write")
        parser.add_argument("--force", action="store_true", help="replace PATH if it exists")

    def handle(self, *args: Any, **opts: Any) -> None:
        import subprocess

        from django.db import connection

        target = Path(opts["path"]).resolve()
        if target.exists() and not opts["force"]:
            raise CommandError(f"{target} exists; give another path, or --force to replace it.")
        if not target.parent.is_dir():
            raise CommandError(f"{target.parent} is not a directory.")
        partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
        partial.unlink(missing_ok=True)
        db = connection.settings_dict
        try:
            if connection.vendor == "sqlite":
                sqlite_backup(str(db["NAME"]), partial)
                kind = "SQLite"
            else:
                conn_args, env = pg_env(db)
                out = subprocess.run([pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                                      f"--file={partial}", *conn_args, "--dbname", str(db["NAME"])],
                                     env=env, capture_output=True, text=True)
                if out.returncode != 0:
                    raise CommandError(f"pg_dump failed: {out.stderr.strip()}")
                kind = "PostgreSQL (pg_dump custom format)"
            with partial.open("rb") as fh:
                os.fsync(fh.fileno())
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
        self.stdout.write(f"backup written: {target} ({kind}, {target.stat().st_size} bytes, "
                          f"sha256 {sha256(target)})")
        self.stdout.write("restore with: watchkeeper restore " + str(target))
