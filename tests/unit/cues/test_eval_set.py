"""C3: the labelled evaluation set and the `eval-cues` measurement.

The set's shape is checked (size, hard negatives, every family represented, lessons paraphrased), and the
domestic-abuse target is a real gate: if a lexicon change drops recall below 0.95 or precision below 0.85
on the tuned split (the items not held out), this test fails. The held-out split is reported beside it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command

from watchkeeper.cues import FAMILIES
from watchkeeper.cues.evaluate import TARGETS, evaluate, load_eval_set, misses, render_table, score

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def items() -> list[dict]:
    return load_eval_set()


@pytest.fixture(scope="module")
def report(items: list[dict]) -> dict:
    return evaluate(items, batches={})  # the eval set alone; held-out batches are reported apart


@pytest.mark.safeguard("C3")
def test_the_set_is_large_varied_and_well_formed(items: list[dict]) -> None:
    assert len(items) >= 200
    assert sum(1 for i in items if not i["families"]) >= 60
    positives = Counter(f for i in items for f in i["families"])
    assert all(positives[f] >= 15 for f in FAMILIES), positives
    assert len({i["id"] for i in items}) == len(items)
    assert len({i["text"] for i in items}) == len(items)
    for item in items:
        assert set(item) >= {"id", "text", "families", "holdout"}
        assert isinstance(item["holdout"], bool) and item["text"].strip()
        assert len(set(item["families"])) == len(item["families"])


@pytest.mark.safeguard("C3")
def test_a_held_out_portion_is_kept_and_has_every_family(items: list[dict]) -> None:
    held = [i for i in items if i["holdout"]]
    assert len(held) >= 100
    assert {f for i in held for f in i["families"]} == set(FAMILIES)
    assert any(not i["families"] for i in held)


@pytest.mark.safeguard("C3")
def test_the_set_paraphrases_the_published_lessons(items: list[dict]) -> None:
    sources = Counter(i.get("source", "") for i in items)
    for lesson in ("lesson:I41.2", "lesson:B28.3", "lesson:B28.4", "lesson:B31.3", "lesson:B31.6",
                   "lesson:REC-ESSEX"):
        assert sources[lesson] >= 1, lesson
    texts = " ".join(i["text"] for i in items)
    assert "a bit of a domestic violence case last year" in texts


@pytest.mark.safeguard("C3")
def test_the_set_covers_reported_speech_third_parties_relative_clauses_and_ages_in_words(items: list[dict]) -> None:
    texts = [i["text"].lower() for i in items]
    for words in ("said he'd", "told me he will", "texted saying", "my neighbour says her boyfriend",
                  "who is seven", "is fifteen", "about twelve", "never met"):
        assert any(words in t for t in texts), words
    held = [i for i in items if i["holdout"]]
    assert max(i["batch"] for i in held) > max(i["batch"] for i in items if not i["holdout"])  # written last


@pytest.mark.safeguard("C3")
def test_domestic_abuse_meets_its_target_on_the_tuned_split(report: dict) -> None:
    da = report["tuned"]["domestic_abuse"]
    assert da["recall"] >= TARGETS["domestic_abuse"]["recall"] == 0.95, da
    assert da["precision"] >= TARGETS["domestic_abuse"]["precision"] == 0.85, da
    assert report["meets_gates"] is True


def test_the_report_is_keyed_by_family_with_counts_that_add_up(report: dict, items: list[dict]) -> None:
    assert set(FAMILIES) | {"micro", "tuned", "holdout", "set", "targets", "meets_gates", "items", "batches",
                            "model"} == set(report)
    for family in FAMILIES:
        m = report[family]
        assert set(m) >= {"precision", "recall", "tp", "fp", "fn"}
        assert m["tp"] + m["fn"] == sum(1 for i in items if family in i["families"])
    assert report["micro"]["tp"] == sum(report[f]["tp"] for f in FAMILIES)
    assert report["holdout"]["items"] == sum(1 for i in items if i["holdout"])
    assert report["tuned"]["items"] + report["holdout"]["items"] == len(items)
    assert report["tuned"]["micro"]["tp"] + report["holdout"]["micro"]["tp"] == report["micro"]["tp"]
    assert set(FAMILIES) <= set(report["holdout"]) and set(FAMILIES) <= set(report["tuned"])


def test_scoring_counts_true_and_false_positives_and_misses() -> None:
    r = score([({"missing"}, {"missing", "children"}), ({"children"}, set()), (set(), set())])
    assert (r["missing"]["tp"], r["missing"]["fp"], r["missing"]["fn"]) == (1, 0, 0)
    assert (r["children"]["tp"], r["children"]["fp"], r["children"]["fn"]) == (0, 1, 1)
    assert r["children"]["precision"] == 0.0 and r["weapons_firearms"]["precision"] is None


def test_misses_list_disagreements_only(items: list[dict]) -> None:
    wrong = misses(items[:60])
    assert all(m["missed"] or m["extra"] for m in wrong)
    assert "domestic_abuse" in render_table(evaluate(items[:60]))


def test_the_management_command_prints_json_keyed_by_family(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("eval_cues", "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["tuned"]["domestic_abuse"]["recall"] >= 0.95
    assert {"precision", "recall", "tp", "fp", "fn"} <= set(out["missing"])
    assert {"tuned", "holdout", "targets"} <= set(out["promises"])
    assert {"precision", "recall", "due_correct"} <= set(out["promises"]["holdout"])


def test_watchkeeper_eval_cues_runs_from_the_command_line() -> None:
    done = subprocess.run([sys.executable, "-m", "watchkeeper.cli", "eval-cues"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "domestic_abuse" in done.stdout and "holdout" in done.stdout and "tuned" in done.stdout
    assert "Promises (L11)" in done.stdout
