from django.apps import AppConfig


class RootConfig(AppConfig):
    """Listed last in INSTALLED_APPS: its management commands are the `watchkeeper` command's, and its
    ready() joins the apps to the kernel where no single app owns the join (root/wiring.py)."""

    name = "watchkeeper.root"
    label = "root"
    verbose_name = "Watchkeeper (composition root)"

    def ready(self) -> None:
        from watchkeeper.root import wiring

        wiring.register()
