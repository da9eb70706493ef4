"""The search endpoint's contract for the API table (`tests/integration/test_api.py`), kept beside the search
tests. Built by a function taking the table's own classes, so the table imports this module."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.support.factories import raise_log
from tests.support.personas import Personas


def endpoints(endpoint: Callable[..., Any], call: Callable[..., Any]) -> list[Any]:
    def searched(p: Personas) -> Any:
        raise_log(p.actor("handler"), account="He has a machete in the kitchen")
        return call(query="?q=machete&status=open")

    return [
        # A2: a search shows logs' contents, so it is audited like opening a log (who, what was asked, what shown).
        endpoint("GET", "/api/search", "log.view", "handler", "learning", 200, "search.performed", searched),
    ]
