"""`watchkeeper api-token USERNAME --name NAME`: issue a per-user API token (printed once)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Issue an API token for a member of staff."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="integration")

    def handle(self, *args: Any, **opts: Any) -> None:
        from watchkeeper.core.actor import Actor
        from watchkeeper.core.errors import Refusal
        from watchkeeper.staff.actions import issue_token
        from watchkeeper.staff.models import User

        user = User.objects.filter(username=opts["username"]).first()
        if user is None:
            raise CommandError(f"no member of staff {opts['username']!r}")
        try:
            _, secret = issue_token(Actor(user=None, via="cli"), user.pk, opts["name"])
        except Refusal as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(secret)
