"""The learning settings in force: defaults from `rules.DEFAULTS` overlaid with the newest stored value of
each key (a change is an audited new row, `actions.set_setting`)."""

from __future__ import annotations

from watchkeeper.learning.models import LearningSetting
from watchkeeper.learning.rules import DEFAULTS, LearningPolicy


def current() -> LearningPolicy:
    values: dict[str, object] = dict(DEFAULTS)
    seen: set[str] = set()
    for row in LearningSetting.objects.order_by("-id").only("key", "value"):
        if row.key not in seen:
            seen.add(row.key)
            if row.key in DEFAULTS:
                values[row.key] = row.value
    return LearningPolicy.from_values(values)
