"""Where things are: the force's gazetteer (UPRN and postcode to coordinates, as the force loads it) and the
positions units report (an AVL feed or the crew's device). Both are kept: a reload adds rows (the newest for a
key is the one in force) and a position is a new row, so where a unit was at any time can be answered."""

from __future__ import annotations

from django.db import models


class GazetteerEntry(models.Model):
    """One place the force's gazetteer knows: its UPRN and/or postcode and address, and its coordinates (WGS84).
    `address_key` is the people index's normalised key (people.rules.address_key), so a log's place as typed
    finds its coordinates without a UPRN."""

    uprn = models.CharField(max_length=12, blank=True, db_index=True)
    postcode = models.CharField(max_length=10, blank=True, db_index=True)
    address = models.CharField(max_length=300, blank=True)
    address_key = models.CharField(max_length=300, blank=True, db_index=True)
    latitude = models.FloatField()
    longitude = models.FloatField()
    source = models.CharField(max_length=100)
    loaded_at = models.DateTimeField()
    loaded_by = models.ForeignKey("staff.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")


class UnitPosition(models.Model):
    """Where a unit said it was, at the time it said so (`at`), and when and from whom it arrived."""

    unit = models.ForeignKey("dispatch.Unit", on_delete=models.PROTECT, related_name="positions")
    latitude = models.FloatField()
    longitude = models.FloatField()
    at = models.DateTimeField()
    received_at = models.DateTimeField()
    reported_by = models.ForeignKey("staff.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["unit", "-at", "-id"], name="unitposition_newest")]
