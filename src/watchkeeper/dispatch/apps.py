from django.apps import AppConfig


class DispatchConfig(AppConfig):
    name = "watchkeeper.dispatch"
    label = "dispatch"
    verbose_name = "Dispatch and response clocks"

    def ready(self) -> None:
        from watchkeeper.clocks.sweeper import register as sweep
        from watchkeeper.dispatch.actions import fire_alert_escalations, fire_clock_alerts, fire_divert_deadlines
        from watchkeeper.dispatch.hooks import register
        from watchkeeper.dispatch.log_header import register as register_log_header

        register()
        register_log_header()  # the log page's header: clock, units, unacknowledged alerts
        sweep("response clock alerts and breaches (D1)", fire_clock_alerts)
        sweep("alert escalations (D1)", fire_alert_escalations)
        sweep("divert decisions not made in time (D2)", fire_divert_deadlines)
