"""What joins the apps to the kernel and the pages, where no single app owns the join.

Called once when Django starts (RootConfig.ready, after every app's own ready()):
- policy checks that need an app's codes (`core.config.add_policy_validator`): closing codes (incidents, L10),
  the party roles a scheme floor names (people, M2) and the cue families (cues, C3);
- the navigation's unread count (`web.context.add_navigation`), from the incidents app's notifications.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from watchkeeper.core.config import add_policy_validator, current_policy
from watchkeeper.core.errors import Invalid
from watchkeeper.web.context import add_navigation


def closing_codes(value: Any) -> None:
    """L10: 'no units available' is never a closing outcome."""
    from watchkeeper.incidents.rules import NEVER_AN_OUTCOME

    if any(item["code"] in NEVER_AN_OUTCOME for item in value):
        raise Invalid("L10: 'no units available' is never a closing outcome", "value")


def scheme_floor_roles(value: Any) -> None:
    """M2: the floor applies to parties in these roles; each must be a party role."""
    from watchkeeper.people.models import ROLES

    codes = {code for code, _ in ROLES}
    if not value or not all(isinstance(r, str) and r in codes for r in value):
        raise Invalid(f"Policy scheme_floor_roles must list party roles from: {', '.join(sorted(codes))}",
                      "value")


def cue_flags(value: Any) -> None:
    """C3: each cue family maps to a flag code in force."""
    from watchkeeper.cues.lexicon import FAMILIES

    flags = {f["code"] for f in current_policy()["flags"]}
    for family, flag in value.items():
        if family not in FAMILIES or not isinstance(flag, str) or flag not in flags:
            raise Invalid(f"Policy cue_flags maps cue families ({', '.join(FAMILIES)}) to flag codes "
                          f"({', '.join(sorted(flags))}); {family!r}: {flag!r} is not one", "value")


def unread(request: HttpRequest, user: Any) -> dict[str, Any]:
    """The signed-in person's unread notifications (their own and their team's)."""
    from django.db.models import Q

    from watchkeeper.incidents.models import Notification

    mine = Q(recipient=user) | (Q(team_id=user.team_id) if user.team_id else Q(pk__in=[]))
    return {"unread_count": Notification.objects.filter(mine, read_at__isnull=True).count()}


def register() -> None:
    add_policy_validator("closing_codes", closing_codes)
    add_policy_validator("scheme_floor_roles", scheme_floor_roles)
    add_policy_validator("cue_flags", cue_flags)
    add_navigation(unread)
