"""Pages for people, places and call-time context (included at the site root)."""

from __future__ import annotations

from django.urls import path

from watchkeeper.people import views

urlpatterns = [
    path("context/", views.context_fragment, name="context"),
    path("people/", views.people_index, name="people"),
    path("people/pick/", views.pick, name="person-pick"),
    path("people/<int:person_id>/", views.person_page, name="person"),
    path("people/<int:person_id>/do/<str:what>/", views.person_do, name="person-action"),
    path("addresses/<int:address_id>/", views.address_page, name="address"),
    path("addresses/<int:address_id>/do/<str:what>/", views.address_do, name="address-action"),
    path("phones/<int:phone_id>/", views.phone_page, name="phone"),
    path("phones/<int:phone_id>/do/<str:what>/", views.phone_do, name="phone-action"),
    path("logs/<str:reference>/people/part/<str:part>/", views.log_part, name="log-people-part"),
    path("logs/<str:reference>/people/do/<str:what>/", views.log_do, name="log-people-action"),
]
