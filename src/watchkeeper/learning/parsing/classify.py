"""Decide which kind of learning document a text is (safeguard K1).

Each kind has a handful of tell-tale lines.  A document is given the kind
with the most distinct markers, provided it has at least two; one stray
phrase ("Recommendation 1" in a memo) is not enough to force a document into
a shape it does not have.  Anything else is "unknown", which is reported
with a warning rather than guessed.
"""

from __future__ import annotations

import re

from .text import Unit

_LINE_MARKERS: dict[str, list[str]] = {
    "bulletin": [
        r"^(?:learning\s+the\s+lessons\s*[-–—:|,]?\s*)?bulletin\s*(?:no\.?\s*)?\d+",
        r"^case\s+(?:summaries|studies)$",
        r"^(?:key\s+)?questions\s+for\s+(?:policy\s+makers|managers|police\s+officers|officers|staff)",
        r"^(?:the\s+)?actions?\s+taken\s+by|^what\s+the\s+force\s+did",
        r"^outcomes?\s+for\s+the\s+officers|^what\s+happened\s+to\s+the\s+officers",
        r"^issues\s+covered",
        r"^learning\s+the\s+lessons\b.*\bissue\s+\d+",
    ],
    "case_report": [
        r"^case\s+\d+\s*[-–—,:]?\s*issue\s+\d+|^issue\s+\d+\s*[-–—,:]?\s*case\s+\d+",
        r"raising\s+(?:the\s+following\s+)?issues\s+about",
        r"relevant\s+to\s+the\s+following\s+areas",
        r"^overview\s+of\s+(?:the\s+)?(?:incident|case)",
        r"^type\s+of\s+investigation",
        r"^findings(?:\s+and\s+recommendations)?:?$",
        r"^responses?\s+to\s+(?:the\s+)?recommendations",
        r"^questions\s+to\s+consider",
        r"^(?:local|national)\s+recommendations?\s+\d+",
        r"^finding\s+\d+",
    ],
    "recommendation_record": [
        r"\bref(?:erence)?\s*(?:no\.?\s*)?:",
        r"\b(?:date\s+)?recommended\s*:?\s*(?:on\s+)?\d",
        r"\bresponse\s+due\b",
        r"^recommendation\s+\d+",
        r"^addressed\s+to\s*:",
        r"^linked\s+bod(?:y|ies)\s*:",
        r"^(?:force|organisation)\s+response:?$",
        r"do\s+you\s+accept\s+the\s+recommendation",
        r"^\d+\s+total$",
    ],
}
_COMPILED = {kind: [re.compile(p, re.I) for p in patterns] for kind, patterns in _LINE_MARKERS.items()}
MINIMUM_MARKERS = 2


def marker_scores(units: list[Unit]) -> dict[str, int]:
    """How many distinct markers of each kind the document contains."""
    scores = {}
    for kind, patterns in _COMPILED.items():
        scores[kind] = sum(1 for pattern in patterns if any(pattern.search(unit.text) for unit in units))
    return scores


def classify(units: list[Unit]) -> str:
    """The document kind, or "unknown" if no kind has enough markers."""
    scores = marker_scores(units)
    best = max(scores, key=lambda kind: scores[kind])
    return best if scores[best] >= MINIMUM_MARKERS else "unknown"
