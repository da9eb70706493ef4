"""API tokens get an expiry. Tokens issued before this migration expire WATCHKEEPER_API_TOKEN_DAYS after
it runs (counted from now, not from their issue), so integrations keep working while their owners see the
expiry on the token page and replace them; a token counted from its issue could already be dead."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import migrations, models


def _set_expiry(apps: Any, schema_editor: Any) -> None:
    from watchkeeper.core import clock

    ApiToken = apps.get_model("staff", "ApiToken")
    ApiToken.objects.filter(expires_at__isnull=True).update(
        expires_at=clock.real_now() + timedelta(days=settings.API_TOKEN_MAX_DAYS)
    )


class Migration(migrations.Migration):
    dependencies = [("staff", "0001_initial")]

    operations = [
        migrations.AddField("apitoken", "expires_at", models.DateTimeField(null=True)),
        migrations.RunPython(_set_expiry, migrations.RunPython.noop),
        migrations.AlterField("apitoken", "expires_at", models.DateTimeField()),
    ]
