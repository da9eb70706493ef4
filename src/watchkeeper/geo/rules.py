"""Coordinates and distances: pure functions, no Django."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

EARTH_RADIUS_M = 6_371_000.0
_UPRN = re.compile(r"^[0-9]{1,12}$")


@dataclass(frozen=True)
class Point:
    lat: float
    lon: float


def check_point(lat: float, lon: float, bounds: tuple[float, float, float, float] | None = None) -> str | None:
    """Why a coordinate pair cannot be a place (not a number, off the globe, outside the force's bounds), or None.
    bounds: (south, west, north, east)."""
    for name, value in (("latitude", lat), ("longitude", lon)):
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
            return f"{name} must be a number"
    if not -90 <= lat <= 90:
        return "latitude must be between -90 and 90"
    if not -180 <= lon <= 180:
        return "longitude must be between -180 and 180"
    if bounds is not None:
        south, west, north, east = bounds
        if not (south <= lat <= north and west <= lon <= east):
            return (f"({lat:.5f}, {lon:.5f}) is outside the force's area ({south}, {west} to {north}, {east}): "
                    "check the order (latitude first) and the datum (WGS84)")
    return None


def check_uprn(value: str) -> str | None:
    return None if value == "" or _UPRN.match(value) else "uprn must be up to 12 digits"


def distance_m(a: Point, b: Point) -> float:
    """Great-circle (straight-line) distance in metres (haversine)."""
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def minutes_at(metres: float, speed_kmh: float) -> float:
    return metres / 1000 / speed_kmh * 60 if speed_kmh > 0 else float("inf")


def age_text(seconds: float) -> str:
    """How long ago, as a person reads it: "40 s ago", "12 min ago", "3 h ago"."""
    s = max(0, int(seconds))
    if s < 90:
        return f"{s} s ago"
    if s < 90 * 60:
        return f"{round(s / 60)} min ago"
    return f"{round(s / 3600)} h ago"
