"""The search index's text, one row per log. Written only by database triggers (search/sql.py), never by
Python; the table and its index are created by the app's migration for each database, so the model is
unmanaged and exists for reading and for tests."""

from __future__ import annotations

from django.db import models


class LogText(models.Model):
    """What a log says, as the search reads it: reference and summary, words said, people, places, phones."""

    log = models.OneToOneField("incidents.Log", primary_key=True, on_delete=models.DO_NOTHING,
                               db_constraint=False, related_name="+")
    ref = models.TextField(default="")
    said = models.TextField(default="")
    people = models.TextField(default="")
    places = models.TextField(default="")
    phones = models.TextField(default="")

    class Meta:
        managed = False
        db_table = "search_logtext"
