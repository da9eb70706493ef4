"""`watchkeeper sweep`: fire due timers once (or keep sweeping with --forever)."""

from __future__ import annotations

import json
import threading
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Fire every timer that is due."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--forever", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        from watchkeeper.clocks.sweeper import run_forever, sweep_once

        if opts["forever"]:
            run_forever(threading.Event())
        else:
            self.stdout.write(json.dumps(sweep_once()))
