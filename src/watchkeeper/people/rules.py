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


def scheme_in_force(starts_at: datetime, removed_at: datetime | None, now: datetime) -> bool:
    """M2, D5: a scheme is in force from its start until a person ends it. Past its end date without a
    decision it is "review overdue", still in force (its floor applies): protection never lapses silently."""
    return removed_at is None and starts_at <= now


def scheme_state(starts_at: datetime, ends_at: datetime, removed_at: datetime | None, now: datetime) -> str:
    """M2: removed, future, active, or review_overdue (past its end date and nobody has decided)."""
    if removed_at is not None:
        return "removed"
    if now < starts_at:
        return "future"
    return "active" if now < ends_at else "review_overdue"


def scheme_extension(now: datetime, ends_at: datetime, until: datetime, policy: Policy) -> datetime:
    """M2: extending a scheme is a decision: a new end later than both now and its current end, at most the
    maximum length from now."""
    if until <= now or until <= ends_at:
        raise Invalid("An extension must end after now and after the scheme's current end", "until")
    if until > now + timedelta(days=int(policy["scheme_max_days"])):
        raise Refusal(
            f"A special scheme is extended by at most {policy['scheme_max_days']} days from now.",
            safeguard="M2",
            next_step="Choose an earlier end; extend it again at its next review if the risk remains.",
        )
    return until


def overdue_escalation(escalations: int, due: datetime, now: datetime, policy: Policy) -> tuple[bool, datetime]:
    """M2: a scheme past its end date without a decision escalates every interval until someone decides:
    the first time to the officer in charge, every later time to their supervisor too. Returns whether the
    supervisor is told this time, and when it escalates next (never in the past, if sweeps were missed)."""
    every = timedelta(hours=int(policy["scheme_overdue_escalation_hours"]))
    following = due + every
    if following <= now:
        following = now + every
    return escalations >= 1, following


# ---------------------------------------------------------------------------------------------- D5
def grade_floor(floors: Iterable[str], policy: Policy) -> str | None:
    """D5: the most urgent of the floors of the schemes that apply to a log."""
    best: str | None = None
    for g in floors:
        rank = policy.grade_rank(g)
        if rank is not None and (best is None or rank < (policy.grade_rank(best) or 99)):
            best = g
    return best


@dataclass(frozen=True)
class PartyFact:
    """A person, address or phone on a log, in its role."""

    role: str
    person_id: int | None = None
    address_id: int | None = None
    phone_id: int | None = None


@dataclass(frozen=True)
class SchemeFact:
    """A scheme in force: whom and what it protects, and its floor."""

    scheme_id: int
    victim_id: int
    address_id: int | None
    phone_id: int | None
    floor: str


def schemes_protecting(parties: Iterable[PartyFact], schemes: Iterable[SchemeFact], policy: Policy) -> list[int]:
    """D5: the schemes whose protected person (the victim), address or phone is on the log in a role that
    makes the call about them (caller, victim, location: policy `scheme_floor_roles`). The same number or
    place as a suspect's, a witness's, or merely mentioned is not the protected person calling."""
    roles = set(policy["scheme_floor_roles"])
    people, places, phones = set(), set(), set()
    for p in parties:
        if p.role not in roles:
            continue
        if p.person_id is not None:
            people.add(p.person_id)
        if p.address_id is not None:
            places.add(p.address_id)
        if p.phone_id is not None:
            phones.add(p.phone_id)
    return [s.scheme_id for s in schemes
            if s.victim_id in people or (s.address_id is not None and s.address_id in places)
            or (s.phone_id is not None and s.phone_id in phones)]


def protected_floor(parties: Iterable[PartyFact], schemes: Iterable[SchemeFact], policy: Policy) -> str | None:
    """D5: the grade floor a log has from the schemes in force that protect a caller, victim or location on
    it (see schemes_protecting): the most urgent of their floors."""
    schemes = list(schemes)
    applying = set(schemes_protecting(parties, schemes, policy))
    return grade_floor([s.floor for s in schemes if s.scheme_id in applying], policy)


# ---------------------------------------------------------------------------------------------- M3
# What a protected class may test: the person's age (from their date of birth, on the day of the log), their
# sex and how they are related to the restricted person. Every test in a class must hold.
CLASS_KEYS = ("max_age", "relationship", "sex")
CLASS_RELATIONSHIPS = ("partner", "ex_partner", "family", "associate")  # the kinds that read both ways
CLASS_SEXES = ("female", "male")


def protected_class(value: Any, field: str = "protected_classes") -> dict[str, Any]:
    """M3: a class of protected people as given ({"max_age": 15}, {"relationship": "partner"},
    {"sex": "female"}, or any of them together: {"relationship": "partner", "sex": "female"} is any female
    partner), checked: an unknown key or a bad value is refused, naming it."""
    if not isinstance(value, dict) or not value:
        raise Invalid("A protected class is an object with at least one of: " + ", ".join(CLASS_KEYS), field)
    unknown = sorted(k for k in value if k not in CLASS_KEYS)
    if unknown:
        raise Invalid(f"Unknown protected class key {unknown[0]!r} (known: {', '.join(CLASS_KEYS)})", field)
    out: dict[str, Any] = {}
    if "max_age" in value:
        age = value["max_age"]
        if isinstance(age, bool) or not isinstance(age, int) or not 0 <= age <= 120:
            raise Invalid(f"max_age must be a whole number of years from 0 to 120, not {age!r}", field)
        out["max_age"] = age
    if "relationship" in value:
        kind = value["relationship"]
        if kind not in CLASS_RELATIONSHIPS:
            raise Invalid(f"Unknown relationship {kind!r} (known: {', '.join(CLASS_RELATIONSHIPS)})", field)
        out["relationship"] = kind
    if "sex" in value:
        sex = value["sex"]
        if sex not in CLASS_SEXES:
            raise Invalid(f"Unknown sex {sex!r} (known: {', '.join(CLASS_SEXES)})", field)
        out["sex"] = sex
    return out


def describe_class(cls: dict[str, Any]) -> str:
    """"anyone under 16", "any partner", "any partner under 18", "any female partner", "any female under 16"
    (of the restricted person)."""
    kind = cls.get("relationship")
    sex = cls.get("sex")
    if kind:
        who = f"any {sex + ' ' if sex else ''}{kind.replace('_', '-')}"
    else:
        who = f"any {sex}" if sex else "anyone"
    return who + (f" under {int(cls['max_age']) + 1}" if "max_age" in cls else "")


@dataclass(frozen=True)
class PersonFact:
    """A person on a log as M3's classes see them: their date of birth (or, for a caller not in the index,
    the age they gave), each current relationship as (the other person, its kind), and their sex ("" when
    not recorded)."""

    person_id: int
    name: str
    dob: date | None = None
    relationships: frozenset[tuple[int, str]] = frozenset()
    age: int | None = None
    sex: str = ""


def in_class(cls: dict[str, Any], person: PersonFact, restricted_id: int, on: date) -> bool | None:
    """M3: whether a person is in a protected class of an order restricting `restricted_id`: True, False, or
    None when it turns on something not held (an age class and no date of birth, a sex class and their sex
    not recorded) and nothing that is held rules them out."""
    kind = cls.get("relationship")
    if kind is not None and (restricted_id, kind) not in person.relationships:
        return False
    if "sex" in cls and person.sex and person.sex != cls["sex"]:
        return False
    if "max_age" in cls:
        years = age_on(person.dob, person.age, on)
        if years is not None and years > int(cls["max_age"]):
            return False
    return None if class_unknowns(cls, person, on) else True


def class_unknowns(cls: dict[str, Any], person: PersonFact, on: date) -> tuple[str, ...]:
    """M3: what a class turns on that is not held for a person, to be established: "age", "sex"."""
    missing = []
    if "max_age" in cls and age_on(person.dob, person.age, on) is None:
        missing.append("age")
    if "sex" in cls and not person.sex:
        missing.append("sex")
    return tuple(missing)


@dataclass(frozen=True)
class OrderFact:
    order_id: int
    kind: str
    restricted_id: int
    protected_person_ids: frozenset[int]
    protected_address_ids: frozenset[int]
    starts_on: date
    ends_on: date | None
    protected_classes: tuple[dict[str, Any], ...] = ()


def order_in_force(o: OrderFact, on: date) -> bool:
    """M3: an order is in force from the day it starts to the day it ends (inclusive), or with no end."""
    return o.starts_on <= on and (o.ends_on is None or o.ends_on >= on)


@dataclass(frozen=True)
class Breach:
    """An order a log may breach, and why: a named protected person or place, or a person in a class. When
    `certain` is false the class turns on something not held (the person's age or sex, named in `unknown`):
    establish it."""

    order: OrderFact
    why: str
    person_id: int | None = None
    certain: bool = True
    unknown: tuple[str, ...] = ()


def order_breaches(orders: Iterable[OrderFact], restricted_present: set[int], people: Sequence[PersonFact],
                   address_ids: set[int], on: date, ages_on: date | None = None) -> list[Breach]:
    """M3: a log on which a restricted person is present (on it, or a phone they use is) together with a
    protected person, a protected place, or a person in a protected class ("anyone under 16", "any partner"),
    for orders in force `on` that day; ages are taken from dates of birth on `ages_on` (the log's date). A
    person whose age is unknown for an age class, or whose sex is not recorded for a sex class, is an
    uncertain breach (establish it), never silently in or out of it."""
    ages_on = ages_on or on
    found: list[Breach] = []
    person_ids = {p.person_id for p in people}
    for o in orders:
        if not order_in_force(o, on) or o.restricted_id not in restricted_present:
            continue
        named = sorted(o.protected_person_ids & person_ids)
        places = o.protected_address_ids & address_ids
        if named or places:
            found.append(Breach(o, "a protected person" if named else "a protected place",
                                named[0] if named else None))
            continue
        unsure: Breach | None = None
        for cls in o.protected_classes:
            for p in people:
                if p.person_id == o.restricted_id:
                    continue
                verdict = in_class(cls, p, o.restricted_id, ages_on)
                if verdict is True:
                    found.append(Breach(o, f"{p.name} ({describe_class(cls)})", p.person_id))
                    break
                if verdict is None and unsure is None:
                    unknown = class_unknowns(cls, p, ages_on)
                    held = "; ".join({"age": "no date of birth held", "sex": "sex not recorded"}[u] for u in unknown)
                    unsure = Breach(o, f"{p.name} ({describe_class(cls)}; {held})", p.person_id, certain=False,
                                    unknown=unknown)
            else:
                continue
            break
        else:
            if unsure is not None:
                found.append(unsure)
    return found


def possible_breaches(
    orders: Iterable[OrderFact], person_ids: set[int], address_ids: set[int], today: date
) -> list[OrderFact]:
    """M3: a contact involving a restricted person together with a protected person or place."""
    return [b.order for b in order_breaches(orders, person_ids, [PersonFact(i, "") for i in sorted(person_ids)],
                                            address_ids, today) if b.certain]


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


# ------------------------------------------------------------------------------------ C5 mentioned
# How a number is written when it is a phone number: the UK trunk prefix ("07700 900456", "(0117) 496 0123"),
# or an international one ("+1 202 555 0143", "0044 7700 900456"). Anything else the matcher finds (a
# reference, an amount, a bare run of digits) is not taken for a number someone gave.
_PHONE_START = re.compile(r"^\(?(\+|0)")
_DATE_LIKE = re.compile(r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}$|^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}$")
_MONEY_BEFORE = re.compile(r"[£$€]\s*$")


def mentioned_numbers(text: str, limit: int, region: str = "GB") -> list[str]:
    """C5: the phone numbers written in a piece of text (a caller's account, a narrative entry), in E.164,
    first seen first, each once, at most `limit` of them.

    UK and international formats are recognised by the `phonenumbers` matcher. It is run at its "possible"
    leniency, because the numbers set aside for drama and testing (07700 900xxx) are not "valid" yet are the
    numbers people are given; what that leniency would also let through (dates, times, log references,
    amounts of money, bare digit runs) is refused by how the number is written: it must start with "+", "0"
    or "(0", not look like a date, and not follow a currency sign."""
    found: list[str] = []
    if not text or limit <= 0:
        return found
    for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE):
        raw = match.raw_string.strip()
        if not _PHONE_START.match(raw) or _DATE_LIKE.match(raw) or _MONEY_BEFORE.search(text[:match.start]):
            continue
        if not phonenumbers.is_possible_number(match.number) or len(str(match.number.national_number)) < (
                9 if match.number.country_code == 44 else 7):  # a fragment of a longer run of digits
            continue
        e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        if e164 not in found:
            found.append(e164)
            if len(found) >= limit:
                break
    return found


# ------------------------------------------------------------------------------------- C1 proposals
# Markers that put the officers who attend at risk: a linked person holding one is proposed for the log.
OFFICER_SAFETY_MARKERS = frozenset({"firearms", "firearms_certificate", "weapons", "violence",
                                    "domestic_abuse_perpetrator"})


@dataclass(frozen=True)
class Proposal:
    """A person the context found who should be on the log: as the caller, or as involved (with why)."""

    person_id: int
    name: str
    role: str  # "caller" or "involved"
    why: str
    markers: tuple[str, ...] = ()


def proposed_parties(people: Sequence[dict[str, Any]], linked: Sequence[dict[str, Any]]) -> list[Proposal]:
    """C1, L12: from the context panel's people (each with "why" it was found) and linked people (each with
    their markers): the person the caller's phone resolves to (else the only resident of the address) is
    proposed as the caller; linked people and other residents carrying an officer-safety marker are
    proposed as involved, with their markers."""
    out: list[Proposal] = []
    def found(p: dict[str, Any], why: str) -> bool:  # why the panel found them, or also true of them
        return p.get("why") == why or why in p.get("also", ())

    by_phone = [p for p in people if found(p, "uses this phone")]
    at_place = [p for p in people if found(p, "lives at this address")]
    # The phone's user; else the one person living at the address (several residents: none is presumed).
    caller = by_phone[0] if by_phone else (at_place[0] if len(at_place) == 1 else None)
    if caller is not None:
        out.append(Proposal(int(caller["id"]), str(caller["name"]), "caller",
                            "uses this phone" if by_phone else "lives at this address"))
    seen = {p.person_id for p in out}
    for line in linked:
        kinds = tuple(dict.fromkeys(str(m["kind"]) for m in line.get("markers", [])
                                    if m["kind"] in OFFICER_SAFETY_MARKERS))
        if kinds and int(line["id"]) not in seen:
            seen.add(int(line["id"]))
            why = str(line.get("relationship", "linked")).lower()
            out.append(Proposal(int(line["id"]), str(line["name"]), "involved", why, kinds))
    for p in at_place:
        kinds = tuple(dict.fromkeys(str(k) for k in p.get("marker_kinds", []) if k in OFFICER_SAFETY_MARKERS))
        if kinds and int(p["id"]) not in seen:
            seen.add(int(p["id"]))
            out.append(Proposal(int(p["id"]), str(p["name"]), "involved", "household member", kinds))
    return out


# ------------------------------------------------------------------------------- C1, C2, M4: dismissals
# A prompt dismissed with a reason the record contradicts is refused, naming the data. Each claim is found
# by a tolerant pattern inside one clause; a negation or doubt just before it ("not an adult", "it is not
# the first time", "can't confirm there are no weapons") means the reason does not make the claim.
_CLAUSES = re.compile(r"[.;:!?\n()]+|,|\bbut\b|\bhowever\b|\balthough\b|\bthough\b|\bwhereas\b"
                      r"|\band\b(?!\s+(?:over|above|older)\b)", re.IGNORECASE)
_DOUBT = re.compile(r"\b(?:not|never|cannot|can't|cant|couldn't|unable|unsure|unclear|unknown|uncertain|"
                    r"whether|doubt|doubtful|if|unconfirmed|disputed)\b|n't\b|n’t\b", re.IGNORECASE)
_NO_ADULT = re.compile(r"\b(?:no|without|nor)\b", re.IGNORECASE)
_ROLE_WORDS = {"caller": "caller", "informant": "caller", "rp": "caller", "reporting person": "caller",
               "victim": "victim", "ip": "victim", "injured party": "victim", "suspect": "suspect",
               "subject": "subject", "witness": "witness"}
_ROLE = re.compile(r"\b(" + "|".join(sorted(map(re.escape, _ROLE_WORDS), key=len, reverse=True)) + r")\b",
                   re.IGNORECASE)
_ADULT_MODIFIED = (r"(?!\s+(?:services?|social|care|safeguarding|team|mental|protection|learning|education|"
                   r"content|helpline|referral|support|health)\b)")
_ADULT_CLAIMS = [
    re.compile(r"\b(?:an?\s+|all\s+|both\s+|only\s+)?adults?\b" + _ADULT_MODIFIED, re.IGNORECASE),
    re.compile(r"\b(?:over|above|older\s+than)\s+(?:18|eighteen)\b", re.IGNORECASE),
    re.compile(r"\b(?:18|eighteen)\s*(?:\+|or\s+over|or\s+older|or\s+above|and\s+over|and\s+above|plus)",
               re.IGNORECASE),
    re.compile(r"\bnot\s+(?:an?\s+)?(?:child|children|minor|minors|juvenile|kid|kids|under\s*(?:18|eighteen))\b",
               re.IGNORECASE),
    re.compile(r"\bgrown[\s-]?ups?\b", re.IGNORECASE),
    re.compile(r"\b(?:no|nobody|none|no\s+one)\s+(?:\w+\s+){0,2}?(?:children|child|kids|minors|juveniles|"
               r"under[\s-]?(?:18|eighteen)s?|young\s+people)\b", re.IGNORECASE),
]
# An age given in years ("aged 34", "34 years old", "caller is 34."): a claim of adulthood when grown.
_AGE_GIVEN = re.compile(
    r"\baged?\s+(\d{1,3})\b|\b(\d{1,3})\s*(?:years?\s*old|yrs?\b|y/?o\b)"
    r"|\b(?:is|he's|she's|they're|i'm|am|was)\s+(\d{1,3})\s*(?=$|years?\b)", re.IGNORECASE)
_ARMS = r"(?:weapons?|firearms?|guns?|shotguns?|rifles?|knives|knife|arms|blades?|ammunition|ammo)"
_WEAPON_CLAIMS = [
    re.compile(r"\b(?:no|nor|zero|none)\s+(?:\w+\s+){0,3}?" + _ARMS + r"\b", re.IGNORECASE),
    re.compile(r"\b(?:not|isn't|isnt|wasn't|aren't|weren't|never)\s+(?:been\s+)?armed\b|\bunarmed\b",
               re.IGNORECASE),
    re.compile(r"\bnothing\s+to\s+(?:suggest|indicate)\s+(?:any\s+)?(?:\w+\s+)?" + _ARMS, re.IGNORECASE),
    re.compile(r"\b(?:does|do|did)(?:n't|n’t|\s+not)\s+(?:have|own|possess|hold|keep)\s+(?:any\s+|an?\s+)?(?:access\s+to\s+)?"
               + _ARMS, re.IGNORECASE),
    re.compile(r"\bwithout\s+(?:any\s+)?" + _ARMS + r"\b", re.IGNORECASE),
    re.compile(r"\b" + _ARMS + r"\s+(?:were\s+|was\s+|are\s+|is\s+)?(?:not|never)\s+(?:\w+\s+)?"
               r"(?:mentioned|seen|present|involved|an\s+issue|a\s+factor|held|kept|available)\b", re.IGNORECASE),
]
# "no history of violence" is narrower than "no history": a topic after the claim makes it specific.
_TOPIC = (r"(?:\s+(?:of\s+|for\s+)?(?:\w+\s+)?(?:domestic|da|dv|violence|violent|weapons?|firearms?|knives|"
          r"self[\s-]?harm|suicide|mental|missing|abuse|sexual|child|children|drugs?|alcohol|threats?|"
          r"harassment|stalking|assaults?|breach))")
_HISTORY = (r"(?:history|incidents?|calls?|logs?|reports?|contacts?|contact|records?|trace|intel(?:ligence)?|"
            r"involvement)")
_HISTORY_CLAIMS = [
    re.compile(r"\bno\s+(?:(?:previous|prior|past|earlier|recorded|known|police|relevant|other)\s+){0,2}"
               + _HISTORY + r"\b(?!" + _TOPIC + r")", re.IGNORECASE),
    re.compile(r"\bno\s+(?:previous|prior|previous's|previouses|priors|pre[\s-]?cons?)\b(?!\s+" + _HISTORY
               + r")(?!" + _TOPIC + r")", re.IGNORECASE),
    re.compile(r"\bfirst\s+(?:ever\s+)?(?:time|call|report|contact|incident|occasion)\b", re.IGNORECASE),
    re.compile(r"\bnever\s+(?:\w+\s+){0,2}?(?:called|rung|rang|phoned|reported|contacted|been\s+in\s+contact|"
               r"come\s+to\s+(?:our|police|the\s+police's)\s+(?:attention|notice))\b", re.IGNORECASE),
    re.compile(r"\b(?:not|un)\s*known\s+to\s+(?:us|police|the\s+police|police\s+systems|the\s+system)\b",
               re.IGNORECASE),
    re.compile(r"\bnothing\s+(?:known|held|recorded|previous|on\s+(?:the\s+)?(?:system|systems|record|file))\b",
               re.IGNORECASE),
]


@dataclass(frozen=True)
class AgeFact:
    """A person on the log with a known age: a party with a date of birth (their role), or the caller's age
    as recorded on a contact (role "caller")."""

    name: str
    age: int
    role: str


@dataclass(frozen=True)
class CertificateFact:
    """A firearms certificate in force held by a party, a person linked to a party, or kept at the log's
    address; `how` says which ("Sam Cole, a party on this log", "kept at 4 Mill Lane")."""

    holder: str
    number: str
    how: str


@dataclass(frozen=True)
class DismissalFacts:
    """What the record holds that a dismissal reason could contradict. `child_prompt`: the prompt being
    dismissed is about a child, so a claim of adulthood is tested against everyone under age on the log."""

    ages: tuple[AgeFact, ...] = ()
    certificates: tuple[CertificateFact, ...] = ()
    earlier_logs: int = 0
    newest_earlier: str = ""
    child_prompt: bool = False


@dataclass(frozen=True)
class Contradiction:
    safeguard: str
    claim: str
    said: str
    message: str
    data: tuple[dict[str, Any], ...]


def _clauses(text: str) -> list[str]:
    return [c.strip() for c in _CLAUSES.split(" ".join(text.split())) if c and c.strip()]


def _doubted(before: str, *, no_counts: bool = False) -> bool:
    """A negation or doubt among the few words just before a claim, in its own clause."""
    window = " ".join(before.split()[-4:])
    if _DOUBT.search(window):
        return True
    return no_counts and bool(_NO_ADULT.search(" ".join(before.split()[-2:])))


def claims_in(reason: str, policy: Policy) -> list[tuple[str, str, str]]:
    """C1, C2, M4: the claims a dismissal reason makes, as (claim, words, about): "adult" (about a role
    when one is named: "caller is an adult" is about the caller), "no_weapons", "no_history"."""
    under = int(policy["child_age_under"])
    found: list[tuple[str, str, str]] = []
    for clause in _clauses(reason):
        role_m = _ROLE.search(clause)
        for pattern in _ADULT_CLAIMS:
            m = pattern.search(clause)
            if m and not _doubted(clause[:m.start()], no_counts=not m.group(0).lower().startswith(("no", "not"))):
                about = ""
                if role_m:
                    about = _ROLE_WORDS[role_m.group(1).lower()]
                found.append(("adult", m.group(0), about))
                break
        else:
            for m in _AGE_GIVEN.finditer(clause):
                years = int(next(g for g in m.groups() if g))
                if years >= under and years < 130 and not _doubted(clause[:m.start()]):
                    found.append(("adult", m.group(0).strip(), _ROLE_WORDS[role_m.group(1).lower()] if role_m else ""))
                    break
        for claim, patterns in (("no_weapons", _WEAPON_CLAIMS), ("no_history", _HISTORY_CLAIMS)):
            for pattern in patterns:
                m = pattern.search(clause)
                if m and not _doubted(clause[:m.start()]):
                    found.append((claim, m.group(0), ""))
                    break
    return found


def dismissal_contradiction(reason: str, facts: DismissalFacts, policy: Policy) -> Contradiction | None:
    """C2, M4, C1: a dismissal reason the held data contradicts. "Adult" (or "over 18", "not a child", "no
    children", an age of 18 or more) when a party's date of birth or the caller's recorded age makes them
    under 18 (C2); "no weapons" (firearms, guns, "not armed") when a party, a person linked to one, or the
    log's address holds a firearms certificate (M4); "no history" ("no previous", "first time", "not known
    to police") when earlier logs are held for the log's phones, addresses or people (C1). Returns the
    first contradiction, naming the data, or None."""
    under = int(policy["child_age_under"])
    for claim, said, about in claims_in(reason, policy):
        if claim == "adult":
            children = [a for a in facts.ages if a.age < under
                        and (not about or facts.child_prompt or a.role == about)]
            if children:
                named = "; ".join(f"{a.name} ({a.role}) is {a.age}" for a in children)
                return Contradiction(
                    "C2", claim, said,
                    f"The reason says “{said}”{f' about the {about}' if about else ''}, but the record says "
                    f"otherwise: {named}.",
                    tuple({"name": a.name, "role": a.role, "age": a.age} for a in children))
        elif claim == "no_weapons" and facts.certificates:
            named = "; ".join(f"{c.holder} holds firearms certificate {c.number} ({c.how})"
                              for c in facts.certificates)
            return Contradiction(
                "M4", claim, said, f"The reason says “{said}”, but {named}.",
                tuple({"holder": c.holder, "certificate": c.number, "how": c.how} for c in facts.certificates))
        elif claim == "no_history" and facts.earlier_logs:
            n = facts.earlier_logs
            return Contradiction(
                "C1", claim, said,
                f"The reason says “{said}”, but {n} earlier log{'s are' if n != 1 else ' is'} held for this "
                f"log's phones, addresses and people (newest {facts.newest_earlier}).",
                ({"earlier_logs": n, "newest": facts.newest_earlier},))
    return None


def check_dismissal(reason: str, facts: DismissalFacts, policy: Policy) -> None:
    """C1, C2, C3, M4: a prompt is not dismissed for a reason the record contradicts (400, naming the data)."""
    found = dismissal_contradiction(reason, facts, policy)
    if found is not None:
        raise Refusal(
            found.message, safeguard=found.safeguard, status=400,
            next_step="Dismiss only for a reason the record supports (say what you checked), or accept the "
                      "prompt.",
            details={"claim": found.claim, "said": found.said, "record": list(found.data)},
        )
