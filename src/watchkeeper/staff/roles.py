"""Roles and what each may do. The data is the kernel's (`watchkeeper.core.roles`: every action checks it
through `Actor.require`); staff's models and pages use it from here."""

from watchkeeper.core.roles import (
    COMMAND,
    GRADERS,
    OPERATIONAL,
    OVERSIGHT,
    PERMISSIONS,
    ROLE_LABELS,
    Role,
    allowed,
)

__all__ = ["COMMAND", "GRADERS", "OPERATIONAL", "OVERSIGHT", "PERMISSIONS", "ROLE_LABELS", "Role", "allowed"]
