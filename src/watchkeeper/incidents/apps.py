from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "watchkeeper.incidents"
    label = "incidents"
    verbose_name = "Incident logs"

    def ready(self) -> None:
        from watchkeeper.clocks.sweeper import register
        from watchkeeper.incidents.actions import fire_review_escalations, fire_task_alerts

        register("task alerts (L11)", fire_task_alerts)
        register("review escalations (L9)", fire_review_escalations)
