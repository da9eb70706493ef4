"""A synthetic force history of realistic shape, for scale tests and the context benchmark
(`watchkeeper generate-history`).

What it builds, for N logs (default 1,000,000): N logs with about 3.7 entries each, their contacts (a few
with a second caller, and messages to officers with no log), N/2 people, 0.3N addresses, 0.4N phones,
residences, phone users, relationships, the people, phones and places on each log in their roles, markers
(some ended), special schemes (active, expired, removed with a recorded contact attempt), orders with
protected people and places, and firearms certificates with their holder markers.

Demand is skewed as it is in a control room: a few addresses, phones and people account for many contacts
(a key's share falls off with the square of a random draw), domestic incidents recur between the same
couples at the victim's home, and three keys are deliberately heavy: an address with 2,500 previous logs
(a hospital's emergency department), a frequent caller's phone with 1,500 calls, and that caller. They are
reported in the summary so that the benchmark can look them up.

This is an import of history, not operational work: the actions are bypassed (one audit record records
the import) and rows are written in bulk, executemany on SQLite (synchronous off, a large page cache,
a transaction per batch) and COPY on PostgreSQL. Every lookup key (name and sound keys, address keys,
street keys and postcodes, E.164 numbers) is computed with the real functions in
`watchkeeper.people.rules`, so the context lookup finds this history exactly as it finds live records.
Log references use the days of the history (which ends yesterday), continuing any counter those days
already have, and the counters are advanced, so no reference is ever issued twice.
"""

from __future__ import annotations

import json
import os
import random
import resource
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any

# ---------------------------------------------------------------------------------------- vocabulary
GIVEN_MALE = """Oliver George Harry Jack Jacob Noah Charlie Muhammad Thomas Oscar William James Leo Alfie Henry
Joshua Freddie Archie Ethan Isaac Alexander Joseph Edward Samuel Max Daniel Arthur Lucas Mohammed Logan Theo
Harrison Benjamin Mason Sebastian Finley Adam Dylan Zachary Riley Teddy Theodore David John Michael Paul
Andrew Mark Richard Peter Stephen Christopher Robert Ian Gary Anthony Simon Kevin Martin Darren Lee Craig
Neil Jason Matthew Scott Dean Carl Wayne Shaun Ryan Liam Connor Callum Kieran Jordan Bradley Nathan Aaron
Luke Jamie Reece Kyle Owen Lewis Ali Imran Tariq Bilal Hassan Usman Zain Ravi Sanjay Amit Tomasz Piotr
Marek Andrzej Brian Keith Colin Graham Trevor Barry Derek Dennis Roy Alan Kenneth Raymond Terence Malcolm
Nigel Clive Philip Geoffrey Leslie Stuart Russell Glen Jon Jonathan Nicholas Tony Steve Dave Mick Danny
Billy Tommy Joe Sam Ben Tom Rob Chris Phil Jim Kenny""".split()
GIVEN_FEMALE = """Olivia Amelia Isla Ava Mia Ivy Lily Isabella Rosie Sophia Grace Willow Freya Florence Emily
Ella Poppy Evie Elsie Charlotte Evelyn Sienna Sofia Daisy Phoebe Sophie Alice Harper Matilda Ruby Emilia
Maya Millie Isabelle Erin Holly Jessica Chloe Lucy Hannah Ellie Megan Lauren Amy Bethany Rebecca Laura
Sarah Emma Rachel Nicola Claire Michelle Lisa Kelly Joanne Karen Julie Susan Tracey Donna Dawn Helen
Amanda Louise Kirsty Gemma Stacey Leanne Natalie Danielle Jade Chantelle Kayleigh Shannon Courtney Abigail
Paige Aisha Fatima Ayesha Zara Amira Samina Nazia Shazia Priya Anita Agnieszka Katarzyna Joanna Magdalena
Margaret Patricia Linda Barbara Elizabeth Jennifer Maria Mary Jean Joan Janet Christine Carol Sandra
Pauline Brenda Valerie Sheila Irene Maureen Doreen Kathleen Shirley Ann Anne Jane June Rita Denise Debbie
Angela Wendy Diane Lorraine Jacqueline Jacqui Tina Kim Zoe Katie Jodie Hayley Carly Kerry Toni""".split()
FAMILY = """Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson Thompson
Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel Jackson Wood Turner Martin Cooper
Hill Ward Morris Moore Clark Lee King Baker Harrison Morgan Allen James Scott Phillips Watson Davis Parker
Price Bennett Young Griffiths Mitchell Kelly Cook Carter Richardson Bailey Collins Bell Shaw Murphy Miller
Cox Richards Khan Marshall Anderson Simpson Ellis Adams Singh Begum Wilkinson Foster Chapman Powell Webb
Rogers Gray Mason Ali Hunt Hussain Campbell Matthews Owen Palmer Holmes Mills Barnes Knight Lloyd Butler
Russell Barker Fisher Stevens Jenkins Murray Dixon Harvey Graham Pearson Ahmed Fletcher Walsh Kaur Gibson
Howard Andrews Stewart Elliott Reynolds Saunders Payne Fox Ford Pearce Day Brooks West Lawrence Cole
Atkinson Bradley Spencer Gill Dawson Ball Burton O'Brien Watts Rose Booth Perry Ryan Grant Wells Armstrong
Francis Rees Hayes Hart Hudson Newman Barrett Webster Hunter Gregory Carr Lowe Page Marsh Riley Dunn Woods
Parsons Berry Stone Reid Holland Hawkins Harding Porter Robertson Newton Oliver Reed Kennedy Williamson
Bird Gardner Shah Dean Lane Cooke Bates Henderson Parry Burgess Bishop Walton Burns Nicholson Shepherd Ross
Cross Long Freeman Warren Nicholls Hamilton Byrne Sutton McDonald Yates Hodgson Robson Curtis Hopkins
O'Connor Harper Coleman Watkins Moss McCarthy Chambers O'Neill Griffin Sharp Hardy Wheeler Potter Osborne
Johnston Gordon Doyle Wallace George Jordan Hutchinson Rowe Burke May Pritchard Gilbert Willis Higgins Read
Miles Stevenson Stephenson Hammond Arnold Buckley Walters Hewitt Barber Nelson Slater Austin Sullivan
Whitehead Mann Frost Lambert Stephens Blake Akhtar Lynch Goodwin Barton Woodward Thomson Cunningham Quinn
Barnett Baxter Bibi Clayton Nash Greenwood Jennings Holt Kemp Poole Gallagher Bond Stokes Tucker Davidson
Fowler Heath Norman Middleton Lawson Banks French Stanley Jarvis Gibbs Ferguson Hayward Carroll Douglas
Dickinson Todd Barlow Peters Lucas Knowles Hartley Miah Simmons Morton Alexander Field Morrison Norris
Townsend Preston Hancock Thornton Baldwin Burrows Briggs Storey Pugh Kowalski Nowak Wisniewski Iqbal Rashid
Mahmood Hussein Butt Sharma Kumar Mistry Chauhan Sheikh Qureshi Rahman Uddin Hirst Haigh Sykes Crowther
Priestley Ackroyd Sutcliffe Holroyd Mitchell Firth Ramsden Pickles Illingworth Midgley Lister Thackray
Gledhill Dyson Hinchliffe Brook Wormald Oldroyd Rhodes Broadbent Pollard Exley Beaumont""".split()
STREET_WORDS = """Church Station Park Mill Victoria Queens Kings Manor School Green Chapel North South West East
High Main Albert Grange New Springfield Moor Oak Elm Ash Beech Cedar Willow Hawthorn Meadow Woodland Chestnut
Sycamore Rowan Holly Laurel Maple Poplar Birch Larch Heather Windsor York Lancaster Cambridge Oxford Stanley
Albion Alexandra Clarence Cavendish Devonshire Ripon Otley Wakefield Bradford Harrogate Skipton Richmond
Hall Farm Field Bank Brook Croft Dale Fold Gate Ings Royd Shaw Well Cliff Spring Hill Lea Carr Moorland
Highfield Westfield Eastfield Northfield Fairfield Broadway Beechwood Oakwood Elmwood Ashwood Parkside
Riverside Lakeside Hillside Woodside Brookside Greenside Fieldhead Moorside Hollins Lidget Thorn Cross
Crown Bridge Market Castle Abbey Priory Vicarage Rectory Mount Prospect Belle Vue Clifton Ashfield
Greenhill Woodhouse Newlands Whitley Marsden Haworth Calder Aire Wharfe Nidd Don Dearne Colne Holme Rother
Primrose Bluebell Daisy Foxglove Lavender Thistle Acorn Kestrel Heron Lapwing Curlew Swallow Wren Linnet
Jubilee Coronation Wellington Nelson Trafalgar Waterloo Balmoral Sandringham Osborne Chatsworth Harewood
Temple Newby Kirkstall Headingley Roundhay Chapeltown Armley Bramley Beeston Hunslet Holbeck Seacroft""".split()
STREET_TYPES = [("Road", 30), ("Street", 26), ("Lane", 12), ("Avenue", 9), ("Drive", 7), ("Close", 7),
                ("Grove", 5), ("Crescent", 5), ("Terrace", 6), ("Way", 4), ("Gardens", 4), ("Court", 3),
                ("Place", 3), ("View", 3), ("Walk", 2), ("Rise", 2), ("Mount", 2), ("Square", 1)]
# Town, postcode area, first and last district, landline code, relative population.
TOWNS = [
    ("Leeds", "LS", 1, 29, "0113", 80), ("Bradford", "BD", 1, 24, "01274", 55), ("Sheffield", "S", 1, 36,
                                                                                   "0114", 60),
    ("Wakefield", "WF", 1, 17, "01924", 35), ("Huddersfield", "HD", 1, 9, "01484", 25),
    ("Halifax", "HX", 1, 7, "01422", 18), ("York", "YO", 1, 32, "01904", 22), ("Harrogate", "HG", 1, 5,
                                                                              "01423", 12),
    ("Doncaster", "DN", 1, 12, "01302", 30), ("Barnsley", "S", 70, 75, "01226", 24),
    ("Rotherham", "S", 60, 66, "01709", 25), ("Keighley", "BD", 20, 22, "01535", 8),
    ("Dewsbury", "WF", 12, 13, "01924", 8), ("Pontefract", "WF", 8, 9, "01977", 6),
    ("Castleford", "WF", 10, 10, "01977", 6), ("Batley", "WF", 17, 17, "01924", 5),
    ("Otley", "LS", 21, 21, "01943", 3), ("Ilkley", "LS", 29, 29, "01943", 3), ("Pudsey", "LS", 28, 28, "0113", 4),
    ("Morley", "LS", 27, 27, "0113", 5), ("Selby", "YO", 8, 8, "01757", 4), ("Skipton", "BD", 23, 23, "01756", 3),
]
UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
MOBILE_PREFIXES = ["071", "072", "073", "074", "075", "077", "078", "079"]
CHANNELS = [("999", 44), ("101", 30), ("switchboard", 3), ("email", 4), ("online", 8), ("partner_agency", 3),
            ("alarm", 3), ("front_counter", 2), ("police_generated", 3)]
PHONE_CHANNELS = {"999", "101", "switchboard", "partner_agency"}
CATEGORY_WEIGHTS = {
    "domestic_incident": 12, "concern_for_welfare": 9, "missing_person": 4, "child_protection": 1.5,
    "vulnerable_adult": 1.5, "breach_of_order": 1.5, "assist_other_agency": 4, "sudden_collapse": 2,
    "suspicious_circumstances": 8, "assault": 7, "burglary": 5, "theft": 8, "public_order": 12,
    "road_traffic_collision": 6, "alarm_activation": 4, "abandoned_call": 5, "mental_health_concern": 5,
    "stalking_harassment": 3, "other": 3,
}
SUMMARIES = {
    "domestic_incident": ["Domestic: {g} reports {rel} shouting and throwing things",
                          "Domestic: argument between {g} and {rel}, neighbours concerned",
                          "Domestic: {g} says {rel} has pushed her and will not leave",
                          "Domestic: {rel} at the door refusing to leave, {g} frightened"],
    "concern_for_welfare": ["Concern for {g}, not seen for several days", "Welfare check requested for {g}",
                            "{g} sounded distressed on the phone then hung up"],
    "missing_person": ["{g} missing from home since this morning", "{g} not returned from school",
                       "{g} missing from care home"],
    "assault": ["Assault outside {place}, male with facial injury", "{g} assaulted by a known male",
                "Fight involving several males near {place}"],
    "burglary": ["Burglary at {place}, rear door forced", "Attempted burglary, suspects disturbed",
                 "Shed broken into overnight, tools taken"],
    "theft": ["Theft of pedal cycle from {place}", "Shoplifting, suspect detained by security",
              "Theft from motor vehicle on {street}"],
    "public_order": ["Youths causing annoyance near {place}", "Drunk male shouting at passers-by on {street}",
                     "Neighbour dispute over noise on {street}"],
    "road_traffic_collision": ["Two-vehicle collision on {street}, no injuries reported",
                               "Vehicle into wall on {street}, driver shaken", "Pedestrian struck on {street}"],
    "suspicious_circumstances": ["Suspicious vehicle parked on {street} for hours",
                                 "Male trying car door handles on {street}", "Suspicious package near {place}"],
    "abandoned_call": ["Abandoned 999 call, open line, no speech", "Silent 999 call, sounds of a struggle"],
    "alarm_activation": ["Intruder alarm at {place}", "Panic alarm activated at {place}"],
    "mental_health_concern": ["{g} expressing thoughts of self-harm", "{g} in crisis, known to mental health team"],
    "stalking_harassment": ["{g} reports ex-partner repeatedly messaging", "{g} followed home again by a known male"],
    "breach_of_order": ["{rel} at {g}'s address in breach of conditions", "Possible breach of order at {street}"],
}
NARRATIVE = [
    "Caller states the male has left the address in a {colour} {car}.",
    "Units en route, ETA {n} minutes.",
    "Officers on scene. All parties spoken to.",
    "Caller called back: the situation has calmed down but she is still scared.",
    "Checks completed: previous incidents at the address noted.",
    "Ambulance requested, ETA {n} minutes.",
    "{g} spoken to and is safe and well.",
    "Suspect described as white male, {n}0s, dark clothing, about 5ft10.",
    "CCTV requested from the premises.",
    "No trace of the suspect in the area after an area search.",
    "Neighbour confirms shouting heard from the address for about {n} minutes.",
    "DASH risk assessment completed: {risk} risk.",
    "Officers attended, words of advice given to both parties.",
    "Caller reports the {colour} {car} has now gone towards {street}.",
    "Log updated with the name of the attending officer.",
    "Safeguarding referral submitted.",
    "Keyholder attended and secured the premises.",
    "Caller does not wish to make a complaint at this time.",
    "Intelligence check: {g} has a warning marker on the address.",
    "Crime number issued; victim given details for victim support.",
]
ACCOUNTS = [
    "I need the police, my {rel} is kicking off and won't leave.", "There's a fight outside, loads of them.",
    "My neighbour hasn't been seen for days and her curtains are still shut.",
    "Someone has broken into my car overnight.", "There's a man trying door handles down the street.",
    "My daughter hasn't come home and isn't answering her phone.", "Open line, no speech, noise in background.",
    "I've been followed home again by the same man.", "A car has hit a wall and the driver looks hurt.",
    "Alarm company reporting an activation.", "Email received reporting ongoing harassment by a neighbour.",
]
COLOURS = ["silver", "black", "white", "blue", "red", "grey", "green"]
CARS = ["Ford Focus", "Vauxhall Corsa", "BMW 3 series", "VW Golf", "transit van", "Nissan Qashqai", "Audi A3"]
RELS = ["partner", "ex-partner", "husband", "boyfriend", "son", "brother"]
PLACES = ["the Co-op", "the station", "the Red Lion", "the park", "the takeaway", "the retail park", "the school"]
MARKER_KINDS = [("vulnerability", 20), ("mental_health", 18), ("violence", 16), ("domestic_abuse_victim", 10),
                ("domestic_abuse_perpetrator", 9), ("weapons", 6), ("registered_offender", 5),
                ("child_protection", 6), ("firearms", 2)]
MARKER_SOURCES = ["PND", "Local intelligence", "Custody record", "Partner agency referral", "MARAC",
                  "Public protection unit", "Officer report"]
ORDER_KINDS = [("bail_conditions", 40), ("non_molestation", 20), ("restraining", 15), ("protection_notice", 10),
               ("protection_order", 8), ("stalking_protection", 4), ("sexual_harm_prevention", 3)]
GRADE_REASONS = ["risk to life", "ongoing incident", "suspect on scene", "no immediate risk", "vulnerable caller"]
HOURS = [3, 2, 2, 1, 1, 1, 2, 3, 4, 5, 5, 5, 5, 5, 5, 6, 6, 7, 7, 7, 7, 6, 5, 4]
HEAVY_ADDRESS = "Emergency Department, 1 Infirmary Street, Leeds LS1 3EX"

# At or above this many logs the heavy keys reach their full weight: an address with 2,500 logs, a phone
# with 1,500 calls. Smaller histories scale them down so that the heavy address still has the most logs.
FULL_WEIGHT_FROM = 20_000
BATCH_LOGS = 25_000


# ------------------------------------------------------------------------------------------- shape
@dataclass(frozen=True)
class Shape:
    """How many of everything, for a history of `logs` logs."""

    logs: int
    people: int
    addresses: int
    phones: int
    streets: int
    heavy_address_logs: int
    heavy_phone_calls: int
    heavy_person_subject: int
    days: int = 1095

    @classmethod
    def for_logs(cls, logs: int) -> Shape:
        full = logs >= FULL_WEIGHT_FROM
        return cls(
            logs=logs,
            people=max(60, logs // 2),
            addresses=max(40, logs * 3 // 10),
            phones=max(50, logs * 2 // 5),
            streets=max(12, logs * 3 // 10 // 25),
            heavy_address_logs=2500 if full else max(2, logs // 8),
            heavy_phone_calls=1500 if full else max(2, logs // 13),
            heavy_person_subject=300 if full else max(1, logs // 60),
        )


# ------------------------------------------------------------------------------------------ writers
class Writer:
    """Bulk rows into the configured database: executemany on SQLite, COPY on PostgreSQL. Rows carry
    explicit ids (allocated here from the table's current maximum), so related rows can point at them."""

    def __init__(self) -> None:
        from django.db import connection

        connection.ensure_connection()
        self.connection = connection
        self.raw = connection.connection
        self.postgres = connection.vendor == "postgresql"
        self._sql: dict[tuple[Any, tuple[str, ...]], tuple[str, tuple[Any, ...]]] = {}
        self.counts: dict[str, int] = {}
        self.touched: list[Any] = []
        self.deferred: list[str] = []
        self._days: dict[int, str] = {}
        self._suffix = "+00" if self.postgres else ""

    def tune(self) -> None:
        """Import settings: on SQLite no fsync per commit and a large page cache (a crash during the
        import loses the import, not earlier records: the journal stays on); PostgreSQL needs none."""
        if not self.postgres:
            with self.connection.cursor() as cur:
                cur.execute("PRAGMA synchronous=OFF")
                cur.execute("PRAGMA cache_size=-1048576")
                cur.execute("PRAGMA temp_store=MEMORY")

    def defer_indexes(self, models: Sequence[Any]) -> None:
        """On tables still empty (a new database), drop the non-unique indexes (and, on PostgreSQL, the foreign
        keys) now and build them after the load: building an index once is many times cheaper than keeping
        it up to date row by row. Unique indexes stay, so the import is checked as it goes; re-adding a
        foreign key checks every row. Tables that already hold records keep all of theirs."""
        with self.connection.cursor() as cur:
            for model in models:
                if model.objects.exists():
                    continue
                table = model._meta.db_table
                if self.postgres:
                    cur.execute("SELECT c.relname, pg_get_indexdef(c.oid) FROM pg_index x JOIN pg_class c ON "
                                "c.oid = x.indexrelid WHERE x.indrelid = %s::regclass AND NOT x.indisunique",
                                [f'"{table}"'])
                else:
                    cur.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                                "AND sql IS NOT NULL AND upper(sql) NOT LIKE 'CREATE UNIQUE%%'", [table])
                for name, sql in cur.fetchall():
                    cur.execute(f'DROP INDEX "{name}"')
                    self.deferred.append(sql)
                if self.postgres:
                    # PostgreSQL checks a foreign key by locking the referenced row, per row inserted; adding
                    # the constraint back checks every row at once, with one join.
                    cur.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'f' "
                                "AND conrelid = %s::regclass", [f'"{table}"'])
                    for name, definition in cur.fetchall():
                        cur.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
                        self.deferred.append(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')

    def restore_indexes(self) -> None:
        """Build the indexes dropped by `defer_indexes` (also after a failed import: never left without)."""
        with self.connection.cursor() as cur:
            if self.postgres:
                cur.execute("SET maintenance_work_mem = '512MB'")
            while self.deferred:
                cur.execute(self.deferred[0])
                self.deferred.pop(0)

    def next_id(self, model: Any) -> int:
        return int(model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1

    def ts(self, epoch: float) -> str:
        """A UTC instant, to the second, as the database stores it (SQLite: Django's naive UTC text form;
        PostgreSQL: text with its offset). Millions are formatted, so each day's prefix is cached."""
        day, sec = divmod(int(epoch), 86400)
        prefix = self._days.get(day)
        if prefix is None:
            t = time.gmtime(day * 86400)
            prefix = self._days[day] = f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d} "
        h, rest = divmod(sec, 3600)
        return f"{prefix}{h:02d}:{rest // 60:02d}:{rest % 60:02d}{self._suffix}"

    def _statement(self, model: Any, cols: tuple[str, ...]) -> tuple[str, tuple[Any, ...]]:
        """The insert for these columns, plus constants for every other NOT NULL column (its default), so a
        column another change adds with a default does not break the import."""
        key = (model, cols)
        if key not in self._sql:
            fill_cols: list[str] = []
            fill: list[Any] = []
            for f in model._meta.concrete_fields:
                if f.column in cols or f.null or f.primary_key:
                    continue
                if not f.has_default():
                    raise RuntimeError(f"{model.__name__}.{f.name} needs a value in the history generator")
                value = f.get_default()
                if f.get_internal_type() == "JSONField":
                    value = json.dumps(value)
                fill_cols.append(f.column)
                fill.append(value)
            names = ", ".join(f'"{c}"' for c in (*cols, *fill_cols))
            table = model._meta.db_table
            if self.postgres:
                sql = f'COPY "{table}" ({names}) FROM STDIN'
            else:
                sql = f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * (len(cols) + len(fill)))})'
            self._sql[key] = (sql, tuple(fill))
            if model not in self.touched:
                self.touched.append(model)
        return self._sql[key]

    def write(self, model: Any, cols: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> int:
        sql, fill = self._statement(model, tuple(cols))
        n = 0
        if self.postgres:
            with self.raw.cursor() as cur, cur.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row + fill)
                    n += 1
        else:
            rows = list(rows)
            n = len(rows)
            self.raw.executemany(sql, [r + fill for r in rows] if fill else rows)
        table = model._meta.db_table
        self.counts[table] = self.counts.get(table, 0) + n
        return n

    def finish(self) -> None:
        """Identity sequences past the imported ids (PostgreSQL), and fresh planner statistics. On PostgreSQL
        the imported tables are vacuumed too, which marks their pages all-visible: until then an index-only
        read (the context panel's history count) still visits every row it counts."""
        with self.connection.cursor() as cur:
            for model in self.touched:
                table = model._meta.db_table
                if self.postgres:
                    cur.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                                f'(SELECT max(id) FROM "{table}"))')
            if self.postgres:
                for model in self.touched:
                    cur.execute(f'VACUUM (ANALYZE) "{model._meta.db_table}"')
            else:
                cur.execute("ANALYZE")


# ------------------------------------------------------------------------------------- computed keys
def _phone_keys(typed: list[str]) -> list[str | None]:
    from watchkeeper.people import rules

    return [rules.try_phone(t) for t in typed]


def _address_keys(texts: list[str]) -> list[tuple[str, str, str]]:
    from watchkeeper.people import rules

    out = []
    for t in texts:
        k = rules.address_key(t)
        out.append((k.key, k.street_key, k.postcode))
    return out


def _parallel(fn: Callable[[list[str]], list[Any]], items: list[str], workers: int) -> list[Any]:
    """Keys for many values on every core: parsing phone numbers and addresses is the slow part."""
    if workers <= 1 or len(items) < 20_000:
        return fn(items)
    size = -(-len(items) // (workers * 4))
    chunks = [items[i:i + size] for i in range(0, len(items), size)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return [x for part in pool.map(fn, chunks) for x in part]


def _cum(weights: Iterable[float]) -> list[float]:
    return list(accumulate(weights))


def _zipf(n: int, offset: float) -> list[float]:
    """Cumulative weights falling off like 1/(rank+offset): a few very common names, a long tail."""
    return _cum(1.0 / (r + offset) for r in range(n))


# ----------------------------------------------------------------------------------------- generator
@dataclass
class Nominal:
    """The nominal index as generated: enough in memory to build logs that point at it."""

    person_ids: list[int] = field(default_factory=list)
    person_names: list[str] = field(default_factory=list)
    person_given: list[str] = field(default_factory=list)
    person_dob: list[date | None] = field(default_factory=list)
    address_ids: list[int] = field(default_factory=list)
    address_texts: list[str] = field(default_factory=list)
    address_street: list[str] = field(default_factory=list)
    phone_ids: list[int] = field(default_factory=list)
    phone_typed: list[str] = field(default_factory=list)
    phone_e164: list[str] = field(default_factory=list)
    home: list[int] = field(default_factory=list)  # person index -> address index
    phone_of: dict[int, int] = field(default_factory=dict)  # person index -> phone index
    residents: dict[int, list[int]] = field(default_factory=dict)  # address index -> person indexes
    couples: list[tuple[int, int]] = field(default_factory=list)  # (victim, perpetrator) person indexes


class History:
    """One generation run. `run()` writes everything and returns the summary."""

    def __init__(self, logs: int, seed: int, *, workers: int = 2,
                 progress: Callable[[str], None] | None = None) -> None:
        from watchkeeper.core import clock
        from watchkeeper.core.config import current_policy

        self.shape = Shape.for_logs(logs)
        self.rng = random.Random(seed)
        self.seed = seed
        self.workers = workers
        self.progress = progress or (lambda msg: print(msg, file=sys.stderr, flush=True))
        self.policy = current_policy()
        self.w = Writer()
        self.nom = Nominal()
        now_local = clock.local(clock.now())
        midnight = now_local.replace(hour=0, minute=0, second=0, microsecond=0)
        # The history ends before today, so today's reference counter and live logs never meet it.
        self.end = midnight.timestamp() - 1
        self.start = self.end - self.shape.days * 86400
        self.now_epoch = clock.now().timestamp()
        self.today = now_local.date()
        self.seconds: dict[str, float] = {}
        self.heavy: dict[str, Any] = {}
        self._staff()

    # ------------------------------------------------------------------------------------ helpers
    def _staff(self) -> None:
        from watchkeeper.staff.models import User

        rows = list(User.objects.order_by("pk").values_list("pk", "role"))
        if not rows:
            raise RuntimeError("No staff in this database: create staff first (watchkeeper load-demo or "
                               "watchkeeper create-staff); history is recorded by members of staff.")
        refuse_real_logs()
        self.staff = [pk for pk, _ in rows]
        self.handlers = [pk for pk, role in rows if role in ("call_handler", "dispatcher", "controller")] or self.staff
        self.officers = [pk for pk, role in rows if role in ("response_officer", "investigator", "supervisor")] \
            or self.staff

    def _phase(self, name: str, t0: float) -> None:
        self.seconds[name] = round(time.perf_counter() - t0, 1)
        self.progress(f"{name}: {self.seconds[name]}s")

    def _date(self, epoch: float) -> str:
        t = time.gmtime(epoch)
        return f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}"

    def _when(self) -> float:
        """A moment in the history, busier in the evening than at dawn."""
        r = self.rng
        day = r.randrange(self.shape.days)
        hour = r.choices(range(24), cum_weights=self._hours)[0]
        return self.start + day * 86400 + hour * 3600 + r.randrange(3600)

    def _skewed(self, n: int) -> int:
        """An index in [0, n) drawn like demand: low indexes (after a shuffle, arbitrary keys) are far more
        likely; the most frequent key takes about 1/sqrt(n) of all draws."""
        return int(n * self.rng.random() ** 2)

    # ----------------------------------------------------------------------------------------- run
    def run(self) -> dict[str, Any]:
        from django.db import transaction

        from watchkeeper.incidents.models import Contact, Entry, Log
        from watchkeeper.people.models import Address, LogParty, Person, Phone, PhoneUse, Relationship, Residence

        t_all = time.perf_counter()
        self._cpu0 = time.process_time()
        self._hours = _cum(HOURS)
        self.w.tune()
        self._nominal_values()
        with transaction.atomic():
            self.w.defer_indexes([Address, Phone, Person, Residence, PhoneUse, Relationship, Log, Contact, Entry,
                                  LogParty])
        try:
            with transaction.atomic():
                self._write_nominal()
            with transaction.atomic():
                self._write_links()
            self._logs()
            with transaction.atomic():
                self._protection()
                self._record_import()
        finally:
            t0 = time.perf_counter()
            with transaction.atomic():
                self.w.restore_indexes()
            self._phase("indexes", t0)
        t0 = time.perf_counter()
        self.w.finish()
        self._phase("analyze", t0)
        self.seconds["total"] = round(time.perf_counter() - t_all, 1)
        self.seconds.update(self._cpu())
        return {
            "logs": self.shape.logs,
            "seed": self.seed,
            "database": self.w.connection.vendor,
            "days": [self._date(self.start + 1), self._date(self.end)],
            "rows": dict(sorted(self.w.counts.items())),
            "seconds": self.seconds,
            "heavy": self.heavy,
        }

    def _cpu(self) -> dict[str, float]:
        """CPU seconds spent, for judging the run on a busy machine: this process, its key workers, and (on
        a local PostgreSQL server) the database backend that received the rows."""
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        out = {"cpu_generator": round(time.process_time() - self._cpu0, 1),
               "cpu_key_workers": round(children.ru_utime + children.ru_stime, 1)}
        if self.w.postgres:
            with self.w.connection.cursor() as cur:
                cur.execute("SELECT pg_backend_pid()")
                pid = cur.fetchone()[0]
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                out["cpu_database_backend"] = round((int(fields[11]) + int(fields[12])) /
                                                    os.sysconf("SC_CLK_TCK"), 1)
            except (OSError, ValueError, IndexError):  # a remote server: not measurable from here
                pass
        return out

    # -------------------------------------------------------------------------------- nominal index
    def _nominal_values(self) -> None:
        """Names, addresses and phones, with their keys computed by the real rules."""
        t0 = time.perf_counter()
        r, s, nom = self.rng, self.shape, self.nom
        # Places: streets in towns, each with one to three postcodes, numbered houses and some flats.
        town_cum = _cum(t[5] for t in TOWNS)
        type_cum = _cum(w for _, w in STREET_TYPES)
        streets: list[tuple[str, list[str], int]] = []
        seen_streets: set[str] = set()
        while len(streets) < s.streets:
            town, area, lo, hi, _, _ = r.choices(TOWNS, cum_weights=town_cum)[0]
            name = f"{r.choice(STREET_WORDS)} {r.choices(STREET_TYPES, cum_weights=type_cum)[0][0]}"
            if f"{name}|{town}" in seen_streets:
                continue
            seen_streets.add(f"{name}|{town}")
            district = r.randint(lo, hi)
            codes = [f"{area}{district} {r.randint(1, 9)}{r.choice(UNIT_LETTERS)}{r.choice(UNIT_LETTERS)}"
                     for _ in range(r.randint(1, 3))]
            streets.append((f"{name}, {town}", codes, r.randint(8, 180)))
        texts: list[str] = [HEAVY_ADDRESS]
        address_keys = _address_keys([HEAVY_ADDRESS])
        street_of: list[str] = ["Infirmary Street"]
        want = s.addresses
        keys_seen: set[str] = {address_keys[0][0]}
        while len(texts) < want:
            batch = []
            for _ in range((want - len(texts)) * 11 // 10 + 10):
                street, codes, length = streets[int(len(streets) * r.random() ** 1.5)]
                number = r.randint(1, length)
                code = codes[min(len(codes) - 1, number * len(codes) // (length + 1))]
                flat = f"Flat {r.randint(1, 12)}, " if r.random() < 0.12 else ""
                batch.append((f"{flat}{number} {street} {code}", street.split(",")[0]))
            keys = _parallel(_address_keys, [t for t, _ in batch], self.workers)
            for (text, street_name), k in zip(batch, keys, strict=True):
                if k[0] in keys_seen or len(texts) >= want:
                    continue
                keys_seen.add(k[0])
                texts.append(text)
                street_of.append(street_name)
                address_keys.append(k)
        self.address_keys = address_keys
        nom.address_texts, nom.address_street = texts, street_of
        # Phones: mostly mobiles, some landlines on the towns' codes, typed as a caller would give them.
        typed: list[str] = []
        e164s: list[str] = []
        seen_numbers: set[str] = set()
        while len(typed) < s.phones:
            typed_batch: list[str] = []
            for _ in range((s.phones - len(typed)) * 11 // 10 + 10):
                if r.random() < 0.85:
                    digits = f"{r.choice(MOBILE_PREFIXES)}{r.randrange(10 ** 8):08d}"
                    style = r.random()
                    typed_batch.append(f"{digits[:5]} {digits[5:]}" if style < 0.6 else
                                       digits if style < 0.85 else f"+44 {digits[1:5]} {digits[5:]}")
                else:
                    area = r.choices(TOWNS, cum_weights=town_cum)[0][4]
                    rest = 11 - len(area)
                    local = f"{r.randint(2, 9)}{r.randrange(10 ** (rest - 1)):0{rest - 1}d}"
                    typed_batch.append(f"{area} {local[:3]} {local[3:]}" if rest == 7 else f"{area} {local}")
            for text, e164 in zip(typed_batch, _parallel(_phone_keys, typed_batch, self.workers), strict=True):
                if e164 is None or e164 in seen_numbers or len(typed) >= s.phones:
                    continue
                seen_numbers.add(e164)
                typed.append(text)
                e164s.append(e164)
        nom.phone_typed, nom.phone_e164 = typed, e164s
        # People: common names common, rare names rare; some with a middle name; most with a date of birth.
        male_cum, female_cum, family_cum = _zipf(len(GIVEN_MALE), 8), _zipf(len(GIVEN_FEMALE), 8), \
            _zipf(len(FAMILY), 18)
        for _ in range(s.people):
            cum, names = (male_cum, GIVEN_MALE) if r.random() < 0.5 else (female_cum, GIVEN_FEMALE)
            given = r.choices(names, cum_weights=cum)[0]
            if r.random() < 0.2:
                given += " " + r.choices(names, cum_weights=cum)[0]
            family = r.choices(FAMILY, cum_weights=family_cum)[0]
            if r.random() < 0.01:
                family = f"{family}-{r.choices(FAMILY, cum_weights=family_cum)[0]}"
            nom.person_given.append(given)
            nom.person_names.append(f"{given}|{family}")
            age = int(18 + 50 * r.random() ** 1.3) if r.random() < 0.88 else r.randint(0, 95)
            nom.person_dob.append(self.today - timedelta(days=age * 365 + r.randrange(365))
                                  if r.random() < 0.9 else None)
        self._phase("values_and_keys", t0)

    def _write_nominal(self) -> None:
        from watchkeeper.people import rules
        from watchkeeper.people.models import Address, Alias, Person, Phone

        t0 = time.perf_counter()
        r, w, nom = self.rng, self.w, self.nom
        base = w.next_id(Address)
        nom.address_ids = list(range(base, base + len(nom.address_texts)))
        w.write(Address, ("id", "text", "key", "street_key", "postcode", "uprn", "created_at"),
                ((pk, text, k[0], k[1], k[2], "", w.ts(self.start - r.randrange(3650) * 86400))
                 for pk, text, k in zip(nom.address_ids, nom.address_texts, self.address_keys, strict=True)))
        base = w.next_id(Phone)
        nom.phone_ids = list(range(base, base + len(nom.phone_e164)))
        w.write(Phone, ("id", "e164", "created_at"),
                ((pk, e, w.ts(self._when())) for pk, e in zip(nom.phone_ids, nom.phone_e164, strict=True)))
        base = w.next_id(Person)
        nom.person_ids = list(range(base, base + len(nom.person_names)))
        keys: dict[str, tuple[str, str]] = {}
        rows = []
        aliases = []
        for pk, full, dob in zip(nom.person_ids, nom.person_names, nom.person_dob, strict=True):
            given, family = full.split("|")
            if full not in keys:
                keys[full] = (rules.fold_name(f"{given} {family}"), rules.sound_key(given, family))
            rows.append((pk, given, family, dob.isoformat() if dob else None, w.ts(self._when()), *keys[full]))
            if r.random() < 0.02:
                other = r.choice(FAMILY)
                aliases.append((pk, f"{given} {other}", rules.fold_name(f"{given} {other}"),
                                rules.sound_key(given, other)))
        w.write(Person, ("id", "given_names", "family_name", "dob", "created_at", "name_key", "sound_key"), rows)
        w.write(Alias, ("person_id", "name", "name_key", "sound_key"), aliases)
        nom.person_names = [n.replace("|", " ") for n in nom.person_names]
        self._phase("nominal_index", t0)

    def _write_links(self) -> None:
        """Where people live, which phones they use, and how they are related."""
        from watchkeeper.people.models import PhoneUse, Relationship, Residence

        t0 = time.perf_counter()
        r, w, nom, s = self.rng, self.w, self.nom, self.shape
        n_addr, n_phone = len(nom.address_ids), len(nom.phone_ids)
        # Households: nobody lives at the emergency department (index 0).
        residences = []
        for i, pk in enumerate(nom.person_ids):
            a = 1 + r.randrange(n_addr - 1)
            nom.home.append(a)
            nom.residents.setdefault(a, []).append(i)
            if r.random() < 0.2:
                residences.append((pk, nom.address_ids[1 + r.randrange(n_addr - 1)], False, w.ts(self._when())))
            residences.append((pk, nom.address_ids[a], True, w.ts(self._when())))
        w.write(Residence, ("person_id", "address_id", "current", "created_at"), residences)
        uses = []
        free = list(range(n_phone))
        r.shuffle(free)
        for i, pk in enumerate(nom.person_ids):
            if free and r.random() < 0.78:
                ph = free.pop()
                nom.phone_of[i] = ph
                uses.append((pk, nom.phone_ids[ph], w.ts(self._when())))
        for ph in r.sample(range(n_phone), n_phone // 20):  # shared landlines and handed-down mobiles
            uses.append((nom.person_ids[r.randrange(len(nom.person_ids))], nom.phone_ids[ph], w.ts(self._when())))
        w.write(PhoneUse, ("person_id", "phone_id", "created_at"), uses)
        # Relationships: partners within households, domestic-abuse couples, families and associates.
        rels = []
        for people in nom.residents.values():
            if len(people) >= 2 and r.random() < 0.6:
                rels.append((people[0], people[1], "partner"))
                for child in people[2:]:
                    rels.append((people[0], child, "parent"))
        couples = max(2, s.people * 3 // 100 // 2)
        for _ in range(couples):
            victim, perp = r.randrange(len(nom.person_ids)), r.randrange(len(nom.person_ids))
            if victim != perp:
                nom.couples.append((victim, perp))
                rels.append((victim, perp, "ex_partner" if r.random() < 0.6 else "partner"))
        for _ in range(s.people // 10):
            a, b = r.randrange(len(nom.person_ids)), r.randrange(len(nom.person_ids))
            if a != b:
                rels.append((a, b, r.choice(["associate", "associate", "family"])))
        w.write(Relationship, ("person_id", "other_id", "kind", "created_at", "ended_at"),
                ((nom.person_ids[a], nom.person_ids[b], kind, w.ts(self._when()),
                  w.ts(self._when()) if kind == "partner" and r.random() < 0.05 else None) for a, b, kind in rels))
        self._phase("links", t0)

    # ------------------------------------------------------------------------------------------ logs
    def _logs(self) -> None:
        """The logs, in time order, in batches: contacts, entries and parties with each."""
        from django.db import transaction

        from watchkeeper.core.models import ReferenceCounter
        from watchkeeper.incidents import rules as log_rules
        from watchkeeper.incidents.models import CHANNELS as CONTACT_CHANNELS
        from watchkeeper.incidents.models import Contact, Entry, Log
        from watchkeeper.people.models import LogParty

        t0 = time.perf_counter()
        r, s, nom, w = self.rng, self.shape, self.nom, self.w
        times = sorted(self._when() for _ in range(s.logs))
        # Which logs the heavy keys are on: the emergency department as the place; the frequent caller's
        # phone (and the frequent caller) as the caller; the frequent caller as the subject of more.
        picks = r.sample(range(s.logs), s.heavy_address_logs + s.heavy_phone_calls + s.heavy_person_subject)
        at_heavy_address = set(picks[:s.heavy_address_logs])
        from_heavy_phone = set(picks[s.heavy_address_logs:s.heavy_address_logs + s.heavy_phone_calls])
        heavy_subject = set(picks[s.heavy_address_logs + s.heavy_phone_calls:])
        heavy_person = next(i for i in range(len(nom.person_ids)) if i in nom.phone_of and
                            nom.home[i] != 0 and nom.person_dob[i] is not None and " " not in nom.person_given[i])
        heavy_phone = nom.phone_of[heavy_person]
        self._heavy = (heavy_person, heavy_phone)
        # Skewed draws go through shuffles, so the busiest keys are scattered, not the first rows.
        self.addr_perm = list(range(1, len(nom.address_ids)))
        self.person_perm = [i for i in range(len(nom.person_ids)) if i != heavy_person]
        self.phone_perm = [i for i in range(len(nom.phone_ids)) if i != heavy_phone]
        for perm in (self.addr_perm, self.person_perm, self.phone_perm):
            r.shuffle(perm)
        categories = [c["code"] for c in self.policy["categories"]]
        self.cat_cum = _cum(CATEGORY_WEIGHTS.get(c, 1.0) for c in categories)
        self.categories = categories
        self.chan_cum = _cum(wt for _, wt in CHANNELS)
        grades = self.policy.grade_codes()
        self.grades = grades
        self.grade_cum = _cum([2, 5, 3, 1, 1, 1][: len(grades)] + [1] * max(0, len(grades) - 6))
        self.closing = [c["code"] for c in self.policy["closing_codes"]]
        existing = dict(ReferenceCounter.objects.filter(
            day__gte=date.fromtimestamp(self.start) - timedelta(days=1)).values_list("day", "last"))
        last: dict[date, int] = {}
        from watchkeeper.core.clock import LONDON

        ids = {m: w.next_id(m) for m in (Log, Contact, Entry, LogParty)}
        counts = {"heavy_address": 0, "heavy_phone": 0, "heavy_person": 0}
        self.channel_labels = dict(CONTACT_CHANNELS)
        for start in range(0, s.logs, BATCH_LOGS):
            batch: dict[str, list[tuple[Any, ...]]] = {"log": [], "contact": [], "entry": [], "party": []}
            for i in range(start, min(start + BATCH_LOGS, s.logs)):
                at = times[i]
                day = datetime.fromtimestamp(at, LONDON).date()
                seq = last.get(day, existing.get(day, 0)) + 1
                last[day] = seq
                self._one_log(batch, ids, at, log_rules.log_reference(day, seq, self.policy),
                              heavy_addr=i in at_heavy_address, heavy_phone=i in from_heavy_phone,
                              heavy_subject=i in heavy_subject, counts=counts)
            self._messages(batch, ids, len(batch["log"]) // 100)
            with transaction.atomic():
                w.write(Log, self.LOG_COLS, batch["log"])
                w.write(Contact, self.CONTACT_COLS, batch["contact"])
                w.write(Entry, self.ENTRY_COLS, batch["entry"])
                w.write(LogParty, self.PARTY_COLS, batch["party"])
            self.progress(f"logs: {min(start + BATCH_LOGS, s.logs)}/{s.logs} "
                          f"({time.perf_counter() - t0:.0f}s)")
        with transaction.atomic():
            ReferenceCounter.objects.bulk_create(
                [ReferenceCounter(day=d, last=n) for d, n in last.items()], update_conflicts=True,
                unique_fields=["day"], update_fields=["last"])
        hp = heavy_person
        self.heavy = {
            "address": {"id": nom.address_ids[0], "text": nom.address_texts[0], "logs": counts["heavy_address"]},
            "phone": {"id": nom.phone_ids[heavy_phone], "typed": nom.phone_typed[heavy_phone],
                      "e164": nom.phone_e164[heavy_phone], "calls": counts["heavy_phone"]},
            "person": {"id": nom.person_ids[hp], "name": nom.person_names[hp],
                       "dob": dob.isoformat() if (dob := nom.person_dob[hp]) else None,
                       "parties": counts["heavy_person"]},
        }
        self._phase("logs", t0)

    LOG_COLS = ("id", "reference", "created_at", "created_by_id", "source", "category", "summary", "location",
                "flags", "grade", "graded_at", "proposed_grade", "status", "owner_id", "closed_at",
                "closed_by_id", "closing_code", "closing_note", "version", "last_seq", "last_entry_at")
    CONTACT_COLS = ("id", "channel", "received_at", "recorded_at", "recorded_by_id", "log_id", "caller_name",
                    "caller_phone", "caller_dob", "caller_age", "caller_age_reason", "party", "account",
                    "allegation", "routed_reason", "addressed_to_id", "handled_at", "handled_by_id")
    ENTRY_COLS = ("id", "log_id", "seq", "at", "author_id", "kind", "text", "contact_id")
    PARTY_COLS = ("id", "log_id", "contact_id", "role", "person_id", "address_id", "phone_id", "at")

    def _pick_person(self) -> int:
        return self.person_perm[self._skewed(len(self.person_perm))]

    def _fill(self, text: str, given: str, street: str) -> str:
        r = self.rng
        return text.format(g=given, rel=r.choice(RELS), place=r.choice(PLACES), street=street,
                           colour=r.choice(COLOURS), car=r.choice(CARS), n=r.randint(2, 9),
                           risk=r.choice(["standard", "medium", "high"]))

    def _one_log(self, batch: dict[str, list[tuple[Any, ...]]], ids: dict[Any, int], at: float, reference: str,
                 *, heavy_addr: bool, heavy_phone: bool, heavy_subject: bool, counts: dict[str, int]) -> None:
        from watchkeeper.incidents.models import Contact, Entry, Log
        from watchkeeper.people.models import LogParty

        r, nom, w = self.rng, self.nom, self.w
        hp, hph = self._heavy
        category = r.choices(self.categories, cum_weights=self.cat_cum)[0]
        channel = r.choices(CHANNELS, cum_weights=self.chan_cum)[0][0]
        if category == "alarm_activation":
            channel = "alarm"
        elif category == "abandoned_call":
            channel = "999"
        victim = suspect = caller = None
        if category in ("domestic_incident", "breach_of_order", "stalking_harassment") and nom.couples:
            victim, suspect = nom.couples[self._skewed(len(nom.couples))]
            place = nom.home[victim]
            caller = victim if r.random() < 0.7 else None
        else:
            place = self.addr_perm[self._skewed(len(self.addr_perm))]
            residents = nom.residents.get(place)
            if category != "abandoned_call" and r.random() < 0.6:
                caller = r.choice(residents) if residents and r.random() < 0.5 else self._pick_person()
            if category in ("assault", "burglary", "theft", "concern_for_welfare", "missing_person",
                            "mental_health_concern", "vulnerable_adult", "child_protection") and r.random() < 0.6:
                victim = self._pick_person()
            if category in ("assault", "theft", "public_order", "burglary") and r.random() < 0.35:
                suspect = self._pick_person()
        if heavy_phone:
            channel, caller = r.choice(["999", "101"]), hp
            place = nom.home[hp] if r.random() < 0.6 else place
        if heavy_addr:
            place = 0
        phone = None
        if channel in PHONE_CHANNELS and category != "alarm_activation":
            phone = hph if heavy_phone else (nom.phone_of.get(caller) if caller is not None else None)
            if phone is None and r.random() < 0.9:
                phone = self.phone_perm[self._skewed(len(self.phone_perm))]
        log_id = ids[Log]
        ids[Log] += 1
        handler = r.choice(self.handlers)
        about = victim if victim is not None else caller
        given = nom.person_given[about] if about is not None else "the caller"
        street = nom.address_street[place]
        summary = self._fill(r.choice(SUMMARIES.get(category) or ["{g}: call for service"]), given, street)[:200]
        received = at - r.randint(20, 400)
        # The contact and its entry.
        contact_id = ids[Contact]
        ids[Contact] += 1
        caller_name = nom.person_names[caller] if caller is not None else ""
        dob = nom.person_dob[caller] if caller is not None else None
        account = self._fill(r.choice(ACCOUNTS), given, street)
        typed = nom.phone_typed[phone] if phone is not None else ""
        age_reason = "" if dob or channel in ("alarm", "online", "police_generated") else "Caller would not say"
        batch["contact"].append((contact_id, channel, w.ts(received), w.ts(at), handler, log_id, caller_name, typed,
                                 dob.isoformat() if dob else None, None, age_reason, "", account, "", "", None,
                                 None, None))
        entries: list[tuple[str, str, int | None, float]] = []
        label = self.channel_labels.get(channel, channel)
        entries.append(("contact", f"[{label}] {caller_name or 'Caller'}" + (f" ({typed})" if typed else "")
                        + f": {account}", contact_id, at))
        t = at
        grade = r.choices(self.grades, cum_weights=self.grade_cum)[0] if self.grades else None
        if r.random() < 0.7:
            t += r.randint(20, 300)
            entries.append(("grading", f"Graded {grade}: {r.choice(GRADE_REASONS)}.", None, t))
        for _ in range(r.choices([0, 1, 2, 3], cum_weights=[30, 70, 92, 100])[0]):
            t += r.randint(60, 3600)
            entries.append(("narrative", self._fill(r.choice(NARRATIVE), given, street), None, t))
        second = None
        if r.random() < 0.08:
            t += r.randint(60, 1800)
            second = ids[Contact]
            ids[Contact] += 1
            other_phone = self.phone_perm[self._skewed(len(self.phone_perm))]
            batch["contact"].append((second, r.choice(["999", "101"]), w.ts(t - 30), w.ts(t), r.choice(self.handlers),
                                     log_id, "", nom.phone_typed[other_phone], None, None, "Second caller, not asked",
                                     "", "Another caller reporting the same incident.", "", "", None, None, None))
            entries.append(("contact", f"[{label}] Caller ({nom.phone_typed[other_phone]}): Another caller "
                            "reporting the same incident.", second, t))
        cancelled = r.random() < 0.03
        closed = min(t + r.randint(300, 86400), self.end)
        code = "" if cancelled else r.choice(self.closing)
        entries.append(("close", "Cancelled: duplicate of another log." if cancelled else f"Closed: {code}.", None,
                        closed))
        for seq, (kind, text, cid, when) in enumerate(entries, start=1):
            batch["entry"].append((ids[Entry], log_id, seq, w.ts(min(when, self.end)), handler, kind, text, cid))
            ids[Entry] += 1
        flags = (self.policy.category(category) or {}).get("flags", [])
        batch["log"].append((log_id, reference, w.ts(at), handler, {"online": "online", "alarm": "alarm"}.get(
            channel, "manual"), category, summary, nom.address_texts[place], json.dumps(flags), grade, w.ts(at + 60),
            grade, "cancelled" if cancelled else "closed", handler, w.ts(closed), handler, code,
            "", len(entries) + 3, len(entries), w.ts(closed)))
        # Who and what was on the log.
        parties = batch["party"]

        def party(role: str, *, person: int | None = None, address: int | None = None, phone_i: int | None = None,
                  contact: int | None = None, when: float = at) -> None:
            person_id = nom.person_ids[person] if person is not None else None
            parties.append((ids[LogParty], log_id, contact, role, person_id,
                            nom.address_ids[address] if address is not None else None,
                            nom.phone_ids[phone_i] if phone_i is not None else None, w.ts(when)))
            ids[LogParty] += 1

        party("location", address=place)
        counts["heavy_address"] += place == 0
        if phone is not None:
            party("caller", phone_i=phone, contact=contact_id, when=received)
            counts["heavy_phone"] += phone == hph
        if second is not None:
            party("caller", phone_i=other_phone, contact=second, when=t)
        if caller is not None:
            party("caller", person=caller)
        if victim is not None and victim != caller:
            party("victim", person=victim)
        elif victim is not None:
            party("victim", person=victim)
        if suspect is not None:
            party("suspect", person=suspect)
        if heavy_subject:
            party("subject", person=hp)
        counts["heavy_person"] += (caller == hp) + (heavy_subject or victim == hp) + (suspect == hp)
        if r.random() < 0.08:
            party("witness", person=self._pick_person())

    def _messages(self, batch: dict[str, list[tuple[Any, ...]]], ids: dict[Any, int], n: int) -> None:
        """Messages to officers (an email, a switchboard transfer) with a contact but no log: they are on a
        person's history too."""
        from watchkeeper.incidents.models import Contact
        from watchkeeper.people.models import LogParty

        r, nom, w = self.rng, self.nom, self.w
        for _ in range(n):
            at = self._when()
            person = self._pick_person()
            cid = ids[Contact]
            ids[Contact] += 1
            phone = nom.phone_of.get(person)
            batch["contact"].append((cid, r.choice(["email", "switchboard"]), w.ts(at - 60), w.ts(at),
                                     r.choice(self.handlers), None, nom.person_names[person],
                                     nom.phone_typed[phone] if phone is not None else "", None, None,
                                     "Message for an officer", "", "Please ask the officer in the case to call me "
                                     "back about my statement.", "", "", r.choice(self.officers), w.ts(at + 7200),
                                     r.choice(self.officers)))
            batch["party"].append((ids[LogParty], None, cid, "caller", nom.person_ids[person], None,
                                   nom.phone_ids[phone] if phone is not None else None, w.ts(at)))
            ids[LogParty] += 1

    # ---------------------------------------------------------------------------------- protection
    def _protection(self) -> None:
        """Markers, special schemes (active, expired, removed), orders and firearms certificates."""
        from watchkeeper.people.models import FirearmsCertificate, Marker, Order, SpecialScheme, VictimContact

        t0 = time.perf_counter()
        r, w, nom, s = self.rng, self.w, self.nom, self.shape
        day = 86400.0
        marker_cum = _cum(wt for _, wt in MARKER_KINDS)
        markers = []

        def marker(kind: str, *, person: int | None = None, address: int | None = None,
                   phone: int | None = None) -> None:
            """Three in four still in force (reviewed, next review ahead); the rest ended with a reason."""
            created = self._when()
            ended = r.random() < 0.25
            ended_at = min(created + r.randint(30, 700) * day, self.end) if ended else None
            review = created + 365 * day if ended else self.now_epoch + r.randint(30, 365) * day
            markers.append((kind, nom.person_ids[person] if person is not None else None,
                            nom.address_ids[address] if address is not None else None,
                            nom.phone_ids[phone] if phone is not None else None,
                            f"{kind.replace('_', ' ').capitalize()} — see {r.choice(MARKER_SOURCES)} record.",
                            r.choice(MARKER_SOURCES), r.choice(self.officers), w.ts(created), self._date(review),
                            w.ts(ended_at) if ended_at else None, r.choice(self.officers) if ended else None,
                            "Reviewed: no longer relevant" if ended else ""))

        for _ in range(s.people * 2 // 100):
            marker(r.choices(MARKER_KINDS, cum_weights=marker_cum)[0][0], person=self._pick_person())
        for _ in range(len(nom.address_ids) // 200):
            marker(r.choice(["weapons", "violence", "vulnerability", "child_protection"]),
                   address=self.addr_perm[self._skewed(len(self.addr_perm))])
        for _ in range(len(nom.phone_ids) // 300):
            marker(r.choice(["vulnerability", "mental_health"]),
                   phone=self.phone_perm[self._skewed(len(self.phone_perm))])
        for victim, perp in nom.couples[: len(nom.couples) // 2]:
            marker("domestic_abuse_victim", person=victim)
            marker("domestic_abuse_perpetrator", person=perp)
        # Firearms certificates, each with its holder marker (M4).
        certs = []
        for _ in range(max(2, s.people * 6 // 1000)):
            holder = r.randrange(len(nom.person_ids))
            expires = self.now_epoch + r.randint(-400, 1800) * day
            certs.append((nom.person_ids[holder], nom.address_ids[nom.home[holder]],
                          f"{r.choice(['FAC', 'SGC'])}/{r.randint(10000, 99999)}", self._date(expires),
                          w.ts(self._when())))
            marker("firearms_certificate", person=holder)
        w.write(Marker, ("kind", "person_id", "address_id", "phone_id", "note", "source", "owner_id", "created_at",
                         "review_at", "ended_at", "ended_by_id", "end_reason"), markers)
        w.write(FirearmsCertificate, ("holder_id", "address_id", "number", "expires_on", "created_at"), certs)
        # Special schemes on domestic-abuse victims' homes or phones: a few active, most expired, some removed.
        scheme_rows, contacts = [], []
        max_days = int(self.policy["scheme_max_days"])
        review_before = int(self.policy["scheme_review_days_before"])
        base = w.next_id(SpecialScheme)
        floor = self.policy["scheme_default_floor"]
        for k, (victim, _perp) in enumerate(nom.couples[: max(3, len(nom.couples) // 5)]):
            sid = base + k
            state = ("active", "expired", "removed")[k % 3] if k < 3 else \
                r.choices(["active", "expired", "removed"], cum_weights=[15, 75, 100])[0]
            if state == "active":
                starts = self.now_epoch - r.randint(1, max(2, max_days - review_before - 2)) * day
            else:
                starts = self.start + r.randrange(max(1, self.shape.days - max_days)) * day
            ends = starts + max_days * day
            review_due = ends - review_before * day if state == "active" else None
            removed = starts + r.randint(10, max_days - 1) * day if state == "removed" else None
            phone = nom.phone_of.get(victim) if r.random() < 0.25 else None
            officer = r.choice(self.officers)
            scheme_address = None if phone is not None else nom.address_ids[nom.home[victim]]
            scheme_rows.append((sid, nom.person_ids[victim], scheme_address,
                                nom.phone_ids[phone] if phone is not None else None,
                                "Domestic abuse victim: high-risk DASH, perpetrator recently released.", floor,
                                officer, w.ts(starts), w.ts(ends), w.ts(starts), "In person by the officer",
                                w.ts(review_due) if review_due else None, w.ts(ends) if state == "active" else None,
                                w.ts(removed) if removed else None, officer if removed else None,
                                "Victim has moved out of the area" if removed else "", w.ts(starts), officer))
            contacts.append((sid, w.ts(starts), officer, "In person by the officer",
                             "Told about the scheme and how long it lasts", True))
            if removed:
                contacts.append((sid, w.ts(removed - day), officer, "Phone", "Victim confirms she has moved", True))
        w.write(SpecialScheme, ("id", "victim_id", "address_id", "phone_id", "reason", "grade_floor", "officer_id",
                                "starts_at", "ends_at", "victim_told_at", "victim_told_how", "review_due_at",
                                "expiry_due_at", "removed_at", "removed_by_id", "removal_reason", "created_at",
                                "created_by_id"), scheme_rows)
        w.write(VictimContact, ("scheme_id", "at", "by_id", "channel", "outcome", "reached"), contacts)
        # Orders: most domestic-abuse couples' perpetrators restricted from the victim and her home.
        order_cum = _cum(wt for _, wt in ORDER_KINDS)
        base = w.next_id(Order)
        orders, protected_people, protected_places = [], [], []
        for k, (victim, perp) in enumerate(nom.couples[: max(2, len(nom.couples) * 2 // 5)]):
            oid = base + k
            starts = self.start + r.randrange(self.shape.days) * day
            order_ends: float | None = starts + r.randint(28, 730) * day if r.random() < 0.8 else None
            kind = r.choices(ORDER_KINDS, cum_weights=order_cum)[0][0]
            orders.append((oid, kind, nom.person_ids[perp], "Not to contact the victim directly or indirectly; not to "
                           "enter the street where she lives.", self._date(starts),
                           self._date(order_ends) if order_ends else None, w.ts(starts), r.choice(self.officers)))
            protected_people.append((oid, nom.person_ids[victim]))
            protected_places.append((oid, nom.address_ids[nom.home[victim]]))
        w.write(Order, ("id", "kind", "restricted_id", "conditions", "starts_on", "ends_on", "created_at",
                        "created_by_id"), orders)
        people_through = Order.protected_people.through
        places_through = Order.protected_addresses.through
        w.write(people_through, ("order_id", "person_id"), protected_people)
        w.write(places_through, ("order_id", "address_id"), protected_places)
        self._phase("protection", t0)

    def _record_import(self) -> None:
        """One audit record for the import (the rows themselves were not made by actions)."""
        from watchkeeper.audit import writer as audit
        from watchkeeper.core.actor import Actor

        audit.record(Actor(None, via="setup"), "history.imported", "history", f"seed-{self.seed}",
                     after={"logs": self.shape.logs, "rows": dict(self.w.counts), "heavy": self.heavy})


def refuse_real_logs() -> None:
    """A synthetic history goes only into a database of its own: refuse (RuntimeError) when the database holds
    any log that an earlier generation did not write. Generated logs are known by the one `history.imported`
    audit record each generation writes, which counts them; every other log was made through the actions."""
    from watchkeeper.audit.models import AuditRecord
    from watchkeeper.incidents.models import Log

    generated = sum(int((after or {}).get("logs", 0)) for after in
                    AuditRecord.objects.filter(action="history.imported").values_list("after", flat=True))
    real = Log.objects.count() - generated
    if real > 0:
        raise RuntimeError(
            f"This database holds {real} log(s) that were not generated (real records, or the demonstration "
            "force): generate-history writes a synthetic history only into a database of its own. Point "
            "WATCHKEEPER_DATABASE_URL at a new database (watchkeeper migrate, then add staff) and run it there.")


def generate(logs: int = 1_000_000, seed: int = 1, *, workers: int = 2,
             progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Generate a history into the configured database and return its summary (counts, times, heavy keys)."""
    if logs < 100:
        raise ValueError("A history needs at least 100 logs")
    return History(logs, seed, workers=workers, progress=progress).run()
