"""Property tests: the parser never crashes, is deterministic and recovers structure (safeguard K1)."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from watchkeeper.learning.parsing import KINDS, UnreadableDocument, extract_text, parse_text
from watchkeeper.learning.parsing.parse import PARSER_FAILURE_PREFIX

# Lines that steer the parser into its less travelled branches.
STRUCTURAL_LINES = [
    "Bulletin 7",
    "Case summaries",
    "1 A case title",
    "2. Another case",
    "3",
    "Key questions for policy makers/managers:",
    "Questions for staff",
    "Action taken by this police force:",
    "Outcomes for the officers/staff involved:",
    "Case 2 Issue 41 – Call handling",
    "Published 23 November 2022",
    "raising issues about:",
    "This case is relevant to the following areas:",
    "Findings and recommendations",
    "Finding 1",
    "Local recommendation 1",
    "Local recommendations 2 and 3",
    "Response to the recommendations",
    "Questions to consider",
    "Essex Police Ref: 2019/1 Recommended 29 Sep 2020 Response due 24 Nov 2020",
    "Recommendation 1",
    "Addressed to: Essex Police",
    "Linked bodies: Essex Police",
    "Accepted",
    "Not accepted",
    "Force response",
    "2 total",
    "- a bullet",
    "OFFICIAL",
    "Click here for a link to the full learning report",
    "Closing logs2",
    "Cases",
    "1, 2",
    "",
]

documents = st.lists(st.one_of(st.sampled_from(STRUCTURAL_LINES), st.text(max_size=60)), max_size=40).map(
    "\n".join
)


def _check(document_text: str) -> None:
    first = parse_text(document_text)
    assert first.kind in KINDS
    assert not any(w.startswith(PARSER_FAILURE_PREFIX) for w in first.warnings), first.warnings
    assert first == parse_text(document_text), "parsing must be deterministic"
    json.dumps(first.to_dict())
    if first.kind == "unknown":
        assert first.warnings, "an unknown document must say so"


@pytest.mark.safeguard("K1")
@settings(max_examples=300, deadline=None, database=None)
@given(st.text())
def test_arbitrary_text_never_raises(text: str) -> None:
    _check(text)


@pytest.mark.safeguard("K1")
@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_structured_looking_text_never_raises(text: str) -> None:
    _check(text)


@pytest.mark.safeguard("K1")
@settings(max_examples=200, deadline=None, database=None)
@given(st.binary(max_size=400), st.sampled_from(["x.txt", "x.pdf", "x.docx", "x.html", "x.bin", "x"]))
def test_extraction_either_reads_or_refuses_clearly(data: bytes, name: str) -> None:
    try:
        assert isinstance(extract_text(data, name), str)
    except UnreadableDocument as error:
        assert error.message


WORDS = [
    "custody",
    "call",
    "handler",
    "officer",
    "risk",
    "missing",
    "logs",
    "victim",
    "bail",
    "review",
    "night",
]
SECTIONS = [  # (field, heading in the document, item ending, name used in the warning)
    (
        "questions_managers",
        "Key questions for policy makers/managers:",
        "?",
        "key questions for policy makers/managers",
    ),
    (
        "questions_staff",
        "Key questions for police officers/staff:",
        "?",
        "key questions for police officers/staff",
    ),
    ("actions", "Action taken by this police force:", ".", "action taken by the force"),
    (
        "outcomes",
        "Outcomes for the officers/staff involved:",
        ".",
        "outcomes for the officers/staff involved",
    ),
]


@st.composite
def bulletins(draw: st.DrawFn) -> tuple[str, list[dict]]:
    """A bulletin with random cases; a count of 0 means the section is left out."""
    cases = []
    lines = [
        "LEARNING THE LESSONS",
        "",
        f"Bulletin {draw(st.integers(1, 99))}",
        "",
        "March 2021",
        "",
        "Case summaries",
    ]
    for number in range(1, draw(st.integers(1, 6)) + 1):
        title = " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=2, max_size=5))).capitalize()
        counts = {key: draw(st.integers(0, 4)) for key, *_ in SECTIONS}
        cases.append({"number": number, "title": title, **counts})
        lines += ["", f"{number} {title}", "", f"The {title.lower()} narrative happened."]
        for key, heading, ending, _ in SECTIONS:
            if counts[key]:
                lines += ["", heading, ""]
                lines += [
                    f"- Item {i} about {draw(st.sampled_from(WORDS))}{ending}" for i in range(counts[key])
                ]
        lines += ["", "Click here for a link to the full learning report"]
    return "\n".join(lines), cases


@pytest.mark.safeguard("K1")
@settings(max_examples=150, deadline=None, database=None)
@given(bulletins())
def test_generated_bulletins_are_recovered_exactly(generated: tuple[str, list[dict]]) -> None:
    text, cases = generated
    document = parse_text(text)
    assert document.kind == "bulletin"
    assert [(c.number, c.title) for c in document.cases] == [(c["number"], c["title"]) for c in cases]
    expected_warnings = []
    for parsed, case in zip(document.cases, cases, strict=True):
        for key, *_ in SECTIONS:
            assert len(getattr(parsed, key)) == case[key]
        expected_warnings += [
            f"Case {case['number']} ({case['title']}): no '{label}' section found"
            for key, _, _, label in SECTIONS
            if not case[key]
        ]
        assert parsed.links == ["Click here for a link to the full learning report"]
    assert document.warnings == expected_warnings
