"""The people, addresses and phones on a log, read once per unit of work.

One action runs several hooks that each ask who is on the log (the possible-breach check, the firearms
referral, the scheme floor, the required checks...). `on_log` reads the log's parties once, with their
person, address and phone, and keeps them for the rest of the unit of work; a party saved in it joins the
list kept (a saved signal), so every hook sees the parties as they now are without reading them again."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save

from watchkeeper.core.uow import forget, kept, memo, start
from watchkeeper.people.models import LogParty

KEY = "people:parties"


def on_log(log_id: int) -> list[LogParty]:
    """The log's parties, oldest first (by when, then id), with person, address and phone."""
    return memo((KEY, log_id), lambda: list(
        LogParty.objects.filter(log_id=log_id).select_related("person", "address", "phone").order_by("at", "id")))


def changed(log_id: int | None) -> None:
    """Parties moved onto or off a log by an update (not a save): the list kept is read again when asked."""
    if log_id is not None:
        forget((KEY, log_id))


def _saved(sender: Any, instance: LogParty, created: bool, **kwargs: Any) -> None:
    if instance.log_id is None:
        return
    if not created:
        changed(instance.log_id)
        return
    parties = kept((KEY, instance.log_id))
    if parties is not None:
        parties.append(instance)
        parties.sort(key=lambda p: (p.at, p.pk))


def _log_saved(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    """A log raised in a unit of work has no parties but those saved in it after: its list starts empty
    (and is read from the database as usual if a failed inner unit of work forgets it)."""
    if created and not raw:
        start((KEY, instance.pk), [])


def connect() -> None:
    from watchkeeper.incidents.models import Log

    post_save.connect(_saved, sender=LogParty, dispatch_uid="people.parties")
    post_save.connect(_log_saved, sender=Log, dispatch_uid="people.parties.log")
