"""The safeguard registry over the API."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from watchkeeper.core.errors import NotFound
from watchkeeper.safeguards.registry import all_safeguards, get

router = Router(tags=["safeguards"])


@router.get("", summary="Every safeguard in the catalogue with its state, tests and lesson replays")
def list_safeguards(request: HttpRequest) -> list[dict[str, Any]]:
    return [sg.as_dict() for sg in all_safeguards()]


@router.get("/{sid}", summary="One safeguard")
def one(request: HttpRequest, sid: str) -> dict[str, Any]:
    try:
        return get(sid.upper()).as_dict()
    except KeyError:
        raise NotFound(f"No safeguard {sid!r}.") from None
