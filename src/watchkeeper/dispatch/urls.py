"""Dispatch pages, under /dispatch/."""

from __future__ import annotations

from django.urls import path

from watchkeeper.dispatch import views

urlpatterns = [
    path("", views.board, name="dispatch-board"),
    path("command/", views.command, name="dispatch-command"),
    path("units/<str:callsign>/", views.unit_page, name="dispatch-unit"),
    path("diverts/", views.diverts, name="dispatch-diverts"),
    # A board form's operation, and what it acts on when the API names that in its path (operations.TARGETS).
    path("do/<str:what>/", views.do, name="dispatch-do"),
    path("do/<str:what>/<str:target>/", views.do, name="dispatch-do"),
]
