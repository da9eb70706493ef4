"""Risk-cue detection cost (C3): CPU time to scan one 1,000-character narrative entry.

Every entry written is scanned by the rules and the learned model, inside the write, so the scan must stay
small: the target is at most 5 ms of CPU per 1,000-character entry (p99). No database is involved.

Entries are built from the labelled snippets (`cues/eval_set.jsonl`), joined in a fixed shuffled order until
each is 1,000 characters, so they hold the mix of cue words and ordinary words the detector meets. Each entry
is scanned once to warm the caches (the compiled lexicon, the model's weights, the rule index), then timed
with the thread's CPU clock: the whole detection (rules and model), and the rules alone, for comparison.
"""

from __future__ import annotations

import random
import time
from datetime import date
from typing import Any

from watchkeeper.bench.stats import summary_ms

TARGET_P99_MS = 5.0
ENTRY_CHARS = 1000


def entries(count: int, *, seed: int = 19) -> list[str]:
    """`count` entries of exactly `ENTRY_CHARS` characters made from the labelled snippets."""
    from watchkeeper.cues.evaluate import load_eval_set

    texts = [item["text"] for item in load_eval_set()]
    rng = random.Random(seed)
    out: list[str] = []
    for _ in range(count):
        parts: list[str] = []
        while sum(len(p) + 1 for p in parts) < ENTRY_CHARS:
            parts.append(rng.choice(texts))
        out.append(" ".join(parts)[:ENTRY_CHARS])
    return out


def run(count: int = 2000) -> dict[str, Any]:
    from watchkeeper.cues import detect
    from watchkeeper.cues.model import load

    texts = entries(count)
    today = date(2026, 1, 1)
    for text in texts[:50]:
        detect(text, today=today)
    out: dict[str, Any] = {"entry_chars": ENTRY_CHARS, "target_p99_ms": TARGET_P99_MS, "model": load() is not None}
    for name, model in (("rules_and_model", "shipped"), ("rules_only", None)):
        samples: list[float] = []
        for text in texts:
            t0 = time.thread_time()
            if model is None:
                detect(text, today=today, model=None)
            else:
                detect(text, today=today)
            samples.append(time.thread_time() - t0)
        out[name] = {**summary_ms(samples), "mean_ms": round(sum(samples) / len(samples) * 1000, 3)}
    out["met"] = out["rules_and_model"]["p99_ms"] <= TARGET_P99_MS
    return out
