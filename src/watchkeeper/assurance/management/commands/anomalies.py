"""`watchkeeper anomalies`: run the A2 anomaly rules over the audit trail's views newer than the last run."""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the access-audit anomaly rules (A2) from the last run's high-water mark; prints JSON"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--limit", type=int, default=None, help="read at most this many view records")

    def handle(self, *args: Any, **options: Any) -> None:
        from watchkeeper.assurance.anomalies import run

        began = time.perf_counter()
        done = run(via="command", limit=options["limit"])
        out = {"ran": done is not None, "seconds": round(time.perf_counter() - began, 3)}
        if done is not None:
            out.update(from_seq=done.from_seq, to_seq=done.to_seq, scanned=done.scanned, flagged=done.flagged)
        self.stdout.write(json.dumps(out))
