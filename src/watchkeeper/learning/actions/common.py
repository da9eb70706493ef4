"""What every learning action shares: the day in the force's local time, input checks, text cleaning,
who hears about unowned recommendations, and the recommendation's next deadline alert."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.conf import settings

from watchkeeper.core import clock
from watchkeeper.core.errors import Invalid, NotFound
from watchkeeper.learning import rules
from watchkeeper.learning.models import (
    Recommendation,
)
from watchkeeper.staff.models import User

DEFAULT_MAX_BYTES = 20 * 1024 * 1024


def upload_max_bytes() -> int:
    """The largest document accepted, the same for the page's upload and the API (WATCHKEEPER_UPLOAD_MAX_MB)."""
    return int(getattr(settings, "UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


MAX_BYTES = upload_max_bytes()
MAX_TEXT = 20_000


def today() -> date:
    return clock.local(clock.now()).date()


def at_start_of(day: date) -> datetime:
    """The moment a day begins in the force's local time (when that day's alert falls due)."""
    return datetime.combine(day, time(0, 0), tzinfo=clock.LONDON)


def _clean(value: Any) -> Any:
    """Stored text without NUL characters (no database keeps them safely), through lists and dicts (bidi
    controls are kept and neutralised on display)."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_clean(x) for x in value]
    if isinstance(value, dict):
        return {k: _clean(x) for k, x in value.items()}
    return value


def _staff(user_id: int | None, field: str) -> User:
    if user_id is None:
        raise Invalid(f"{field} is required", field)
    if not isinstance(user_id, int) or isinstance(user_id, bool) or not 0 < user_id < 2**63:
        raise Invalid(f"{field} must be the id of a member of staff", field)
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise Invalid(f"No active member of staff with id {user_id}", field)
    return user


def _id(value: int, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 2**63:
        raise NotFound(f"No {what} {value}.")
    return value


def _day(value: date | None, field: str, *, required: bool = True) -> date | None:
    if value is None:
        if required:
            raise Invalid(f"{field} is required", field)
        return None
    if not isinstance(value, date) or isinstance(value, datetime):
        raise Invalid(f"{field} must be a date (YYYY-MM-DD)", field)
    if not date(1990, 1, 1) <= value <= date(2200, 12, 31):
        raise Invalid(f"{field} is not a plausible date", field)
    return value


def learning_leads() -> list[User]:
    """Who hears about recommendations nobody owns: the learning leads (else the administrators)."""
    leads = list(User.objects.filter(role="learning_lead", is_active=True).order_by("pk"))
    return leads or list(User.objects.filter(role="administrator", is_active=True).order_by("pk"))


def _notify(recipient: User, *, kind: str, text: str) -> None:
    from watchkeeper.incidents.actions import _notify as notify

    notify(recipient, kind=kind, text=text, safeguard="K2")


def _rec_alert(rec: Recommendation, policy: rules.LearningPolicy) -> None:
    """Set the recommendation's next deadline alert from its due date (none once responded)."""
    if rec.responded or rec.response_due is None:
        rec.alert_stage, rec.alert_at = rules.ALERT_DONE, None
        return
    stage, day = rules.first_alert(rec.response_due, today(), policy.response_due_soon_days)
    rec.alert_stage, rec.alert_at = stage, (at_start_of(day) if day else None)

