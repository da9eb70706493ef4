"""Assurance pages (included at /assurance/)."""

from __future__ import annotations

from django.urls import path

from watchkeeper.assurance import views

app_name = "assurance"

urlpatterns = [
    path("", views.dashboard_page, name="dashboard"),
    path("workload/do/overload/", views.overload_do, name="overload-do"),
    path("roster/", views.roster_page, name="roster"),
    path("roster/do/<str:what>/", views.roster_do, name="roster-do"),
    path("roster/shifts/<int:shift_id>/do/<str:what>/", views.shift_do, name="shift-do"),
    path("training/", views.training_page, name="training"),
    path("training/do/training/", views.training_do, name="training-do"),
    path("training/lapses/<int:lapse_id>/do/override/", views.override_do, name="override-do"),
    path("standards/", views.standards_page, name="standards"),
    path("standards/flags/<int:flag_id>/do/<str:what>/", views.flag_do, name="flag-do"),
    path("standards/watch-list/do/watch/", views.watch_do, name="watch-do"),
    path("standards/do/run/", views.anomaly_run_do, name="anomaly-run-do"),
]
