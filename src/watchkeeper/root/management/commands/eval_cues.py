"""`watchkeeper eval-cues [--json] [--misses]`: risk-cue detection (C3) measured on the labelled set.

A thin wrapper: the measuring is `watchkeeper.cues.evaluate`, which needs no database. The exit status is 1
when the domestic-abuse gate (recall >= 0.95, precision >= 0.85) is not met, so CI can rely on it.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Measure risk-cue detection (precision and recall per cue family) on the labelled evaluation set."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--json", action="store_true", help="print the report as JSON")
        parser.add_argument("--misses", action="store_true", help="also list the snippets the detector gets wrong")

    def handle(self, *args: Any, **opts: Any) -> None:
        from watchkeeper.cues.evaluate import run

        text, status = run(as_json=opts["json"], show_misses=opts["misses"])
        self.stdout.write(text)
        if status:
            raise SystemExit(status)
