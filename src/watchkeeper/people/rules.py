"""The safeguards of people, places and call-time context: pure functions over plain data (no Django).

Normalisation (names, addresses, phones) is here too, because whether two records are the same person or
place is itself a safeguard decision (C1): a missed match is a missed history.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import jellyfish
import phonenumbers
from rapidfuzz import fuzz

from watchkeeper.core.errors import Invalid, Refusal
from watchkeeper.core.policy import Policy

# ------------------------------------------------------------------------------------------- names
_NAME_CHARS = re.compile(r"[^a-z ]+")


def fold_name(name: str) -> str:
    """Lower case, letters and single spaces only; apostrophes vanish (O'Brien = OBrien)."""
    plain = name.casefold().replace("'", "").replace("\u2019", "")
    return " ".join(_NAME_CHARS.sub(" ", plain).split())


def sound_key(given_names: str, family_name: str) -> str:
    """Metaphone of the family name, then of the first given name: "Jon Smyth" and "John Smith" share it."""
    family = fold_name(family_name).replace(" ", "")
    first = (fold_name(given_names).split() or [""])[0]
    return f"{jellyfish.metaphone(family) if family else ''}|{jellyfish.metaphone(first) if first else ''}"


def split_name(full: str) -> tuple[str, str]:
    """"John Smith" -> ("John", "Smith"); "Smith, John" -> ("John", "Smith")."""
    full = " ".join(full.split())
    if "," in full:
        family, _, given = full.partition(",")
        return given.strip(), family.strip()
    parts = full.split(" ")
    if len(parts) == 1:
        return "", parts[0]
    return " ".join(parts[:-1]), parts[-1]


def name_score(query: str, candidate: str) -> float:
    """0-100: how alike two names are, ignoring order and spelling slips."""
    return float(fuzz.token_sort_ratio(fold_name(query), fold_name(candidate)))


# --------------------------------------------------------------------------------------- addresses
_ABBREVIATIONS = {
    "st": "street", "rd": "road", "ave": "avenue", "av": "avenue", "ln": "lane", "dr": "drive",
    "ct": "court", "cres": "crescent", "pl": "place", "sq": "square", "gdns": "gardens", "cl": "close",
    "tce": "terrace", "pk": "park", "hse": "house", "apt": "flat", "apartment": "flat",
}
_POSTCODE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})\b", re.IGNORECASE)
# "Flat 2", "flat 2b", "Apartment 4", "Flat A": the flat is part of the key, wherever it is written.
_FLAT = re.compile(r"\b(?:flat|apt|apartment|unit)\s*([0-9]+[a-z]?|[a-z])\b", re.IGNORECASE)


@dataclass(frozen=True)
class AddressKey:
    key: str
    street_key: str
    postcode: str
    flat: str
    number: str

    @classmethod
    def stored(cls, key: str) -> AddressKey:
        """The parts of a key as address_key wrote it ("flat|number|street words|POSTCODE"), without parsing
        the address text again. The postcode comes back without its space, which scores the same."""
        flat, number, street_key, postcode = key.split("|", 3)
        return cls(key=key, street_key=street_key, postcode=postcode, flat=flat, number=number)

    @property
    def street_prefixes(self) -> list[str]:
        """The street words cut after each word: "high street leeds" -> "high", "high street", and the whole.
        A place held without the town a caller adds is held under one of them."""
        words = self.street_key.split(" ")
        return [" ".join(words[:i]) for i in range(1, len(words) + 1)]


def normalise_postcode(text: str) -> str:
    m = _POSTCODE.search(text)
    return f"{m.group(1).upper()} {m.group(2).upper()}" if m else ""


def address_key(text: str) -> AddressKey:
    """A canonical key: flat, building number, street words (abbreviations expanded), postcode.
    "Flat 2, 10 High St" and "10 High Street flat 2" give the same key."""
    postcode = normalise_postcode(text)
    rest = _POSTCODE.sub(" ", text)
    flat_m = _FLAT.search(rest)
    flat = flat_m.group(1).lower() if flat_m else ""
    rest = _FLAT.sub(" ", rest)
    words = [_ABBREVIATIONS.get(w, w) for w in re.sub(r"[^a-z0-9 ]+", " ", rest.casefold()).split()]
    number = next((w for w in words if re.fullmatch(r"[0-9]+[a-z]?", w)), "")
    street = [w for w in words if w != number]
    street_key = " ".join(street)
    key = "|".join([flat, number, street_key, postcode.replace(" ", "")])
    return AddressKey(key=key, street_key=street_key, postcode=postcode, flat=flat, number=number)


def address_score(query: str, candidate: str) -> float:
    """0-100: how likely two written addresses are the same place. A different flat, building number or
    postcode (where both give one) is a different place; otherwise the street words are compared ignoring
    order, and a street written with its town ("10 High Street, Anytown") still matches the bare street."""
    return key_score(address_key(query), address_key(candidate))


def key_score(a: AddressKey, b: AddressKey) -> float:
    """address_score on two keys already made (a lookup scores hundreds of held keys against one typed)."""
    if a.number and b.number and a.number != b.number:
        return 0.0
    if a.flat and b.flat and a.flat != b.flat:
        return 0.0
    if a.postcode and b.postcode and a.postcode.replace(" ", "") != b.postcode.replace(" ", ""):
        return 0.0
    if not a.street_key or not b.street_key:
        return 0.0
    whole = fuzz.token_sort_ratio(a.street_key, b.street_key)
    contained = fuzz.token_set_ratio(a.street_key, b.street_key) - 10  # one adds a town or district
    return float(max(whole, contained))


# ------------------------------------------------------------------------------------------ phones
def normalise_phone(raw: str, region: str = "GB") -> str:
    """E.164 (e.g. +447700900123). Refused with a clear message when it cannot be a phone number."""
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise Invalid(f"{raw!r} is not a phone number: {exc}", "phone") from exc
    # A number that could only be dialled locally (no area code) has no E.164 form: it matches nothing.
    if phonenumbers.is_possible_number_with_reason(parsed) != phonenumbers.ValidationResult.IS_POSSIBLE:
        raise Invalid(f"{raw!r} is not a possible phone number (give the full number with its area code)",
                      "phone")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def try_phone(raw: str, region: str = "GB") -> str | None:
    try:
        return normalise_phone(raw, region) if raw.strip() else None
    except Invalid:
        return None


# ---------------------------------------------------------------------------------------------- C2
def check_caller_age(channel: str, dob: date | None, age: int | None, reason: str, policy: Policy) -> None:
    """C2: the caller's date of birth or age is captured, or an explicit reason is recorded."""
    if channel in policy["age_exempt_channels"]:
        return
    if dob is None and age is None and not reason.strip():
        raise Refusal(
            "Record the caller's date of birth or age, or say why it could not be taken.",
            safeguard="C2",
            next_step="Ask the caller their age; if you cannot, give the reason (e.g. caller hung up).",
        )


def age_on(dob: date | None, age: int | None, today: date) -> int | None:
    if dob is not None:
        return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))
    return age


def is_child(dob: date | None, age: int | None, today: date, policy: Policy) -> bool:
    """C2: under the configured age (18) raises the child-safeguarding prompts."""
    years = age_on(dob, age, today)
    return years is not None and years < int(policy["child_age_under"])


# ---------------------------------------------------------------------------------------------- C5
def required_checks(flags: Iterable[str], category: str, policy: Policy) -> list[str]:
    """C5: the intelligence checks a log's flags and category require (policy data)."""
    wanted: list[str] = []
    table: dict[str, list[str]] = policy["required_checks"]
    for key in [*flags, f"category:{category}"]:
        for kind in table.get(key, []):
            if kind not in wanted:
                wanted.append(kind)
    return wanted


# ---------------------------------------------------------------------------------------------- C7
def address_discrepancy(held: str | None, given: str | None) -> bool:
    """C7: the address a referrer gives differs from the one held (by key, not by spelling)."""
    if not held or not given:
        return False
    return address_key(held).key != address_key(given).key


# ---------------------------------------------------------------------------------------------- C8
def pattern_prompt(incidents: Sequence[datetime], now: datetime, policy: Policy) -> dict[str, Any] | None:
    """C8: several related incidents between the same people within the window raise a pattern prompt
    (stalking, harassment, coercive control)."""
    rule = policy["pattern_window"]
    since = now - timedelta(days=int(rule["days"]))
    recent = sorted(t for t in incidents if t >= since)
    if len(recent) >= int(rule["at_least"]):
        return {"count": len(recent), "days": int(rule["days"]), "first": recent[0].isoformat()}
    return None


# ---------------------------------------------------------------------------------------------- M2
def scheme_end(starts_at: datetime, requested_end: datetime | None, policy: Policy) -> datetime:
    """M2: a special scheme lasts at most the configured maximum (6 months by default)."""
    longest = starts_at + timedelta(days=int(policy["scheme_max_days"]))
    if requested_end is None:
        return longest
    if requested_end <= starts_at:
        raise Invalid("A scheme must end after it starts", "ends_at")
    if requested_end > longest:
        raise Refusal(
            f"A special scheme lasts at most {policy['scheme_max_days']} days.",
            safeguard="M2",
            next_step="Choose an earlier end; extend it at review if the risk remains.",
        )
    return requested_end


def scheme_review_at(ends_at: datetime, policy: Policy) -> datetime:
    """M2: the officer's review task falls due this long before the scheme ends."""
    return ends_at - timedelta(days=int(policy["scheme_review_days_before"]))


def check_scheme_removal(contact_attempts: int) -> None:
    """M2: a scheme is removed only after a recorded attempt to contact the victim."""
    if contact_attempts < 1:
        raise Refusal(
            "A special scheme cannot be removed without a recorded attempt to contact the victim.",
            safeguard="M2",
            next_step="Contact the victim (or record your attempts and their outcome), then remove it.",
        )


def scheme_active(starts_at: datetime, ends_at: datetime, removed_at: datetime | None, now: datetime) -> bool:
    return removed_at is None and starts_at <= now < ends_at


# ---------------------------------------------------------------------------------------------- D5
def grade_floor(floors: Iterable[str], policy: Policy) -> str | None:
    """D5: the most urgent floor of the active schemes on the caller's phone or address."""
    best: str | None = None
    for g in floors:
        rank = policy.grade_rank(g)
        if rank is not None and (best is None or rank < (policy.grade_rank(best) or 99)):
            best = g
    return best


# ---------------------------------------------------------------------------------------------- M3
@dataclass(frozen=True)
class OrderFact:
    order_id: int
    kind: str
    restricted_id: int
    protected_person_ids: frozenset[int]
    protected_address_ids: frozenset[int]
    starts_on: date
    ends_on: date | None


def possible_breaches(
    orders: Iterable[OrderFact], person_ids: set[int], address_ids: set[int], today: date
) -> list[OrderFact]:
    """M3: a contact involving a restricted person together with a protected person or place."""
    found = []
    for o in orders:
        if o.starts_on > today or (o.ends_on is not None and o.ends_on < today):
            continue
        if o.restricted_id in person_ids and (o.protected_person_ids & person_ids or
                                              o.protected_address_ids & address_ids):
            found.append(o)
    return found


# ---------------------------------------------------------------------------------------------- M4
def firearms_referral_needed(flags: Iterable[str], category: str, holder_involved: bool, policy: Policy) -> bool:
    """M4: a domestic-abuse or mental-health incident involving a certificate holder needs a referral to
    firearms licensing.

    `flags` holds the log's flags, "category:<code>" and "cue:<family>" for each risk cue on it. A policy
    trigger "cue:<name>" matches the cue family of that name or any family whose name begins "<name>_"
    ("cue:mental_health" matches the family "mental_health_learning_disability"), so a force names the
    family as its staff say it."""
    if not holder_involved:
        return False
    present = {*flags, f"category:{category}"}
    for trigger in policy["firearms_referral_triggers"]:
        if trigger in present:
            return True
        if trigger.startswith("cue:") and any(p.startswith(trigger + "_") for p in present if p.startswith("cue:")):
            return True
    return False
