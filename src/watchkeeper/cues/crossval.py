"""Leave-one-batch-out measurement of the risk-cue detector (C3): how it does on words it was not trained on.

Why: a folded batch (`evaluate.FOLDED`) trains the shipped model, so its figures in `eval-cues` are in-sample
and flatter the detector. Here each folded batch in turn is left out: the model is retrained on everything
else (the eval set's tuned items and the other folded batches) and the rules plus that model are scored on the
batch left out. The figures are the honest estimate of how a change will do on a batch nobody has seen yet;
the rules themselves were read against every folded batch, so for the rules the figures are still in-sample.

Run: ``python -m watchkeeper.cues.crossval`` (needs scikit-learn, a development dependency). Models trained
for a fold are cached under ``--cache`` by the checksum of their training snippets, so a change to the rules
alone is re-measured in seconds; a change to the snippets or to training retrains.
Only folded batches are read; a batch still held out is never used here.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path
from typing import Any

from watchkeeper.cues.detect import compile_lexicon
from watchkeeper.cues.evaluate import (
    FOLDED,
    _found,
    _scored,
    load_eval_set,
    load_heldout_batches,
    score,
    training_items,
)
from watchkeeper.cues.lexicon import DEFAULT_LEXICON
from watchkeeper.cues.model import Model, training_checksum


def _model_for(items: list[dict[str, Any]], cache: Path | None) -> Model:
    from watchkeeper.cues import train as training

    settings = json.dumps([training.C, training.MIN_DF, training.FOLDS, False, training.MIN_THRESHOLD,
                           training.MAX_THRESHOLD, training.TARGET_PRECISION], sort_keys=True)
    key = hashlib.sha256((training_checksum(items) + settings).encode("utf-8")).hexdigest()
    if cache is not None:
        path = cache / f"cues-model-{key[:16]}.json"
        if path.is_file():  # thresholds fixed on leave-one-batch-out folds do not change the weights
            data = json.loads(path.read_text(encoding="utf-8"))
            data["thresholds"] = {**data["thresholds"], **training.LOBO_THRESHOLDS}
            return Model.from_dict(data)
    data = training.train(items)
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        path.write_text(training.dumps(data), encoding="utf-8")
    return Model.from_dict(data)


def leave_one_batch_out(*, cache: Path | None = None, lexicon: Any = DEFAULT_LEXICON) -> dict[str, Any]:
    """Per folded batch: precision and recall per family (over the families it was written for) when the
    model is trained without it; and the pooled figures over all folded batches."""
    items = load_eval_set()
    batches = {name: b for name, b in load_heldout_batches().items() if name in FOLDED}
    everything = training_items(items, batches)
    compiled = compile_lexicon(lexicon)
    out: dict[str, Any] = {"batches": {}}
    pooled: list[tuple[set[str], set[str]]] = []
    for name, batch in batches.items():
        model = _model_for([i for i in everything if i.get("batch") != name], cache)
        pairs = [_scored(item, _found(item["text"], compiled, model)) for item in batch]
        pooled.extend(pairs)
        out["batches"][name] = {**score(pairs), "thresholds": dict(zip(model.families, model.thresholds,
                                                                          strict=True))}
    out["pooled"] = score(pooled)
    return out


STEPS = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)


def model_alone(*, cache: Path | None = None) -> dict[str, dict[str, dict[str, float | None]]]:
    """Per family and threshold: precision and recall of the model alone on the folded batches, each batch
    scored by a model trained without it (the figures `train.LOBO_THRESHOLDS` were chosen from)."""
    items = load_eval_set()
    batches = {name: b for name, b in load_heldout_batches().items() if name in FOLDED}
    everything = training_items(items, batches)
    rows: list[tuple[str, float, bool]] = []
    for name, batch in batches.items():
        model = _model_for([i for i in everything if i.get("batch") != name], cache)
        for item in batch:
            probs = model.probabilities(item["text"])
            rows.extend((f, probs[f], f in item["families"]) for f in model.families
                        if not item.get("scored") or f in item["scored"])
    out: dict[str, dict[str, dict[str, float | None]]] = {}
    for family in {f for f, _, _ in rows}:
        positives = sum(1 for f, _, y in rows if f == family and y)
        out[family] = {}
        for t in STEPS:
            fired = [y for f, p, y in rows if f == family and p >= t]
            out[family][str(t)] = {"precision": round(sum(fired) / len(fired), 4) if fired else None,
                                   "recall": round(sum(fired) / positives, 4) if positives else None}
    return dict(sorted(out.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=None, help="folder for the fold models (reused)")
    parser.add_argument("--model-alone", action="store_true", help="the model alone per family and threshold")
    args = parser.parse_args(argv)
    report = model_alone(cache=args.cache) if args.model_alone else leave_one_batch_out(cache=args.cache)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
