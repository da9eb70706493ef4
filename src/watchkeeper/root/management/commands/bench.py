"""`watchkeeper bench [all|writepath|learning|context|clocks|fanout|cues|pages] [--seconds N]`: benchmarks, printed
as JSON.

Benchmarks run against scratch databases (a temporary SQLite file, and a new database on the PostgreSQL
server at WATCHKEEPER_BENCH_POSTGRES_URL or 127.0.0.1:5432), never the operational one.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError


def _postgres_url() -> str | None:
    url = os.environ.get("WATCHKEEPER_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=3):
            return url
    except Exception:
        return None


# `--stream`: the live topic the fan-out clients follow, and the page view that renders it (None: JSON).
FANOUT_STREAMS: dict[str, tuple[str, str | None]] = {
    "board": ("board", None),
    "dispatch-json": ("dispatch", None),
    "dispatch-rendered": ("dispatch", "dispatch.board"),
}


def _ints(raw: str) -> list[int]:
    try:
        values = [int(x) for x in raw.split(",") if x.strip()]
    except ValueError:
        raise CommandError(f"expected whole numbers separated by commas, not {raw!r}") from None
    if not values or any(not 1 <= x <= 64 for x in values):
        raise CommandError(f"expected numbers from 1 to 64, not {raw!r}")
    return values


class Command(BaseCommand):
    help = "Run benchmarks and print JSON."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("which", nargs="?", default="all",
                            choices=["all", "writepath", "learning", "context", "clocks", "fanout", "cues", "pages"])
        parser.add_argument("--seconds", type=float, default=60.0)
        parser.add_argument("--concurrency", type=int, default=8)
        parser.add_argument("--workers", default="1,2",
                            help="writepath: server processes, comma-separated (each measured in turn)")
        parser.add_argument("--shapes", default="single_request,four_steps,dispatch_steps",
                            help="writepath: shapes, comma-separated")
        parser.add_argument("--db", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
        parser.add_argument("--sizes", default="100000,1000000", help="context: history sizes in logs, comma-separated")
        parser.add_argument("--lookups", type=int, default=300, help="context: lookups per kind and size")
        parser.add_argument("--clocks", type=int, default=100_000, help="clocks: armed response clocks")
        parser.add_argument("--clock-rate", type=float, default=None,
                            help="clocks: alerts falling due a second in the window (default: clocks / 3600)")
        parser.add_argument("--entries", type=int, default=2000, help="cues: 1,000-character entries scanned")
        parser.add_argument("--page-logs", type=int, default=60, help="pages: open logs on the boards")
        parser.add_argument("--page-requests", type=int, default=100, help="pages: requests per page")
        parser.add_argument("--clients", type=int, default=500, help="fanout: connected SSE clients")
        parser.add_argument("--events", type=int, default=40, help="fanout: events written through the API")
        parser.add_argument("--stream", default="board", choices=sorted(FANOUT_STREAMS),
                            help="fanout: what the clients follow: the board topic, the dispatch rows as JSON, "
                                 "or the dispatch rows rendered as the dispatcher's board shows them")

    def handle(self, *args: Any, **opts: Any) -> None:
        from watchkeeper.bench import writepath

        if opts["which"] == "cues":  # C3: CPU per entry scanned; needs no database
            from watchkeeper.bench import cues

            self.stdout.write(json.dumps({"cues": cues.run(opts["entries"])}, indent=2))
            return

        kinds = [k.strip() for k in opts["db"].split(",") if k.strip()]
        targets: dict[str, str] = {}
        for kind in kinds:
            if kind == "sqlite":
                targets["sqlite"] = "sqlite"
            elif kind == "postgres":
                url = _postgres_url()
                if url is None:
                    raise CommandError("PostgreSQL is not reachable: set WATCHKEEPER_BENCH_POSTGRES_URL")
                targets["postgres"] = url
            else:
                raise CommandError(f"unknown database kind {kind!r}")
        workdir = Path(tempfile.mkdtemp(prefix="wk-bench-"))
        report: dict[str, Any] = {
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        }
        try:
            if opts["which"] in ("all", "writepath"):
                shapes = [s.strip() for s in opts["shapes"].split(",") if s.strip()]
                report["writepath"] = {
                    f"{kind}_{workers}w": writepath.run(db, workdir, seconds=opts["seconds"],
                                                        concurrency=opts["concurrency"], shapes=shapes,
                                                        workers=workers)
                    for kind, db in targets.items() for workers in _ints(opts["workers"])
                }
            if opts["which"] in ("all", "learning"):
                from watchkeeper.bench import learning

                report["learning"] = {kind: learning.run(db, workdir) for kind, db in targets.items()}
            if opts["which"] in ("all", "context"):
                from watchkeeper.bench import context

                sizes = [int(s) for s in opts["sizes"].split(",") if s.strip()]
                report["context"] = {kind: context.run(db, workdir, sizes=sizes, lookups=opts["lookups"],
                                                       workers=max(_ints(opts["workers"])))
                                     for kind, db in targets.items()}
            if opts["which"] in ("all", "clocks"):
                from watchkeeper.bench import clocks

                report["clocks"] = {kind: clocks.run(db, workdir, clocks=opts["clocks"], seconds=opts["seconds"],
                                                     rate=opts["clock_rate"]) for kind, db in targets.items()}
            if opts["which"] == "all":
                from watchkeeper.bench import cues

                report["cues"] = cues.run(opts["entries"])
            if opts["which"] in ("all", "pages"):
                from watchkeeper.bench import pages

                report["pages"] = {kind: pages.run(db, workdir, logs=opts["page_logs"], requests=opts["page_requests"])
                                   for kind, db in targets.items()}
            if opts["which"] in ("all", "fanout"):
                from watchkeeper.bench import fanout

                topic, view = FANOUT_STREAMS[opts["stream"]]
                report["fanout"] = {kind: fanout.run(db, workdir, clients=opts["clients"], events=opts["events"],
                                                     topic=topic, view=view)
                                    for kind, db in targets.items()}
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        self.stdout.write(json.dumps(report, indent=2))
