"""Who is acting: every action receives an Actor, so permission checks and audit records never depend on
where the call came from (UI, API, CLI or the sweeper)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from watchkeeper.core.errors import Forbidden
from watchkeeper.core.roles import ROLE_LABELS, Role, allowed

if TYPE_CHECKING:  # the type only: core never imports an app at run time
    from watchkeeper.staff.models import User


@dataclass(frozen=True)
class Actor:
    user: User | None
    request_id: str = ""
    via: str = "ui"

    @property
    def role(self) -> str:
        return self.user.role if self.user else "system"

    @property
    def person(self) -> User:
        """The member of staff acting, for records that must name a person (who graded, who requested).
        The system actor is refused here rather than writing a record with nobody behind it."""
        if self.user is None:
            raise Forbidden("This is done by a member of staff, not by the system.",
                            next_step="Sign in and do it yourself.")
        return self.user

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user else None

    @property
    def username(self) -> str:
        return self.user.username if self.user else "system"

    def require(self, permission: str) -> None:
        """Refuse unless the actor's role allows the permission. The system actor may do anything."""
        if self.user is None:
            return
        if not self.user.is_active or not allowed(self.role, permission):
            label = ROLE_LABELS.get(Role(self.role), self.role) if self.role in ROLE_VALUES else self.role
            raise Forbidden(f"A {label} may not do this ({permission}).")

    def may(self, permission: str) -> bool:
        return self.user is None or (self.user.is_active and allowed(self.role, permission))


ROLE_VALUES = frozenset(r.value for r in Role)
SYSTEM = Actor(user=None, via="system")
