"""The learned half of risk-cue detection (C3): a linear model over word and character n-grams, beside the
rules (no Django imports, no third-party code at run time).

Why a model beside the rules: the lexicon finds the phrasings it was written from; callers word the same
situation in many other ways ("my lad's kicked off at his mum again", "she's got my bank card and my
phone"). A linear model trained on the labelled snippets generalises over word forms and spellings, and it
stays explainable: its score is a sum of weights, one per feature present, so the words that raised a
prompt are the words whose features carried the most weight. The rules keep precision where they are sure;
the model adds recall where its score is high (a per-family threshold chosen on held-out folds of the
training data).

The weights are a data file (`model_weights.json`) made by `watchkeeper train-cues` from the labelled set:
deterministic (fixed folds, a deterministic solver, rounded weights), and stamped with a checksum of the
snippets it was trained on, so a test can tell when the shipped file no longer matches the data. Nothing is
fetched at run time; scoring is a dictionary lookup per feature.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

WEIGHTS_FILE = "model_weights.json"
FORMAT = 1
# Character n-grams are taken inside each word padded with a space either side ("sn" in " snap ").
CHAR_SIZES = (3, 4, 5)
# At most this many words are named as the reason a model prompt was raised.
EXPLAIN_WORDS = 4
# Features are read from at most this many characters of an entry (an entry's bound is larger; the start
# of a long entry says what it is about, and the cost stays within the C3 budget).
MAX_CHARS = 5000

# Words too common to explain anything: never named as the reason for a prompt.
STOPWORDS = frozenset(
    "a an the and or but if of to in on at by for with from into onto up down out off over as is are was were be "
    "been being am has have had do does did it its it's this that these those there here then than so not no "
    "i me my we us our you your he him his she her they them their who whom which what when where why how "
    "caller called calling call says said say saying told tells asked says re reports reported states stated "
    "just now again also very really all any some one two can could will would should may might must 's".split())
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def tokens(text: str) -> list[tuple[str, int, int]]:
    """Lower-case words with their positions in `text` (typographic apostrophes made plain first)."""
    lowered = text[:MAX_CHARS].translate(_QUOTES).lower()
    if len(lowered) != min(len(text), MAX_CHARS):  # a character that lengthens when lowered: keep positions
        lowered = "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text[:MAX_CHARS].translate(_QUOTES))
    return [(m.group(), m.start(), m.end()) for m in _WORD.finditer(lowered)]


def word_features(word: str) -> set[str]:
    """A word's own features: the word ("w:") and its character n-grams ("c:"), each once."""
    padded = f" {word} "
    out = {"w:" + word}
    for n in CHAR_SIZES:
        out.update("c:" + padded[i:i + n] for i in range(len(padded) - n + 1))
    return out


def feature_counts(text: str) -> dict[str, int]:
    """The model's input for a text: each distinct word contributes its features once (so a character n-gram
    counts the distinct words it occurs in), and each distinct pair of adjacent words ("b:") counts once.
    Scoring is then a sum over distinct words and pairs, which is what keeps it cheap."""
    words = tokens(text)
    counts: dict[str, int] = {}
    for word in {w for w, _, _ in words}:
        for f in word_features(word):
            counts[f] = counts.get(f, 0) + 1
    for (a, _, _), (b, _, _) in zip(words, words[1:], strict=False):
        counts[f"b:{a} {b}"] = 1
    return counts


@dataclass(frozen=True)
class ModelHit:
    """A family the model raises for a text: its probability and the word spans that carried the score."""

    family: str
    probability: float
    threshold: float
    spans: tuple[tuple[int, int, float], ...]


@dataclass(frozen=True)
class Model:
    """Trained weights: per feature, one weight per family (in `families` order); an intercept and a
    threshold per family; the checksum of the training snippets."""

    families: tuple[str, ...]
    weights: dict[str, tuple[float, ...]]
    intercepts: tuple[float, ...]
    thresholds: tuple[float, ...]
    trained_on: str
    meta: dict[str, Any]
    _cache: dict[str, tuple[float, ...]] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Model:
        if data.get("format") != FORMAT:
            raise ValueError(f"cue model file format {data.get('format')!r}; expected {FORMAT}")
        fams = tuple(data["families"])
        weights = {name: tuple(float(w) for w in ws) for name, ws in data["weights"].items()}
        if any(len(ws) != len(fams) for ws in weights.values()):
            raise ValueError("cue model file: every feature needs one weight per family")
        return cls(families=fams, weights=weights,
                   intercepts=tuple(float(data["intercepts"][f]) for f in fams),
                   thresholds=tuple(float(data["thresholds"][f]) for f in fams),
                   trained_on=str(data["trained_on"]), meta=dict(data.get("meta", {})))

    def word_vector(self, word: str) -> tuple[float, ...]:
        """The summed weights, per family, of a word's own features (cached: words recur)."""
        found = self._cache.get(word)
        if found is None:
            totals = [0.0] * len(self.families)
            for f in word_features(word):
                ws = self.weights.get(f)
                if ws is not None:
                    for k, w in enumerate(ws):
                        totals[k] += w
            found = tuple(totals)
            if len(self._cache) < 100_000:
                self._cache[word] = found
        return found

    def contributions(self, text: str) -> tuple[list[float], list[tuple[int, int, tuple[float, ...]]]]:
        """The linear score per family, and each word or word pair with its weights (first occurrence)."""
        totals = list(self.intercepts)
        parts: list[tuple[int, int, tuple[float, ...]]] = []
        words = tokens(text)
        seen: set[str] = set()
        for word, start, end in words:
            if word in seen:
                continue
            seen.add(word)
            vec = self.word_vector(word)
            parts.append((start, end, vec))
            for k, w in enumerate(vec):
                totals[k] += w
        weights = self.weights
        for (a, s0, _), (b, _, e1) in zip(words, words[1:], strict=False):
            name = f"b:{a} {b}"
            if name in seen:
                continue
            ws = weights.get(name)
            if ws is not None:
                seen.add(name)
                parts.append((s0, e1, ws))
                for k, w in enumerate(ws):
                    totals[k] += w
        return totals, parts

    def probabilities(self, text: str) -> dict[str, float]:
        totals, _ = self.contributions(text)
        return {f: _sigmoid(s) for f, s in zip(self.families, totals, strict=True)}

    def hits(self, text: str) -> list[ModelHit]:
        """The families whose probability reaches their threshold, each with the words that raised it: the
        words and word pairs whose weights added most to the family's score (never a stopword alone), at
        most `EXPLAIN_WORDS`."""
        totals, parts = self.contributions(text)
        out: list[ModelHit] = []
        for k, family in enumerate(self.families):
            p = _sigmoid(totals[k])
            if p < self.thresholds[k]:
                continue
            credit = [(vec[k], start, end) for start, end, vec in parts
                      if vec[k] > 0 and text[start:end].lower() not in STOPWORDS]
            best = sorted(credit, key=lambda c: (-c[0], c[1]))[:EXPLAIN_WORDS]
            spans = tuple(sorted((start, end, round(w, 3)) for w, start, end in best))
            out.append(ModelHit(family=family, probability=round(p, 4), threshold=self.thresholds[k], spans=spans))
        return out


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def training_checksum(items: Iterable[dict[str, Any]]) -> str:
    """SHA-256 over the snippets a model is trained on (id, text, sorted families), in id order."""
    h = hashlib.sha256()
    for item in sorted(items, key=lambda i: str(i["id"])):
        h.update(json.dumps([str(item["id"]), item["text"], sorted(item["families"]),
                            *([sorted(item["scored"])] if item.get("scored") else [])], ensure_ascii=False)
                 .encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()


_LOADED: list[Model | None] = []


def load(path: str | Path | None = None) -> Model | None:
    """The shipped model (cached), or the one at `path`; None when no weights file is shipped."""
    if path is not None:
        return Model.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
    if not _LOADED:
        ref = resources.files("watchkeeper.cues").joinpath(WEIGHTS_FILE)
        _LOADED.append(Model.from_dict(json.loads(ref.read_text(encoding="utf-8"))) if ref.is_file() else None)
    return _LOADED[0]
