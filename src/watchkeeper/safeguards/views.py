"""The safeguard registry as pages: every safeguard, its state, its lessons, and the tests and lesson replays
that prove it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from watchkeeper.replays.catalogue import get as get_replay
from watchkeeper.safeguards.registry import FAMILIES, LESSON_NAMES, STATE_NAMES, all_safeguards, get


@login_required
def index(request: HttpRequest) -> HttpResponse:
    everything = all_safeguards()
    groups = [(name, [sg for sg in everything if sg.id[0] == letter]) for letter, name in FAMILIES.items()]
    counts = {s: sum(1 for sg in everything if sg.state == s) for s in STATE_NAMES}
    return render(request, "safeguards/index.html", {"groups": groups, "counts": counts})


@login_required
def detail(request: HttpRequest, sid: str) -> HttpResponse:
    try:
        sg = get(sid.upper())
    except KeyError:
        raise Http404(f"No safeguard {sid}") from None
    lessons = [(code, LESSON_NAMES.get(code.split(".")[0], code)) for code in sg.lessons]
    replays = [get_replay(name) for name in sg.replays]
    return render(request, "safeguards/detail.html", {"sg": sg, "lessons": lessons, "replays": replays})
