"""Live events, kept so that a reconnecting client is replayed what it missed by sequence number."""

from __future__ import annotations

from django.db import models


class Event(models.Model):
    """Something that happened, on a topic (`log:<id>`, `user:<id>`, `team:<id>`, `board`).

    Written in the transaction of the change; announced to live clients only after it commits.
    """

    seq = models.BigAutoField(primary_key=True)
    at = models.DateTimeField()
    topic = models.CharField(max_length=64)
    kind = models.CharField(max_length=64)
    log_id = models.BigIntegerField(null=True)
    log_version = models.PositiveIntegerField(null=True)
    payload = models.JSONField(default=dict)

    class Meta:
        indexes = [
            models.Index(fields=["topic", "seq"]),
            models.Index(fields=["log_id", "log_version"]),
        ]


class Presence(models.Model):
    """Who has a log open right now (L4). Refreshed by the live stream's heartbeat."""

    log_id = models.BigIntegerField()
    user = models.ForeignKey("staff.User", on_delete=models.PROTECT, related_name="+")
    connected_at = models.DateTimeField()
    last_seen = models.DateTimeField()
    # Open streams for this person and log: a reload opens the new stream before the old one closes.
    connections = models.PositiveIntegerField(default=0)
    editing = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["log_id", "user"], name="one_presence_per_user_log")]
