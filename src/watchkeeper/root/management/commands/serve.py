"""`watchkeeper serve`: the web server (Uvicorn) and the deadline sweeper, together."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Serve Watchkeeper over HTTP with its timers."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-sweeper", action="store_true", help="serve without firing timers")

    def handle(self, *args: Any, **opts: Any) -> None:
        import uvicorn

        from watchkeeper.core.startup import database_start_problem, serving_refusal

        problem = serving_refusal()
        if problem:
            raise CommandError(problem)
        # A database that cannot take a write stops the start with the reason (it does not start read-only:
        # see core.startup.database_refusal); at run time the same failure is a 503 with the reason.
        problem = database_start_problem()
        if problem:
            raise CommandError(problem)
        self.stdout.write("Database writable; migrations applied.")

        from watchkeeper.clocks.sweeper import start_thread
        from watchkeeper.realtime.broker import start_pg_listener

        if not opts["no_sweeper"]:
            start_thread()
        start_pg_listener()
        self.stdout.write(f"Watchkeeper on http://{opts['host']}:{opts['port']}/ (Ctrl-C to stop)")
        self.stdout.flush()
        uvicorn.run(
            "watchkeeper.asgi:application",
            host=opts["host"],
            port=opts["port"],
            loop="uvloop",
            http="httptools",
            lifespan="off",
            log_level="warning",
            timeout_graceful_shutdown=2,
            # Client addresses (the sign-in lock-out's key) come only from proxies the force configured.
            proxy_headers=bool(settings.TRUSTED_PROXIES),
            forwarded_allow_ips=",".join(settings.TRUSTED_PROXIES),
        )
