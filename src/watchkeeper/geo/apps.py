from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "watchkeeper.geo"
    label = "geo"
    verbose_name = "Map, gazetteer and unit positions"

    def ready(self) -> None:
        from watchkeeper.incidents import hooks
        from watchkeeper.web.context import NavLink, add_nav_link

        hooks.add_panel(hooks.Panel("side", "geo/_log_map.html", order=5))
        add_nav_link(NavLink("geo:map", "Map", "Open logs and units on the map", "log.view", order=11))
