"""The published lesson documents and what a person counted in them, for every test that reads them.

The documents are read from ../shared/lessons beside the checkout (never copied into the repository); our
own fixture documents from tests/fixtures/learning. The case tables were counted by reading the documents;
the parser's tests and the library's integration tests check against the same tables.
"""

from __future__ import annotations

from pathlib import Path

from watchkeeper.learning.parsing import ParsedDocument

REPO = Path(__file__).resolve().parents[2]
SHARED_LESSONS = REPO.parent / "shared" / "lessons"
FIXTURES = REPO / "tests" / "fixtures" / "learning"

BULLETIN_28 = "bulletin-28-protecting-vulnerable-people-2016-11.txt"
BULLETIN_31 = "bulletin-31-general-2017-12.txt"
ISSUE_41 = "issue-41-case-2-call-handling-2022-11.txt"
ESSEX = "recommendation-essex-2019-127918.txt"
SHARED = [BULLETIN_28, BULLETIN_31, ISSUE_41, ESSEX]

# (number, title, managers' questions, staff questions, actions taken, outcomes)
BULLETIN_28_CASES = [
    (1, "Fatal shooting following marriage breakdown", 7, 0, 5, 3),
    (2, "Contact with the police before a woman's murder", 3, 0, 2, 2),
    (3, "Safeguarding a vulnerable man", 4, 1, 1, 4),
    (4, "Missing following leave from hospital", 4, 2, 1, 3),
    (5, "Concern for welfare", 3, 1, 2, 6),
    (6, "Investigation of sexual assault on a minor", 4, 3, 0, 5),
    (7, "Acting on intelligence", 1, 0, 4, 1),
    (8, "Disclosure of information to a victim", 3, 2, 1, 2),
]
BULLETIN_31_CASES = [
    (1, "Request for assistance", 3, 1, 2, 1),
    (2, "Response to welfare concerns", 4, 2, 2, 1),
    (3, "Safeguarding a vulnerable young person", 1, 4, 1, 1),
    (4, "Abuse of position", 4, 2, 1, 3),
    (5, "Recognising conflicts of interest", 1, 3, 2, 1),
    (6, "Suicide of indecent images suspect", 2, 3, 3, 1),
    (7, "Getting bail conditions right", 2, 1, 1, 1),
]


def shared(name: str) -> Path:
    return SHARED_LESSONS / name


def case_shape(document: ParsedDocument) -> list[tuple]:
    """Each parsed case as a row of the tables above."""
    return [
        (c.number, c.title, len(c.questions_managers), len(c.questions_staff), len(c.actions), len(c.outcomes))
        for c in document.cases
    ]


def comparable(document: ParsedDocument) -> dict:
    """A parsed document without what differs between formats of the same text (its hash and format)."""
    data = document.to_dict()
    data.pop("sha256")
    data.pop("source_format")
    return data
