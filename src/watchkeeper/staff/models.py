"""Staff, teams and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from django.contrib.auth.models import AbstractUser
from django.db import models

from watchkeeper.staff.roles import ROLE_LABELS, Role


class Team(models.Model):
    """A team of staff with a supervisor. Its queue receives what is addressed to an absent member (L8)."""

    name = models.CharField(max_length=100, unique=True)
    supervisor = models.ForeignKey(
        "staff.User", null=True, blank=True, on_delete=models.PROTECT, related_name="supervised_teams"
    )

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A member of staff. One role each; the role decides what the actions allow."""

    role = models.CharField(max_length=32, choices=[(r.value, ROLE_LABELS[r]) for r in Role])
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="members")
    collar_number = models.CharField(max_length=20, blank=True)
    # Absence (leave, sickness, moved role): messages to an absent officer go to their team's queue (L8)
    # and review queues escalate to the deputy (L9).
    absent = models.BooleanField(default=False)
    absence_reason = models.CharField(max_length=200, blank=True)
    deputy = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="deputising_for"
    )

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(Role(self.role), self.role) if self.role else ""

    @property
    def display(self) -> str:
        name = self.get_full_name() or self.username
        return f"{name} ({self.role_label})"

    def __str__(self) -> str:
        return self.display


class ApiToken(models.Model):
    """A per-user token for integrations. Only its hash is stored; revoking keeps the row.

    Every token has an expiry (at most WATCHKEEPER_API_TOKEN_DAYS after issue); `staff.auth` refuses it
    once expired or revoked, and while its user is disabled or locked out after failed sign-ins."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def state_at(self, now: datetime) -> str:
        """"revoked", "expired" or "active"."""
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= now else "active"

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @staticmethod
    def new_secret() -> str:
        return "wk_" + secrets.token_urlsafe(32)
