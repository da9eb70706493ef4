"""Shared set-up for the learning library's integration tests.

The published lesson documents are read from ../shared/lessons beside the checkout (never copied into the
repository); our own fixtures from tests/fixtures/learning.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import time_machine

from tests.support.lessons import BULLETIN_28, BULLETIN_31, ESSEX, FIXTURES, ISSUE_41, SHARED, shared
from tests.support.personas import Personas
from watchkeeper.core.actor import Actor
from watchkeeper.learning import actions
from watchkeeper.learning.models import Document, Recommendation

__all__ = ["BULLETIN_28", "BULLETIN_31", "ESSEX", "FIXTURES", "ISSUE_41", "SHARED", "shared"]


def ingest_path(actor: Actor, path: Path) -> Document:
    return actions.ingest(actor, path.read_bytes(), path.name).document


@pytest.fixture
def lead(people: Personas) -> Actor:
    return people.actor("learning")


@pytest.fixture
def library(lead: Actor) -> dict[str, Document]:
    """The four shared lesson documents, ingested by the learning lead."""
    return {name: ingest_path(lead, shared(name)) for name in SHARED}


WESTSHIRE_RECORD = """# Handling of abandoned calls - Westshire Police, January 2024

Source · IOPC Learning Case

Force: Westshire Police
Reference: 2023/000111
Date recommended: 10 January 2024
Response due: 6 March 2024
Themes: Call handling; Domestic abuse

Summary: A woman made three abandoned 999 calls. Nobody called her back and no officer attended.

## Recommendations

2 total

### Recommendation 1

Westshire Police should call back within ten minutes every abandoned 999 call from a number at risk.

Addressed to: Westshire Police
Linked bodies: Westshire Police
Awaiting response

### Recommendation 2

Westshire Police should audit a sample of abandoned calls every month.

Addressed to: Westshire Police
Linked bodies: Westshire Police, Westshire Community Safety Partnership
Awaiting response
"""
LONDON_NOON = "T12:00:00+00:00"


def at(day: str) -> datetime:
    return datetime.fromisoformat(day + LONDON_NOON)


@pytest.fixture
def westshire(lead) -> list[Recommendation]:
    """A record received in January 2024: two recommendations awaiting the force's response, due 6 March."""
    with time_machine.travel(at("2024-01-15"), tick=False):
        doc = actions.ingest(lead, WESTSHIRE_RECORD.encode(), "westshire.md").document
    return list(doc.recommendations.order_by("number"))


@pytest.fixture
def run_now(monkeypatch: pytest.MonkeyPatch):
    """Queued replays run by a sweep, with the worker thread's body called in the test's own thread (a
    thread of its own would not see the test's uncommitted rows). Returns `run(run)`: sweep once."""
    from watchkeeper.clocks.sweeper import sweep_once
    from watchkeeper.learning import replay_worker

    monkeypatch.setattr(replay_worker, "start", replay_worker.work)

    def run(_run: object = None) -> dict[str, int]:
        return sweep_once()

    return run
