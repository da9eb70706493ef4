"""The one source of "now".

Rules never read the system clock themselves: actions pass them the time from here, so that tests move
time with time-machine and timers stay testable.

WATCHKEEPER_CLOCK_OFFSET_SECONDS shifts this process's "now" (for drills, and for tests that restart a
server later in time); it is 0 in normal running. An evidential system must not run on a moved clock by
accident, so an offset is refused unless WATCHKEEPER_DRILL is set too, and the audit trail says so: the
first record a process with an offset writes is preceded by a `clock.offset` record (audit.writer).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

LONDON = ZoneInfo("Europe/London")
OFFSET_VARIABLE = "WATCHKEEPER_CLOCK_OFFSET_SECONDS"
DRILL_VARIABLE = "WATCHKEEPER_DRILL"
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"", "0", "false", "no", "off"}


def offset_from(environ: Mapping[str, str]) -> timedelta:
    """The clock offset the environment asks for: refused (ImproperlyConfigured, naming the variable) when it
    is not a number, or when it is not zero and the process is not a drill."""
    raw = environ.get(OFFSET_VARIABLE, "").strip()
    drill_raw = environ.get(DRILL_VARIABLE, "").strip().lower()
    if drill_raw not in _TRUE | _FALSE:
        raise ImproperlyConfigured(f"{DRILL_VARIABLE} must be true or false, not {drill_raw!r}")
    if raw == "":
        return timedelta(0)
    try:
        seconds = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{OFFSET_VARIABLE} must be a number of seconds, not {raw!r}") from None
    if not math.isfinite(seconds) or abs(seconds) > 100 * 365 * 86400:
        raise ImproperlyConfigured(f"{OFFSET_VARIABLE} must be a number of seconds within a century, not {raw!r}")
    if seconds and drill_raw not in _TRUE:
        raise ImproperlyConfigured(
            f"{OFFSET_VARIABLE}={raw} would move this server's clock, and every time it records, by {seconds:g} "
            f"seconds. That is only for drills and tests: set {DRILL_VARIABLE}=1 as well, or unset {OFFSET_VARIABLE}."
        )
    return timedelta(seconds=seconds)


_OFFSET = offset_from(os.environ)


def offset() -> timedelta:
    """How far this process's clock is moved (zero unless a drill set it)."""
    return _OFFSET


def now() -> datetime:
    """The current time, timezone-aware (UTC)."""
    return timezone.now() + _OFFSET


def real_now() -> datetime:
    """The real time, without a drill's offset: only for recording the offset itself."""
    return timezone.now()


def local(dt: datetime) -> datetime:
    """The same instant in the force's local time."""
    return dt.astimezone(LONDON)
