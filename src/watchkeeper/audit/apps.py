from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "watchkeeper.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        # The kernel's own actions (a policy change) write their audit record through core.trail.
        from watchkeeper.audit.writer import record
        from watchkeeper.core import trail

        trail.provide(record)
