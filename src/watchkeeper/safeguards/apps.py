from django.apps import AppConfig


class SafeguardsConfig(AppConfig):
    name = "watchkeeper.safeguards"
    label = "safeguards"
    verbose_name = "Safeguard registry"
