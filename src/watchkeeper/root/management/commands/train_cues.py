"""`watchkeeper train-cues [--out PATH]`: retrain the learned risk-cue model (C3) from the labelled set.

A thin wrapper over `watchkeeper.cues.train` (needs scikit-learn, a development dependency). Writes the
weights file shipped with the package (or PATH) and prints what it was trained on.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Retrain the learned risk-cue model from the labelled snippets and write its weights file."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--out", default=None, help="write the weights here instead of the shipped file")

    def handle(self, *args: Any, **opts: Any) -> None:
        from watchkeeper.cues.train import run

        self.stdout.write(json.dumps(run(opts["out"]), indent=2))
