"""The OpenAPI document names each request and response schema once: two schema classes with one name would
share one entry, and the document would show one endpoint's fields (and required fields) for the other's."""

from __future__ import annotations

from collections import defaultdict

from ninja import Schema

import watchkeeper.urls  # noqa: F401 - every app's routes (and so its schemas) loaded


def _all(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_all(sub)]
    return found


def test_no_two_api_schemas_share_a_name() -> None:
    seen: dict[str, set[str]] = defaultdict(set)
    for cls in _all(Schema):
        if cls.__module__.startswith("watchkeeper."):
            seen[cls.__name__].add(cls.__module__)
    shared = {name: sorted(mods) for name, mods in seen.items() if len(mods) > 1}
    assert shared == {}, f"rename one of each: {shared}"
