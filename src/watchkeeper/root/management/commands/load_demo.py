"""`watchkeeper load-demo`: load the demonstration force and print its sign-ins."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Load the demonstration force (once) and print each account with its password."

    def handle(self, *args: Any, **opts: Any) -> None:
        from watchkeeper.root.demo import STAFF, load

        passwords = load()
        self.stdout.write("Demonstration staff (username / password / role):")
        for username, role, *_ in STAFF:
            self.stdout.write(f"  {username:<14} {passwords[username]:<26} {role.label}")
