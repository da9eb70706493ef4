"""`watchkeeper bench-search [--logs N] [--db sqlite,postgres] [--searches N]`: search across logs over HTTP
against a generated history, p50/p99 per kind of search, printed as JSON (search/bench.py).

Runs on scratch databases (a temporary SQLite file, a new database on the PostgreSQL server at
WATCHKEEPER_BENCH_POSTGRES_URL or 127.0.0.1:5432), never the operational one."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Benchmark search across logs over HTTP on a generated history and print JSON."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--logs", type=int, default=1_000_000, help="history size in logs (default 1,000,000)")
        parser.add_argument("--db", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
        parser.add_argument("--searches", type=int, default=200, help="searches of each kind")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **opts: Any) -> None:
        from watchkeeper.search import bench

        if opts["logs"] < 1 or opts["searches"] < 1:
            raise CommandError("--logs and --searches must be at least 1")
        targets: dict[str, str] = {}
        for kind in (k.strip() for k in opts["db"].split(",") if k.strip()):
            if kind == "sqlite":
                targets[kind] = "sqlite"
            elif kind == "postgres":
                url = os.environ.get("WATCHKEEPER_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
                try:
                    import psycopg

                    psycopg.connect(url, connect_timeout=3).close()
                except Exception as exc:
                    raise CommandError(f"PostgreSQL is not reachable ({exc}): set WATCHKEEPER_BENCH_POSTGRES_URL") \
                        from None
                targets[kind] = url
            else:
                raise CommandError(f"unknown database kind {kind!r}")
        workdir = Path(tempfile.mkdtemp(prefix="wk-bench-search-"))
        try:
            report = {kind: bench.run(db, workdir, logs=opts["logs"], searches=opts["searches"], seed=opts["seed"])
                      for kind, db in targets.items()}
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        self.stdout.write(json.dumps({"search": report}, indent=2))
