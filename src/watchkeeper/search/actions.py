"""Searching across logs: the one audited read every entry point (the API, the search page, the top bar)
calls. Who may search is who may open a log (`log.view`); what the results show is what opening the log
would show. A search is a read of logs' contents, so it is audited like one (A2): who searched, for what,
and which logs they were shown."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from watchkeeper.audit.group import views as audit_views
from watchkeeper.core.actor import Actor
from watchkeeper.core.config import current_policy
from watchkeeper.core.errors import Invalid
from watchkeeper.people.rules import try_phone
from watchkeeper.search import queries, rules
from watchkeeper.search.schemas import SearchIn


@dataclass
class Results:
    hits: list[dict[str, Any]]
    page: int
    per_page: int
    has_more: bool

    def as_dict(self) -> dict[str, Any]:
        return {"results": self.hits, "page": self.page, "per_page": self.per_page, "has_more": self.has_more}


def parse(params: SearchIn) -> rules.Parsed:
    """The text terms of a search: the box (a phone number alone is searched as a phone), then the fields."""
    parts = []
    if rules.looks_like_phone(params.q):
        parts.append(rules.Parsed([rules.phone_term(try_phone(params.q) or "", params.q)]))
    else:
        parts.append(rules.parse(params.q))
    parts.append(rules.parse(params.person, "people"))
    parts.append(rules.parse(params.address, "places"))
    if params.phone.strip():
        parts.append(rules.Parsed([rules.phone_term(try_phone(params.phone) or "", params.phone)]))
    return rules.combine(*parts)


def filters(params: SearchIn) -> queries.Filters:
    if params.date_from and params.date_to and params.date_from > params.date_to:
        raise Invalid("date_from is after date_to", "date_from")
    return queries.Filters(date_from=params.date_from, date_to=params.date_to, category=params.category.strip(),
                           grade=params.grade.strip(), status=params.status, area=params.area,
                           flags=tuple(f.strip() for f in params.flags if f.strip()))


def search(actor: Actor, params: SearchIn) -> Results:
    """The logs matching every term and filter, one bounded page, newest first (or by relevance)."""
    actor.require("log.view")
    parsed = parse(params)
    wanted = filters(params)
    if parsed.empty and wanted.empty:
        raise Invalid("Type what to search for (words, a name, a place, a phone or a reference) or choose a "
                      "filter.", "q")
    offset = (params.page - 1) * params.per_page
    ids = queries.find_ids(parsed, wanted, sort=params.sort, limit=params.per_page + 1, offset=offset)
    more = len(ids) > params.per_page
    ids = ids[: params.per_page]
    found = queries.hits(ids, queries.snippets(parsed, ids), current_policy())
    asked = {k: v for k, v in params.model_dump(mode="json").items() if v not in ("", None, [])}
    audit_views.record(actor, "search.performed", "search", "logs",
                       after={"query": asked, "shown": [h["reference"] for h in found]})
    return Results(found, params.page, params.per_page, more)
