"""Case pages (included at /cases/)."""

from __future__ import annotations

from django.urls import path

from watchkeeper.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("team/", views.team, name="team"),
    path("do/open/", views.open_do, name="open"),
    path("victims/<int:person_id>/", views.victim_page, name="victim"),
    path("victims/<int:person_id>/do/<str:what>/", views.victim_do, name="victim_do"),
    path("<int:case_id>/", views.case_page, name="case"),
    path("<int:case_id>/do/<str:what>/", views.case_do, name="do"),
]
