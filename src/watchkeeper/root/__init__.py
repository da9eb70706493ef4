"""The composition root: where the apps are put together into something that runs.

The `watchkeeper` command's own commands (serve, demo, replay, bench, ...), the demonstration force and
anything else that needs every app at once live here. Nothing imports this package but the `watchkeeper`
command (and Django, which finds its management commands), so the apps and the kernel stay free of it.
"""
