from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "watchkeeper.staff"
    label = "staff"
    verbose_name = "Staff and access"

    def ready(self) -> None:
        from watchkeeper.web.context import NavLink, add_nav_link

        add_nav_link(NavLink("staff", "Staff", "Staff: roles and teams; moving someone (P1)", "staff.move", 80))
