"""`watchkeeper api-token USERNAME --name NAME [--days N]`: issue a per-user API token (printed once).

A token expires after WATCHKEEPER_API_TOKEN_DAYS (90 by default); `--days` asks for a shorter life."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Issue an API token for a member of staff."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="integration")
        parser.add_argument("--days", type=int, default=None,
                            help="days until the token expires (at most WATCHKEEPER_API_TOKEN_DAYS, the default)")

    def handle(self, *args: Any, **opts: Any) -> None:
        from watchkeeper.core.actor import Actor
        from watchkeeper.core.errors import Refusal
        from watchkeeper.staff.actions import issue_token
        from watchkeeper.staff.models import User

        user = User.objects.filter(username=opts["username"]).first()
        if user is None:
            raise CommandError(f"no member of staff {opts['username']!r}")
        try:
            token, secret = issue_token(Actor(user=None, via="cli"), user.pk, opts["name"], opts["days"])
        except Refusal as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(secret)
        self.stderr.write(f"expires {token.expires_at.isoformat(timespec='minutes')}")
