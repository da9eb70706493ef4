from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "watchkeeper.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        # The kernel's own actions (a policy change) write their audit record through core.trail.
        from django.db.models.signals import pre_migrate

        from watchkeeper.audit.anchor import sweep_checkpoint
        from watchkeeper.audit.guard import refuse_backward
        from watchkeeper.audit.writer import record
        from watchkeeper.clocks import sweeper
        from watchkeeper.core import trail

        trail.provide(record)
        # A3: signed checkpoints of the chain's end, written to a place outside the database.
        sweeper.register("audit checkpoints (A3)", sweep_checkpoint)
        # L1, A3: migrating a kept-forever app backwards (which drops its tables) is refused.
        pre_migrate.connect(refuse_backward, dispatch_uid="watchkeeper.audit.refuse_backward")
