"""Backward migrations of kept-forever apps are refused (L1, A3): `migrate incidents zero` would drop every
log, `migrate audit zero` the audit trail. The refusal comes before anything changes; forward migrations
still run."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from tests.support.factories import raise_log
from watchkeeper.incidents.models import Log

pytestmark = pytest.mark.django_db


@pytest.mark.safeguard("L1")
@pytest.mark.parametrize("target", [("incidents", "zero"), ("audit", "zero"), ("people", "zero"),
                                    ("dispatch", "zero"), ("learning", "zero"), ("staff", "zero"),
                                    ("core", "zero"), ("realtime", "zero"), ("people", "0006")])
def test_migrating_a_kept_forever_app_backwards_is_refused_and_changes_nothing(people, target):
    log = raise_log(people.actor("handler"))
    applied = set(MigrationRecorder(connection).applied_migrations())
    with pytest.raises(CommandError, match="Refused: this would unapply .*kept forever.*Nothing was changed"):
        call_command("migrate", *target, verbosity=0, stdout=io.StringIO())
    assert set(MigrationRecorder(connection).applied_migrations()) == applied
    assert Log.objects.filter(pk=log.pk).exists()


def test_forward_migrate_still_runs(db):
    out = io.StringIO()
    call_command("migrate", stdout=out)
    assert "No migrations to apply" in out.getvalue()


def test_the_watchkeeper_command_runs_the_same_guard():
    """`watchkeeper migrate` is Django's command (no app overrides it), so the pre_migrate guard is on its path."""
    from django.core.management import get_commands

    assert get_commands()["migrate"] == "django.core"
