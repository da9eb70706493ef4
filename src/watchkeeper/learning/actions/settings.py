"""K2: learning settings (the response period, alert windows): a change is a new row, audited."""

from __future__ import annotations

from watchkeeper.audit import writer as audit
from watchkeeper.core import clock
from watchkeeper.core import validate as v
from watchkeeper.core.actor import Actor
from watchkeeper.core.uow import unit_of_work
from watchkeeper.learning import rules
from watchkeeper.learning.config import current
from watchkeeper.learning.models import (
    LearningSetting,
)


def set_setting(actor: Actor, key: str, value: int, reason: str) -> LearningSetting:
    """K2: change a learning setting (the response period, alert windows): a new row, audited."""
    actor.require("learning.manage")
    reason = v.text(reason, "reason", max_length=2000)
    value = rules.check_setting(key, value)
    with unit_of_work():
        before = current().as_dict().get(key)
        row = LearningSetting.objects.create(
            key=key, value=value, changed_at=clock.now(), changed_by=actor.user, reason=reason
        )
        audit.record(
            actor,
            "learning.setting_changed",
            "learning_setting",
            key,
            before=before,
            after=value,
            reason=reason,
        )
    return row

