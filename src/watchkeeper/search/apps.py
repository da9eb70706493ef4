from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _reinstall(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """After every migrate: SQLite drops a table's triggers when a migration rebuilds it, so the search index's
    triggers are put back (idempotent; nothing changes when they are all there)."""
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    from watchkeeper.search import sql

    connection = connections[using]
    if MigrationRecorder(connection).migration_qs.filter(app="search", name="0001_initial").exists():
        sql.install(connection)


class SearchConfig(AppConfig):
    name = "watchkeeper.search"
    label = "search"
    verbose_name = "Search across logs"

    def ready(self) -> None:
        from watchkeeper.web.context import NavLink, add_nav_link

        add_nav_link(NavLink("search:page", "Search", "Search logs by what was said, people, places, phones (/)",
                             "log.view", order=10))
        post_migrate.connect(_reinstall, sender=self, dispatch_uid="watchkeeper.search.reinstall")
