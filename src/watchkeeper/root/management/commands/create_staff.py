"""`watchkeeper create-staff`: add a member of staff (the first administrator, or by an administrator).

The password is never a command-line argument (it would sit in the shell history and in every process
listing): it is typed at a prompt, twice, or read from the first line of `--password-file` (`-` for
standard input). Django's password validators check it, including its likeness to the username."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create a member of staff (the password is asked for, or read from --password-file)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True)
        parser.add_argument("--password-file", default="",
                            help="read the password from the first line of this file ('-': standard input)")
        parser.add_argument("--password", default=None, help="refused: use the prompt or --password-file")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--team", default="")

    def _password(self, opts: dict[str, Any]) -> str:
        if opts["password"] is not None:
            raise CommandError("--password is refused: a password on the command line is visible to every "
                               "process listing and kept in shell history. Type it at the prompt, or use "
                               "--password-file PATH (or - for standard input).")
        source = opts["password_file"]
        if source:
            try:
                text = sys.stdin.readline() if source == "-" else Path(source).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise CommandError(f"cannot read the password file {source}: {exc}") from exc
            lines = text.splitlines()
            if not lines or not lines[0]:
                raise CommandError(f"the password file {source} is empty: put the password on its first line")
            return lines[0]
        if not sys.stdin.isatty():
            raise CommandError("no terminal to ask for the password: use --password-file PATH (or - for "
                               "standard input)")
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("the two passwords differ")
        return first

    def handle(self, *args: Any, **opts: Any) -> None:
        from watchkeeper.core.actor import Actor
        from watchkeeper.core.errors import Refusal
        from watchkeeper.staff.actions import create_staff

        password = self._password(opts)
        try:
            user = create_staff(Actor(user=None, via="cli"), username=opts["username"], password=password,
                                role=opts["role"], first_name=opts["first_name"], last_name=opts["last_name"],
                                team=opts["team"])
        except Refusal as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"created {user.username} ({user.role})")
