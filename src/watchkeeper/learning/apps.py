from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "watchkeeper.learning"
    label = "learning"
    verbose_name = "Learning library"

    def ready(self) -> None:
        from watchkeeper.clocks.sweeper import register
        from watchkeeper.learning.actions import fire_learning_alerts, sweep_replay_runs

        register("learning due and overdue alerts (K2)", fire_learning_alerts)
        register("queued lesson replays (K4)", sweep_replay_runs)
