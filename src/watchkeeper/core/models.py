"""Policy configuration and reference-number counters."""

from __future__ import annotations

from django.db import models


class PolicySetting(models.Model):
    """One version of one policy value. A change is a new row; the newest row per key is in force; rows are
    never deleted, so any version can be put back (a rollback is a new row)."""

    key = models.CharField(max_length=100)
    value = models.JSONField()
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey("staff.User", null=True, on_delete=models.PROTECT)
    reason = models.TextField(blank=True)
    # A rollback is a new row equal to an earlier version; this names the version it restored.
    rolled_back_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["key", "-id"])]


class ReferenceCounter(models.Model):
    """The last sequence number issued for a day (L1: references are unique and never reused)."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)
