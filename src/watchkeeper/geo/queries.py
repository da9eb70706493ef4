"""What the map and the unit suggestions read: where each log is (the address's own coordinates, else the
force's gazetteer by UPRN, address or postcode), where each unit last said it was, and the units nearest a log.
Reads only, each bounded."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.urls import reverse

from watchkeeper.core import clock
from watchkeeper.core.policy import Policy
from watchkeeper.dispatch.models import UNIT_STATUSES, Assignment, Unit
from watchkeeper.geo import rules
from watchkeeper.geo.models import GazetteerEntry, UnitPosition
from watchkeeper.incidents import hooks
from watchkeeper.incidents.models import Log
from watchkeeper.people.models import LogParty
from watchkeeper.people.rules import address_key, normalise_postcode

MAX_LOGS = 500
MAX_UNITS = 500
STATUS_LABELS = dict(UNIT_STATUSES)
# Status order for suggestions: free first, then those that could be diverted, the off-duty never.
STATUS_RANK = {"available": 0, "en_route": 1, "assigned": 2, "at_scene": 3, "committed": 4}


def _gazetteer(uprns: set[str], keys: set[str], postcodes: set[str]) -> dict[str, rules.Point]:
    """The newest gazetteer point for each UPRN ("uprn:..."), address key ("key:...") and postcode ("pc:...")."""
    found: dict[str, rules.Point] = {}
    if not (uprns or keys or postcodes):
        return found
    q = Q(uprn__in=uprns) | Q(address_key__in=keys) | Q(postcode__in=postcodes)
    for g in GazetteerEntry.objects.filter(q).order_by("id").values("uprn", "address_key", "postcode", "latitude",
                                                                      "longitude"):
        point = rules.Point(g["latitude"], g["longitude"])
        if g["uprn"] in uprns:
            found[f"uprn:{g['uprn']}"] = point
        if g["address_key"] in keys:
            found[f"key:{g['address_key']}"] = point
        if g["postcode"] in postcodes:
            found.setdefault(f"pc:{g['postcode']}", point)
    return found


def log_points(logs: list[Log]) -> dict[int, rules.Point]:
    """Where each log is: its location party's address coordinates, else the gazetteer by the address's UPRN,
    its key, the log's place as typed, or its postcode (the postcode's first place: the least precise)."""
    ids = [log.pk for log in logs]
    parties: dict[int, Any] = {}
    for lp in (LogParty.objects.filter(log_id__in=ids, role="location", address__isnull=False)
               .select_related("address").order_by("log_id", "-at", "-id")):
        if lp.log_id is not None:
            parties.setdefault(lp.log_id, lp.address)
    typed = {log.pk: address_key(log.location) for log in logs if log.location}
    uprns = {a.uprn for a in parties.values() if a.uprn}
    keys = {a.key for a in parties.values()} | {k.key for k in typed.values()}
    postcodes = ({a.postcode for a in parties.values() if a.postcode}
                 | {k.postcode for k in typed.values() if k.postcode})
    gaz = _gazetteer(uprns, keys, postcodes)
    out: dict[int, rules.Point] = {}
    for log in logs:
        a = parties.get(log.pk)
        k = typed.get(log.pk)
        if a is not None and a.latitude is not None and a.longitude is not None:
            out[log.pk] = rules.Point(a.latitude, a.longitude)
            continue
        for name in ([f"uprn:{a.uprn}" if a and a.uprn else "", f"key:{a.key}" if a else "",
                      f"key:{k.key}" if k else "", f"pc:{a.postcode}" if a and a.postcode else "",
                      f"pc:{k.postcode}" if k and k.postcode else ""]):
            if name and name in gaz:
                out[log.pk] = gaz[name]
                break
    return out


def lookup(*, uprn: str = "", postcode: str = "", address: str = "") -> dict[str, Any] | None:
    """One place's coordinates from the gazetteer: by UPRN, else address, else postcode."""
    key = address_key(address).key if address.strip() else ""
    pc = normalise_postcode(postcode) if postcode.strip() else ""
    gaz = _gazetteer({uprn} if uprn else set(), {key} if key else set(), {pc} if pc else set())
    for name, precision in ((f"uprn:{uprn}", "uprn"), (f"key:{key}", "address"), (f"pc:{pc}", "postcode")):
        if name in gaz:
            return {"lat": gaz[name].lat, "lon": gaz[name].lon, "matched": precision}
    return None


def unit_positions(unit_ids: list[int]) -> dict[int, UnitPosition]:
    """Each unit's newest position (one indexed read per unit: the newest row by unit)."""
    out: dict[int, UnitPosition] = {}
    for uid in unit_ids:
        pos = UnitPosition.objects.filter(unit_id=uid).order_by("-at", "-id").first()
        if pos is not None:
            out[uid] = pos
    return out


def _unit_out(u: Unit, pos: UnitPosition | None, now: datetime) -> dict[str, Any]:
    age = (now - pos.at).total_seconds() if pos else None
    return {"id": u.pk, "callsign": u.callsign, "status": u.status,
            "status_label": STATUS_LABELS.get(u.status, u.status),
            "area": u.area, "skills": list(u.skills or []), "on_duty": u.on_duty,
            "lat": pos.latitude if pos else None, "lon": pos.longitude if pos else None,
            "at": pos.at.isoformat() if pos else None, "age_seconds": round(age) if age is not None else None,
            "last_seen": rules.age_text(age) if age is not None else "never"}


def map_data(policy: Policy, *, reference: str = "") -> dict[str, Any]:
    """Open logs (by grade, with officer-safety badges) and units (by status) with where they are. With a
    reference, that log even if closed. Bounded: the newest MAX_LOGS open logs, MAX_UNITS units."""
    now = clock.now()
    logs = list(Log.objects.filter(status="open").order_by("-created_at")[:MAX_LOGS])
    if reference and reference not in {log.reference for log in logs}:
        logs += list(Log.objects.filter(reference=reference))
    points = log_points(logs)
    summaries = hooks.risk_summaries([log.pk for log in logs])
    log_rows = []
    for log in logs:
        p = points.get(log.pk)
        badges = summaries.get(log.pk, {}).get("badges", [])
        log_rows.append({
            "reference": log.reference, "url": reverse("log", args=[log.reference]), "grade": log.grade or "",
            "grade_label": policy.grade_label(log.grade), "summary": log.summary, "location": log.location,
            "status": log.status, "flags": [policy.flag_label(f) for f in (log.flags or [])],
            "safety": [b["label"] for b in badges][:6], "lat": p.lat if p else None, "lon": p.lon if p else None,
        })
    units = list(Unit.objects.order_by("callsign")[:MAX_UNITS])
    positions = unit_positions([u.pk for u in units])
    return {"logs": log_rows, "units": [_unit_out(u, positions.get(u.pk), now) for u in units],
            "placed_logs": len(points), "basemap": None if settings.MAP_TILES else "demo"}


def suggestions(log: Log, *, skills: list[str] | None = None, limit: int = 10) -> dict[str, Any]:
    """Units to send to a log, best first: on duty and not already on it; available before those that would
    be diverted; then those with the skills asked for; then nearest by straight line (with an estimated time
    at the policy speed); units with no known position last. Each says why."""
    wanted = [s.strip().lower() for s in (skills or []) if s.strip()]
    point = log_points([log]).get(log.pk)
    on_it = set(Assignment.objects.filter(log=log, state__in=Assignment.ACTIVE).values_list("unit_id", flat=True))
    units = [u for u in Unit.objects.filter(on_duty=True).order_by("callsign")[:MAX_UNITS] if u.pk not in on_it]
    positions = unit_positions([u.pk for u in units])
    now = clock.now()
    rows = []
    for u in units:
        pos = positions.get(u.pk)
        have = {s.lower() for s in (u.skills or [])}
        missing = [s for s in wanted if s not in have]
        metres = rules.distance_m(point, rules.Point(pos.latitude, pos.longitude)) if point and pos else None
        minutes = rules.minutes_at(metres, settings.MAP_SPEED_KMH) if metres is not None else None
        why = [STATUS_LABELS.get(u.status, u.status) + ("" if u.status == "available" else ": would be diverted")]
        if wanted:
            why.append("has " + ", ".join(s for s in wanted if s in have) if not missing else
                       "lacks " + ", ".join(missing))
        if metres is not None and minutes is not None:
            age = (now - pos.at).total_seconds() if pos else 0
            why.append(f"{metres / 1000:.1f} km away, about {max(1, round(minutes))} min at "
                       f"{settings.MAP_SPEED_KMH:g} km/h (position {rules.age_text(age)})")
        elif point is None:
            why.append("the log's place has no coordinates")
        else:
            why.append("no position reported")
        rows.append({**_unit_out(u, pos, now), "distance_m": round(metres) if metres is not None else None,
                     "minutes": round(minutes, 1) if minutes is not None else None, "missing_skills": missing,
                     "why": why,
                     "_order": (STATUS_RANK.get(u.status, 9), len(missing), metres is None, metres or 0.0, u.callsign)})
    rows.sort(key=lambda r: r["_order"])
    for r in rows:
        del r["_order"]
    return {"reference": log.reference, "lat": point.lat if point else None, "lon": point.lon if point else None,
            "skills": wanted, "speed_kmh": settings.MAP_SPEED_KMH, "units": rows[: max(1, min(limit, 50))]}
