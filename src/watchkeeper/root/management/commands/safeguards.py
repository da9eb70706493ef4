"""`watchkeeper safeguards [--json]`: the safeguard registry."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Print every safeguard with its state, lessons and tests."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        from watchkeeper.safeguards.registry import all_safeguards

        items = all_safeguards()
        if opts["json"]:
            self.stdout.write(json.dumps([sg.as_dict() for sg in items], indent=2))
            return
        for sg in items:
            self.stdout.write(f"{sg.id:<4} {sg.state:<9} {sg.title}  [{', '.join(sg.lessons)}]  "
                              f"{len(sg.tests)} test(s)")
