"""The search itself: one bounded query on the index (search/sql.py) joined to the logs and their filters,
newest first (or by relevance), then the snippets of the page's logs. Reads only; the audit record of a search
is written by `actions.search`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.urls import reverse
from django.utils import timezone

from watchkeeper.core import clock
from watchkeeper.core.policy import Policy
from watchkeeper.incidents.models import Log
from watchkeeper.search import rules

SNIPPET_WORDS = 16


@dataclass
class Filters:
    date_from: date | None = None
    date_to: date | None = None
    category: str = ""
    grade: str = ""
    status: str = ""
    area: str = ""
    flags: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.date_from or self.date_to or self.category or self.grade or self.status or self.area
                    or self.flags)


def _day_start(d: date) -> Any:
    """The start of a local day (Europe/London), as this database compares stored times."""
    return connection.ops.adapt_datetimefield_value(timezone.make_aware(datetime.combine(d, time.min)))


def _where(f: Filters, postgres: bool) -> tuple[list[str], list[Any]]:
    sql: list[str] = []
    params: list[Any] = []
    if f.date_from:
        sql.append("l.created_at >= %s")
        params.append(_day_start(f.date_from))
    if f.date_to:
        sql.append("l.created_at < %s")
        params.append(_day_start(f.date_to + timedelta(days=1)))
    if f.category:
        sql.append("l.category = %s")
        params.append(f.category)
    if f.grade == "ungraded":
        sql.append("l.grade IS NULL")
    elif f.grade:
        sql.append("l.grade = %s")
        params.append(f.grade)
    if f.status:
        sql.append("l.status = %s")
        params.append(f.status)
    if f.area:
        sql.append("EXISTS (SELECT 1 FROM dispatch_responseclock c WHERE c.log_id = l.id AND c.area_type = %s)")
        params.append(f.area)
    for flag in f.flags:
        if postgres:
            sql.append("l.flags @> %s::jsonb")
            params.append(json.dumps([flag]))
        else:
            sql.append("EXISTS (SELECT 1 FROM json_each(l.flags) WHERE json_each.value = %s)")
            params.append(flag)
    return sql, params


def find_ids(parsed: rules.Parsed, f: Filters, *, sort: str, limit: int, offset: int) -> list[int]:
    """The ids of the matching logs on one page (limit + offset bounded by the schema)."""
    postgres = connection.vendor == "postgresql"
    where, params = _where(f, postgres)
    if parsed.empty:
        sql = "SELECT l.id FROM incidents_log l"
        order = "l.id DESC"
    elif postgres:
        sql = ("SELECT l.id FROM search_logtext t JOIN incidents_log l ON l.id = t.log_id")
        where.insert(0, "t.document @@ to_tsquery('english', %s)")
        params.insert(0, rules.tsquery_text(parsed))
        order = ("ts_rank(t.document, to_tsquery('english', %s)) DESC, t.log_id DESC" if sort == "relevance"
                 else "t.log_id DESC")
        if sort == "relevance":
            params.append(rules.tsquery_text(parsed))
    else:
        sql = "SELECT l.id FROM search_fts JOIN incidents_log l ON l.id = search_fts.rowid"
        where.insert(0, "search_fts MATCH %s")
        params.insert(0, rules.fts5_match(parsed))
        order = "search_fts.rank, search_fts.rowid DESC" if sort == "relevance" else "search_fts.rowid DESC"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += f" ORDER BY {order} LIMIT %s OFFSET %s"
    with connection.cursor() as cur:
        cur.execute(sql, [*params, limit, offset])
        return [int(r[0]) for r in cur.fetchall()]


def snippets(parsed: rules.Parsed, ids: list[int]) -> dict[int, str]:
    """The best passage of each log, matched words marked (rules.START/STOP)."""
    if parsed.empty or not ids:
        return {}
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            options = (f"StartSel={rules.START}, StopSel={rules.STOP}, MaxWords={SNIPPET_WORDS + 8}, "
                       f"MinWords={SNIPPET_WORDS // 2}, MaxFragments=2, FragmentDelimiter=\" … \"")
            cur.execute("SELECT log_id, ts_headline('english', concat_ws(E'\\n', said, people, places, ref), "
                        "to_tsquery('english', %s), %s) FROM search_logtext WHERE log_id = ANY(%s)",
                        [rules.tsquery_text(parsed), options, ids])
        else:  # one seek per log (FTS5 reads the match for that rowid only; an IN list would read every match)
            out: dict[int, str] = {}
            match = rules.fts5_match(parsed)
            for pk in ids:
                cur.execute(f"SELECT snippet(search_fts, -1, %s, %s, '…', {SNIPPET_WORDS}) FROM search_fts "
                            f"WHERE search_fts MATCH %s AND rowid = %s", [rules.START, rules.STOP, match, pk])
                row = cur.fetchone()
                out[pk] = str(row[0] or "") if row else ""
            return out
        return {int(i): str(s or "") for i, s in cur.fetchall()}


def hits(ids: list[int], marks: dict[int, str], policy: Policy) -> list[dict[str, Any]]:
    """The page's logs as results, in the order found."""
    logs = {log.pk: log for log in Log.objects.filter(pk__in=ids)}
    out = []
    for pk in ids:
        log = logs.get(pk)
        if log is None:
            continue
        raw = marks.get(pk) or log.summary
        out.append({
            "reference": log.reference, "url": reverse("log", args=[log.reference]),
            "created_at": clock.local(log.created_at).isoformat(), "category": log.category,
            "category_label": policy.category_label(log.category), "summary": log.summary,
            "location": log.location, "grade": log.grade, "grade_label": policy.grade_label(log.grade),
            "status": log.status, "flags": list(log.flags or []),
            "snippet": rules.snippet_text(raw), "snippet_html": rules.snippet_html(raw),
        })
    return out
