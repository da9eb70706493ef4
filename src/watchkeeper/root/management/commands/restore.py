"""`watchkeeper restore PATH`: put a backup made by `watchkeeper backup` back as the database.

The backup's kind must match the configured database (a SQLite file into a SQLite database, a pg_dump
archive into PostgreSQL). Stop the server first.

Nothing is destroyed silently. A database that holds records (any audit record, member of staff or log) is
not replaced unless --force is given; with --force its current content is first saved beside it (SQLite:
a backup file next to the database; PostgreSQL: a pg_dump archive in the current directory, or
--keep-dir), and the command says where. A PostgreSQL database is restored into an empty database: it is
created if missing, and (with --force, once saved) dropped and created afresh.

After restoring, the audit chain is verified (`verify-audit`), and the migrations the code has that the
backup lacks are named (run `watchkeeper migrate`).
"""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.core.management.base import BaseCommand, CommandError

from watchkeeper.core import clock
from watchkeeper.root.management.commands.backup import pg_env, pg_tool, sqlite_backup

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"


def _kind_of(path: Path) -> str:
    with path.open("rb") as fh:
        head = fh.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_MAGIC):
        return "postgresql"
    raise CommandError(f"{path} is not a Watchkeeper backup (neither a SQLite database nor a pg_dump archive).")


def _records_held() -> list[str]:
    """What the configured database holds that a restore would replace (empty: nothing to lose)."""
    from django.db import connection

    tables = set(connection.introspection.table_names())
    held = []
    for table, words in (("audit_auditrecord", "audit records"), ("staff_user", "members of staff"),
                         ("incidents_log", "logs")):
        if table in tables:
            with connection.cursor() as cur:
                cur.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
                row = cur.fetchone()
            if row and row[0]:
                held.append(f"{row[0]} {words}")
    return held


class Command(BaseCommand):
    help = "Restore the database from a backup made by `watchkeeper backup` (stop the server first)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", help="the backup file")
        parser.add_argument("--force", action="store_true",
                            help="replace a database that holds records (its content is saved first)")
        parser.add_argument("--keep-dir", default="",
                            help="where to save the replaced database's content (default: beside it, or here)")

    def handle(self, *args: Any, **opts: Any) -> None:
        from django.core.management import call_command
        from django.db import connection

        source = Path(opts["path"]).resolve()
        if not source.is_file():
            raise CommandError(f"{source} does not exist.")
        kind = _kind_of(source)
        if kind != connection.vendor:
            raise CommandError(f"{source} is a {kind} backup but the configured database is {connection.vendor} "
                               "(WATCHKEEPER_DATABASE_URL).")
        held = self._held(connection)
        connection.close()  # the restore works on the database directly, not through this connection
        if held and not opts["force"]:
            raise CommandError(
                f"The database holds records ({', '.join(held)}); restoring would replace them. Nothing was "
                "changed. To restore anyway give --force: the current content is saved first and its place "
                "is printed.")
        stamp = clock.now().strftime("%Y%m%dT%H%M%SZ")
        keep_dir = Path(opts["keep_dir"]).resolve() if opts["keep_dir"] else None
        if connection.vendor == "sqlite":
            self._restore_sqlite(source, str(connection.settings_dict["NAME"]), held, stamp, keep_dir)
        else:
            self._restore_postgresql(source, connection.settings_dict, held, stamp, keep_dir)
        connection.close()
        self.stdout.write(f"restored from {source}")
        from watchkeeper.core.startup import unapplied_migrations

        missing = unapplied_migrations()
        if missing:
            self.stdout.write(f"the backup predates {len(missing)} migration(s): run `watchkeeper migrate` "
                              "before serving")
        call_command("verify_audit", stdout=self.stdout)

    def _held(self, connection: Any) -> list[str]:
        if connection.vendor == "postgresql":
            return self._held_postgresql(connection)

        if connection.vendor == "sqlite" and not Path(str(connection.settings_dict["NAME"])).exists():
            return []
        return _records_held()

    def _held_postgresql(self, connection: Any) -> list[str]:
        from django.db import OperationalError

        try:
            connection.ensure_connection()
        except OperationalError as exc:
            if "does not exist" in str(exc):
                return []  # restored into a new database
            raise
        return _records_held()

    def _restore_sqlite(self, source: Path, target: str, held: list[str], stamp: str,
                        keep_dir: Path | None) -> None:
        check = sqlite3.connect(f"file:{quote(str(source))}?mode=ro", uri=True)
        try:
            result = check.execute("PRAGMA integrity_check").fetchone()
        finally:
            check.close()
        if not result or result[0] != "ok":
            raise CommandError(f"{source} failed its integrity check ({result}); nothing was changed.")
        if held:
            saved = (keep_dir or Path(target).parent) / f"{Path(target).name}.before-restore-{stamp}"
            sqlite_backup(target, saved)
            self.stdout.write(f"the replaced database was saved to {saved}")
        # The backup API writes the pages into the live file under SQLite's own locks (WAL and all), so the
        # target is never seen half-written.
        src = sqlite3.connect(f"file:{quote(str(source))}?mode=ro", uri=True)
        dst = sqlite3.connect(target, timeout=30)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=WAL")
        finally:
            dst.close()
            src.close()

    def _restore_postgresql(self, source: Path, db: dict[str, Any], held: list[str], stamp: str,
                            keep_dir: Path | None) -> None:
        import psycopg
        from psycopg import sql

        args, env = pg_env(db)
        name = str(db["NAME"])
        admin = {k: v for k, v in {"host": db.get("HOST"), "port": db.get("PORT"), "user": db.get("USER"),
                                   "password": db.get("PASSWORD")}.items() if v}
        with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
            others = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                                  "AND pid <> pg_backend_pid()", [name]).fetchone()
            if others and others[0]:
                raise CommandError(f"{others[0]} other session(s) are connected to {name}: stop the server "
                                   "(and any other client) first. Nothing was changed.")
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            has_tables = False
            if exists:
                with psycopg.connect(dbname=name, **admin) as target:
                    row = target.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()
                    has_tables = bool(row and row[0])
            if has_tables:
                if held:
                    saved = (keep_dir or Path.cwd()) / f"{name}.before-restore-{stamp}.pgdump"
                    out = subprocess.run([pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                                          f"--file={saved}", *args, "--dbname", name],
                                         env=env, capture_output=True, text=True)
                    if out.returncode != 0:
                        raise CommandError(f"could not save the current database first (nothing was changed): "
                                           f"{out.stderr.strip()}")
                    self.stdout.write(f"the replaced database was saved to {saved}")
                conn.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)))
                exists = None
            if not exists:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        out = subprocess.run([pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
                              "--single-transaction", *args, "--dbname", name, str(source)],
                             env=env, capture_output=True, text=True)
        if out.returncode != 0:
            raise CommandError(f"pg_restore failed (the database {name} is left empty or partly restored; "
                               f"nothing else was changed): {out.stderr.strip()}")
