"""The audit trail: append-only and hash-chained (A3). The database refuses UPDATE and DELETE on it."""

from __future__ import annotations

from datetime import UTC

from django.db import models


class AuditRecord(models.Model):
    """One thing someone did or looked at: who, in what role, what, to which object, before and after,
    why, in which request, chained by hash to the record before it."""

    seq = models.BigAutoField(primary_key=True)
    at = models.DateTimeField()
    actor = models.ForeignKey("staff.User", null=True, on_delete=models.PROTECT, related_name="+")
    actor_username = models.CharField(max_length=150, blank=True)
    actor_role = models.CharField(max_length=32, blank=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    before = models.JSONField(null=True)
    after = models.JSONField(null=True)
    reason = models.TextField(blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["actor", "at"]),
        ]

    def content(self) -> dict[str, object]:
        return {
            "at": self.at.astimezone(UTC).isoformat(),
            "actor_id": self.actor_id,
            "actor_username": self.actor_username,
            "actor_role": self.actor_role,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "before": self.before,
            "after": self.after,
            "reason": self.reason,
            "request_id": self.request_id,
        }
