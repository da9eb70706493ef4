from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "watchkeeper.people"
    label = "people"
    verbose_name = "People, places and call-time context"

    def ready(self) -> None:
        from watchkeeper.people.hooks import register

        register()
