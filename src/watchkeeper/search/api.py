"""Search over the API: `GET /api/search` with the same fields as the search page (search/schemas.py)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from watchkeeper.search import actions
from watchkeeper.search.schemas import SearchIn, SearchOut
from watchkeeper.web.forms import actor_of

router = Router(tags=["search"])


@router.get("/search", response=SearchOut,
            summary="Search logs by words said, person, phone, address or reference, with filters (audited, A2)")
def search(request: HttpRequest, params: Query[SearchIn]) -> dict[str, Any]:
    return actions.search(actor_of(request, via="api"), params).as_dict()
