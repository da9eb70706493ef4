"""`watchkeeper generate-history` (issue 3, scale): a small history of realistic shape, written by the real
command into a fresh database of the kind under test, that the context lookup (C1) can use.

The command runs as an operator would run it (a subprocess on its own database); the checks then run in a
second process on that database, through the ORM and `watchkeeper.people.context.lookup`."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.live import Template
from watchkeeper.bench.server import run_cli

LOGS = 2000

CHECK = r"""
import json, random
from django.db.models import Count
from watchkeeper.core import clock
from watchkeeper.core.config import current_policy
from watchkeeper.core.models import ReferenceCounter
from watchkeeper.incidents.models import Contact, Entry, Log
from watchkeeper.people import rules
from watchkeeper.people.context import Query, lookup
from watchkeeper.people.models import (Address, FirearmsCertificate, LogParty, Marker, Order, Person, Phone,
    PhoneUse, Relationship, Residence, SpecialScheme)

heavy = json.loads(HEAVY)
policy = current_policy()
now = clock.now()
rng = random.Random(5)
out = {"counts": {m.__name__: m.objects.count() for m in (Log, Entry, Contact, LogParty, Person, Address, Phone,
       Relationship, Residence, PhoneUse, Marker, SpecialScheme, Order, FirearmsCertificate)}}
places = list(LogParty.objects.filter(role="location").values("address_id").annotate(n=Count("id"))
              .order_by("-n").values_list("address_id", "n"))
out["busiest_places"] = places[:3]
top = max(1, len(places) // 100)
out["top_share"] = sum(n for _, n in places[:top]) / sum(n for _, n in places)
out["schemes"] = sorted({("removed" if s.removed_at else "active" if s.starts_at <= now < s.ends_at else "expired")
                         for s in SpecialScheme.objects.all()})
out["markers_ended"] = Marker.objects.filter(ended_at__isnull=False).count()
# Keys as the rules compute them.
out["address_keys_ok"] = all(rules.address_key(a.text).key == a.key and rules.address_key(a.text).street_key ==
                             a.street_key and rules.address_key(a.text).postcode == a.postcode
                             for a in Address.objects.order_by("?")[:60])
out["name_keys_ok"] = all(p.sound_key == rules.sound_key(p.given_names, p.family_name) and
                          p.name_key == rules.fold_name(f"{p.given_names} {p.family_name}")
                          for p in Person.objects.order_by("?")[:60])
# A phone as a caller gave it finds that phone and the log it called about.
parties = list(LogParty.objects.filter(role="caller", phone__isnull=False, contact__isnull=False,
                                       log__isnull=False).select_related("contact", "log", "phone")
               .order_by("?")[:25])
# The history also reaches the phone's users and their places, so a call is either listed or pushed off the
# list by newer history (the list is full and everything on it is at least as new).
from datetime import datetime
found = []
for party in parties:
    ctx = lookup(Query(phone=party.contact.caller_phone), policy)
    refs = {h["log"] for h in ctx.history}
    newer = LogParty.objects.filter(phone=party.phone, at__gt=party.at).count()
    pushed_off = (len(ctx.history) == int(policy["context_list_limit"]) and
                  all(datetime.fromisoformat(h["at"]) >= party.at for h in ctx.history))
    found.append(bool(ctx.phones and ctx.phones[0]["e164"] == party.phone.e164 and
                      ctx.history_total >= newer + 1 and (party.log.reference in refs or pushed_off)))
out["phone_lookups_found"] = found
# The heavy address: the newest logs shown newest first, all of them counted.
ctx = lookup(Query(address=heavy["address"]["text"]), policy)
limit = int(policy["context_list_limit"])
newest = list(LogParty.objects.filter(address_id=heavy["address"]["id"]).order_by("-at", "-id")
              .values_list("log__reference", flat=True)[:limit])
out["heavy_address"] = {"total": ctx.history_total, "shown": [h["log"] for h in ctx.history], "newest": newest,
                        "ats": [h["at"] for h in ctx.history]}
ctx = lookup(Query(name=heavy["person"]["name"]), policy)
out["heavy_person_found"] = heavy["person"]["id"] in [p["id"] for p in ctx.people]
# References: unique, none on today, and the day counters past every number used.
today = clock.local(now).date()
out["references_unique"] = Log.objects.values("reference").distinct().count() == Log.objects.count()
out["references_today"] = Log.objects.filter(reference__startswith=today.strftime("%Y%m%d")).count()
newest = Log.objects.order_by("-created_at").values_list("created_at", flat=True)[:1]
last_day = max(clock.local(t).date() for t in newest)
on_last_day = Log.objects.filter(reference__startswith=last_day.strftime("%Y%m%d")).count()
out["counter_covers_last_day"] = ReferenceCounter.objects.get(day=last_day).last >= on_last_day
from watchkeeper.audit.models import AuditRecord
out["import_audited"] = AuditRecord.objects.filter(action="history.imported").count()
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def generated(live_template: Template) -> dict[str, Any]:
    url = live_template.fresh_url()
    summary = json.loads(run_cli(url, "generate-history", "--logs", str(LOGS), "--seed", "7", "--quiet"))
    facts = json.loads(run_cli(url, code=f"HEAVY = {json.dumps(json.dumps(summary['heavy']))}\n" + CHECK)
                       .strip().splitlines()[-1])
    audit = run_cli(url, "verify-audit")
    return {"summary": summary, "facts": facts, "audit": audit}


def test_history_has_the_size_and_shape_asked_for(generated: dict[str, Any]) -> None:
    counts = generated["facts"]["counts"]
    assert counts["Log"] == LOGS
    assert counts["Entry"] >= 3 * LOGS
    assert counts["Contact"] > LOGS  # second callers and messages to officers
    assert counts["LogParty"] >= 2 * LOGS
    assert counts["Person"] == LOGS // 2 and counts["Address"] == LOGS * 3 // 10 and counts["Phone"] == LOGS * 2 // 5
    for model in ("Relationship", "Residence", "PhoneUse", "Marker", "Order", "FirearmsCertificate"):
        assert counts[model] > 0, model
    assert generated["facts"]["schemes"] == ["active", "expired", "removed"]
    assert generated["facts"]["markers_ended"] > 0
    rows = generated["summary"]["rows"]
    assert rows["incidents_log"] == counts["Log"] and rows["people_logparty"] == counts["LogParty"]


def test_demand_is_skewed_and_the_heavy_address_is_the_busiest(generated: dict[str, Any]) -> None:
    facts, heavy = generated["facts"], generated["summary"]["heavy"]
    busiest_id, busiest_n = facts["busiest_places"][0]
    assert busiest_id == heavy["address"]["id"]
    assert busiest_n == heavy["address"]["logs"] > facts["busiest_places"][1][1]
    assert facts["top_share"] > 0.05  # the busiest 1% of places have far more than 1% of the logs


def test_keys_are_the_rules_keys_so_lookups_find_the_history(generated: dict[str, Any]) -> None:
    facts = generated["facts"]
    assert facts["address_keys_ok"] and facts["name_keys_ok"]
    assert len(facts["phone_lookups_found"]) == 25 and all(facts["phone_lookups_found"])
    assert facts["heavy_person_found"]


def test_heavy_address_panel_shows_the_newest_and_counts_the_rest(generated: dict[str, Any]) -> None:
    panel, heavy = generated["facts"]["heavy_address"], generated["summary"]["heavy"]["address"]
    assert panel["total"] == heavy["logs"]
    assert panel["shown"] == panel["newest"] and len(panel["shown"]) == 10
    assert panel["ats"] == sorted(panel["ats"], reverse=True)


def test_references_never_clash_and_the_import_is_audited(generated: dict[str, Any]) -> None:
    facts = generated["facts"]
    assert facts["references_unique"]
    assert facts["references_today"] == 0
    assert facts["counter_covers_last_day"]
    assert generated["audit"].startswith("audit chain valid")
    assert generated["facts"]["import_audited"] == 1
