from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "watchkeeper.core"
    label = "core"
    verbose_name = "Watchkeeper core"

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_save

        from watchkeeper.core.uow import note_created, note_linked

        # Rows created in a unit of work are known to be new: what they cannot have yet is not read.
        post_save.connect(note_created, dispatch_uid="core.uow.created")
        m2m_changed.connect(note_linked, dispatch_uid="core.uow.linked")
