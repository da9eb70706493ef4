"""Risk cues in free text (C3): pure functions over a narrative entry and a lexicon (no Django imports).

Why: a 999 caller who says "a bit of a domestic violence case last year" was coded "suspicious
circumstances" (I41.2), and a log stayed "concern for safety" through five calls about a missing patient
with previous overdoses (B28.4). Every entry is scanned; each cue becomes a prompt the handler accepts or
dismisses with a reason, so a cue is never lost in the narrative.

`detect(text)` returns the cues found, each with the family, the words matched, where, a snippet, whether
a negation cancels it ("no weapons mentioned"), and the prompt it suggests. The lexicon is data (see
`watchkeeper.cues.lexicon`); a force extends it with `merge_lexicon`, which validates what it is given and
refuses a bad entry (an invalid or dangerous regular expression, an unknown family) with a clear error.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from re import _constants as _sre_constants  # type: ignore[attr-defined]
from re import _parser as _sre_parser  # type: ignore[attr-defined]
from typing import Any

from watchkeeper.core.errors import Invalid
from watchkeeper.cues.lexicon import (
    DEFAULT_LEXICON,
    EXPLAINED_BY_CRISIS,
    FAMILIES,
    FAMILY_PROMPTS,
    PARTNER_NAMED,
    STAND_DOWN,
    SUGGESTIONS,
)

ENTRY_KEYS = frozenset({
    "phrase", "pattern", "requires", "unless", "window", "unless_window", "max_age", "negatable",
    "suggestion", "category", "reason", "case_sensitive", "note",
})
MAX_PHRASE = 200
MAX_PATTERN = 2000
MAX_ENTRIES_PER_FAMILY = 2000
DEFAULT_WINDOW = 120
DEFAULT_UNLESS_WINDOW = 25
SNIPPET_CONTEXT = 50

_NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen".split())}
# A repeated group that is itself repeated without bound, e.g. (a+)+ or (\w+\s*)*: such patterns can take
# exponential time on ordinary text, so a force-supplied one is refused rather than risked on every entry.
_NESTED_REPEAT = re.compile(r"\((?:[^()\\]|\\.)*[+*](?:[^()\\]|\\.)*\)(?:[+*]|\{\d*,\})")
# Typographic quotes become plain ones (same length, so positions still point into the original text).
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-",
                         "\u2014": "-", "\u2011": "-"})


class LexiconError(Invalid):
    """A force-supplied lexicon entry that cannot be used, naming the family, the entry and the problem."""

    def __init__(self, family: str, index: int | None, problem: str) -> None:
        where = f"{family}[{index}]" if index is not None else family
        super().__init__(f"Risk-cue lexicon entry {where}: {problem}", f"lexicon.{where}")
        self.family = family
        self.index = index
        self.problem = problem


@dataclass(frozen=True)
class Cue:
    """One risk cue in a narrative: what matched, where, and the prompt it suggests to the handler."""

    family: str
    phrase: str
    start: int
    end: int
    snippet: str
    negated: bool
    suggestion: str
    category: str | None
    reason: str
    rule: str
    age: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class _Context:
    """Context words or phrases ("requires", "unless") as token sequences: checking a window of text is then
    a set lookup per token rather than a regular-expression search."""

    words: frozenset[str]
    phrases: frozenset[tuple[str, ...]]
    longest: int

    @classmethod
    def of(cls, entries: Iterable[str]) -> _Context:
        sequences = {tuple(_context_tokens(entry)) for entry in entries}
        sequences.discard(())
        return cls(words=frozenset(seq[0] for seq in sequences if len(seq) == 1),
                   phrases=frozenset(seq for seq in sequences if len(seq) > 1),
                   longest=max((len(seq) for seq in sequences), default=1))

    def found_in(self, lowered: str) -> bool:
        tokens = _context_tokens(lowered)
        if not self.words.isdisjoint(tokens):
            return True
        for n in range(2, self.longest + 1):
            if not self.phrases.isdisjoint(zip(*(tokens[k:] for k in range(n)), strict=False)):
                return True
        return False


def _context_tokens(text: str) -> list[str]:
    """Lower-case word tokens with apostrophes dropped ("Alzheimer's" = "alzheimers"); hyphens and spaces
    both separate words ("in-law" = "in law")."""
    return _CONTEXT_TOKEN.findall(text.lower().replace("'", ""))


_CONTEXT_TOKEN = re.compile(r"\w+")


@dataclass(frozen=True, eq=False)
class _Rule:
    index: int
    family: str
    regex: re.Pattern[str]
    source: str
    anchors: tuple[str, ...] | None
    case_sensitive: bool
    starts: tuple[str, ...] | None
    requires: _Context | None
    window: int
    unless: _Context | None
    unless_window: int
    max_age: int | None
    negatable: bool
    suggestion: str
    category: str | None
    reason: str


_Candidate = tuple[Any, int, bool, tuple[str, ...], _Rule]


@dataclass(frozen=True)
class CompiledLexicon:
    """A validated lexicon with every expression compiled once: compile a force's lexicon when its
    configuration loads and pass this to `detect` on the hot path.

    `by_start[n]` maps the first n letters of a word (lower case) to the rules whose matches can begin with
    them, so detection tries a rule only at word starts where it could match; `scanned` are the rules whose
    beginnings cannot be known, or that are case-sensitive: they are searched across the text, and only
    when an anchor (a literal every match contains) occurs in it."""

    rules: tuple[_Rule, ...]
    lexicon: dict[str, list[dict[str, Any]]]
    by_start: tuple[dict[str, tuple[_Rule, ...]], ...]
    scanned: tuple[_Rule, ...]
    # Indexed rules that begin with common words ("a", "the", "he") but need a rarer literal somewhere
    # ("domestic"): skipped for a text that lacks it.
    anchored: tuple[_Rule, ...]
    needs_anchor: tuple[bool, ...] = ()
    # The rules to try for a word's first letters, filled as words are met (words recur, so this pays); each
    # as (match function, rule index, whether it needs its anchor, the anchors, the rule).
    candidates: dict[str, tuple[_Candidate, ...]] = field(default_factory=dict, compare=False, repr=False)

    def rules_for(self, key: str) -> tuple[_Candidate, ...]:
        found = self.candidates.get(key)
        if found is None:
            none: tuple[_Rule, ...] = ()
            found = tuple((rule.regex.match, rule.index, self.needs_anchor[rule.index], rule.anchors or (), rule)
                          for n in range(1, len(key) + 1) for rule in self.by_start[n].get(key[:n], none))
            if len(self.candidates) < 50_000:
                self.candidates[key] = found
        return found


# ------------------------------------------------------------------------------------------ validation
def _phrase_regex(phrase: str) -> str:
    """Words of a phrase, with spaces and hyphens between them interchangeable (or absent)."""
    words = [w for w in re.split(r"[\s\-]+", phrase.strip()) if w]
    return r"[\s\-]*".join(re.escape(w).replace("'", "'?") for w in words)


def _word_list(family: str, index: int, key: str, value: Any) -> list[str]:
    if not isinstance(value, list | tuple) or not value:
        raise LexiconError(family, index, f'"{key}" must be a non-empty list of words or phrases')
    out = []
    for word in value:
        if not isinstance(word, str) or not word.strip() or len(word) > MAX_PHRASE:
            raise LexiconError(family, index, f'"{key}" holds {word!r}: each must be a non-empty string of at '
                                              f"most {MAX_PHRASE} characters")
        out.append(word.strip())
    return out


def _window(family: str, index: int, key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= 1000:
        raise LexiconError(family, index, f'"{key}" must be a whole number of characters from 1 to 1000')
    return value


def _check_pattern(family: str, index: int, pattern: str, case_sensitive: bool) -> re.Pattern[str]:
    if len(pattern) > MAX_PATTERN:
        raise LexiconError(family, index, f"the pattern is longer than {MAX_PATTERN} characters")
    try:
        rx = re.compile(pattern, 0 if case_sensitive else re.IGNORECASE)
    except re.error as exc:
        raise LexiconError(family, index, f"the pattern {pattern!r} is not a valid regular expression "
                                          f"({exc})") from None
    if rx.fullmatch("") is not None or any(m.end() == m.start() for m in rx.finditer("a b 1")):
        raise LexiconError(family, index, f"the pattern {pattern!r} can match nothing at all, so it would "
                                          "fire everywhere")
    if _NESTED_REPEAT.search(pattern):
        raise LexiconError(family, index, f"the pattern {pattern!r} repeats a repeated group (like (a+)+), "
                                          "which can take exponential time; rewrite it without the nesting")
    return rx


def validate_entry(family: str, index: int, entry: Any) -> dict[str, Any]:
    """One entry in its full dict form, or `LexiconError` saying exactly what is wrong with it."""
    if isinstance(entry, str):
        entry = {"phrase": entry}
    if not isinstance(entry, Mapping):
        raise LexiconError(family, index, "an entry must be a phrase (string) or an object with "
                                          '"phrase" or "pattern"')
    unknown = sorted(set(entry) - ENTRY_KEYS)
    if unknown:
        raise LexiconError(family, index, f"unknown key(s) {', '.join(unknown)}; allowed: "
                                          f"{', '.join(sorted(ENTRY_KEYS))}")
    if ("phrase" in entry) == ("pattern" in entry):
        raise LexiconError(family, index, 'give exactly one of "phrase" or "pattern"')
    out: dict[str, Any] = {}
    case_sensitive = entry.get("case_sensitive", False)
    if not isinstance(case_sensitive, bool):
        raise LexiconError(family, index, '"case_sensitive" must be true or false')
    if "phrase" in entry:
        phrase = entry["phrase"]
        if not isinstance(phrase, str) or not re.search(r"\w", phrase) or len(phrase) > MAX_PHRASE:
            raise LexiconError(family, index, f"a phrase must contain a word and be at most {MAX_PHRASE} "
                                              "characters")
        out["phrase"] = phrase.strip()
        pattern = _phrase_regex(phrase)
    else:
        pattern = entry["pattern"]
        if not isinstance(pattern, str) or not pattern.strip():
            raise LexiconError(family, index, "a pattern must be a non-empty string")
        out["pattern"] = pattern
    rx = _check_pattern(family, index, pattern, case_sensitive)
    for key in ("requires", "unless"):
        if key in entry:
            out[key] = _word_list(family, index, key, entry[key])
    for key in ("window", "unless_window"):
        if key in entry:
            out[key] = _window(family, index, key, entry[key])
    if "max_age" in entry:
        max_age = entry["max_age"]
        if isinstance(max_age, bool) or not isinstance(max_age, int) or not 0 <= max_age <= 25:
            raise LexiconError(family, index, '"max_age" must be a whole number from 0 to 25')
        groups = set(rx.groupindex)
        if "age" not in groups and not {"day", "month", "year"} <= groups:
            raise LexiconError(family, index, '"max_age" needs a pattern with a named group "age" or the '
                                              'groups "day", "month" and "year"')
        out["max_age"] = max_age
    if "negatable" in entry:
        if not isinstance(entry["negatable"], bool):
            raise LexiconError(family, index, '"negatable" must be true or false')
        out["negatable"] = entry["negatable"]
    if "suggestion" in entry:
        if entry["suggestion"] not in SUGGESTIONS:
            raise LexiconError(family, index, f'"suggestion" must be one of {", ".join(SUGGESTIONS)}')
        out["suggestion"] = entry["suggestion"]
    for key in ("category", "reason", "note"):
        if key in entry:
            if not isinstance(entry[key], str) or not entry[key].strip() or len(entry[key]) > 500:
                raise LexiconError(family, index, f'"{key}" must be a non-empty string of at most 500 characters')
            out[key] = entry[key]
    if case_sensitive:
        out["case_sensitive"] = True
    return out


def validate_lexicon(lexicon: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The whole lexicon in canonical form (every entry a dict), or the first `LexiconError`."""
    if not isinstance(lexicon, Mapping):
        raise LexiconError("lexicon", None, "a lexicon must be an object mapping cue families to entries")
    out: dict[str, list[dict[str, Any]]] = {}
    for family, entries in lexicon.items():
        if family not in FAMILIES:
            raise LexiconError(str(family), None, f"unknown cue family; the families are {', '.join(FAMILIES)}")
        if not isinstance(entries, list | tuple):
            raise LexiconError(family, None, "a family's entries must be a list")
        if len(entries) > MAX_ENTRIES_PER_FAMILY:
            raise LexiconError(family, None, f"more than {MAX_ENTRIES_PER_FAMILY} entries")
        out[family] = [validate_entry(family, i, e) for i, e in enumerate(entries)]
    return out


def _entry_key(entry: Mapping[str, Any]) -> str:
    return str(entry.get("phrase", entry.get("pattern")))


def merge_lexicon(default: Mapping[str, Any], force_additions: Mapping[str, Any] | None = None, *,
                  disabled: Mapping[str, Iterable[str]] | None = None) -> dict[str, list[dict[str, Any]]]:
    """A new lexicon: the default plus a force's validated additions, less any default entries the force
    disables by their phrase or pattern text. Neither input is changed. Why disabling is by name: a force
    that finds a default entry wrong locally must say which one, and an unknown name is an error rather
    than a silent no-op."""
    merged = validate_lexicon(copy.deepcopy(dict(default)))
    additions = validate_lexicon(force_additions or {})
    for family, names in (disabled or {}).items():
        if family not in FAMILIES:
            raise LexiconError(str(family), None, f"unknown cue family; the families are {', '.join(FAMILIES)}")
        present = {_entry_key(e) for e in merged.get(family, [])}
        for name in names:
            if name not in present:
                raise LexiconError(family, None, f"cannot disable {name!r}: no such entry in the lexicon")
        merged[family] = [e for e in merged.get(family, []) if _entry_key(e) not in set(names)]
    for family, entries in additions.items():
        have = merged.setdefault(family, [])
        for entry in entries:
            if entry not in have:
                have.append(entry)
    return merged


# ------------------------------------------------------------------------------------------ compiling
def _required_literals(items: Any) -> set[str] | None:
    """Literal strings of which at least one occurs in every match of a parsed pattern (None if unknown).

    Why: scanning a 2,000-character entry with every expression is slow; a plain substring test for
    these anchors (in C) skips the expressions that cannot match, which is most of them for most text."""
    candidates: list[set[str]] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            candidates.append({"".join(run)})
            run.clear()

    for op, av in items:
        if op is _sre_constants.LITERAL:
            run.append(chr(av))
            continue
        flush()
        sub: set[str] | None = None
        if op is _sre_constants.SUBPATTERN:
            sub = _required_literals(av[-1])
        elif op is _sre_constants.BRANCH:
            subs = [_required_literals(branch) for branch in av[1]]
            sub = None if any(not b for b in subs) else set().union(*subs)  # type: ignore[arg-type]
        elif op in (_sre_constants.MAX_REPEAT, _sre_constants.MIN_REPEAT) and av[0] >= 1:
            sub = _required_literals(av[2])
        if sub:
            candidates.append(sub)
    flush()
    if not candidates:
        return None
    # The most telling anchor: longest shortest option first, then the fewest options.
    return max(candidates, key=lambda options: (min(len(o) for o in options), -len(options)))


_START_KEY = 3
# The first letters of the commonest words in narrative text: rules that begin with them are tried at many
# positions, so they are first checked for a rarer literal they need.
_COMMON_STARTS = frozenset({
    "the", "her", "his", "has", "had", "hav", "not", "was", "wer", "are", "bee", "for", "wit", "tha", "thi",
    "she", "and", "you", "who", "whi", "whe", "wan", "thr", "tak", "too", "tol", "sai", "say", "got",
    "ano", "abo", "any", "all", "som", "can", "cou", "did", "doe", "don", "wil", "wou", "sho", "goi", "mad",
    "mak", "use", "sen", "giv", "kee", "lef", "pre", "pos", "cur", "two", "cal",
})
_Prefixes = set[tuple[str, bool]]


def _element_starts(op: Any, av: Any) -> _Prefixes | None:
    """Possible beginnings of one parsed element, as (text, complete) pairs; None when unknown."""
    c = _sre_constants
    if op is c.LITERAL:
        return {(chr(av), True)}
    if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
        return {("", True)}
    if op is c.SUBPATTERN:
        return _sequence_starts(av[-1])
    if op is c.BRANCH:
        out: _Prefixes = set()
        for branch in av[1]:
            found = _sequence_starts(branch)
            if found is None:
                return None
            out |= found
        return out
    if op in (c.MAX_REPEAT, c.MIN_REPEAT):
        found = _sequence_starts(av[2])
        if found is None:
            return None
        out = {(text, False) for text, _ in found}
        return out | {("", True)} if av[0] == 0 else out
    if op is c.IN:
        return _class_starts(av)
    return None


def _class_starts(items: Any) -> _Prefixes | None:
    """The characters a small character class can match ([eé], [0-9], \\d), or None for a large one."""
    c = _sre_constants
    chars: set[str] = set()
    for kind, value in items:
        if kind is c.LITERAL:
            chars.add(chr(value))
        elif kind is c.RANGE and value[1] - value[0] < 64:
            chars.update(chr(code) for code in range(value[0], value[1] + 1))
        elif kind is c.CATEGORY and value is c.CATEGORY_DIGIT:
            chars.update("0123456789")
        else:
            return None
    return {(ch, True) for ch in chars}


def _sequence_starts(items: Any) -> _Prefixes | None:
    """Possible first `_START_KEY` characters of a parsed sequence ("complete" = the whole sequence)."""
    results: _Prefixes = {("", True)}
    for op, av in items:
        if all(not complete or len(text) >= _START_KEY for text, complete in results):
            break
        element = _element_starts(op, av)
        if element is None:
            return {(text, False) for text, _ in results} if all(text for text, _ in results) else None
        grown: _Prefixes = set()
        for text, complete in results:
            if not complete or len(text) >= _START_KEY:
                grown.add((text[:_START_KEY], False))
                continue
            for more, more_complete in element:
                joined = text + more
                grown.add((joined[:_START_KEY], more_complete and len(joined) < _START_KEY))
        results = grown
    return results


def _starts(regex: re.Pattern[str], case_sensitive: bool) -> tuple[str, ...] | None:
    """The strings a match must begin with (None when they cannot be known, or one could be empty)."""
    try:
        found = _sequence_starts(_sre_parser.parse(regex.pattern, regex.flags))
    except Exception:  # an unusual construct: the rule is simply searched across the text
        return None
    if case_sensitive or not found:
        return None
    # Keys are looked up by a word's first letters, so they stop at the first character that is not one.
    keys = {re.match(r"\w*", text.lower()).group() for text, _ in found}  # type: ignore[union-attr]
    if any(not key for key in keys):
        return None
    return tuple(sorted(keys))


def _anchors(regex: re.Pattern[str], case_sensitive: bool) -> tuple[str, ...] | None:
    try:
        found = _required_literals(_sre_parser.parse(regex.pattern, regex.flags))
    except Exception:  # an unusual construct: simply scan with the expression every time
        return None
    if not found:
        return None
    return tuple(sorted(found if case_sensitive else {a.lower() for a in found}))


def _top_level_alternatives(pattern: str) -> list[str]:
    """The alternatives of a pattern's outermost "|", each still a valid pattern; the whole pattern when it
    has none, or when a split could change its meaning (inline flags, or a part that fails to compile)."""
    if pattern.startswith("(?") and re.match(r"\(\?[aiLmsux]+\)", pattern):
        return [pattern]
    parts, depth, in_class, escaped, start = [], 0, False, False, 0
    for i, ch in enumerate(pattern):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif in_class:
            in_class = ch != "]" or i == start
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
    parts.append(pattern[start:])
    if len(parts) == 1:
        return parts
    try:
        for part in parts:
            re.compile(part)
    except re.error:
        return [pattern]
    return parts


def compile_lexicon(lexicon: Mapping[str, Any] = DEFAULT_LEXICON) -> CompiledLexicon:
    """Validate a lexicon and compile every expression once."""
    canonical = validate_lexicon(lexicon)
    rules: list[_Rule] = []
    for family, entries in canonical.items():
        suggestion, category, reason = FAMILY_PROMPTS[family]
        for entry in entries:
            whole = _phrase_regex(entry["phrase"]) if "phrase" in entry else entry["pattern"]
            flags = 0 if entry.get("case_sensitive") else re.IGNORECASE
            requires = _Context.of(entry["requires"]) if "requires" in entry else None
            unless = _Context.of(entry["unless"]) if "unless" in entry else None
            # Each top-level alternative is its own rule, so it is tried only where it could begin and only
            # when its own anchor occurs ("a burden" is not tried at every "a" of a text without "burden").
            for body in _top_level_alternatives(whole):
                regex = re.compile(rf"(?<!\w)(?:{body})(?!\w)", flags)
                rules.append(_Rule(
                    index=len(rules),
                    family=family,
                    regex=regex,
                    source=_entry_key(entry),
                    anchors=_anchors(regex, bool(entry.get("case_sensitive"))),
                    case_sensitive=bool(entry.get("case_sensitive")),
                    starts=_starts(regex, bool(entry.get("case_sensitive"))),
                    requires=requires,
                    window=entry.get("window", DEFAULT_WINDOW),
                    unless=unless,
                    unless_window=entry.get("unless_window", DEFAULT_UNLESS_WINDOW),
                    max_age=entry.get("max_age"),
                    negatable=entry.get("negatable", True),
                    suggestion=entry.get("suggestion", suggestion),
                    category=entry.get("category", category),
                    reason=entry.get("reason", reason),
                ))
    by_start: list[dict[str, list[_Rule]]] = [{} for _ in range(_START_KEY + 1)]
    for rule in rules:
        for start in rule.starts or ():
            by_start[len(start)].setdefault(start, []).append(rule)
    anchored = tuple(rule for rule in rules if rule.starts is not None and rule.anchors is not None
                     and set(rule.anchors) != set(rule.starts)
                     and any(len(start) < _START_KEY or start in _COMMON_STARTS for start in rule.starts))
    return CompiledLexicon(
        rules=tuple(rules), lexicon=canonical,
        by_start=tuple({key: tuple(found) for key, found in table.items()} for table in by_start),
        scanned=tuple(rule for rule in rules if rule.starts is None),
        anchored=anchored,
        needs_anchor=tuple(rule in anchored for rule in rules),
    )


_COMPILED: dict[str, CompiledLexicon] = {}
_DEFAULT_COMPILED: list[CompiledLexicon] = []


def _compiled(lexicon: Mapping[str, Any] | CompiledLexicon) -> CompiledLexicon:
    """The compiled form of a lexicon, compiled at most once per distinct content."""
    if isinstance(lexicon, CompiledLexicon):
        return lexicon
    if lexicon is DEFAULT_LEXICON:
        if not _DEFAULT_COMPILED:
            _DEFAULT_COMPILED.append(compile_lexicon(DEFAULT_LEXICON))
        return _DEFAULT_COMPILED[0]
    key = json.dumps(lexicon, sort_keys=True, ensure_ascii=False, default=list)
    found = _COMPILED.get(key)
    if found is None:
        found = compile_lexicon(lexicon)
        if len(_COMPILED) >= 16:
            _COMPILED.pop(next(iter(_COMPILED)))
        _COMPILED[key] = found
    return found


# ------------------------------------------------------------------------------------------ negation
_TRIGGERS = frozenset({
    "no", "not", "never", "without", "denies", "denied", "deny", "denying", "nil", "none", "neither", "nor",
    "isn't", "wasn't", "aren't", "weren't", "doesn't", "don't", "didn't", "hasn't", "haven't", "hadn't",
    "isnt", "wasnt", "arent", "werent", "doesnt", "dont", "didnt", "hasnt", "havent", "hadnt", "negative",
})
# A trigger followed by one of these is not a negation of what comes after: "not sure if it was her
# ex-husband", "no longer with her partner", "no one has seen him".
_PSEUDO_FOLLOWERS = frozenset({
    "sure", "certain", "know", "knowing", "clear", "only", "just", "longer", "doubt", "one", "idea", "unlike",
    "whether", "if", "matter", "able", "want", "wanting", "wish", "yet", "until", "till", "before",
})
# Words that do not widen the distance between a trigger and the cue ("no sign of any weapons").
_FILLERS = frozenset({
    "a", "an", "the", "any", "of", "some", "sign", "signs", "mention", "mentioned", "mentions", "evidence",
    "history", "report", "reports", "reported", "indication", "indications", "suggestion", "concern",
    "concerns", "obvious", "visible", "known", "current", "other", "apparent", "such", "have", "has", "had",
    "got", "been", "be", "is", "are", "was", "were", "there", "seen", "about", "re", "regarding", "to", "for",
    "previous", "recent", "immediate", "actual", "cause", "and", "or", "&", "further",
})
_MAX_GAP = 1
# Where a clause ends, so a negation in an earlier clause does not reach the cue: punctuation and a dash,
# then words that turn the sentence ("but", "however"), start a relative clause ("who", "which") or a
# subordinate one ("when", "after", "so"), or start reported speech ("says", "told me", "texted saying").
_PUNCT_BREAK = re.compile(r"[.!?;:\n\r\u2022]|\s-\s")
_BREAK_WORDS = frozenset({
    "but", "however", "although", "though", "except", "whereas", "yet", "while", "whilst", "because", "says",
    "said", "states", "stated", "reports", "who", "whom", "whose", "which", "when", "whenever", "after",
    "then", "so", "since", "saying", "told", "tells", "telling", "texted", "messaged", "claims", "claimed",
    "now", "instead",
})
_BREAK_PAIRS = frozenset({("apart", "from"), ("other", "than"), ("as", "she"), ("as", "he"), ("and", "then"),
                          ("and", "now"), ("or", "else")})
# Words that begin a new predicate: after a negated verb ("a man I have never met"), one of these starts the
# main clause ("is blackmailing me"), which the negation does not reach.
_PREDICATE_STARTS = frozenset({
    "is", "was", "are", "were", "has", "had", "have", "will", "would", "can", "could", "keeps", "kept",
    "still", "now", "then", "he's", "she's", "they're", "he'd", "she'd", "he'll", "she'll",
})
_CLAUSE_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?|\d+|&|,", re.IGNORECASE)
_WORD_START = re.compile(rf"(?<!\w)\w{{1,{_START_KEY}}}")
_POST_NEGATION = re.compile(
    r"^[\s:=\-]*(?:(?:is|are|was|were|have\s+been|has\s+been)\s+)?(?:none|nil|n/?a|no(?!\s*\d)(?!\s+[a-z])|"
    r"not\s+(?:present|involved|mentioned|seen|known|applicable|an\s+issue|a\s+concern|reported|found|"
    r"disclosed)|denied|ruled\s+out|negative)(?!\w)",
    re.IGNORECASE)


def _scope_closed(governed: list[str]) -> bool:
    """Whether the negation's scope ends before the cue: a word it governs ("never *met*") followed by the
    start of another predicate ("is blackmailing me")."""
    seen_content = False
    for tok in governed:
        if seen_content and tok in _PREDICATE_STARTS:
            return True
        if tok not in _FILLERS:
            seen_content = True
    return False


def _negated_by(tokens: list[str]) -> bool:
    """Whether a trigger close before the cue (at the end of `tokens`) negates it: only the cue the trigger
    governs, within its own predicate."""
    gap = 0
    for i in range(len(tokens) - 1, -1, -1):
        tok = tokens[i].lower()
        if tok in _TRIGGERS:
            after = tokens[i + 1].lower() if i + 1 < len(tokens) else ""
            if after in _PSEUDO_FOLLOWERS or (tok == "no" and after.isdigit()):
                return False
            if any(t.lower() in {"if", "whether"} for t in tokens[i + 1:]):
                return False
            return not _scope_closed([t.lower() for t in tokens[i + 1:]])
        if tok not in _FILLERS:
            gap += 1
            if gap > _MAX_GAP:
                return False
    return False


def is_negated(text: str, start: int, end: int) -> bool:
    """C3: whether the words at text[start:end] are negated in their own clause: "no weapons mentioned",
    "denies any domestic abuse", "no children in the house", "weapons: none". A list carries its negation
    across commas ("no knives, guns or bats"). The negation stops at the clause's end (punctuation, "but",
    "and then", "because", a relative "who"/"which", reported speech) and at a new predicate after the word it
    governs: "a man I have never met is blackmailing me" is blackmail."""
    before = text[max(0, start - 120):start]
    breaks = [m.end() for m in _PUNCT_BREAK.finditer(before)]
    if breaks:
        before = before[breaks[-1]:]
    tokens = [t.lower() for t in _CLAUSE_TOKEN.findall(before)]
    for i in range(len(tokens) - 1, -1, -1):
        if tokens[i] in _BREAK_WORDS or (i and (tokens[i - 1], tokens[i]) in _BREAK_PAIRS):
            tokens = tokens[i + 1:]
            break
    segments: list[list[str]] = [[]]
    for tok in tokens:
        if tok == ",":
            segments.append([])
        else:
            segments[-1].append(tok)
    if _negated_by(segments[-1]):
        return True
    if len(segments) > 1:
        current, earlier = segments[-1], segments[-2]
        listish = all(t in _FILLERS for t in current)
        opens_negated = bool(earlier) and earlier[0] in _TRIGGERS and not (
            len(earlier) > 1 and (earlier[1].isdigit() or earlier[1] in _PSEUDO_FOLLOWERS))
        if listish and opens_negated and len(earlier) <= 5:
            return True
    after = text[end:end + 40]
    return bool(_POST_NEGATION.match(after))


# ------------------------------------------------------------------------------------------ detection
def _age_of(match: re.Match[str], today: date) -> int | None:
    groups = match.groupdict()
    if groups.get("age"):
        raw = groups["age"].lower()
        return int(raw) if raw.isdigit() else _NUMBER_WORDS.get(raw)
    if groups.get("year"):
        try:
            year = int(groups["year"])
            if year < 100:
                year += 2000 if year <= today.year % 100 else 1900
            born = date(year, int(groups["month"]), int(groups["day"]))
        except ValueError:
            return None
        if born > today:
            return None
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    return None


def _snippet(text: str, start: int, end: int) -> str:
    lo, hi = max(0, start - SNIPPET_CONTEXT), min(len(text), end + SNIPPET_CONTEXT)
    body = " ".join(text[lo:hi].split())
    return f"{'…' if lo else ''}{body}{'…' if hi < len(text) else ''}"


def _near(context: _Context, lowered: str, start: int, end: int, window: int) -> bool:
    return context.found_in(lowered[max(0, start - window):end + window])


SHIPPED_MODEL = "shipped"
MODEL_RULE = "model"


def detect(text: str, lexicon: Mapping[str, Any] | CompiledLexicon = DEFAULT_LEXICON, *,
           today: date | None = None, include_negated: bool = False, model: Any = SHIPPED_MODEL) -> list[Cue]:
    """The risk cues in one narrative entry, in order of position.

    The rules (the lexicon) are tried first; then the learned model (`watchkeeper.cues.model`, the shipped
    weights unless another `Model` or None is given) adds the families the rules did not find whose
    probability reaches the family's threshold, as cues on the words that carried its score (`rule` is
    "model"). A family whose only rule cues are negated ("no weapons mentioned") or ruled out by a hard
    negative ("toy gun") is not raised by the model.

    Negated cues are left out unless `include_negated`, in which case they are returned with
    `negated=True` (for showing the handler why nothing was raised). `today` fixes the date used to turn
    a date of birth into an age (default: the current date)."""
    if not text:
        return []
    compiled = _compiled(lexicon)
    clean = text.translate(_QUOTES)
    lowered = _lower(clean)
    today = today or date.today()
    found: list[Cue] = []
    # Families a hard negative ruled out ("toy gun", "knife block"): the model does not raise them either.
    ruled_out: set[str] = set()
    for rule, m in _matches(compiled, clean, lowered):
        cue = _cue(rule, m, text, clean, lowered, today)
        if isinstance(cue, Cue):
            found.append(cue)
        elif cue is _RULED_OUT:
            ruled_out.add(rule.family)
    found, stood_down = _stand_down(found, clean, lowered)
    ruled_out |= stood_down
    kept = _explained_distress(_one_per_span(found))
    if model is SHIPPED_MODEL:
        from watchkeeper.cues.model import load

        model = load()
    if model is not None:
        covered = {c.family for c in kept} | ruled_out
        hits = [hit for hit in model.hits(text) if hit.family not in covered]
        if hits:  # words that stand a family down stop the model raising it too
            _, stood_down = _stand_down([], clean, lowered, {hit.family for hit in hits})
            hits = [hit for hit in hits if hit.family not in stood_down]
        learned = [cue for hit in hits for cue in _model_cues(hit, text, clean)]
        if learned:
            kept = sorted([*kept, *learned], key=lambda c: (c.start, FAMILIES.index(c.family)))
    return [c for c in kept if include_negated or not c.negated]


_STAND_DOWN = tuple((family, scope, re.compile(rx, re.IGNORECASE), words)
                    for family, entries in STAND_DOWN.items() for scope, rx, words in entries)
_SENTENCE_END = re.compile(r"[.!?\n]\s")


def _stand_down(cues: list[Cue], clean: str, lowered: str,
                model_families: set[str] | None = None) -> tuple[list[Cue], set[str]]:
    """The cues left once the words that stand a family down (`lexicon.STAND_DOWN`) have been applied, and
    the families stood down (no cue of theirs left where the words applied; the model then does not raise
    them). "before": the family's cues before the words go ("misper ... located safe and well"); "sentence":
    its cues in the same sentence go ("I'll kill them if ... - confirmed no threats to anyone")."""
    out: set[str] = set()
    present = {c.family for c in cues}
    # One search per pattern, however many families it stands down (a false alarm stands down three).
    spans: dict[re.Pattern[str], list[tuple[int, int]]] = {}
    for family, scope, rx, words in _STAND_DOWN:
        if (model_families is None or family not in model_families) and family not in present:
            continue
        found = spans.get(rx)
        if found is None:
            found = spans[rx] = ([m.span() for m in rx.finditer(clean)]
                                 if any(word in lowered for word in words) else [])
        for m_start, m_end in found:
            if scope == "before":
                lo, hi = 0, m_start
            else:
                ends = [e.end() for e in _SENTENCE_END.finditer(clean, 0, m_start)]
                lo = ends[-1] if ends else 0
                nxt = _SENTENCE_END.search(clean, m_end)
                hi = nxt.start() + 1 if nxt else len(clean)
            cues = [c for c in cues if c.family != family or not lo <= c.start < hi]
            if not any(c.family == family and not c.negated for c in cues):
                out.add(family)
    return cues, out


_DISTRESS = frozenset(EXPLAINED_BY_CRISIS)
_EXPLAINS_DISTRESS = ("suicide_self_harm", "exploitation_blackmail", "missing")
# A former partner who is only named as the one at risk ("her ex-boyfriend texted: this is goodbye").
_PARTNER_NAMED = frozenset(PARTNER_NAMED)
_EXPLAINS_PARTNER = ("suicide_self_harm", "missing")


def _explained_distress(cues: list[Cue]) -> list[Cue]:
    """Distress near a relative (screaming, fear, hiding, locked in) is a domestic-abuse cue only while
    nothing else explains it: when the text's only domestic-abuse evidence is distress and it also speaks
    of self-harm, exploitation or someone missing, the distress belongs to that ("her son has locked himself
    in since the blackmail message"; "her dad left a note and has gone"). Likewise a former partner who is
    only named, as the one who is suicidal or missing ("her ex-boyfriend texted: this is goodbye")."""
    abuse = [c for c in cues if c.family == "domestic_abuse" and not c.negated]
    if not abuse or any(c.rule not in _DISTRESS and c.rule not in _PARTNER_NAMED for c in abuse):
        return cues
    explains = _EXPLAINS_PARTNER if any(c.rule in _PARTNER_NAMED for c in abuse) else _EXPLAINS_DISTRESS
    if not any(c.family in explains and not c.negated for c in cues):
        return cues
    return [c for c in cues if c.family != "domestic_abuse"]


def _model_cues(hit: Any, text: str, clean: str) -> list[Cue]:
    """The cues for a family the model raised: one per word that carried its score. Negation is read as for
    the rules: when the word that carried most weight is negated in its clause ("not missing"), the family
    is not raised; other negated words are not named."""
    if not hit.spans:
        return []
    suggestion, category, reason = FAMILY_PROMPTS[hit.family]
    why = f"{reason} (learned model, {hit.probability:.0%} likely)"
    strongest = max(hit.spans, key=lambda span: span[2])
    if is_negated(clean, strongest[0], strongest[1]):
        return []
    return [Cue(family=hit.family, phrase=text[s:e], start=s, end=e, snippet=_snippet(text, s, e), negated=False,
                suggestion=suggestion, category=category, reason=why, rule=MODEL_RULE)
            for s, e, _ in hit.spans if (s, e) == strongest[:2] or not is_negated(clean, s, e)]


def _lower(text: str) -> str:
    """Lower case with every character keeping its position (a few characters lengthen when lowered)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)


def _matches(compiled: CompiledLexicon, clean: str, lowered: str) -> Iterable[tuple[_Rule, re.Match[str]]]:
    """Every match of every rule: indexed rules are tried only at word starts that begin as they must;
    the others are searched across the text when their anchor occurs in it."""
    # For rules in `anchored`, whether their rarer literal occurs in this text (checked when first needed).
    present: list[bool | None] = [None] * len(compiled.rules)
    known, rules_for = compiled.candidates, compiled.rules_for
    for ws in _WORD_START.finditer(lowered):
        key = ws.group()
        candidates = known.get(key)
        if candidates is None:
            candidates = rules_for(key)
        if not candidates:
            continue
        p = ws.start()
        for match, i, needs_anchor, anchors, rule in candidates:
            if needs_anchor:
                ok = present[i]
                if ok is None:
                    ok = present[i] = any(anchor in lowered for anchor in anchors)
                if not ok:
                    continue
            m = match(clean, p)
            if m is not None:
                yield rule, m
    for rule in compiled.scanned:
        if rule.anchors is not None:
            hay = clean if rule.case_sensitive else lowered
            if not any(anchor in hay for anchor in rule.anchors):
                continue
        for m in rule.regex.finditer(clean):
            yield rule, m


_RULED_OUT = "ruled out"


def _cue(rule: _Rule, m: re.Match[str], text: str, clean: str, lowered: str, today: date) -> Cue | str | None:
    """The cue a match makes, `_RULED_OUT` when a hard negative next to it cancels it ("unless"), or None
    when its context or age rules it out (requires, age)."""
    s, e = m.span()
    if s == e:
        return None
    if rule.unless is not None and _near(rule.unless, lowered, s, e, rule.unless_window):
        return _RULED_OUT
    if rule.requires is not None and not _near(rule.requires, lowered, s, e, rule.window):
        return None
    age = None
    if rule.max_age is not None:
        age = _age_of(m, today)
        if age is None:
            return None
        if age > rule.max_age:  # a stated adult age rules the family out (the model does not raise it)
            return _RULED_OUT
    negated = rule.negatable and is_negated(clean, s, e)
    reason = rule.reason if age is None else f"{rule.reason} (age {age})"
    return Cue(family=rule.family, phrase=text[s:e], start=s, end=e, snippet=_snippet(text, s, e),
               negated=negated, suggestion=rule.suggestion, category=rule.category, reason=reason,
               rule=rule.source, age=age)


def _one_per_span(cues: list[Cue]) -> list[Cue]:
    """Within a family, overlapping matches become one cue (the earliest, then longest); a cue that is not
    negated wins over a negated one on the same words."""
    ordered = sorted(cues, key=lambda c: (c.family, c.start, -(c.end - c.start), c.negated))
    kept: list[Cue] = []
    for cue in ordered:
        clash = next((k for k in kept if k.family == cue.family and k.start < cue.end and cue.start < k.end), None)
        if clash is None:
            kept.append(cue)
        elif clash.negated and not cue.negated:
            kept[kept.index(clash)] = cue
    return sorted(kept, key=lambda c: (c.start, FAMILIES.index(c.family)))


def families(cues: Iterable[Cue]) -> set[str]:
    """The families with at least one cue that is not negated."""
    return {c.family for c in cues if not c.negated}


def prompts(cues: Iterable[Cue]) -> list[dict[str, Any]]:
    """One prompt per family, as the handler sees it: the suggestion, category, reason, every phrase that
    raised it and where each stands in the entry (`spans`, [start, end) character offsets, for highlighting),
    and whether the rules or the learned model raised it (so accepting or dismissing it is one decision with
    one recorded reason, and the record shows which words it was about)."""
    by_family: dict[str, dict[str, Any]] = {}
    for cue in cues:
        if cue.negated:
            continue
        prompt = by_family.setdefault(cue.family, {
            "family": cue.family, "suggestion": cue.suggestion, "category": cue.category, "reason": cue.reason,
            "phrases": [], "spans": [], "first_at": cue.start,
            "source": "model" if cue.rule == MODEL_RULE else "rules",
        })
        if cue.phrase not in prompt["phrases"]:
            prompt["phrases"].append(cue.phrase)
        if [cue.start, cue.end] not in prompt["spans"]:
            prompt["spans"].append([cue.start, cue.end])
    return sorted(by_family.values(), key=lambda p: FAMILIES.index(p["family"]))
