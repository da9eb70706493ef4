"""Force policy for rule tests: the defaults with some keys replaced, as an administrator's change would."""

from __future__ import annotations

import copy
from typing import Any

from watchkeeper.core.policy import DEFAULTS, Policy


def policy(**changes: Any) -> Policy:
    values = copy.deepcopy(DEFAULTS)
    values.update(changes)
    return Policy(values)
