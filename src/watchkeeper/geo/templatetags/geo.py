"""`{% load geo %}{% map_settings as map %}`: the tile source the map uses (none: the force's own GeoJSON)."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def map_settings() -> dict[str, Any]:
    return {"tiles": settings.MAP_TILES, "attribution": settings.MAP_ATTRIBUTION}
