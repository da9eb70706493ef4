"""Shared test set-up.

- Personas (healthchecks style): a member of staff per role, a team with a supervisor, an absent officer.
- `--safeguard-map PATH` writes {safeguard id: [test node ids]} from the `@pytest.mark.safeguard(...)`
  markers; `make registry` uses it to refresh the registry's test list (a test checks they agree).
- A safeguard marker credits one test: it goes on the test function (or one of its parameters), never on a
  module (`pytestmark`) or a class, which would credit every test in it. Collection refuses the others.
- The database is chosen by WATCHKEEPER_DATABASE_URL (the Makefile runs the suite on SQLite and PostgreSQL).
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import pytest

pytest_plugins = ["tests.support.fixtures"]


def pytest_addoption(parser: Any) -> None:
    parser.addoption("--safeguard-map", default="", help="write the safeguard -> tests map here and exit")


def pytest_configure(config: Any) -> None:
    config.addinivalue_line("markers", "safeguard(*ids): the safeguard IDs this test proves")


def pytest_collection_modifyitems(session: Any, config: Any, items: list[Any]) -> None:
    wide = sorted({f"{node.nodeid}: safeguard{mark.args}" for item in items
                   for node, mark in item.iter_markers_with_node("safeguard") if node is not item})
    if wide:
        raise pytest.UsageError("a safeguard marker must be on the test that proves it, not on a module or "
                                "class that holds other tests:\n  " + "\n  ".join(wide))
    path = config.getoption("--safeguard-map")
    if not path:
        return
    mapping: dict[str, list[str]] = defaultdict(list)
    for item in items:
        for mark in item.iter_markers("safeguard"):
            for sid in mark.args:
                if item.nodeid not in mapping[sid]:
                    mapping[sid].append(item.nodeid)
    with open(path, "w") as fh:
        json.dump({k: sorted(v) for k, v in sorted(mapping.items())}, fh, indent=1, sort_keys=True)
        fh.write("\n")
