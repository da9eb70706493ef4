"""The learning library under load (K1, K5): ingest throughput and search latency.

On a scratch database (SQLite file or a new PostgreSQL database), migrated by a `watchkeeper` subprocess,
a second subprocess runs `inside()`:

1. Ingest throughput, documents per second, for plain text, PDF and Word. The documents are the shared
   lesson documents and synthetic bulletins written here (8-12 cases each, varied themes, years and
   wording), rendered to PDF with fpdf2 and to .docx with python-docx at bench time. Rendering is not
   timed; reading, parsing, storing and indexing are (the real `ingest` action, one unit of work and one
   audit record each). A shared lesson rendered to PDF or Word that reads to the same record as its text
   is kept as a copy; `copies` counts those.
2. Field accuracy of the parser on documents with hand-written expected records
   (tests/fixtures/learning/formats, `bench/learning_fixtures.py`), each read as text, PDF, Word and HTML:
   the tuned set and the held-out set (never used to tune the parser) reported separately, with how many
   documents' four formats were recognised as one document.
3. Search latency over 10,000 generated cases: a fixed mix of queries (common and rare words, phrases
   taken from case texts, several words, exclusions, and a quarter with a theme or year filter), each
   timed in process through `learning.search.search` (SQL, ranking and highlighted snippets), p50/p99.
"""

from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path
from typing import Any

from watchkeeper.bench.documents import to_docx, to_pdf
from watchkeeper.bench.server import drop, run_cli, scratch_url
from watchkeeper.bench.stats import summary_ms

TARGET_P99_MS = 20.0
THEMES = [
    "Call handling",
    "Custody",
    "Domestic abuse",
    "Mental health",
    "Missing persons",
    "Roads policing",
    "Public protection",
    "Information management",
    "Professional standards",
    "Firearms",
    "Neighbourhood policing",
    "Children and young people",
    "Stalking and harassment",
    "Use of force",
    "Investigation",
    "Vulnerable adults",
]
PEOPLE = [
    "the call handler",
    "a dispatcher",
    "the duty inspector",
    "two response officers",
    "the custody sergeant",
    "a neighbourhood officer",
    "the investigating officer",
    "a detention officer",
    "the control room supervisor",
    "a police community support officer",
    "the force incident manager",
    "an officer on his first shift",
]
ACTS = [
    "did not read",
    "recorded",
    "closed",
    "downgraded",
    "did not pass on",
    "misread",
    "checked",
    "linked",
    "did not escalate",
    "reviewed",
    "handed over",
    "searched",
]
THINGS = [
    "the incident log",
    "the caller's second account",
    "a warning marker",
    "the risk assessment",
    "a domestic abuse history",
    "the bail conditions",
    "an ambulance request",
    "the missing person report",
    "an intelligence check",
    "the custody record",
    "the safeguarding referral",
    "a message from the hospital",
]
WHEN = [
    "early in the morning",
    "during a busy night shift",
    "at the change of shift",
    "within minutes",
    "the following day",
    "over the weekend",
    "before officers arrived",
    "after the caller rang back",
]
RARE = [
    "quetiapine",
    "stinger",
    "chimney",
    "allotment",
    "caravan",
    "ferry",
    "dovecote",
    "tachograph",
    "lighthouse",
    "quarry",
    "marina",
    "orchard",
]
PLACES = [
    "a flat above a shop",
    "a farm track",
    "the hospital car park",
    "a caravan park",
    "the town centre",
    "a railway station",
    "a block of flats",
    "a rural lane",
]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def lessons_dir() -> Path:
    """The shared learning documents: beside the checkout (../shared/lessons) unless configured."""
    from django.conf import settings

    return Path(os.environ.get("WATCHKEEPER_LESSONS_DIR", Path(settings.PROJECT_DIR).parent / "shared" / "lessons"))


# ------------------------------------------------------------------------------------ documents
def _sentence(rng: random.Random) -> str:
    extra = f" near {rng.choice(PLACES)}" if rng.random() < 0.5 else ""
    rare = f" The {rng.choice(RARE)} was mentioned by the caller." if rng.random() < 0.15 else ""
    return f"{rng.choice(PEOPLE).capitalize()} {rng.choice(ACTS)} {rng.choice(THINGS)} {rng.choice(WHEN)}{extra}.{rare}"


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(2, 4)))


_SYLLABLES = [
    "ash",
    "bel",
    "bram",
    "cal",
    "dun",
    "el",
    "fen",
    "gar",
    "hol",
    "ing",
    "kel",
    "lang",
    "mar",
    "nor",
    "ock",
    "pen",
    "ros",
    "stan",
    "thorn",
    "wick",
    "ald",
    "bur",
    "cot",
    "den",
    "ey",
    "ford",
    "ham",
    "ley",
    "mere",
    "ton",
    "worth",
    "by",
]


def _name(rng: random.Random) -> str:
    """An invented surname or place name: the long tail of words a real library has."""
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


class Corpus:
    """Sentences and questions to build cases from: the shared lessons' own sentences when they are
    available (real wording, real word frequencies), the built-in templates otherwise."""

    def __init__(self, texts: list[str]) -> None:
        import re

        sentences: list[str] = []
        questions: list[str] = []
        for text in texts:
            for line in text.split("\n"):
                line = line.strip().lstrip("-• ").strip()
                for part in re.split(r"(?<=[.?!])\s+(?=[A-Z])", line):
                    words = part.split()
                    if len(words) < 6 or part[-1:] not in ".?!":
                        continue
                    (questions if part.endswith("?") else sentences).append(part)
        self.sentences = sentences
        self.questions = questions

    def sentence(self, rng: random.Random) -> str:
        if not self.sentences:
            return _sentence(rng)
        text = rng.choice(self.sentences)
        if rng.random() < 0.35:
            text = text[:-1] + f", in {_name(rng)}."
        if rng.random() < 0.2:
            text = f"{rng.choice(['Later', 'Earlier', 'At 9pm', 'The next day'])}, {_name(rng)} said: " + text
        return text

    def question(self, rng: random.Random, who: str) -> str:
        if not self.questions:
            return f"How does your force make sure that {rng.choice(THINGS)} is checked {rng.choice(WHEN)}?"
        return rng.choice(self.questions)


_CORPUS: Corpus | None = None


def corpus() -> Corpus:
    global _CORPUS
    if _CORPUS is None:
        folder = lessons_dir()
        texts = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))] if folder.is_dir() else []
        _CORPUS = Corpus(texts)
    return _CORPUS


def synthetic_bulletin(issue: int, rng: random.Random) -> str:
    """A Learning the Lessons bulletin in the published layout, with 8-12 invented cases."""
    words = corpus()
    year = rng.randint(2012, 2025)
    n = rng.randint(8, 12)
    themes = rng.sample(THEMES, 4)
    per_theme: dict[str, list[int]] = {t: [] for t in themes}
    for case in range(1, n + 1):
        for t in rng.sample(themes, rng.randint(1, 2)):
            per_theme[t].append(case)
    titles = [f"{rng.choice(THINGS).capitalize()} in {_name(rng)}" for _ in range(n)]
    lines = [
        "LEARNING THE LESSONS",
        "",
        "ASK YOURSELF:",
        "",
        "Could it happen here?",
        "",
        "Learning the Lessons bulletins share what investigations have found so that forces can check their "
        "own policies and practice against the experience of others.",
        "",
        f"Bulletin {issue}",
        "",
        f"{rng.choice(MONTHS)} {year}",
        "",
        themes[0],
        "",
        "Issues covered in this bulletin:",
        "",
    ]
    for t in themes:
        lines += [t, ""] + [f"- {titles[c - 1]}{c}" for c in per_theme[t]] + [""]
    for t in themes:
        cases = per_theme[t]
        lines += [t, "", "Cases" if len(cases) > 1 else "Case", ", ".join(str(c) for c in cases), ""]
    lines += ["Case summaries", ""]
    for case in range(1, n + 1):
        lines += [f"{case} {titles[case - 1]}", ""]
        for _ in range(rng.randint(3, 5)):
            lines += [" ".join(words.sentence(rng) for _ in range(rng.randint(2, 4))), ""]
        lines += ["Key questions for policy makers/managers:", ""]
        lines += [f"- {words.question(rng, 'managers')}" for _ in range(rng.randint(2, 4))] + [""]
        staff = rng.randint(0, 3)
        if staff:
            lines += ["Key questions for police officers/staff:", ""]
            lines += [f"- {words.question(rng, 'staff')}" for _ in range(staff)] + [""]
        lines += ["Action taken by this police force:", ""]
        lines += [f"- {words.sentence(rng)}" for _ in range(rng.randint(1, 3))] + [""]
        lines += ["Outcomes for the officers/staff involved:", ""]
        lines += [
            f"- {rng.choice(PEOPLE).capitalize()} in {_name(rng)} received management action."
            for _ in range(rng.randint(1, 2))
        ]
        lines += [""]
    lines += ["Related reading", "", "Previous bulletins can be found on our website."]
    return "\n".join(lines)


# ------------------------------------------------------------------------------- inside the scratch
def _ingest_all(docs: list[tuple[str, bytes]]) -> dict[str, Any]:
    from watchkeeper.core.actor import SYSTEM
    from watchkeeper.learning.actions import ingest

    created = copies = 0
    cases_before = _cases()
    t0 = time.perf_counter()
    for name, data in docs:
        result = ingest(SYSTEM, data, name)
        created += int(result.created)
        copies += int(result.document.copy_of_id is not None)
    seconds = time.perf_counter() - t0
    return {
        "documents": len(docs),
        "seconds": round(seconds, 2),
        "documents_per_second": round(len(docs) / seconds, 1) if seconds else None,
        "created": created,
        "copies": copies,
        "cases_read": _cases() - cases_before,
    }


def _cases() -> int:
    from watchkeeper.learning.models import Case

    return Case.objects.count()


def _queries(rng: random.Random, count: int) -> list[tuple[str, dict[str, Any]]]:
    """The query mix: what people type. Single words (common and rare), a name, a phrase copied from a
    case, several words, an exclusion, an OR; every fourth with a theme or year filter."""
    from watchkeeper.learning.models import Case

    bodies = list(Case.objects.order_by("?").values_list("narrative", flat=True)[:400])
    phrases = []
    for body in bodies:
        words = [w.strip(".,:;\"'()") for w in body.split()]
        if len(words) > 8:
            i = rng.randrange(0, len(words) - 4)
            phrases.append(" ".join(words[i : i + rng.randint(2, 4)]))
    common = ["officers", "caller", "ambulance", "custody", "risk", "domestic abuse", "control room", "log"]
    rare = [
        "firearms licensing",
        "stalking",
        "text relay",
        "withheld number",
        "section 136",
        "bail conditions",
        "indecent images",
        "conflict of interest",
    ]
    shapes = [
        lambda: rng.choice(common),
        lambda: rng.choice(rare),
        lambda: _name(rng),
        lambda: f'"{rng.choice(phrases)}"',
        lambda: f"{rng.choice(rare)} {rng.choice(common)}",
        lambda: f"{rng.choice(common)} -{rng.choice(['hospital', 'custody', 'firearms'])}",
        lambda: f"{rng.choice(rare)} OR {rng.choice(rare)}",
    ]
    out = []
    for i in range(count):
        q = shapes[i % len(shapes)]()
        filters: dict[str, Any] = {}
        if i % 4 == 0:
            filters = {"theme": rng.choice(THEMES)} if i % 8 == 0 else {"year": rng.randint(2012, 2025)}
        out.append((q, filters))
    return out


def inside(cases: int = 10_000, queries: int = 600, per_format: int = 24, seed: int = 2026) -> dict[str, Any]:
    """Runs inside the scratch database's process; returns the measurements."""
    from django.db import connection

    from watchkeeper.learning import search

    rng = random.Random(seed)
    shared = sorted(p for p in lessons_dir().glob("*") if p.is_file()) if lessons_dir().is_dir() else []
    issue = iter(range(1000, 100_000))
    text_docs = [(p.name, p.read_bytes()) for p in shared]
    text_docs += [
        (f"bulletin-{i}.txt", synthetic_bulletin(i, rng).encode()) for i in (next(issue) for _ in range(per_format * 4))
    ]
    pdf_docs = [(p.stem + ".pdf", to_pdf(p.read_text(encoding="utf-8"))) for p in shared]
    pdf_docs += [
        (f"bulletin-{i}.pdf", to_pdf(synthetic_bulletin(i, rng))) for i in (next(issue) for _ in range(per_format))
    ]
    docx_docs = [(p.stem + ".docx", to_docx(p.read_text(encoding="utf-8"))) for p in shared]
    docx_docs += [
        (f"bulletin-{i}.docx", to_docx(synthetic_bulletin(i, rng))) for i in (next(issue) for _ in range(per_format))
    ]
    report: dict[str, Any] = {
        "database": connection.vendor,
        "engine": search.engine(),
        "shared_lessons": len(shared),
    }
    from watchkeeper.bench.learning_fixtures import evaluate

    report["field_accuracy"] = evaluate()
    report["ingest"] = {
        "text": _ingest_all(text_docs),
        "pdf": _ingest_all(pdf_docs),
        "docx": _ingest_all(docx_docs),
    }
    t0 = time.perf_counter()
    filled = 0
    while _cases() < cases:
        _ingest_all([(f"fill-{filled}.txt", synthetic_bulletin(next(issue), rng).encode())])
        filled += 1
    report["fill"] = {"documents": filled, "seconds": round(time.perf_counter() - t0, 1), "cases": _cases()}
    if connection.vendor == "postgresql":  # the steady state autovacuum keeps a database in after a bulk load
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
    mix = _queries(rng, queries)
    for q, f in mix[:50]:  # warm the caches, as a running server would be
        search.search(q, search.Filters(**f))
    lat: list[float] = []
    found = 0
    for q, f in mix:
        t = time.perf_counter()
        res = search.search(q, search.Filters(**f))
        lat.append(time.perf_counter() - t)
        found += int(bool(res.hits))
    summary = summary_ms(lat)
    report["search"] = {
        "cases": _cases(),
        "queries": len(mix),
        "queries_with_hits": found,
        **summary,
        "target_p99_ms": TARGET_P99_MS,
        "meets_target": summary["p99_ms"] <= TARGET_P99_MS,
    }
    return report


def main_inside() -> None:
    """Entry point for the scratch subprocess (prints one JSON line)."""
    cases = int(os.environ.get("WATCHKEEPER_BENCH_CASES", "10000"))
    print(json.dumps(inside(cases=cases), default=str))


def run(db: str, workdir: Path, *, cases: int = 10_000) -> dict[str, Any]:
    """Benchmark the learning library on one database kind ("sqlite" or a PostgreSQL URL)."""
    url = scratch_url(db, workdir, prefix="wk_bench_learning")
    try:
        run_cli(url, "migrate")
        out = run_cli(
            url,
            code="from watchkeeper.bench.learning import main_inside; main_inside()",
            env={"WATCHKEEPER_BENCH_CASES": str(cases), "WATCHKEEPER_SQLITE_SYNCHRONOUS": "FULL"},
            timeout=7200,
        )
        result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
        return result
    finally:
        drop(url)
