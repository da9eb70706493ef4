"""The kernel stands alone: what apps contribute reaches it by registration, and its clock refuses a moved
time unless a drill asks for one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured

from watchkeeper.core import clock, errors
from watchkeeper.core.config import add_policy_validator, validate_policy_value
from watchkeeper.core.errors import Invalid, Refusal


# ------------------------------------------------------------------------------------------ the clock
def test_no_offset_is_the_real_clock() -> None:
    assert clock.offset_from({}) == timedelta(0)
    assert clock.offset_from({"WATCHKEEPER_CLOCK_OFFSET_SECONDS": ""}) == timedelta(0)
    assert clock.offset_from({"WATCHKEEPER_CLOCK_OFFSET_SECONDS": "0"}) == timedelta(0)


def test_an_offset_without_the_drill_flag_is_refused_naming_both_variables() -> None:
    with pytest.raises(ImproperlyConfigured) as refused:
        clock.offset_from({"WATCHKEEPER_CLOCK_OFFSET_SECONDS": "120"})
    assert "WATCHKEEPER_CLOCK_OFFSET_SECONDS" in str(refused.value) and "WATCHKEEPER_DRILL=1" in str(refused.value)
    with pytest.raises(ImproperlyConfigured):
        clock.offset_from({"WATCHKEEPER_CLOCK_OFFSET_SECONDS": "120", "WATCHKEEPER_DRILL": "0"})


def test_a_drill_may_move_the_clock() -> None:
    env = {"WATCHKEEPER_CLOCK_OFFSET_SECONDS": "-90.5", "WATCHKEEPER_DRILL": "1"}
    assert clock.offset_from(env) == timedelta(seconds=-90.5)
    assert clock.offset_from({**env, "WATCHKEEPER_DRILL": "true"}) == timedelta(seconds=-90.5)


@pytest.mark.parametrize("raw", ["abc", "1e400", "nan", "5 minutes"])
def test_a_malformed_offset_is_refused_naming_the_variable(raw: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="WATCHKEEPER_CLOCK_OFFSET_SECONDS"):
        clock.offset_from({"WATCHKEEPER_CLOCK_OFFSET_SECONDS": raw, "WATCHKEEPER_DRILL": "1"})


def test_a_malformed_drill_flag_is_refused() -> None:
    with pytest.raises(ImproperlyConfigured, match="WATCHKEEPER_DRILL"):
        clock.offset_from({"WATCHKEEPER_DRILL": "perhaps"})


def test_this_process_runs_on_the_real_clock() -> None:
    assert clock.offset() == timedelta(0)


# ------------------------------------------------------------------------------ what apps contribute
def test_a_refusal_names_its_safeguard_through_the_registry_the_app_installed() -> None:
    body = Refusal("No.", safeguard="L3").as_dict()
    named = body["safeguard"]
    assert named["id"] == "L3" and named["title"] and named["url"] == "/safeguards/L3/"
    with pytest.raises(KeyError):
        Refusal("No.", safeguard="Z99").as_dict()


def test_without_a_registry_a_safeguard_is_named_by_its_id(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(errors, "_describer", None)
    assert Refusal("No.", safeguard="L3").as_dict()["safeguard"]["id"] == "L3"


def test_apps_contribute_policy_checks() -> None:
    calls: list[object] = []

    def check(value: object) -> None:
        calls.append(value)
        if value == 99:
            raise Invalid("not 99", "value")

    add_policy_validator("circulation_latest_entries", check)
    add_policy_validator("circulation_latest_entries", check)  # once only
    try:
        validate_policy_value("circulation_latest_entries", 20)
        assert calls == [20]
        with pytest.raises(Invalid, match="not 99"):
            validate_policy_value("circulation_latest_entries", 99)
    finally:
        from watchkeeper.core import config

        config._VALIDATORS["circulation_latest_entries"].remove(check)
    with pytest.raises(KeyError):
        add_policy_validator("no_such_key", check)


def test_the_apps_checks_are_registered_when_django_starts() -> None:
    """Closing codes (L10) and scheme floor roles (M2) are checked by what their apps know (cue flags, which
    also read the policy in force, are checked in tests/integration/test_policy_and_auth.py)."""
    with pytest.raises(Invalid, match="L10"):
        validate_policy_value("closing_codes", [{"code": "no_units_available", "label": "x", "positive": False}])
    with pytest.raises(Invalid, match="party roles"):
        validate_policy_value("scheme_floor_roles", ["bystander"])
