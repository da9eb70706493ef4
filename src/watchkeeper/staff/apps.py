from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "watchkeeper.staff"
    label = "staff"
    verbose_name = "Staff and access"
