"""The one source of "now".

Rules never read the system clock themselves: actions pass them the time from here, so that tests move
time with time-machine and timers stay testable. WATCHKEEPER_CLOCK_OFFSET_SECONDS shifts this process's
"now" (for drills and for tests that restart a server later in time); it is 0 in normal running.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

LONDON = ZoneInfo("Europe/London")
_OFFSET = timedelta(seconds=float(os.environ.get("WATCHKEEPER_CLOCK_OFFSET_SECONDS", "0") or 0))


def now() -> datetime:
    """The current time, timezone-aware (UTC)."""
    return timezone.now() + _OFFSET


def local(dt: datetime) -> datetime:
    """The same instant in the force's local time."""
    return dt.astimezone(LONDON)
