"""The search index, kept by the database itself (no Python on the write path).

One row per log in `search_logtext`: its reference and summary (`ref`), the words said on it (`said`:
narrative, callers' accounts, corrections), the people named (`people`: callers, parties), the places
(`places`: the location as typed, the addresses linked) and the phones (`phones`: as typed, and in E.164 and
national form). Triggers on the incidents and people tables append to it as rows are written, in the same
transaction. On SQLite an FTS5 table with external content (`search_fts`) indexes it, kept in step by triggers
on `search_logtext`; on PostgreSQL a trigger keeps a weighted `tsvector` column (people A, places B, phones C,
the rest D) under a GIN index.

`install(connection)` creates whatever is missing (idempotent): the migration calls it, and so does every
`migrate` afterwards (apps.py), because SQLite drops a table's triggers when a later migration rebuilds it.
"""

from __future__ import annotations

from typing import Any

# Entry kinds whose text is "what was said" (system lines, tasks and the like are not searched).
SAID_KINDS = ("narrative", "contact", "correction")
_KINDS = ", ".join(f"'{k}'" for k in SAID_KINDS)
COLUMNS = ("ref", "said", "people", "places", "phones")

# --------------------------------------------------------------------------------------------- SQLite
SQLITE_TABLES = [
    "CREATE TABLE IF NOT EXISTS search_logtext (log_id INTEGER PRIMARY KEY, ref TEXT NOT NULL DEFAULT '', "
    "said TEXT NOT NULL DEFAULT '', people TEXT NOT NULL DEFAULT '', places TEXT NOT NULL DEFAULT '', "
    "phones TEXT NOT NULL DEFAULT '')",
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(ref, said, people, places, phones, "
    "content='search_logtext', content_rowid='log_id', tokenize='porter unicode61')",
]

_FTS_COLS = ", ".join(COLUMNS)
_NEW = ", ".join(f"new.{c}" for c in COLUMNS)
_OLD = ", ".join(f"old.{c}" for c in COLUMNS)


def _upsert(log_id: str, **values: str) -> str:
    """Append text to a log's row (creating it first if the log's own trigger has not yet: bulk imports)."""
    cols = ", ".join(values)
    vals = ", ".join(values.values())
    sets = ", ".join(f"{c} = search_logtext.{c} || char(10) || excluded.{c}" for c in values)
    return (f"INSERT INTO search_logtext (log_id, {cols}) VALUES ({log_id}, {vals}) "
            f"ON CONFLICT (log_id) DO UPDATE SET {sets};")


_SQLITE_PHONE = ("(SELECT e164 || ' ' || replace(e164, '+', '') || CASE WHEN e164 LIKE '+44%' "
                 "THEN ' 0' || substr(e164, 4) ELSE '' END FROM people_phone WHERE id = new.phone_id)")
_SQLITE_PARTY = _upsert(
    "new.log_id",
    people="coalesce((SELECT given_names || ' ' || family_name FROM people_person WHERE id = new.person_id), '')",
    places="coalesce((SELECT text || ' ' || postcode FROM people_address WHERE id = new.address_id), '')",
    phones=f"coalesce({_SQLITE_PHONE}, '')",
)
_SQLITE_CONTACT = _upsert(
    "new.log_id",
    people="trim(new.caller_name || ' ' || new.party)",
    phones="trim(new.caller_phone || ' ' || replace(replace(new.caller_phone, ' ', ''), '-', ''))",
)

SQLITE_TRIGGERS = {
    "search_fts_ai": f"AFTER INSERT ON search_logtext BEGIN INSERT INTO search_fts (rowid, {_FTS_COLS}) "
                     f"VALUES (new.log_id, {_NEW}); END",
    "search_fts_au": f"AFTER UPDATE ON search_logtext BEGIN "
                     f"INSERT INTO search_fts (search_fts, rowid, {_FTS_COLS}) VALUES ('delete', old.log_id, {_OLD}); "
                     f"INSERT INTO search_fts (rowid, {_FTS_COLS}) VALUES (new.log_id, {_NEW}); END",
    "search_log_ai": "AFTER INSERT ON incidents_log BEGIN "
                     "INSERT INTO search_logtext (log_id, ref, places) VALUES (new.id, new.reference || ' ' || "
                     "new.summary || ' ' || new.category, new.location) ON CONFLICT (log_id) DO UPDATE SET "
                     "ref = excluded.ref, places = excluded.places || char(10) || search_logtext.places; END",
    "search_log_au": "AFTER UPDATE OF summary, location, category ON incidents_log "
                     "WHEN old.summary IS NOT new.summary OR old.location IS NOT new.location "
                     "OR old.category IS NOT new.category BEGIN "
                     "UPDATE search_logtext SET ref = new.reference || ' ' || new.summary || ' ' || new.category, "
                     "places = CASE WHEN new.location <> '' AND instr(places, new.location) = 0 "
                     "THEN places || char(10) || new.location ELSE places END WHERE log_id = new.id; END",
    "search_entry_ai": f"AFTER INSERT ON incidents_entry WHEN new.kind IN ({_KINDS}) BEGIN "
                       + _upsert("new.log_id", said="new.text") + " END",
    "search_contact_ai": "AFTER INSERT ON incidents_contact WHEN new.log_id IS NOT NULL BEGIN "
                         + _SQLITE_CONTACT + " END",
    "search_contact_au": "AFTER UPDATE OF log_id ON incidents_contact "
                         "WHEN old.log_id IS NULL AND new.log_id IS NOT NULL BEGIN " + _SQLITE_CONTACT + " END",
    "search_party_ai": "AFTER INSERT ON people_logparty WHEN new.log_id IS NOT NULL BEGIN " + _SQLITE_PARTY + " END",
    "search_party_au": "AFTER UPDATE OF log_id ON people_logparty "
                       "WHEN old.log_id IS NULL AND new.log_id IS NOT NULL BEGIN " + _SQLITE_PARTY + " END",
}

# What the logs already written hold (a database migrated with records in it): one row each.
_BACKFILL = """
INSERT INTO search_logtext (log_id, ref, said, people, places, phones)
SELECT l.id, l.reference || ' ' || l.summary || ' ' || l.category,
  coalesce((SELECT {agg}(e.text, {nl}) FROM incidents_entry e WHERE e.log_id = l.id AND e.kind IN ({kinds})), ''),
  coalesce((SELECT {agg}(c.caller_name || ' ' || c.party, {nl}) FROM incidents_contact c WHERE c.log_id = l.id), '')
    || {nl} || coalesce((SELECT {agg}(p.given_names || ' ' || p.family_name, {nl}) FROM people_logparty lp
                         JOIN people_person p ON p.id = lp.person_id WHERE lp.log_id = l.id), ''),
  l.location || {nl} || coalesce((SELECT {agg}(a.text || ' ' || a.postcode, {nl}) FROM people_logparty lp
                                  JOIN people_address a ON a.id = lp.address_id WHERE lp.log_id = l.id), ''),
  coalesce((SELECT {agg}(c.caller_phone || ' ' || replace(replace(c.caller_phone, ' ', ''), '-', ''), ' ')
            FROM incidents_contact c WHERE c.log_id = l.id), '')
    || ' ' || coalesce((SELECT {agg}(ph.e164 || ' ' || replace(ph.e164, '+', '') || CASE WHEN ph.e164 LIKE '+44%%'
                        THEN ' 0' || substr(ph.e164, 4) ELSE '' END, ' ') FROM people_logparty lp
                        JOIN people_phone ph ON ph.id = lp.phone_id WHERE lp.log_id = l.id), '')
FROM incidents_log l WHERE NOT EXISTS (SELECT 1 FROM search_logtext t WHERE t.log_id = l.id)
"""


def _sqlite(cursor: Any) -> None:
    for sql in SQLITE_TABLES:
        cursor.execute(sql)
    for name, body in SQLITE_TRIGGERS.items():
        cursor.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")
    cursor.execute(_BACKFILL.format(agg="group_concat", nl="char(10)", kinds=_KINDS))


# ----------------------------------------------------------------------------------------- PostgreSQL
# Weights: people A, places B, phones C, reference/summary and what was said D (a query can ask for one). A
# reference's hyphen is a space, so "20261207-0001" is two words as on SQLite (not a word and a negative number).
PG_DOCUMENT = ("setweight(to_tsvector('english', new.people), 'A') || "
               "setweight(to_tsvector('english', new.places), 'B') || "
               "setweight(to_tsvector('simple', translate(new.phones, '+-()', '    ')), 'C') || "
               "setweight(to_tsvector('english', translate(new.ref, '-', ' ') || ' ' || new.said), 'D')")

POSTGRES_TABLES = [
    "CREATE TABLE IF NOT EXISTS search_logtext (log_id bigint PRIMARY KEY, ref text NOT NULL DEFAULT '', "
    "said text NOT NULL DEFAULT '', people text NOT NULL DEFAULT '', places text NOT NULL DEFAULT '', "
    "phones text NOT NULL DEFAULT '', document tsvector NOT NULL DEFAULT ''::tsvector)",
    "CREATE INDEX IF NOT EXISTS search_logtext_document ON search_logtext USING gin (document)",
]


def _pg_upsert(**values: str) -> str:
    cols = ", ".join(values)
    vals = ", ".join(values.values())
    sets = ", ".join(f"{c} = search_logtext.{c} || E'\\n' || excluded.{c}" for c in values)
    return (f"INSERT INTO search_logtext (log_id, {cols}) VALUES (new.log_id, {vals}) "
            f"ON CONFLICT (log_id) DO UPDATE SET {sets};")


_PG_PHONE = ("(SELECT e164 || ' ' || CASE WHEN e164 LIKE '+44%%' THEN '0' || substr(e164, 4) ELSE '' END "
             "FROM people_phone WHERE id = new.phone_id)")
_PG_PARTY = _pg_upsert(
    people="coalesce((SELECT given_names || ' ' || family_name FROM people_person WHERE id = new.person_id), '')",
    places="coalesce((SELECT text || ' ' || postcode FROM people_address WHERE id = new.address_id), '')",
    phones=f"coalesce({_PG_PHONE}, '')",
)
_PG_CONTACT = _pg_upsert(
    people="trim(new.caller_name || ' ' || new.party)",
    phones="trim(new.caller_phone || ' ' || replace(replace(new.caller_phone, ' ', ''), '-', ''))",
)
# name: (table, timing and event, WHEN condition or "", function body)
POSTGRES_TRIGGERS: dict[str, tuple[str, str, str, str]] = {
    "search_document": ("search_logtext", "BEFORE INSERT OR UPDATE", "",
                        f"new.document := {PG_DOCUMENT}; RETURN new;"),
    "search_log_ai": ("incidents_log", "AFTER INSERT", "",
                      "INSERT INTO search_logtext (log_id, ref, places) VALUES (new.id, new.reference || ' ' || "
                      "new.summary || ' ' || new.category, new.location) ON CONFLICT (log_id) DO UPDATE SET "
                      "ref = excluded.ref, places = excluded.places || E'\\n' || search_logtext.places; RETURN NULL;"),
    "search_log_au": ("incidents_log", "AFTER UPDATE OF summary, location, category",
                      "old.summary IS DISTINCT FROM new.summary OR old.location IS DISTINCT FROM new.location "
                      "OR old.category IS DISTINCT FROM new.category",
                      "UPDATE search_logtext SET ref = new.reference || ' ' || new.summary || ' ' || new.category, "
                      "places = CASE WHEN new.location <> '' AND strpos(places, new.location) = 0 "
                      "THEN places || E'\\n' || new.location ELSE places END WHERE log_id = new.id; RETURN NULL;"),
    "search_entry_ai": ("incidents_entry", "AFTER INSERT", f"new.kind IN ({_KINDS})",
                        _pg_upsert(said="new.text") + " RETURN NULL;"),
    "search_contact_ai": ("incidents_contact", "AFTER INSERT", "new.log_id IS NOT NULL",
                          _PG_CONTACT + " RETURN NULL;"),
    "search_contact_au": ("incidents_contact", "AFTER UPDATE OF log_id",
                          "old.log_id IS NULL AND new.log_id IS NOT NULL", _PG_CONTACT + " RETURN NULL;"),
    "search_party_ai": ("people_logparty", "AFTER INSERT", "new.log_id IS NOT NULL", _PG_PARTY + " RETURN NULL;"),
    "search_party_au": ("people_logparty", "AFTER UPDATE OF log_id",
                        "old.log_id IS NULL AND new.log_id IS NOT NULL", _PG_PARTY + " RETURN NULL;"),
}


def _postgres(cursor: Any) -> None:
    for sql in POSTGRES_TABLES:
        cursor.execute(sql)
    for name, (table, when, condition, body) in POSTGRES_TRIGGERS.items():
        cursor.execute(f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                       f"BEGIN {body} END $$")
        cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        cond = f" WHEN ({condition})" if condition else ""
        cursor.execute(f"CREATE TRIGGER {name} {when} ON {table} FOR EACH ROW{cond} EXECUTE FUNCTION {name}()")
    cursor.execute(_BACKFILL.format(agg="string_agg", nl="E'\\n'", kinds=_KINDS))


def install(connection: Any) -> None:
    """Create the index tables and triggers that are missing, and index the logs not yet indexed."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            _sqlite(cursor)
        elif connection.vendor == "postgresql":
            _postgres(cursor)


def trigger_names() -> set[str]:
    return set(SQLITE_TRIGGERS) | set(POSTGRES_TRIGGERS)
