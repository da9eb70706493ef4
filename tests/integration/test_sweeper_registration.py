"""The sweeper imports no app: each app registers its timers from AppConfig.ready(). Every deadline family
the product relies on must be registered once the apps are loaded, or its timers would silently never fire."""

from __future__ import annotations

import pytest

from watchkeeper.clocks import sweeper

EXPECTED = {
    "task alerts (L11)": "watchkeeper.incidents",
    "review escalations (L9)": "watchkeeper.incidents",
    "special scheme reviews and overdue escalations (M2)": "watchkeeper.people",
    "response clock alerts and breaches (D1)": "watchkeeper.dispatch",
    "alert escalations (D1)": "watchkeeper.dispatch",
    "divert decisions not made in time (D2)": "watchkeeper.dispatch",
    "learning due and overdue alerts (K2)": "watchkeeper.learning",
    "queued lesson replays (K4)": "watchkeeper.learning",
    "audit checkpoints (A3)": "watchkeeper.audit",
    "missing-person reviews overdue (P9)": "watchkeeper.risk",
}


@pytest.mark.safeguard("L11")
@pytest.mark.safeguard("D1")
def test_every_timer_family_is_registered_by_its_own_app() -> None:
    registered = dict(sweeper.handlers())
    for name, package in EXPECTED.items():
        assert name in registered, f"{name} is not registered with the sweeper"
        assert registered[name].__module__.startswith(package), (name, registered[name].__module__)


def test_sweeper_module_imports_no_app() -> None:
    source = open(sweeper.__file__, encoding="utf-8").read()
    for app in ("incidents", "people", "dispatch", "learning"):
        assert f"watchkeeper.{app}" not in source
