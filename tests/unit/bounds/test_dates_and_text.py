"""Dates checked for sense and bidi controls neutralised (core/validate.py), as every input schema uses them."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from pydantic import BaseModel, ValidationError

from watchkeeper.core import clock
from watchkeeper.core.errors import Invalid
from watchkeeper.core.validate import (
    BIDI_CONTROLS,
    Day,
    Moment,
    Text,
    date_problem,
    neutralise_bidi,
    neutralise_bidi_bytes,
    sensible,
)


class Probe(BaseModel):
    day: Day | None = None
    at: Moment | None = None
    text: Text = ""


def test_dates_a_lifetime_back_and_decades_ahead_are_accepted() -> None:
    today = clock.now().date()
    assert date_problem(today.replace(year=today.year - 120)) is None
    assert date_problem(clock.now() + timedelta(days=365 * 20)) is None


@pytest.mark.parametrize("value", [date(1, 1, 1), date(9999, 12, 31), datetime(1, 1, 1, 0, 0), datetime(9999, 1, 1)])
def test_year_1_and_9999_are_refused_naming_the_field(value: date) -> None:
    field = "at" if isinstance(value, datetime) else "day"
    with pytest.raises(ValidationError) as refused:
        Probe.model_validate({field: value.isoformat()})
    assert refused.value.errors()[0]["loc"] == (field,)
    with pytest.raises(Invalid) as invalid:
        sensible(value, "due_date")
    assert invalid.value.details == {"field": "due_date"}


def test_every_bidi_control_is_shown_as_a_mark_and_other_text_is_untouched() -> None:
    for c in BIDI_CONTROLS:
        assert neutralise_bidi(f"a{c}b") == f"a[U+{ord(c):04X}]b"
    arabic = "\u0633\u0644\u0627\u0645 and \u05e9\u05dc\u05d5\u05dd \u200f"  # RTL words and a mark stay as typed
    assert neutralise_bidi(arabic) == arabic
    assert neutralise_bidi_bytes(f"a{BIDI_CONTROLS}b {arabic} \u2014\u2019".encode()) == (
        neutralise_bidi(f"a{BIDI_CONTROLS}b {arabic} \u2014\u2019").encode()
    )


def test_free_text_is_kept_as_sent_for_display_to_neutralise() -> None:
    assert Probe(text="\u202eexe.jpg").text == "\u202eexe.jpg"
