"""Search pages (included at /search/)."""

from __future__ import annotations

from django.urls import path

from watchkeeper.search import views

app_name = "search"

urlpatterns = [
    path("", views.page, name="page"),
    path("find/", views.find, name="find"),
]
