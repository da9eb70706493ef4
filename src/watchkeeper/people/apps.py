from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "watchkeeper.people"
    label = "people"
    verbose_name = "People, places and call-time context"

    def ready(self) -> None:
        from watchkeeper.clocks.sweeper import register as sweep
        from watchkeeper.people.actions import fire_scheme_deadlines
        from watchkeeper.people.hooks import register

        register()
        sweep("special scheme reviews and overdue escalations (M2)", fire_scheme_deadlines)
