"""`watchkeeper generate-history [--logs N] [--seed N]`: a synthetic force history for scale tests.

Writes into the configured database (WATCHKEEPER_DATABASE_URL), which must already be migrated and have
staff. Progress goes to stderr; the summary (row counts, seconds per phase, and the heavy address, phone
and person the benchmark looks up) is printed to stdout as JSON.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Generate a synthetic history (logs, entries, people, places, phones, markers) and print a JSON summary."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--logs", type=int, default=1_000_000, help="how many logs (default 1,000,000)")
        parser.add_argument("--seed", type=int, default=1, help="random seed: the same seed gives the same history")
        parser.add_argument("--workers", type=int, default=min(4, os.cpu_count() or 1),
                            help="processes for computing keys (default: the cores, at most 4)")
        parser.add_argument("--quiet", action="store_true", help="no progress on stderr")

    def handle(self, *args: Any, **opts: Any) -> None:
        from watchkeeper.bench.history import generate

        def progress(msg: str) -> None:
            if not opts["quiet"]:
                print(msg, file=sys.stderr, flush=True)

        try:
            summary = generate(opts["logs"], opts["seed"], workers=opts["workers"], progress=progress)
        except (RuntimeError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(summary, indent=2))
