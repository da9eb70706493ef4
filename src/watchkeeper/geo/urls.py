"""Map pages (included at /map/)."""

from __future__ import annotations

from django.urls import path

from watchkeeper.geo import views

app_name = "geo"

urlpatterns = [
    path("", views.map_page, name="map"),
    path("data/", views.data, name="data"),
    path("suggestions/<str:reference>/", views.suggestions, name="suggestions"),
]
