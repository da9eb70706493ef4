"""Dispatch pages, under /dispatch/."""

from __future__ import annotations

from django.urls import path

from watchkeeper.dispatch import views

urlpatterns = [
    path("", views.board, name="dispatch-board"),
    path("command/", views.command, name="dispatch-command"),
    path("units/<str:callsign>/", views.unit_page, name="dispatch-unit"),
    path("diverts/", views.diverts, name="dispatch-diverts"),
    path("do/<str:what>/", views.do, name="dispatch-do"),
]
