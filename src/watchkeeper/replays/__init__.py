"""Lesson replays: each case from the published learning, driven through the API as an executable
scenario that shows where a safeguard intervenes ("Could it happen here?")."""
