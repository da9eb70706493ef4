from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import include, path

from watchkeeper.api import api
from watchkeeper.assurance import views as assurance
from watchkeeper.clocks import print_view
from watchkeeper.incidents import views as logs
from watchkeeper.realtime.views import stream
from watchkeeper.safeguards import views as safeguards
from watchkeeper.staff import views as staff
from watchkeeper.web import health, theme

# An outage raised outside a view (by middleware) is a 503 with its reason, like one raised inside a view.
handler500 = "watchkeeper.core.middleware.server_error"

urlpatterns = [
    path("health", health.health, name="health"),
    path("ready", health.ready, name="ready"),
    path("api/", api.urls),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="/login/"), name="logout"),
    path("", logs.home, name="home"),
    path("queue/fragment/", logs.queue_fragment, name="queue-fragment"),
    path("new/", logs.new_contact, name="new-contact"),
    path("new/preview/", logs.grade_preview, name="grade-preview"),
    path("find/", logs.find, name="find"),
    path("logs/<str:reference>/", logs.log_page, name="log"),
    path("logs/<str:reference>/live/", logs.narrative, name="log-live"),
    path("logs/<str:reference>/presence/", logs.presence, name="log-presence"),
    path("logs/<str:reference>/close-dialog/", logs.close_dialog, name="close-dialog"),
    path("logs/<str:reference>/do/<str:what>/", logs.log_action, name="log-action"),
    path("logs/<str:reference>/print/", print_view.log_print, name="log-print"),  # a log on paper / PDF
    path("theme/", theme.set_theme, name="theme"),  # the low-light theme, per person (a cookie)
    path("notifications/", logs.notifications, name="notifications"),
    path("notifications/<int:notification_id>/read/", logs.notification_read, name="notification-read"),
    path("messages/new/", logs.message_new, name="message-new"),
    path("messages/<int:contact_id>/handle/", logs.message_handle, name="message-handle"),
    path("review/", logs.review_queue, name="review"),
    path("intake/", logs.intake_reviewers, name="intake"),
    path("policy/", include("watchkeeper.web.policy_urls")),
    path("reports/", assurance.dashboard_page, name="reports"),  # A4: the assurance dashboard
    path("reports/lists/", logs.reports, name="reports-lists"),
    path("safeguards/", safeguards.index, name="safeguards"),
    path("safeguards/<str:sid>/", safeguards.detail, name="safeguard"),
    path("learning/", include("watchkeeper.learning.urls")),
    path("dispatch/", include("watchkeeper.dispatch.urls")),
    path("risk/", include("watchkeeper.risk.urls")),
    path("search/", include("watchkeeper.search.urls")),
    path("map/", include("watchkeeper.geo.urls")),
    path("assurance/", include("watchkeeper.assurance.urls")),
    path("cases/", include("watchkeeper.cases.urls")),
    path("referrals/", include("watchkeeper.referrals.urls")),
    path("", include("watchkeeper.people.urls")),
    path("account/tokens/", staff.tokens, name="tokens"),
    path("staff/", staff.people, name="staff"),
    path("events/stream", stream, name="events"),
]
