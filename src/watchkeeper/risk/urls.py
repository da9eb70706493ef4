"""Risk pages (included at /risk/)."""

from __future__ import annotations

from django.urls import path

from watchkeeper.risk import views

app_name = "risk"

urlpatterns = [
    path("", views.home, name="home"),
    path("instruments/", views.instruments_page, name="instruments"),
    path("do/<str:what>/", views.page_do, name="do"),
    path("assessments/<int:assessment_id>/", views.assessment_page, name="assessment"),
    path("assessments/<int:assessment_id>/guidance/", views.guidance_fragment, name="guidance"),
    path("assessments/<int:assessment_id>/do/<str:what>/", views.assessment_do, name="assessment-do"),
    path("people/<int:person_id>/", views.person_page, name="person"),
    path("people/<int:person_id>/panel/", views.person_fragment, name="person-panel"),
    path("followups/<int:followup_id>/done/", views.followup_do,
         name="followup-done"),
    path("logs/<str:reference>/", views.log_fragment, name="log"),
    path("missing/<int:missing_id>/", views.missing_page, name="missing"),
    path("missing/<int:missing_id>/do/<str:what>/", views.missing_do, name="missing-do"),
]
