"""Configuration an evidential system must not guess stops the process at start, naming the variable; the
public development key is never used to serve outside debug (the demonstration excepted)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

from watchkeeper.core.startup import serving_refusal

BIN = Path(sys.executable).parent / "watchkeeper"


def _start(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("WATCHKEEPER_")}
    base["WATCHKEEPER_DATABASE_URL"] = "sqlite:///:memory:"
    base["WATCHKEEPER_VAR_DIR"] = os.environ.get("WATCHKEEPER_VAR_DIR", "/tmp")
    return subprocess.run([str(BIN), *(args or ("check",))], env={**base, **env}, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize(("variable", "value", "expected"), [
    ("WATCHKEEPER_SWEEPER_INTERVAL", "abc", "must be a number"),
    ("WATCHKEEPER_SWEEPER_INTERVAL", "0", "must be more than 0"),
    ("WATCHKEEPER_THREADS", "eight", "must be a whole number"),
    ("WATCHKEEPER_CONN_MAX_AGE", "-1", "must be at least 0"),
    ("WATCHKEEPER_SIGNIN_FAILURE_LIMIT", "5.5", "must be a whole number"),
    ("WATCHKEEPER_SQLITE_SYNCHRONOUS", "sometimes", "must be one of OFF, NORMAL, FULL, EXTRA"),
    ("WATCHKEEPER_CLOCK_OFFSET_SECONDS", "abc", "must be a number of seconds"),
    ("WATCHKEEPER_CLOCK_OFFSET_SECONDS", "3600", "WATCHKEEPER_DRILL=1"),
])
def test_a_malformed_setting_stops_the_command_naming_the_variable(variable: str, value: str,
                                                                   expected: str) -> None:
    done = _start({variable: value})
    assert done.returncode == 2, done.stdout + done.stderr
    assert variable in done.stderr and expected in done.stderr, done.stderr
    assert done.stderr.startswith("watchkeeper: not started:")
    assert "Traceback" not in done.stderr


def test_well_formed_settings_start() -> None:
    done = _start({"WATCHKEEPER_SWEEPER_INTERVAL": "0.25", "WATCHKEEPER_THREADS": "4",
                   "WATCHKEEPER_CLOCK_OFFSET_SECONDS": "60", "WATCHKEEPER_DRILL": "1"})
    assert done.returncode == 0, done.stderr


def test_serve_refuses_the_development_key_outside_debug() -> None:
    done = _start({}, "serve", "--port", "1", "--no-sweeper")
    assert done.returncode != 0
    assert "WATCHKEEPER_SECRET_KEY" in done.stderr and "WATCHKEEPER_DEBUG" in done.stderr, done.stderr


@pytest.mark.parametrize(("debug", "demo", "key_in_use", "refused"), [
    (False, False, True, True),
    (True, False, True, False),
    (False, True, True, False),   # `watchkeeper demo`
    (False, False, False, False),  # WATCHKEEPER_SECRET_KEY set
])
def test_who_may_serve_with_the_development_key(debug: bool, demo: bool, key_in_use: bool, refused: bool) -> None:
    with override_settings(DEBUG=debug, DEMO=demo, DEVELOPMENT_KEY_IN_USE=key_in_use):
        assert bool(serving_refusal()) is refused
