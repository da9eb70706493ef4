"""What the roster tests share: a support operator (a call handler rostered on the support desk) and times."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from watchkeeper.core import clock


def hour(offset_hours: float) -> datetime:
    """A whole minute `offset_hours` from now."""
    return (clock.now() + timedelta(hours=offset_hours)).replace(second=0, microsecond=0)


def local_text(at: datetime) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M")


MINIMUMS = [
    {"desk_role": "support_operator", "start": "00:00", "end": "24:00", "minimum": 1},
    {"desk_role": "duty_inspector", "start": "00:00", "end": "24:00", "minimum": 1},
]
