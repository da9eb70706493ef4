"""`watchkeeper ingest [--json] [--as USERNAME] PATH...`: add learning documents to the library (K1).

Each PATH is a file or a folder (every file in it, in name order). Each document is read, parsed and
stored exactly as an upload in the UI would be (the same action, permission and audit record); the same
file again changes nothing. `--json` prints every parsed record, with all its fields and texts. The exit
status is non-zero when any file was refused (unreadable, too large).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError


def _files(paths: list[str]) -> list[Path]:
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found += sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
        elif path.is_file():
            found.append(path)
        else:
            raise CommandError(f"{raw}: no such file or folder")
    return found


class Command(BaseCommand):
    help = "Ingest learning documents (text, PDF, Word .docx, HTML) into the learning library."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--json", action="store_true", help="print every parsed record as JSON")
        parser.add_argument(
            "--as",
            dest="username",
            default="",
            help="the member of staff ingesting (a learning lead); default: the system",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        from watchkeeper.core.actor import Actor
        from watchkeeper.core.errors import Refusal
        from watchkeeper.learning.actions import ingest
        from watchkeeper.staff.models import User

        user = None
        if opts["username"]:
            user = User.objects.filter(username=opts["username"], is_active=True).first()
            if user is None:
                raise CommandError(f"no active member of staff {opts['username']!r}")
        actor = Actor(user=user, via="cli")
        rows: list[dict[str, Any]] = []
        refused = 0
        for path in _files(opts["paths"]):
            try:
                result = ingest(actor, path.read_bytes(), path.name)
            except Refusal as exc:
                refused += 1
                rows.append(
                    {"path": str(path), "status": "refused", "error": exc.message, "safeguard": exc.safeguard}
                )
                if not opts["json"]:
                    self.stderr.write(f"refused  {path}: {exc.message}")
                continue
            doc = result.document
            status = "created" if result.created else "held"
            rows.append(
                {
                    "path": str(path),
                    "status": status,
                    "document_id": doc.pk,
                    "sha256": doc.sha256,
                    "copy_of": doc.copy_of_id,
                    "warnings": list(doc.warnings),
                    "record": doc.record,
                }
            )
            if not opts["json"]:
                cases = (doc.copy_of or doc).cases.count()
                self.stdout.write(
                    f"{status:<8} {doc.kind:<21} {cases:>3} case(s) {len(doc.warnings):>2} warning(s)  "
                    f"{doc.label}  [{path.name}]"
                )
                for w in doc.warnings:
                    self.stdout.write(f"         warning: {w}")
        if opts["json"]:
            self.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False, default=str))
        if refused:
            raise CommandError(f"{refused} file(s) refused")
