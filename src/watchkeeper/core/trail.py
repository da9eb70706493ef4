"""The audit trail as the kernel sees it: one way to append a record (A3).

The kernel's own actions (a policy change) write their one audit record through here; the audit app
(`watchkeeper.audit`, which owns the hash chain and its table) provides the writer when Django starts
(`AuditConfig.ready`). Without it nothing can be recorded, so nothing is changed: writing refuses loudly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Recorder = Callable[..., Any]
_recorder: Recorder | None = None


def provide(recorder: Recorder) -> None:
    """Install the writer: `recorder(actor, action, object_type, object_id, *, before, after, reason)`."""
    global _recorder
    _recorder = recorder


def record(actor: Any, action: str, object_type: str, object_id: object, *, before: Any = None,
           after: Any = None, reason: str = "") -> Any:
    """Append one audit record, inside the unit of work that made the change."""
    if _recorder is None:
        raise RuntimeError("No audit trail is installed: watchkeeper.audit provides it when Django starts "
                           "(is it in INSTALLED_APPS?)")
    return _recorder(actor, action, object_type, object_id, before=before, after=after, reason=reason)
