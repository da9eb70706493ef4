"""Promises made to a caller (L11), found in narrative text: the phrases as data, and pure functions over them
(no Django imports).

Why: "I will make enquiries and call you back" written in a log and never turned into a task is a promise
nobody owns; the caller waits, and the next handler does not know anything was promised. Every narrative entry
is scanned; each promise becomes a prompt to create a task with an owner and a due time.

A promise is a commitment by the writer or the force, in one of these shapes:
- a subject that is ours (`SUBJECTS`: "I", "we", "someone", "an officer", "the local team", "PC 1234",
  "DS Moore", "the OIC", "someone from CID"...; `STAFF` are the ones that are people or teams of the force),
  a modal ("will", "'ll", "would", "am going to", "w/b" for "will be") and an act that follows a call up
  (`ACTS`: call back, ring, update, make enquiries, be in touch, get the OIC to ring, give her a call...);
- a handler's shorthand with no subject at the start of a sentence or clause ("Will ring you in 10
  minutes", "spoke to caller, will cb asap");
- a shorthand plan at the start of a clause (`PLANS`): "cb in 30 mins", "call back booked for 1600",
  "promised caller an update by 5pm", "agreed to ring her back at 4";
- one of ours tasked with an act ("PC 1234 to contact the IP", "NPT to visit and update the caller");
- the caller as the one to be contacted (`PASSIVE`): "caller will be updated by the OIC", "IP to be rung
  back tomorrow", "an update will be given once the car is recovered".
It is not a promise when:
- someone else makes it ("he will call back", "the council will update her", "caller will ring back");
- it is a question ("will you call me back?", "caller asked if we will ring her");
- it reports a promise that was not kept ("they said they'd ring but never did", "was told last week that
  someone would ring, nobody did") (`NOT_KEPT`, `REPORTED_PAST`);
- it is negated ("I will not be calling back");
- it waits on the caller or someone else doing something first (`CONDITIONS`): "if he comes back we will send
  someone", "if she rings again we will update her". Nothing is owed until that happens, and that next
  contact is its own entry. A condition on our own work still counts ("I'll let you know if anything comes
  back on the vehicle", "we'll send a unit when one is free", "will ring once we've spoken to the school");
- it is quoted ('male shouting "I'll call the police on you"'): words in double quotes are someone's speech;
- the entry is the caller's own account (``speaker="caller"``): a caller's words never commit the force.

Format of the data: `SUBJECTS`, `STAFF`, `ACTS`, `PLANS` and `PASSIVE` are lists of regular expressions
(case-insensitive, joined as alternatives, matched at word boundaries; `CALLER` and `STAFF` may be used inside
`ACTS`, `PLANS` and `PASSIVE` as ``{CALLER}`` and ``{STAFF}``); `NOT_KEPT`, `REPORTED_PAST`, `QUESTION` and
`CONDITIONS` are lists of regular expressions searched in the promise's sentence (`CONDITIONS` only in the
promise's own clause, before or just after it). `DUE_PHRASES` say when a promise is due:
``{"pattern", "kind", ...}`` where ``kind`` is
- ``"duration"``: a pattern with groups ``n`` (digits or a word in `AMOUNTS`) and ``unit`` (minutes, hours
  or days; empty means minutes, "ring back in 20"): due that long after the entry ("in 10 minutes", "within
  the next couple of hours"); a range ("in 10-15 mins") is due at its end;
- ``"minutes"``: a fixed number of minutes (``"minutes"``) ("within the hour");
- ``"clock"``: groups ``h``, ``m`` and ``ap``: that time today, or tomorrow when it has passed ("by 6pm",
  "at 16:45", "by 1700hrs");
- ``"part"``: groups ``day`` (today or tomorrow words) and ``part`` (a key of `PARTS_OF_DAY`, dots removed):
  the start of that part of the day, or its end when it has already begun ("tomorrow morning", "this
  evening", "tomorrow p.m.");
- ``"end"``: groups ``day`` and ``part``: the end of that part of today ("later today": the end of "day");
- ``"weekday"``: groups ``day`` (a weekday) and ``part`` (optional, default morning): the first start of that
  part on that weekday after the entry ("on Tuesday", "Friday afternoon").
Vague times ("asap", "shortly", "next week") state no time that can be placed. A promise with no stated time
is due after the policy's ``promise_due_minutes``.

The evaluation set (`promise_eval.jsonl`, measured by `watchkeeper eval-cues`, see `evaluate.load_promise_set`)
was written in batches, each measured blind before any change it was used for: batches 1 and 4 are "tuned"
(the phrases above were changed while reading only their disagreements); batches 2 and 3 are held out
(``"holdout": true``) and have never been used to change the phrases. Whoever tunes next reads only the tuned
disagreements, and writes a new held-out batch before using an old one. Labels follow the rules above (a
condition on someone else is not a promise); ``due_minutes`` is the time the first promise states, counted
from `evaluate.EVAL_NOW`, by the kinds above, or null when it states no time that can be placed.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import datetime, time, timedelta
from typing import Any

# Who a promise is made to: the caller, by any of the names a log gives them.
CALLER = (r"(?:(?:the\s+)?(?:caller|rp|ip|informant|complainant|victim|reporting\s+person|injured\s+party)|"
          r"you|u|her|him|them)")
# Ranks and roles of the force, alone or with a collar number or a name ("PC 1234", "DS Moore", "Sgt").
_RANK = r"(?:pcso|pc|ps|dc|ds|di|dci|sgt|sergeant|insp|inspector|constable)"
STAFF: list[str] = [
    rf"{_RANK}(?:\s*\d{{2,6}}|\s+(?!(?:will|would|shall|to|w|is|are|has|had)\b)[a-z][\w'-]*)?",
    r"(?:the|our|my|a|an)\s+(?:duty\s+|local\s+|attending\s+|investigating\s+|neighbourhood\s+|on-?call\s+)?"
    r"(?:oic|officer\s+in\s+(?:charge|the\s+case)|supervisor|sergeant|sgt|inspector|officer|pcso|pc|crew|"
    r"patrol|dog\s+unit|unit|detective|dog\s+handler|colleague)",
    r"oic", r"npt", r"snt", r"cid", r"officers", r"patrols?", r"local\s+officers",
    r"(?:the\s+|our\s+)?(?:local|neighbourhood|response|safeguarding|investigating|duty|control\s+room|"
    r"missing\s+persons?|rural\s+crime|dog|roads\s+policing|public\s+protection|cid)\s+"
    r"(?:team|unit|officers?|sergeant|inspector|patrols?)",
    r"(?:someone|somebody|a\s+member|an?\s+officer|officers)\s+(?:from|of)\s+(?:the\s+|our\s+)?"
    r"(?:[\w-]+\s+){0,2}?(?:team|unit|cid|npt|snt)",
]
SUBJECTS: list[str] = [r"i", r"we", r"someone", r"somebody", r"the\s+police", *STAFF]
# The modal that makes a statement a commitment ("will", "'ll", "would" in "told her I would", "w/b" for
# "will be"), not "will not".
MODAL = (r"(?:'ll|'d|\s+will|\s+would|\s+shall|\s+w/b|'m\s+going\s+to|'re\s+going\s+to|"
         r"\s+(?:am|are|is)\s+going\s+to)")
ADVERBS = (r"(?:\s+(?:then|now|also|definitely|personally|certainly|both|try\s+(?:to|and)|aim\s+to|"
           r"make\s+sure\s+to|do\s+(?:my|our)\s+best\s+to|endeavour\s+to|be\s+able\s+to)){0,2}")
ACTS: list[str] = [
    r"(?:call|ring|phone|telephone|text|email|e-mail|c/?b)(?!\s+(?:it|this)\s+in\b)",
    r"contact", r"get\s+back\s+to", r"come\s+back\s+to", r"(?:(?:be|get)\s+)?in\s+(?:touch|contact)",
    r"make\s+contact", r"give\s+{CALLER}\s+a\s+(?:ring|call|bell|phone)",
    r"update(?!\s+(?:the\s+)?(?:log|incident|record|cad|system|pnc|grade|crime\s+report)\b)",
    r"let\s+{CALLER}\s+know", r"keep\s+{CALLER}\s+(?:updated|informed|posted)",
    r"make\s+(?:some\s+|further\s+)?enquiries", r"look\s+into", r"find\s+out", r"chase(?:\s+up)?",
    r"check", r"arrange", r"send\s+(?:someone|somebody|an?\s+officer|officers|a\s+unit|a\s+pcso|a\s+patrol)",
    r"get\s+(?:an?\s+officer|someone|somebody|a\s+unit|a\s+pcso|officers|a\s+patrol)",
    r"(?:get|ask|have|arrange\s+for)\s+(?:{STAFF})\s+to\b",
    r"have\s+(?:someone|somebody|an?\s+officer|officers|a\s+unit|a\s+patrol|{STAFF})\s+(?:with|out|round|there|"
    r"call|ring|phone|contact|visit|pop|come)",
    r"make\s+sure\s+(?:someone|somebody|an?\s+officer|officers|{STAFF})\s+(?:calls|rings|phones|contacts|visits|"
    r"gets\s+back|is\s+in\s+touch)",
    r"be\s+with\s+{CALLER}", r"(?:advise|inform|notify)\s+{CALLER}", r"feed\s*back\s+to",
    r"pop\s+(?:round|in|over|by)", r"drop\s+(?:round|in|over|by)", r"swing\s+by", r"visit",
    r"come\s+(?:round|out|over|and\s+see)", r"speak\s+(?:to|with)",
    r"pass\s+(?:this|it|that|the|your|her|his|their|on)", r"refer", r"follow\s+(?:up|this\s+up|it\s+up)",
    r"take\s+a\s+statement", r"come\s+and\s+see",
]
# Shorthand plans at the start of a clause, with no subject: ours by being written in the handler's narrative.
PLANS: list[str] = [
    r"(?:c/?b|call\s*-?\s*back|ring\s*-?\s*back)(?:\s+to\s+{CALLER})?(?=\s+(?:in|within|at|by|for|before|after|"
    r"once|when|tomorrow|tonight|today|this|later|asap|arranged|booked|scheduled|agreed|planned|due)\b)",
    r"(?:promised|agreed|arranged|undertook|offered)\s+(?:{CALLER}\s+)?(?:to\s+(?:{ACT})|"
    r"(?:a|an)\s+(?:call\s*-?\s*back|callback|update|visit|call|ring)\b)",
    r"arranged\s+for\s+(?:{STAFF}|someone|somebody)\s+to\b",
    r"(?:{STAFF})\s+to\s+(?:attend\s+(?:and|to)\s+)?(?:{ACT})",
]
# The caller as the one to be contacted, or an update as the thing to be given.
PASSIVE: list[str] = [
    r"(?:{CALLER}|she|he|they|(?:an?\s+)?updates?|(?:a\s+)?call\s*-?\s*backs?)\s+(?:w/b|(?:will|shall|is\s+to|"
    r"are\s+to|to)\s+be)\s+(?:updated|contacted|called|rung|phoned|visited|informed|advised|kept\s+(?:updated|"
    r"informed)|given|provided|passed|made|sent|texted|emailed|arranged|booked)\b",
]
# Said in a sentence, these show a reported promise that was not kept (not a new commitment).
NOT_KEPT: list[str] = [
    r"never\s+did", r"nobody\s+did", r"no\s+one\s+did", r"no-one\s+did", r"but\s+(?:didn'?t|did\s+not)",
    r"never\s+(?:happened|came|rang|called)", r"no\s+record", r"still\s+waiting", r"nobody\s+(?:rang|called)",
    r"no\s+one\s+(?:rang|called)", r"heard\s+nothing", r"(?:did\s+not|didn'?t)\s+happen",
    r"but\s+(?:has|have)(?:\s+not|n'?t)\b", r"(?:nobody|no\s+one|no-one)\s+came",
]
# With "would" or "'d", these make the sentence a report of something said before, not a promise now.
REPORTED_PAST: list[str] = [
    r"(?:was|were|had\s+been)\s+told", r"previous(?:ly)?", r"earlier", r"last\s+(?:week|night|time|month)",
    r"yesterday", r"had\s+said", r"promised",
]
# A sentence that asks rather than commits.
QUESTION: list[str] = [
    r"\?\s*$", r"\b(?:asked|asks|asking|wants\s+to\s+know|wanted\s+to\s+know|wondering)\s+(?:if|whether|when|"
    r"will|would)\b", r"\bwill\s+you\b",
]
# A condition that waits on the caller or someone else (not on our own work: "if we find", "if anything
# comes back"), in the promise's own clause: nothing is owed until it happens.
CONDITIONS: list[str] = [
    r"\b(?:if|unless|in\s+case|in\s+the\s+event\s+(?:that\s+)?)\s+(?!(?:we|i|officers?|the\s+police|anything|"
    r"something|nothing|our)\b)",
    r"(?:^|[,;:(-]\s*|\b(?:that|advised|told\s+\w+)\s+)should\s+(?!(?:we|i)\b)(?:he|she|they|you|it|the\s+\w+)\s",
]
# Amount words in durations.
AMOUNTS: dict[str, float] = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "ten": 10, "fifteen": 15,
    "twenty": 20, "thirty": 30, "forty": 40, "forty-five": 45, "a couple of": 2, "couple of": 2, "a few": 3,
    "few": 3, "half an": 0.5,
}
# Parts of the day (local time): (start, end) hours. "am"/"pm" as in "tomorrow a.m."; "day" as in "later today".
PARTS_OF_DAY: dict[str, tuple[int, int]] = {"morning": (9, 12), "afternoon": (14, 17), "evening": (19, 22),
                                            "night": (19, 22), "lunchtime": (12, 14), "am": (9, 12),
                                            "pm": (14, 17), "day": (9, 22)}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_AMOUNT = (r"(?P<n>\d{1,3}|(?:a\s+)?couple\s+of|(?:a\s+)?few|half\s+an|forty-five|an|a|one|two|three|four|"
           r"five|six|ten|fifteen|twenty|thirty|forty)")
_RANGE = r"(?:\d{1,3}\s*(?:-|\u2013|to)\s*)?"
_UNIT = r"(?:minutes?|mins?|hours?|hrs?|days?)"
_PART = r"(?P<part>morning|afternoon|evening|lunchtime|night|a\.m\.?|p\.m\.?|am\b|pm\b)"
DUE_PHRASES: list[dict[str, Any]] = [
    {"pattern": rf"(?:in|within)\s+(?:the\s+next\s+)?{_RANGE}{_AMOUNT}\s*(?P<unit>{_UNIT})\b", "kind": "duration"},
    {"pattern": r"(?:in|within)\s+(?:the\s+next\s+)?half\s+(?:an\s+)?hour", "kind": "minutes", "minutes": 30},
    {"pattern": r"(?:within|in)\s+the\s+(?:next\s+)?hour", "kind": "minutes", "minutes": 60},
    {"pattern": rf"(?:in|within)\s+(?:the\s+next\s+)?{_RANGE}(?P<n>\d{{1,3}})(?P<unit>)"
                rf"(?![\w:/-]|\.\d)(?!\s*(?:{_UNIT}|%|a\.?m\b|p\.?m\b))", "kind": "duration"},
    {"pattern": r"(?:by|at|before|around|about|for)\s+(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?\s*"
                r"(?P<ap>am|pm|a\.m\.|p\.m\.)", "kind": "clock"},
    {"pattern": r"(?:by|at|before|around|about|for)\s+(?P<h>[01]?\d|2[0-3])[:.](?P<m>[0-5]\d)(?P<ap>)"
                r"(?!\s*(?:am|pm))(?:\s*hrs\b)?", "kind": "clock"},
    {"pattern": r"(?:by|at|before|around|about|for)\s+(?P<h>[01]\d|2[0-3])(?P<m>[0-5]\d)(?P<ap>)(?:\s*hrs\b)?"
                r"(?![\w:]|\.\d)", "kind": "clock"},
    {"pattern": rf"(?P<day>tomorrow|this|later\s+this)\s+{_PART}", "kind": "part"},
    {"pattern": r"(?P<day>tonight)(?P<part>)", "kind": "part"},
    {"pattern": r"(?P<day>tomorrow)(?P<part>)", "kind": "part"},
    {"pattern": r"(?P<day>(?:later\s+)?today)(?P<part>)", "kind": "end"},
    {"pattern": rf"(?:(?:on|this|next)\s+)?(?P<day>{'|'.join(WEEKDAYS)})(?:\s+{_PART})?", "kind": "weekday"},
]


@dataclass(frozen=True)
class Promise:
    """One commitment in an entry: the words that make it, where, its sentence and any stated due time."""

    phrase: str
    start: int
    end: int
    sentence: str
    due_phrase: str | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _alternatives(items: list[str]) -> str:
    return "(?:" + "|".join(f"(?:{i})" for i in items) + ")"


_STAFF = _alternatives(STAFF)
_ACT = _alternatives([a.replace("{CALLER}", CALLER).replace("{STAFF}", _STAFF) for a in ACTS])


def _fill(items: list[str]) -> str:
    return _alternatives([i.replace("{CALLER}", CALLER).replace("{STAFF}", _STAFF).replace("{ACT}", _ACT)
                          for i in items])


_CLAUSE = r"(?:^|(?<=[.;:!\n])|(?<=\band)|(?<=\bthen)|(?<=,))\s*"
_EXPLICIT = re.compile(rf"(?<![\w'/])(?:{_alternatives(SUBJECTS)}){MODAL}(?!\s+not\b|n't){ADVERBS}\s+(?:{_ACT})"
                       r"(?![\w/])", re.IGNORECASE)
# A handler's shorthand: a sentence (or a clause after "and" or a comma) that begins with the modal.
_IMPLICIT = re.compile(rf"{_CLAUSE}(?:will|shall|w/b){ADVERBS}\s+(?:{_ACT})(?![\w/])", re.IGNORECASE)
_PLAN = re.compile(rf"{_CLAUSE}{_fill(PLANS)}(?![\w/])", re.IGNORECASE)
_PASSIVE = re.compile(rf"(?<![\w'/]){_fill(PASSIVE)}", re.IGNORECASE)
_NOT_KEPT = re.compile(_alternatives(NOT_KEPT), re.IGNORECASE)
_REPORTED_PAST = re.compile(_alternatives(REPORTED_PAST), re.IGNORECASE)
_QUESTION = [re.compile(q, re.IGNORECASE) for q in QUESTION]
_CONDITION = re.compile(_alternatives(CONDITIONS), re.IGNORECASE)
# A sentence ends at ".", "!" or "?" followed by a space or the end ("6.30pm" and "a.m." do not end one).
_SENTENCE = re.compile(r"(?:[^.!?\n]|[.!?](?!\s|$))+[.!?]*")
# The clause boundaries a condition does not reach across.
_CLAUSE_BREAK = re.compile(r"[;:]|,|\b(?:and|but|so|then)\b", re.IGNORECASE)
# "Will, the caller's son, will ring back": a named person in apposition is the subject, not the handler.
_APPOSITION = re.compile(r"^\s*[\w'-]+\s*,\s*[^,]*(?:'s|\b(?:her|his|their))\s+[\w-]+\s*,\s*$", re.IGNORECASE)
_QUOTED = re.compile(r'"[^"]*(?:"|$)')
_DUE = [(re.compile(d["pattern"], re.IGNORECASE), d) for d in DUE_PHRASES]
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


def find_promises(text: str, *, speaker: str = "staff") -> list[Promise]:
    """L11: the promises to a caller in one entry, in order. `speaker` is "staff" for the handler's own
    narrative and "caller" for the caller's account (which never commits the force)."""
    if not text or speaker != "staff":
        return []
    clean = text.translate(_QUOTES)
    quoted = [(q.start(), q.end()) for q in _QUOTED.finditer(clean)]
    found: list[Promise] = []
    for sm in _SENTENCE.finditer(clean):
        sentence = sm.group()
        if not sentence.strip() or any(q.search(sentence) for q in _QUESTION) or _NOT_KEPT.search(sentence):
            continue
        base = sm.start()
        for rx in (_EXPLICIT, _PLAN, _PASSIVE, _IMPLICIT):
            for m in rx.finditer(sentence):
                words = m.group().strip()
                if not words:
                    continue
                if re.search(r"(?:'d|would)\b", words, re.IGNORECASE) and _REPORTED_PAST.search(sentence):
                    continue
                start = base + m.start() + (len(m.group()) - len(m.group().lstrip()))
                end = base + m.end()
                if any(a <= start < b for a, b in quoted) or _waits_on_others(sentence, m.start(), m.end()):
                    continue
                if rx is _IMPLICIT and _APPOSITION.search(sentence[:m.start()]):
                    continue
                if any(p.start <= start < p.end or start <= p.start < end for p in found):
                    continue
                found.append(Promise(phrase=text[start:end], start=start, end=end,
                                     sentence=" ".join(text[sm.start():sm.end()].split()),
                                     due_phrase=_due_phrase(sentence[m.start():])))
    # One promise per sentence: "I'll ring the hospital and let you know" is one commitment.
    out: list[Promise] = []
    for p in sorted(found, key=lambda p: p.start):
        if not out or out[-1].sentence != p.sentence:
            out.append(p)
    return out


def _waits_on_others(sentence: str, start: int, end: int) -> bool:
    """Whether the promise's own clause makes it wait on the caller or someone else ("if he comes back")."""
    before = sentence[:start]
    cut = [m.end() for m in re.finditer(r"[;:]|\b(?:and|but|so|then)\b", before, re.IGNORECASE)]
    before = before[cut[-1]:] if cut else before
    after = sentence[end:]
    stop = _CLAUSE_BREAK.search(after)
    after = after[:stop.start()] if stop else after
    return bool(_CONDITION.search(before) or _CONDITION.search(after))


def _due_phrase(rest: str) -> str | None:
    best: re.Match[str] | None = None
    for rx, _ in _DUE:
        m = rx.search(rest)
        if m is not None and (best is None or m.start() < best.start()):
            best = m
    return best.group() if best else None


def stated_due(phrase: str | None, now: datetime) -> datetime | None:
    """The due time a phrase states ("in 10 minutes", "by 6pm", "tomorrow morning", "later today", "on
    Tuesday"), from `now` (an aware datetime in the force's local time), or None when it states none that can
    be placed."""
    if not phrase:
        return None
    for rx, spec in _DUE:
        m = rx.fullmatch(phrase)
        if m is None:
            continue
        kind = spec["kind"]
        if kind == "minutes":
            return now + timedelta(minutes=int(spec["minutes"]))
        if kind == "duration":
            raw = " ".join(m.group("n").lower().split())
            n = float(raw) if raw.isdigit() else AMOUNTS.get(raw)
            if n is None:
                return None
            unit = m.group("unit").lower()
            per = 1440 if unit.startswith("d") else 60 if unit.startswith("h") else 1
            return now + timedelta(minutes=n * per)
        if kind == "clock":
            hour, minute = int(m.group("h")), int(m.group("m") or 0)
            ap = (m.group("ap") or "").replace(".", "").lower()
            if ap and not 1 <= hour <= 12:
                return None
            if ap == "pm" and hour != 12:
                hour += 12
            elif ap == "am" and hour == 12:
                hour = 0
            if hour > 23 or minute > 59:
                return None
            due = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
            return due if due > now else due + timedelta(days=1)
        day = " ".join(m.group("day").lower().split())
        part = (m.group("part") or "").replace(".", "").lower()
        if kind == "end":
            end = datetime.combine(now.date(), time(PARTS_OF_DAY[part or "day"][1]), tzinfo=now.tzinfo)
            return end if end > now else None
        if kind == "weekday":
            start_h = PARTS_OF_DAY[part or "morning"][0]
            ahead = (WEEKDAYS.index(day) - now.weekday()) % 7
            start = datetime.combine(now.date() + timedelta(days=ahead), time(start_h), tzinfo=now.tzinfo)
            return start if start > now else start + timedelta(days=7)
        if kind == "part":
            part = part or ("evening" if day == "tonight" else "morning")
            start_h, end_h = PARTS_OF_DAY[part]
            date = now.date() + timedelta(days=1 if day == "tomorrow" else 0)
            start = datetime.combine(date, time(start_h), tzinfo=now.tzinfo)
            if start > now:
                return start
            end = datetime.combine(date, time(end_h), tzinfo=now.tzinfo)
            return end if end > now else None
    return None


def due_at(promise: Promise, now: datetime, default_minutes: int) -> tuple[datetime, bool]:
    """L11: when a promise is due: the time it states, else `default_minutes` (policy) after `now`. Returns
    the time and whether it was stated."""
    stated = stated_due(promise.due_phrase, now)
    if stated is not None:
        return stated, True
    return now + timedelta(minutes=default_minutes), False
