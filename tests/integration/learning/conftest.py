"""Shared set-up for the learning library's integration tests.

The published lesson documents are read from ../shared/lessons beside the checkout (never copied into the
repository); our own fixtures from tests/fixtures/learning.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import time_machine

from tests.support.personas import Personas
from watchkeeper.core.actor import Actor
from watchkeeper.learning import actions
from watchkeeper.learning.models import Document, Recommendation

REPO = Path(__file__).resolve().parents[3]
SHARED_LESSONS = REPO.parent / "shared" / "lessons"
FIXTURES = REPO / "tests" / "fixtures" / "learning"

BULLETIN_28 = "bulletin-28-protecting-vulnerable-people-2016-11.txt"
BULLETIN_31 = "bulletin-31-general-2017-12.txt"
ISSUE_41 = "issue-41-case-2-call-handling-2022-11.txt"
ESSEX = "recommendation-essex-2019-127918.txt"
SHARED = [BULLETIN_28, BULLETIN_31, ISSUE_41, ESSEX]


def shared(name: str) -> Path:
    return SHARED_LESSONS / name


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
