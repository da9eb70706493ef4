from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "watchkeeper.learning"
    label = "learning"
    verbose_name = "Learning library"
