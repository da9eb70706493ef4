"""The administrators' policy pages (included under /policy/ by the project's urls)."""

from __future__ import annotations

from django.urls import path

from watchkeeper.web import policy_views

urlpatterns = [
    path("", policy_views.policy_index, name="policy"),
    path("<str:key>/", policy_views.policy_key, name="policy-key"),
]
