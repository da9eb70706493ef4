"""Measuring the risk-cue detector (C3) against the labelled evaluation set (no Django imports).

Why a measured set: a cue detector that nobody measures drifts into either silence (missed domestic abuse,
I41.2) or noise (prompts handlers learn to dismiss). `eval_set.jsonl` holds narrative snippets written in
control-room style, each labelled with the cue families that truly apply, one JSON object a line:
``{"id", "text", "families", "holdout", "batch", "source"}`` (``source`` names the lesson a snippet
paraphrases, e.g. ``"lesson:I41.2"``, or ``"written"``).

The set was written in batches, each before the lexicon change it was then used to tune, so every batch was
first measured blind. ``"holdout": true`` marks the items that have never been used to change the lexicon
(batches 6 and 8): they are reported separately ("held-out") from the rest ("tuned"), so tuning cannot hide
over-fitting, and the domestic-abuse gate is judged on the tuned split. Whoever changes the lexicon next reads
only the tuned disagreements (``misses(holdout=False)``), and when the holdout is finally used for tuning,
writes a new held-out batch first. Batch 8 was written before batch 7 was used to tune.

Labelling rules (what "truly applies" means):
- domestic_abuse: abuse, violence, threats, control, unwanted contact or a protective order between current
  or former partners or family members (16 and over), or an explicit reference to domestic abuse history.
- weapons_firearms: a weapon present, used, threatened or in the history of the people involved; access to
  firearms (a certificate holder); imitation firearms and corrosive substances; a reported threat to shoot,
  stab, slash or burn someone or their home ("texted saying he'd burn the house down").
- suicide_self_harm: suicidal thoughts, threats or attempts, self-harm, overdose, or a stated risk to self.
- missing: a person whose whereabouts are unknown, who has failed to return, absconded or run away.
- children: a person under 18 is involved or present (ages, school years, children in the household).
- mental_health_learning_disability: mental illness or crisis, learning disability, autism, dementia.
- exploitation_blackmail: financial, sexual or criminal exploitation, grooming, trafficking, blackmail.
  Money or sex controlled by an intimate partner is labelled domestic_abuse (economic or sexual abuse); by
  another relative it is both.
- breach_of_bail_or_order: bail conditions or a restrictive or protective order relevant to the incident,
  or a stated breach.
Reported speech counts as what it reports: "she told me he will kill her" is a threat to kill (domestic
abuse), and a third party's account ("my neighbour says her boyfriend hit her") is labelled like the victim's.
Negation counts only within its own clause: "a man I have never met is blackmailing me" is blackmail.
Hard negatives (no family applies) are realistic calls that share words with the cues ("food court",
"shot glass", "missing bin collection", "killing time", "ex-colleague", "domestic burglary").

Held-out batches (`heldout/batch_NN.jsonl`, same line format) are written by someone who has never seen the
lexicon, the model or this code, from the family definitions above and the lessons alone. Each is measured
once, blind: its figures are reported per batch and none of its texts or disagreements are ever printed.
Only after that measurement is recorded may a batch be folded (`FOLDED`, with the date): it is then read for
tuning, used to train the model, and reported as tuned. A batch not in `FOLDED` stays held out.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from watchkeeper.cues.detect import MODEL_RULE, SHIPPED_MODEL, CompiledLexicon, compile_lexicon, detect, families
from watchkeeper.cues.lexicon import DEFAULT_LEXICON, FAMILIES
from watchkeeper.cues.promises import due_at, find_promises

EVAL_SET = "eval_set.jsonl"
HELDOUT_DIR = Path(__file__).resolve().parent / "heldout"
# Held-out batches folded into tuning after their one blind measurement (recorded with its date and
# figures): batch name -> date folded. Folded batches train the model and are reported as tuned.
FOLDED: dict[str, str] = {
    "batch_09": "2026-12-07",  # measured blind 2026-12-07 16:43 UTC, then folded
    "batch_10": "2026-12-07",  # measured 16:43 (blind) and 16:55 UTC, then folded
    "batch_12": "2026-12-07",  # measured blind 19:56 UTC (written for five families: "scored"), then folded
    "batch_13": "2026-12-07",  # measured blind, then twice after tuning (unread), then folded 23:21 UTC
    "batch_14": "2026-12-07",  # measured blind 23:21 UTC (written for five families: "scored"), then folded
}
MAX_BATCH_ITEMS = 5000
PROMISE_SET = "promise_eval.jsonl"
# Dates of birth in the set are turned into ages as of this day, so results do not change with the calendar.
EVAL_DATE = date(2026, 1, 1)
# Promises in the promise set are placed in time from this moment (local time); the set's "due_minutes" are
# minutes after it, or null when the promise states no time (the policy default then applies).
EVAL_NOW = datetime(2026, 1, 1, 14, 0, tzinfo=ZoneInfo("Europe/London"))
PROMISE_TARGETS = {"precision": 0.85, "recall": 0.85}
TARGETS: dict[str, dict[str, float]] = {
    family: ({"precision": 0.85, "recall": 0.95} if family == "domestic_abuse"
             else {"precision": 0.85, "recall": 0.85})
    for family in FAMILIES
}
# Only the domestic-abuse target is a gate (C3); the others are aims reported beside it.
GATED = ("domestic_abuse",)


def _read(name: str, path: str | Path | None) -> str:
    if path is None:
        return resources.files("watchkeeper.cues").joinpath(name).read_text(encoding="utf-8")
    return Path(path).read_text(encoding="utf-8")


def load_promise_set(path: str | Path | None = None) -> list[dict[str, Any]]:
    """L11: the labelled promise snippets: ``{"id", "text", "speaker" ("staff" or "caller"), "promise"
    (bool), "due_minutes" (minutes after `EVAL_NOW`, or null for no stated time), "holdout", "batch",
    "source"}``."""
    items = [json.loads(line) for line in _read(PROMISE_SET, path).splitlines() if line.strip()]
    for item in items:
        if item.get("speaker") not in ("staff", "caller") or not isinstance(item.get("promise"), bool):
            raise ValueError(f"promise item {item.get('id')} needs a speaker (staff or caller) and promise true/false")
    return items


def evaluate_promises(items: list[dict[str, Any]] | None = None, *, default_minutes: int = 60) -> dict[str, Any]:
    """L11: promise finding measured on the promise set: precision and recall of "this entry makes a
    promise", and how many found promises get the labelled due time, for the tuned and held-out splits."""
    items = load_promise_set() if items is None else items
    out: dict[str, Any] = {}
    for split, chosen in (("tuned", [i for i in items if not i.get("holdout")]),
                          ("holdout", [i for i in items if i.get("holdout")])):
        tp = fp = fn = due_right = 0
        wrong: list[dict[str, Any]] = []
        for item in chosen:
            found = find_promises(item["text"], speaker=item["speaker"])
            if found and item["promise"]:
                tp += 1
                due, stated = due_at(found[0], EVAL_NOW, default_minutes)
                got = round((due - EVAL_NOW).total_seconds() / 60) if stated else None
                if got == item.get("due_minutes"):
                    due_right += 1
                else:
                    wrong.append({"id": item["id"], "text": item["text"], "due": got,
                                  "expected_due": item.get("due_minutes")})
            elif found:
                fp += 1
                wrong.append({"id": item["id"], "text": item["text"], "extra": found[0].phrase})
            elif item["promise"]:
                fn += 1
                wrong.append({"id": item["id"], "text": item["text"], "missed": True})
        out[split] = {"items": len(chosen), "precision": _ratio(tp, tp + fp), "recall": _ratio(tp, tp + fn),
                      "tp": tp, "fp": fp, "fn": fn, "due_correct": due_right, "due_accuracy": _ratio(due_right, tp),
                      "disagreements": wrong}
    t = out["tuned"]
    out["targets"] = {**PROMISE_TARGETS, "met": (t["precision"] or 0) >= PROMISE_TARGETS["precision"]
                      and (t["recall"] or 0) >= PROMISE_TARGETS["recall"]}
    return out


def load_eval_set(path: str | Path | None = None) -> list[dict[str, Any]]:
    """The labelled snippets, from the packaged file unless a path is given."""
    if path is None:
        text = _read(EVAL_SET, None)
    else:
        text = Path(path).read_text(encoding="utf-8")
    items = [json.loads(line) for line in text.splitlines() if line.strip()]
    for item in items:
        unknown = set(item["families"]) - set(FAMILIES)
        if unknown:
            raise ValueError(f"evaluation item {item['id']} names unknown families {sorted(unknown)}")
    return items


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def score(pairs: Iterable[tuple[set[str], set[str]]]) -> dict[str, Any]:
    """Per-family and micro-averaged precision and recall from (expected, found) family sets."""
    counts = {f: {"tp": 0, "fp": 0, "fn": 0, "support": 0} for f in FAMILIES}
    n = 0
    for expected, found in pairs:
        n += 1
        for family in FAMILIES:
            c = counts[family]
            c["support"] += family in expected
            if family in found and family in expected:
                c["tp"] += 1
            elif family in found:
                c["fp"] += 1
            elif family in expected:
                c["fn"] += 1
    out: dict[str, Any] = {}
    for family, c in counts.items():
        out[family] = {"precision": _ratio(c["tp"], c["tp"] + c["fp"]),
                       "recall": _ratio(c["tp"], c["tp"] + c["fn"]), **c}
    tp, fp, fn = (sum(c[k] for c in counts.values()) for k in ("tp", "fp", "fn"))
    out["micro"] = {"precision": _ratio(tp, tp + fp), "recall": _ratio(tp, tp + fn), "tp": tp, "fp": fp,
                    "fn": fn, "support": tp + fn}
    out["items"] = n
    return out


def load_heldout_batches(directory: str | Path | None = None) -> dict[str, list[dict[str, Any]]]:
    """Every `batch_*.jsonl` in the held-out directory, by batch name ("batch_09"), in name order. Items are
    checked like the eval set's; an error names the batch and line, never the text."""
    folder = Path(directory) if directory is not None else HELDOUT_DIR
    out: dict[str, list[dict[str, Any]]] = {}
    if not folder.is_dir():
        return out
    for path in sorted(folder.glob("batch_*.jsonl")):
        name = path.stem
        items: list[dict[str, Any]] = []
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except ValueError:
                raise ValueError(f"held-out {name} line {n} is not JSON") from None
            if not isinstance(item, dict) or not isinstance(item.get("text"), str) \
                    or not isinstance(item.get("families"), list):
                raise ValueError(f"held-out {name} line {n} needs a text and a list of families")
            unknown = (set(item["families"]) | set(item.get("scored") or ())) - set(FAMILIES)
            if unknown:
                raise ValueError(f"held-out {name} line {n} names unknown families {sorted(unknown)}")
            items.append({**item, "id": f"{name}:{item.get('id', n)}", "batch": name, "holdout": name not in FOLDED})
            if len(items) > MAX_BATCH_ITEMS:
                raise ValueError(f"held-out {name} has more than {MAX_BATCH_ITEMS} items")
        out[name] = items
    return out


def folded_items(batches: Mapping[str, list[dict[str, Any]]] | None = None) -> list[dict[str, Any]]:
    """The items of the held-out batches that were folded into tuning after their measurement."""
    batches = load_heldout_batches() if batches is None else batches
    return [item for name, items in batches.items() if name in FOLDED for item in items]


def training_items(items: list[dict[str, Any]] | None = None,
                   batches: Mapping[str, list[dict[str, Any]]] | None = None) -> list[dict[str, Any]]:
    """What the learned model is trained on: the eval set's tuned items and the folded batches."""
    items = load_eval_set() if items is None else items
    return [i for i in items if not i.get("holdout")] + folded_items(batches)


def _meets(metrics: Mapping[str, Any], family: str) -> bool:
    m, t = metrics[family], TARGETS[family]
    return (m["precision"] or 0) >= t["precision"] and (m["recall"] or 0) >= t["recall"]


def _scored(item: Mapping[str, Any], found: set[str]) -> tuple[set[str], set[str]]:
    """What an item's label says and what was found, over the families its writer was asked to label: a batch
    written for some families only (`"scored": [...]`) says nothing about the others, so they are not scored."""
    expected = set(item["families"])
    scope = item.get("scored")
    if not scope:
        return expected, found
    return expected & set(scope), found & set(scope)


def _found(text: str, compiled: CompiledLexicon, model: Any) -> set[str]:
    return families(detect(text, compiled, today=EVAL_DATE, model=model))


def evaluate(items: list[dict[str, Any]] | None = None,
             lexicon: Mapping[str, Any] | CompiledLexicon = DEFAULT_LEXICON, *,
             batches: Mapping[str, list[dict[str, Any]]] | None = None, model: Any = SHIPPED_MODEL) -> dict[str, Any]:
    """The report `watchkeeper eval-cues --json` prints: every family's precision, recall and counts on the
    labelled set (the eval set and the folded batches; top-level keys are the family names), micro averages,
    the same for the tuned split ("tuned": in-sample, what the rules and the model were fitted to) and the
    eval set's own held-out items ("holdout"), then each held-out batch separately ("batches": its status,
    "held_out" or "folded", and its figures; figures only, never texts), and which targets are met (judged
    on the tuned split; held-out numbers are reported as they are)."""
    items = load_eval_set() if items is None else items
    batches = load_heldout_batches() if batches is None else batches
    labelled = [*items, *folded_items(batches)]
    compiled = lexicon if isinstance(lexicon, CompiledLexicon) else compile_lexicon(lexicon)
    results = [(item, *_scored(item, _found(item["text"], compiled, model))) for item in labelled]
    report = score((exp, got) for _, exp, got in results)
    report["tuned"] = score((exp, got) for item, exp, got in results if not item.get("holdout"))
    report["holdout"] = score((exp, got) for item, exp, got in results if item.get("holdout"))
    report["batches"] = {}
    for name, batch in batches.items():
        status = "folded" if name in FOLDED else "held_out"
        measured = score(_scored(i, _found(i["text"], compiled, model)) for i in batch)
        report["batches"][name] = {"status": status, **({"folded_on": FOLDED[name]} if name in FOLDED else {}),
                                   **measured, "targets_met": {f: _meets(measured, f) for f in FAMILIES}}
    report["set"] = {
        "items": len(labelled),
        "negatives": sum(1 for item in labelled if not item["families"]),
        "holdout_items": sum(1 for item in labelled if item.get("holdout")),
        "folded_batches": {name: FOLDED[name] for name in batches if name in FOLDED},
        "held_out_batches": [name for name in batches if name not in FOLDED],
        "as_of": EVAL_DATE.isoformat(),
    }
    report["set"]["tuned_items"] = len(labelled) - report["set"]["holdout_items"]
    from watchkeeper.cues.model import load

    shipped = load() if model is SHIPPED_MODEL else model
    report["model"] = (None if shipped is None else
                       {"trained_on": shipped.trained_on, **shipped.meta,
                        "thresholds": dict(zip(shipped.families, shipped.thresholds, strict=True))})
    report["targets"] = {f: {**TARGETS[f], "met": _meets(report["tuned"], f), "gate": f in GATED} for f in FAMILIES}
    report["meets_gates"] = all(_meets(report["tuned"], f) for f in GATED)
    return report


def misses(items: list[dict[str, Any]] | None = None,
           lexicon: Mapping[str, Any] | CompiledLexicon = DEFAULT_LEXICON,
           *, holdout: bool | None = None, batches: Mapping[str, list[dict[str, Any]]] | None = None,
           model: Any = SHIPPED_MODEL) -> list[dict[str, Any]]:
    """The items where the detector and the label disagree: what was missed and what was raised wrongly.
    Only the eval set and folded batches are read; a held-out batch's disagreements are never listed."""
    items = load_eval_set() if items is None else items
    labelled = [*items, *folded_items(batches)]
    compiled = lexicon if isinstance(lexicon, CompiledLexicon) else compile_lexicon(lexicon)
    out = []
    for item in labelled:
        if holdout is not None and bool(item.get("holdout")) != holdout:
            continue
        cues = detect(item["text"], compiled, today=EVAL_DATE, model=model)
        expected, found = _scored(item, families(cues))
        if found != expected:
            out.append({"id": item["id"], "text": item["text"], "holdout": bool(item.get("holdout")),
                        "missed": sorted(expected - found), "extra": sorted(found - expected),
                        "matched": [(c.family, c.phrase, c.rule == MODEL_RULE) for c in cues]})
    return out


def _fmt(value: float | None) -> str:
    return "  n/a" if value is None else f"{value:5.2f}"


def render_table(report: Mapping[str, Any]) -> str:
    """The report as a plain-text table: the tuned and held-out splits side by side (targets on tuned), then
    each held-out batch's precision and recall per family beside the in-sample (tuned) figures."""
    head = (f"{'family':<34} tuned {'P':>5} {'R':>5} {'tp':>4} {'fp':>4} {'fn':>4}  |  holdout "
            f"{'P':>5} {'R':>5} {'tp':>4} {'fp':>4} {'fn':>4}  target (tuned)")
    lines = [head, "-" * len(head)]
    for key in (*FAMILIES, "micro"):
        w, h = report.get("tuned", report)[key], report["holdout"][key]
        target = ""
        if key in TARGETS:
            t = report["targets"][key]
            mark = "met" if t["met"] else "NOT met"
            target = f"P>={t['precision']:.2f} R>={t['recall']:.2f} {mark}{' (gate)' if t['gate'] else ''}"
        lines.append(f"{key:<34}       {_fmt(w['precision'])} {_fmt(w['recall'])} {w['tp']:>4} {w['fp']:>4} "
                     f"{w['fn']:>4}  |          {_fmt(h['precision'])} {_fmt(h['recall'])} {h['tp']:>4} "
                     f"{h['fp']:>4} {h['fn']:>4}  {target}")
    s, whole = report["set"], report["micro"]
    lines.append(f"\n{s['items']} snippets ({s['negatives']} with no cue): {s['items'] - s['holdout_items']} tuned, "
                 f"{s['holdout_items']} held out (never used for tuning). Whole set micro P {_fmt(whole['precision'])}"
                 f" R {_fmt(whole['recall'])}. Gate (domestic_abuse, tuned split): "
                 f"{'passed' if report['meets_gates'] else 'FAILED'}.")
    for name, b in report.get("batches", {}).items():
        status = f"folded {b['folded_on']}, now tuned" if b["status"] == "folded" else "held out"
        lines.append(f"\n{name} ({status}, {b['items']} snippets)   P     R  sup   |  in-sample P     R")
        for key in (*FAMILIES, "micro"):
            m, t = b[key], report["tuned"][key]
            lines.append(f"{key:<34} {_fmt(m['precision'])} {_fmt(m['recall'])} {m['support']:>4}   |  "
                         f"          {_fmt(t['precision'])} {_fmt(t['recall'])}")
    promises = report.get("promises")
    if promises:
        lines.append("\nPromises (L11)                      items     P     R   tp   fp   fn  due time right")
        for split in ("tuned", "holdout"):
            p = promises[split]
            lines.append(f"{split:<34} {p['items']:>6} {_fmt(p['precision'])} {_fmt(p['recall'])} {p['tp']:>4} "
                         f"{p['fp']:>4} {p['fn']:>4}  {p['due_correct']}/{p['tp']}")
        t = promises["targets"]
        lines.append(f"Promise target (tuned) P>={t['precision']:.2f} R>={t['recall']:.2f}: "
                     f"{'met' if t['met'] else 'NOT met'}.")
    return "\n".join(lines)


def run(*, as_json: bool = False, show_misses: bool = False) -> tuple[str, int]:
    """What `watchkeeper eval-cues` prints and its exit status (1 when the domestic-abuse gate fails).
    Misses are listed for the eval set and folded batches only; held-out batches show figures alone."""
    items = load_eval_set()
    batches = load_heldout_batches()
    report = evaluate(items, batches=batches)
    report["promises"] = evaluate_promises()
    if not show_misses:
        for split in ("tuned", "holdout"):
            report["promises"][split] = {k: v for k, v in report["promises"][split].items() if k != "disagreements"}
    if as_json:
        if show_misses:
            report = {**report, "misses": misses(items, batches=batches)}
        text = json.dumps(report, indent=2)
    else:
        text = render_table(report)
        if show_misses:
            rows = [f"{m['id']}{' (holdout)' if m['holdout'] else ''}: missed {m['missed']} extra {m['extra']}"
                    f"\n    {m['text']}" for m in misses(items, batches=batches)]
            text += "\n\nDisagreements:\n" + "\n".join(rows)
            rows = [f"{d['id']} ({split}): {json.dumps({k: v for k, v in d.items() if k not in ('id', 'text')})}"
                    f"\n    {d['text']}" for split in ("tuned", "holdout") for d in report["promises"][split]
                    .get("disagreements", [])]
            text += "\n\nPromise disagreements:\n" + "\n".join(rows)
    return text, 0 if report["meets_gates"] else 1
