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
        parser.add_argument("--workers", type=int, default=None,
                            help="server processes sharing the port (default WATCHKEEPER_WORKERS, 1); the "
                                 "timers run once, in the process that starts them")

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
        from watchkeeper.realtime.broker import start_listener

        workers = opts["workers"] if opts["workers"] is not None else settings.SERVER_WORKERS
        if not 1 <= workers <= 64:
            raise CommandError(f"--workers must be between 1 and 64, not {workers}")
        if not opts["no_sweeper"]:
            start_thread()  # in this process only: with several workers, they serve and this one keeps time
        if workers == 1:
            start_listener()
        self.stdout.write(f"Watchkeeper on http://{opts['host']}:{opts['port']}/ with {workers} worker process"
                          f"{'es' if workers > 1 else ''} (Ctrl-C to stop)")
        self.stdout.flush()
        uvicorn.run(
            "watchkeeper.asgi:application",
            workers=workers,
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
