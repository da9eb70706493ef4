"""`watchkeeper verify-audit`: prove the audit chain, or name the first broken record (A3)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Verify the hash chain of the audit trail."

    def handle(self, *args: Any, **opts: Any) -> None:
        from watchkeeper.audit.verify import verify_chain

        count, brk = verify_chain()
        if brk is not None:
            raise CommandError(f"audit chain broken at record {brk.seq}: {brk.problem} "
                               f"({count} records read)")
        self.stdout.write(f"audit chain valid: {count} records")
