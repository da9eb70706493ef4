"""The low-light theme for night shifts: a per-person choice kept in a cookie (there is no per-person
preferences record), read when any page is drawn so the page arrives in the chosen theme (no flash of the
day theme in a dark room). The theme only switches CSS custom properties (app.css); both themes meet WCAG
2.2 AA contrast (the browser tests run axe in each).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from watchkeeper.core.errors import Invalid

COOKIE = "wk_theme"
THEMES = {"day": "Day", "low-light": "Low light"}
YEAR = 365 * 24 * 3600


def theme_of(request: HttpRequest) -> str:
    chosen = request.COOKIES.get(COOKIE, "day")
    return chosen if chosen in THEMES else "day"


def context(request: HttpRequest) -> dict[str, Any]:
    """For base.html: the theme the page is drawn in."""
    return {"theme": theme_of(request)}


@login_required
@require_POST
def set_theme(request: HttpRequest) -> HttpResponse:
    """Switch the theme (`theme`: "day" or "low-light"; none given: the other one) for this person on this
    browser. The script asks for JSON; a plain form goes back to the page it came from."""
    wanted = str(request.POST.get("theme", "")).strip()
    if not wanted:
        wanted = "day" if theme_of(request) == "low-light" else "low-light"
    if wanted not in THEMES:
        raise Invalid(f"theme: {wanted[:40]!r} is not one of: {', '.join(THEMES)}", "theme")
    back = str(request.POST.get("next", "/"))
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=False):
        back = "/"
    if request.headers.get("X-Requested-With") == "fetch":
        response: HttpResponse = JsonResponse({"theme": wanted, "label": THEMES[wanted]})
    else:
        response = HttpResponseRedirect(back)
    response.set_cookie(COOKIE, wanted, max_age=YEAR, httponly=True, samesite="Lax",
                        secure=request.is_secure())
    return response
