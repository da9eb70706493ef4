from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "watchkeeper.incidents"
    label = "incidents"
    verbose_name = "Incident logs"
