"""`watchkeeper demo`: migrate, load the demonstration force, serve with timers."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Migrate the database, load the demonstration force and serve it."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        # The demonstration may serve with the development key (core.startup): it is a demonstration force
        # on this machine, not a force's records.
        settings.DEMO = True
        call_command("migrate", interactive=False, verbosity=0)
        call_command("load_demo", stdout=self.stdout)
        if not opts["no_serve"]:
            call_command("serve", host=opts["host"], port=opts["port"])
