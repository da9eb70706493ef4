from django.apps import AppConfig


class ClocksConfig(AppConfig):
    name = "watchkeeper.clocks"
    label = "clocks"
    verbose_name = "Deadlines"
