"""The context panel's reads (C1): the SQL text of each list the panel shows, and what its rows become.

Each read is a `Read` (its SQL, its parameters, and the function that turns its rows into the panel's
dicts). `context.lookup` matches the phone, places and people first, then answers these reads together
(`sql.fetch_all`: on PostgreSQL, one pipeline of prepared statements). Each query keeps the filters and ORDER
BY of the ORM queryset it replaced, so the results are the same; they only read.

The reads keyed by ids are the same text on every lookup (an id list is one array parameter, `in_ids`; a
newest-few-per-key read is a LATERAL join over that array, `each`), so PostgreSQL plans each once.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from watchkeeper.core.policy import Policy
from watchkeeper.incidents.models import CHANNELS
from watchkeeper.people import rules
from watchkeeper.people.models import Marker, Order, Relationship
from watchkeeper.people.sql import Read, any_of, aware, db_day, db_when, each, fetch, in_ids, tested, used
from watchkeeper.staff.models import User

# The choices' display labels (what get_FOO_display() gives, including the raw value for an unknown one).
_MARKER_LABELS = dict(Marker.KINDS)
_ORDER_LABELS = dict(Order.KINDS)
_RELATIONSHIP_LABELS = dict(Relationship.KINDS)
_CHANNEL_LABELS = dict(CHANNELS)


# The few columns a lookup needs, instead of model instances.
class PhoneRow(NamedTuple):
    pk: int
    e164: str


class AddressRow(NamedTuple):
    pk: int
    text: str


class PersonRow(NamedTuple):
    pk: int
    given_names: str
    family_name: str
    dob: date | None

    @property
    def name(self) -> str:  # as Person.name
        return _name(self.given_names, self.family_name)


def _name(given_names: str | None, family_name: str | None) -> str:
    return f"{given_names} {family_name}".strip()


def _staff(first_name: str, last_name: str, username: str, role: str) -> str:
    """A member of staff as User.display shows them (an unsaved instance, so the rule stays in one place)."""
    return User(first_name=first_name, last_name=last_name, username=username, role=role).display


# ------------------------------------------------------------------------------------------- the reads
_HISTORY_SQL = """
WITH newest AS ({page}),
     lines AS (SELECT id, ROW_NUMBER() OVER (PARTITION BY log_id, CASE WHEN log_id IS NULL THEN contact_id END
                                             ORDER BY at DESC, id DESC) AS n
                 FROM newest)
SELECT lp.id, lp.log_id, lp.contact_id, lp.role, lp.at,
       l.reference, l.summary, l.status, l.closing_code, l.category, l.flags,
       c.account, c.channel, c.addressed_to_id, c.handled_at,
       u.first_name, u.last_name, u.username, u.role,
       (SELECT ph.e164 FROM people_phone ph WHERE ph.id = lp.phone_id),
       (SELECT ad.text FROM people_address ad WHERE ad.id = lp.address_id),
       (SELECT pe.given_names FROM people_person pe WHERE pe.id = lp.person_id),
       (SELECT pe.family_name FROM people_person pe WHERE pe.id = lp.person_id),
       (SELECT COUNT(*) FROM newest)
  FROM lines
  JOIN people_logparty lp ON lp.id = lines.id
  LEFT JOIN incidents_log l ON l.id = lp.log_id
  LEFT JOIN incidents_contact c ON c.id = lp.contact_id
  LEFT JOIN staff_user u ON u.id = c.addressed_to_id
 WHERE lines.n = 1
 ORDER BY lp.at DESC, lp.id DESC
 LIMIT %s
"""
# (The phone, place and person of each line are scalar subqueries rather than joins: on PostgreSQL planning a
# seven-way join cost several times more than running it.)


def _newest(terms: list[tuple[str, list[int]]], depth: int) -> tuple[str, list[Any]]:
    """SQL for the newest `depth` parties of all the matched keys together: each key's newest `depth` are
    read from its own index (which holds everything asked for here, so no row is read), then merged. The
    same rows as sorting every party of a busy place or phone, without reading them all."""
    parts: list[str] = []
    params: list[Any] = []
    for column, ids in used(terms):
        sql, values = each(f"SELECT id, at, log_id, contact_id FROM people_logparty WHERE {column} = {{key}}"
                            " ORDER BY at DESC, id DESC LIMIT %s", ids, [depth])
        parts.append(f"SELECT * FROM ({sql}) c{len(parts)}")
        params += values
    return (f"SELECT id, at, log_id, contact_id FROM ({' UNION '.join(parts)}) candidates"
            " ORDER BY at DESC, id DESC LIMIT %s", [*params, depth])


def history_read(terms: list[tuple[str, list[int]]], limit: int, depth: int) -> Read:
    """The newest `limit` lines among the newest `depth` parties: one line per log (or per message with no
    log) however many of the matched phones, places and people were on it, and only those lines joined to
    their logs and contacts."""
    page, params = _newest(terms, depth)
    return Read(_HISTORY_SQL.format(page=page), [*params, limit], list)


def history(terms: list[tuple[str, list[int]]], limit: int, first: list[tuple[Any, ...]],
             counted: int) -> tuple[list[dict[str, Any]], int]:
    """Previous logs and contacts on every channel (a message to an officer has a contact but no log),
    newest first. The newest `limit` are loaded; the rest are counted, not loaded. `first` was read with
    the rest of the panel from the newest limit x 3 parties; only when so many of those were the same few
    logs that they gave fewer than `limit` lines is a deeper read made."""
    depth, rows = limit * 3, first
    while len(rows) < limit and rows and rows[0][-1] >= depth:
        depth *= 4
        read = history_read(terms, limit, depth)
        rows = fetch(read.sql, read.params, prepared=True)
    lines = [_history_line(r[:-1]) for r in rows]
    return lines, (len(lines) if len(lines) < limit else counted)


def distinct_count(terms: list[tuple[str, list[int]]]) -> Read:
    """How many logs, and messages without a log, the matched parties were on (both in one query). Each
    key's rows are read from its own index, which carries the log and contact: the count never reads a row,
    however busy the place (an OR across the keys would fetch every row to check the others)."""
    parts, params = [], []
    for column, ids in used(terms):
        where, values = in_ids(column, ids)
        parts.append(f"SELECT log_id, contact_id FROM people_logparty WHERE {where}")
        params += values
    return Read("SELECT COUNT(DISTINCT log_id), COUNT(DISTINCT CASE WHEN log_id IS NULL THEN contact_id END)"
                f" FROM ({' UNION ALL '.join(parts)}) parties", params, lambda rows: int(rows[0][0] + rows[0][1]))


def _history_line(r: tuple[Any, ...]) -> dict[str, Any]:
    (_, log_id, contact_id, role, at, reference, summary, status, closing_code, category, flags,
     account, channel, addressed_to_id, handled_at, first_name, last_name, username, staff_role,
     e164, address, given_names, family_name) = r
    has_log, has_contact = log_id is not None, contact_id is not None
    if has_log and isinstance(flags, str):
        flags = json.loads(flags)
    return {
        "at": aware(at).isoformat(),
        "role": role,
        "log": reference if has_log else None,
        "summary": summary if has_log else (account[:140] if has_contact else ""),
        "status": status if has_log else "message",
        "outcome": closing_code if has_log else "",
        "category": category if has_log else "",
        "flags": list(flags) if has_log else [],
        "channel": _CHANNEL_LABELS.get(channel, channel) if has_contact else "",
        "addressed_to": (_staff(first_name, last_name, username, staff_role)
                         if has_contact and addressed_to_id else ""),
        "handled": bool(handled_at) if has_contact and not has_log else None,
        "via": e164 if e164 is not None else (address if address is not None else (
            _name(given_names, family_name) if given_names is not None else "")),
    }


def _marker(pk: int, kind: str, source: str, note: str, review_at: date, ended_at: datetime | None, on: str,
            now_day: date) -> dict[str, Any]:
    return {"id": pk, "kind": kind, "label": _MARKER_LABELS.get(kind, kind), "on": on, "source": source,
            "active": ended_at is None, "review_at": review_at.isoformat(),
            "review_overdue": ended_at is None and review_at < now_day, "note": note}


def markers(person_ids: list[int], address_ids: list[int], phone_ids: list[int], now: datetime, today: date,
             limit: int) -> Read:
    """Live markers, and those ended within the year, on the matched people, places and phone. Active first
    (an ended one never crowds out a live warning), newest first within each."""
    where, params = any_of(("m.person_id", person_ids), ("m.address_id", address_ids), ("m.phone_id", phone_ids))

    def result(rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
        out = []
        for pk, kind, source, note, review_at, ended_at, given_names, family_name, address, e164 in rows:
            on = (_name(given_names, family_name) if given_names is not None else
                  address if address is not None else e164 if e164 is not None else "")
            out.append(_marker(pk, kind, source, note, review_at, ended_at, on, today))
        return out

    return Read(
        "SELECT m.id, m.kind, m.source, m.note, m.review_at, m.ended_at, pe.given_names, pe.family_name,"
        "       (SELECT ad.text FROM people_address ad WHERE ad.id = m.address_id),"
        "       (SELECT ph.e164 FROM people_phone ph WHERE ph.id = m.phone_id)"
        "  FROM people_marker m"
        "  LEFT JOIN people_person pe ON pe.id = m.person_id"
        f" WHERE {where} AND (m.ended_at IS NULL OR m.ended_at >= %s)"
        " ORDER BY m.ended_at ASC NULLS FIRST, m.created_at DESC, m.id DESC LIMIT %s",
        [*params, db_when(now - timedelta(days=365)), limit * 2], result)


def schemes(phone_ids: list[int], address_ids: list[int], person_ids: list[int], now: datetime,
             limit: int, policy: Policy) -> Read:
    """Special schemes on the matched phone, places or victims, latest ending first, and the grade floor."""
    where, params = any_of(("s.phone_id", phone_ids), ("s.address_id", address_ids), ("s.victim_id", person_ids))

    def result(rows: list[tuple[Any, ...]]) -> tuple[list[dict[str, Any]], str | None]:
        out, floors = [], []
        for (pk, floor, starts_at, ends_at, removed_at, removal_reason, phone_id, address_id, given_names,
             family_name, address, e164, first_name, last_name, username, role) in rows:
            starts_at, ends_at, removed_at = aware(starts_at), aware(ends_at), aware(removed_at)
            state = rules.scheme_state(starts_at, ends_at, removed_at, now)  # M2: past its end, review overdue
            out.append({"id": pk, "victim": _name(given_names, family_name), "state": state, "floor": floor,
                        "ends_at": ends_at.isoformat(),
                        "on": address if address is not None else (e164 if e164 is not None else ""),
                        "officer": _staff(first_name, last_name, username, role),
                        "removed_reason": removal_reason})
            # D5: the floor applies to a call from a phone or place under a scheme in force (review overdue
            # included, M2), not merely to a person matched by name.
            if (rules.scheme_in_force(starts_at, removed_at, now)
                    and (phone_id in phone_ids or address_id in address_ids)):
                floors.append(floor)
        return out, rules.grade_floor(floors, policy)

    return Read(
        "SELECT s.id, s.grade_floor, s.starts_at, s.ends_at, s.removed_at, s.removal_reason, s.phone_id,"
        "       s.address_id, v.given_names, v.family_name,"
        "       (SELECT ad.text FROM people_address ad WHERE ad.id = s.address_id),"
        "       (SELECT ph.e164 FROM people_phone ph WHERE ph.id = s.phone_id),"
        "       u.first_name, u.last_name, u.username, u.role"
        "  FROM people_specialscheme s"
        "  JOIN people_person v ON v.id = s.victim_id"
        "  JOIN staff_user u ON u.id = s.officer_id"
        f" WHERE {where} ORDER BY s.ends_at DESC LIMIT %s", [*params, limit], result)


def _json(value: Any) -> list[Any]:
    """A JSON column as raw SQL reads it: text on SQLite, already decoded on PostgreSQL."""
    if value is None or value == "":
        return []
    found = json.loads(value) if isinstance(value, str | bytes) else value
    return list(found) if isinstance(found, list) else []


def orders(person_ids: list[int], address_ids: list[int], today: date, limit: int) -> Read:
    """Orders in force restricting a matched person, or protecting a matched person or place. The orders are
    found through the three indexed links and only then read (an OR of the three would read every order)."""
    found: list[str] = []
    params: list[Any] = []
    for select, column, ids in [("SELECT id FROM people_order", "restricted_id", person_ids),
                                ("SELECT order_id FROM people_order_protected_people", "person_id", person_ids),
                                ("SELECT order_id FROM people_order_protected_addresses", "address_id", address_ids)]:
        if tested(ids):
            where, values = in_ids(column, ids)
            found.append(f"{select} WHERE {where}")
            params += values

    def result(rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
        return [{"id": pk, "kind": _ORDER_LABELS.get(kind, kind), "restricted": _name(given_names, family_name),
                 "conditions": conditions, "ends_on": ends_on.isoformat() if ends_on else None,
                 "classes": [rules.describe_class(c) for c in _json(classes)], "activities": _json(activities)}
                for pk, kind, conditions, ends_on, given_names, family_name, classes, activities in rows]

    return Read(
        "SELECT o.id, o.kind, o.conditions, o.ends_on, r.given_names, r.family_name, o.protected_classes,"
        "       o.activities"
        "  FROM people_order o JOIN people_person r ON r.id = o.restricted_id"
        f" WHERE o.id IN ({' UNION '.join(found)}) AND (o.ends_on IS NULL OR o.ends_on >= %s)"
        " ORDER BY o.starts_on DESC LIMIT %s", [*params, db_day(today), limit], result)


def linked(person_ids: list[int], today: date, limit: int) -> Read:
    """People in a current relationship with a matched person, each with their active markers (newest
    `limit` each), in one query."""
    mine, params = in_ids("r.person_id", person_ids)
    theirs, _ = in_ids("r.other_id", person_ids)

    def result(rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        by_relationship: dict[int, dict[str, Any]] = {}
        for rel_id, kind, other, given_names, family_name, m_pk, m_kind, source, note, review_at in rows:
            line = by_relationship.get(rel_id)
            if line is None:
                line = by_relationship[rel_id] = {"id": other, "name": _name(given_names, family_name),
                                                  "relationship": _RELATIONSHIP_LABELS.get(kind, kind),
                                                  "markers": []}
                out.append(line)
            if m_pk is not None:
                line["markers"].append(_marker(m_pk, m_kind, source, note, review_at, None, line["name"], today))
        return out

    return Read(
        "WITH rel AS ("
        f"  SELECT r.id, r.kind, CASE WHEN {mine} THEN r.other_id ELSE r.person_id END AS other"
        "     FROM people_relationship r"
        f"   WHERE ({mine} OR {theirs}) AND r.ended_at IS NULL"
        "    ORDER BY r.id LIMIT %s)"
        " SELECT rel.id, rel.kind, rel.other, o.given_names, o.family_name,"
        "        m.id, m.kind, m.source, m.note, m.review_at"
        "   FROM rel"
        "   JOIN people_person o ON o.id = rel.other"
        "   LEFT JOIN (SELECT mk.id, mk.kind, mk.source, mk.note, mk.review_at, mk.person_id,"
        "                     ROW_NUMBER() OVER (PARTITION BY mk.person_id ORDER BY mk.created_at DESC) AS n"
        "                FROM people_marker mk"
        "               WHERE mk.person_id IN (SELECT other FROM rel) AND mk.ended_at IS NULL) m"
        "     ON m.person_id = rel.other AND m.n <= %s"
        "  ORDER BY rel.id, m.n", [*params, *params, *params, limit, limit], result)


def firearms(address_ids: list[int], person_ids: list[int], today: date, limit: int) -> Read:
    """Unexpired firearms certificates held by a matched person or kept at a matched place."""
    where, params = any_of(("c.address_id", address_ids), ("c.holder_id", person_ids))

    def result(rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
        return [{"holder": _name(given_names, family_name), "address": address, "number": number,
                 "expires_on": expires_on.isoformat()}
                for given_names, family_name, address, number, expires_on in rows]

    return Read(
        "SELECT h.given_names, h.family_name, ad.text, c.number, c.expires_on"
        "  FROM people_firearmscertificate c"
        "  JOIN people_person h ON h.id = c.holder_id"
        "  JOIN people_address ad ON ad.id = c.address_id"
        f" WHERE {where} AND c.expires_on >= %s LIMIT %s", [*params, db_day(today), limit], result)


_PERSON_COLUMNS = "p.id, p.given_names, p.family_name, p.dob"


def phone_and_users(raw: str, limit: int) -> tuple[PhoneRow | None, list[PersonRow]]:
    """The phone typed and the people who use it (newest `limit`), in one query."""
    e164 = rules.try_phone(raw)
    if not e164:
        return None, []
    rows = fetch(f"SELECT ph.id, ph.e164, {_PERSON_COLUMNS} FROM people_phone ph"
                  " LEFT JOIN people_phoneuse u ON u.phone_id = ph.id"
                  " LEFT JOIN people_person p ON p.id = u.person_id"
                  " WHERE ph.e164 = %s ORDER BY u.created_at DESC LIMIT %s", [e164, limit],
                  prepared=True)
    if not rows:
        return None, []
    return PhoneRow(*rows[0][:2]), [PersonRow(*r[2:]) for r in rows if r[2] is not None]


def residents(addresses: list[AddressRow], limit: int) -> list[PersonRow]:
    """The current residents of each matched place (newest first, `limit` each), in one query."""
    ids = [a.pk for a in addresses]
    sql, params = each(f"SELECT r.address_id, r.created_at, {_PERSON_COLUMNS}"
                        " FROM people_residence r JOIN people_person p ON p.id = r.person_id"
                        ' WHERE r.address_id = {key} AND r."current" = %s ORDER BY r.created_at DESC LIMIT %s',
                        ids, [True, limit])
    rows = fetch(sql, params, prepared=True)
    rows.sort(key=lambda r: (ids.index(r[0]), -aware(r[1]).timestamp()))  # by place, newest first
    return [PersonRow(*r[2:]) for r in rows]


def homes(person_ids: list[int]) -> dict[int, AddressRow]:
    """Each person's first current residence (lowest id), for all of them in one query."""
    where, params = in_ids("person_id", person_ids)
    return {person_id: AddressRow(pk, text) for person_id, pk, text in fetch(
        "SELECT r.person_id, a.id, a.text FROM people_residence r JOIN people_address a ON a.id = r.address_id"
        " WHERE r.id IN (SELECT MIN(id) FROM people_residence"
        f'                WHERE "current" = %s AND {where}'
        "                GROUP BY person_id)", [True, *params], prepared=True)}



def flags(phone_ids: list[int], address_ids: list[int], person_ids: list[int], now: datetime,
           policy: Policy) -> Read:
    """C1: repeat caller, repeat address, repeat victim, each counted over its configured window (the three
    counts in one query). A count is of distinct log ids, contact-only rows counting once together, as the
    ORM's `.values("log_id").distinct().count()` counted them."""
    windows = policy["repeat_windows"]
    checks = [
        ("repeat_caller", "Repeat caller", "phone_id", phone_ids, "caller"),
        ("repeat_address", "Repeat address", "address_id", address_ids, None),
        ("repeat_victim", "Repeat victim", "person_id", person_ids, "victim"),
    ]
    parts, params = [], []
    for i, (code, _, column, ids, role) in enumerate(checks):
        if not tested(ids):
            continue
        where, values = in_ids(column, ids)
        where += " AND role = %s" if role else ""
        parts.append(f"SELECT {i}, COUNT(*) FROM (SELECT DISTINCT log_id FROM people_logparty"
                     f" WHERE {where} AND at >= %s) d{i}")
        params += [*values, *([role] if role else []), db_when(now - timedelta(days=int(windows[code]["days"])))]

    def result(rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
        counts = dict(rows)
        flags = []
        for i, (code, label, _, _, _) in enumerate(checks):
            if i not in counts:
                continue
            rule = windows[code]
            n = int(counts[i])
            if n >= int(rule["at_least"]):
                flags.append({"code": code, "label": label, "count": n, "days": int(rule["days"])})
        return flags

    return Read(" UNION ALL ".join(parts), params, result)
