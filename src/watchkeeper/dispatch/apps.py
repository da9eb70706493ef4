from django.apps import AppConfig


class DispatchConfig(AppConfig):
    name = "watchkeeper.dispatch"
    label = "dispatch"
    verbose_name = "Dispatch and response clocks"

    def ready(self) -> None:
        from watchkeeper.dispatch.hooks import register

        register()
