"""Pages of the learning library, under /learning/."""

from __future__ import annotations

from django.urls import path

from watchkeeper.learning import views

app_name = "learning"

urlpatterns = [
    path("", views.index, name="index"),
    path("upload/", views.upload, name="upload"),
    path("documents/<int:document_id>/", views.document, name="document"),
    path("documents/<int:document_id>/original/", views.original, name="original"),
    path("documents/<int:document_id>/correct/", views.correct, name="correct"),
    path("cases/<int:case_id>/", views.case_page, name="case"),
    path("cases/<int:case_id>/replay/", views.replay, name="replay"),
    path("replay-runs/<int:run_id>/", views.replay_run, name="replay-run"),
    path("questions/<int:question_id>/answer/", views.answer, name="answer"),
    path("lessons/<str:code>/", views.lesson, name="lesson"),
    path("search/", views.search_page, name="search"),
    path("themes/", views.themes, name="themes"),
    path("tracker/", views.tracker, name="tracker"),
    path("tracker.csv", views.tracker_csv, name="tracker-csv"),
    path("recommendations/<int:rec_id>/", views.recommendation, name="recommendation"),
    path("recommendations/<int:rec_id>/do/<str:what>/", views.recommendation_do, name="recommendation-do"),
    path("progress/", views.progress, name="progress"),
    path("safeguards/<str:sid>/", views.safeguard_lessons, name="safeguard"),
]
