"""`watchkeeper create-staff`: add a member of staff (the first administrator, or by an administrator)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create a member of staff."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--team", default="")

    def handle(self, *args: Any, **opts: Any) -> None:
        from watchkeeper.core.actor import Actor
        from watchkeeper.core.errors import Refusal
        from watchkeeper.staff.actions import create_staff

        try:
            user = create_staff(Actor(user=None, via="cli"), username=opts["username"], password=opts["password"],
                                role=opts["role"], first_name=opts["first_name"], last_name=opts["last_name"],
                                team=opts["team"])
        except Refusal as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"created {user.username} ({user.role})")
