"""Referral pages (included at /referrals/)."""

from __future__ import annotations

from django.urls import path

from watchkeeper.referrals import views

app_name = "referrals"

urlpatterns = [
    path("", views.queue_page, name="queue"),
    path("do/<str:what>/", views.queue_do, name="queue-do"),
    path("forces/", views.forces_page, name="forces"),
    path("forces/do/incoming/", views.incoming_do, name="incoming-do"),
    path("forces/<int:incoming_id>/do/<str:what>/", views.incoming_action, name="incoming-action"),
    path("<int:referral_id>/", views.referral_page, name="referral"),
    path("<int:referral_id>/do/<str:what>/", views.referral_do, name="referral-do"),
]
