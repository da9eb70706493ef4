from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "watchkeeper.realtime"
    label = "realtime"
    verbose_name = "Live events"
