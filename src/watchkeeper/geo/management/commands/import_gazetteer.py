"""`watchkeeper import-gazetteer PATH [--source NAME]`: load the force's gazetteer from a CSV file with the
columns uprn, postcode, address, lat, lon (WGS84 degrees; each row needs a uprn, a postcode or an address).
Loaded in batches of 5,000, each validated whole before it is written (a bad row stops the import and names
its line; the batches before it stay loaded, and loading them again only adds newer copies)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from pydantic import ValidationError

from watchkeeper.core.actor import Actor
from watchkeeper.core.errors import Refusal
from watchkeeper.geo.actions import load_gazetteer
from watchkeeper.geo.schemas import MAX_GAZETTEER_ROWS, GazetteerIn, PlaceIn

COLUMNS = ("uprn", "postcode", "address", "lat", "lon")


class Command(BaseCommand):
    help = "Load the force's gazetteer (UPRN/postcode/address -> lat/lon) from a CSV file."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path")
        parser.add_argument("--source", default="", help="what this load is called in the audit trail")

    def handle(self, *args: Any, **opts: Any) -> None:
        path = Path(opts["path"])
        if not path.is_file():
            raise CommandError(f"{path} is not a file")
        source = (opts["source"] or path.name)[:100]
        actor = Actor(None, via="cli")
        total = 0
        with path.open(newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise CommandError(f"{path}: missing columns {', '.join(missing)} (need {', '.join(COLUMNS)})")
            batch: list[PlaceIn] = []
            for line, row in enumerate(reader, start=2):
                try:
                    batch.append(PlaceIn(uprn=row["uprn"] or "", postcode=row["postcode"] or "",
                                         address=row["address"] or "", lat=float(row["lat"]), lon=float(row["lon"])))
                except (ValueError, TypeError, ValidationError) as exc:
                    raise CommandError(f"{path} line {line}: {exc}") from None
                if len(batch) == MAX_GAZETTEER_ROWS:
                    total += self._load(actor, source, batch, line)
                    batch = []
            if batch:
                total += self._load(actor, source, batch, line)
        self.stdout.write(f"Loaded {total} places from {path}.")

    def _load(self, actor: Actor, source: str, batch: list[PlaceIn], line: int) -> int:
        try:
            return load_gazetteer(actor, GazetteerIn(source=source, places=batch))
        except Refusal as exc:
            raise CommandError(f"the batch ending at line {line}: {exc.message}") from None
