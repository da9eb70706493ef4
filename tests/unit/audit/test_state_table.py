"""The table of audited state (audit/state.py) names real model fields and real audit actions: a renamed
field or action would otherwise silently stop the check."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.apps import apps

from watchkeeper.audit import state
from watchkeeper.audit.guard import refuse_backward

SRC = Path(state.__file__).resolve().parents[1]


def _recorded_actions() -> set[str]:
    text = "\n".join(p.read_text() for p in SRC.rglob("*.py") if p.parent.name != "audit")
    return set(re.findall(r'"([a-z_]+\.[a-z_]+)"', text))


def test_every_tracked_field_and_action_exists():
    known = _recorded_actions()
    for spec in state.TRACKED:
        model = apps.get_model(spec.model)
        names = {f.attname for f in model._meta.concrete_fields} | {"pk"}
        assert spec.key in names, spec
        for field, sources in spec.fields.items():
            assert field in names, (spec.model, field)
            for action in sources:
                assert action in known, f"{spec.model}.{field}: no action records {action!r}"


@pytest.mark.parametrize("recorded, found, presence, same", [
    ("2026-03-01T10:00:00.123Z", datetime(2026, 3, 1, 10, 0, 0, 123456, tzinfo=UTC), False, True),
    ("2026-03-01T11:00:00.123+01:00", datetime(2026, 3, 1, 10, 0, 0, 123000, tzinfo=UTC), False, True),
    ("2026-03-01T10:00:00.123Z", datetime(2026, 3, 1, 10, 0, 1, tzinfo=UTC), False, False),
    ("2026-03-01", date(2026, 3, 1), False, True),
    (None, date(2026, 3, 1), False, False),
    (True, datetime(2026, 3, 1, tzinfo=UTC), True, True),
    (False, None, True, True),
    (False, datetime(2026, 3, 1, tzinfo=UTC), True, False),
    (["a"], ["a"], False, True),
    ("open", "closed", False, False),
])
def test_values_compare_as_the_trail_keeps_them(recorded, found, presence, same):
    assert state._same(recorded, found, presence) is same


class _M:
    def __init__(self, app_label: str, name: str) -> None:
        self.app_label, self.name = app_label, name


@pytest.mark.safeguard("L1")
def test_a_backward_plan_of_a_kept_forever_app_is_refused():
    from django.core.management import CommandError

    refuse_backward(plan=[(_M("incidents", "0005_x"), False)])  # forwards: fine
    refuse_backward(plan=[(_M("sessions", "0001_initial"), True)])  # not kept forever
    refuse_backward(plan=None)
    with pytest.raises(CommandError, match="incidents.0004_keep"):
        refuse_backward(plan=[(_M("incidents", "0004_keep"), True)])
