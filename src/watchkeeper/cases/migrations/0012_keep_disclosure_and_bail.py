"""P5, P8: disclosure decisions and bail are kept forever. What a disclosure task found is frozen and its
decision, once recorded, is frozen too; a bail condition as imposed never changes (an amendment is a new row),
reviews and ends are never changed, and a victim's notice of a change keeps what changed and for whom (only
the update that told them and the alert are added)."""

from django.db import migrations

from watchkeeper.core.protect import freeze, refuse

DECIDED_ONCE_SQLITE = (
    "CREATE TRIGGER wk_once_cases_disclosure BEFORE UPDATE ON cases_disclosure WHEN OLD.decision <> '' AND ("
    "OLD.decision IS NOT NEW.decision OR OLD.rationale IS NOT NEW.rationale OR OLD.channel IS NOT NEW.channel OR "
    "OLD.delivered_at IS NOT NEW.delivered_at OR OLD.decided_at IS NOT NEW.decided_at OR "
    "OLD.decided_by_id IS NOT NEW.decided_by_id) "
    "BEGIN SELECT RAISE(ABORT, 'P5: a disclosure decision is never changed'); END"
)
DECIDED_ONCE_POSTGRES = [
    "CREATE OR REPLACE FUNCTION wk_once_cases_disclosure() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF OLD.decision <> '' AND (OLD.decision IS DISTINCT FROM NEW.decision OR OLD.rationale IS DISTINCT FROM "
    "NEW.rationale OR OLD.channel IS DISTINCT FROM NEW.channel OR OLD.delivered_at IS DISTINCT FROM "
    "NEW.delivered_at OR OLD.decided_at IS DISTINCT FROM NEW.decided_at OR OLD.decided_by_id IS DISTINCT FROM "
    "NEW.decided_by_id) THEN RAISE EXCEPTION 'P5: a disclosure decision is never changed' USING ERRCODE = "
    "'restrict_violation'; END IF; RETURN NEW; END $$",
    "DROP TRIGGER IF EXISTS wk_once_cases_disclosure ON cases_disclosure",
    "CREATE TRIGGER wk_once_cases_disclosure BEFORE UPDATE ON cases_disclosure FOR EACH ROW "
    "EXECUTE FUNCTION wk_once_cases_disclosure()",
]


def decided_once(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS wk_once_cases_disclosure")
        schema_editor.execute(DECIDED_ONCE_SQLITE)
    else:
        for sql in DECIDED_ONCE_POSTGRES:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("cases", "0011_disclosure_and_bail")]

    operations = [
        refuse(
            ("cases_disclosure", "DELETE", "P5: disclosure tasks and decisions are never deleted"),
            ("cases_bailcondition", "DELETE", "P8: bail conditions are never deleted"),
            ("cases_baildecision", "DELETE", "P8: bail reviews and ends are never deleted"),
            ("cases_baildecision", "UPDATE", "P8: bail reviews and ends are never changed"),
            ("cases_bailnotice", "DELETE", "P8: a victim's notice of a bail change is never deleted"),
        ),
        freeze(
            ("cases_disclosure", ("case_id", "victim_id", "suspect_id", "history", "created_at", "due_at"),
             "P5: what a disclosure task found is never changed"),
            ("cases_bailcondition", ("case_id", "suspect_id", "text", "rationale", "protected", "places",
                                     "activities", "review_on", "end_on", "amends_id", "reason", "order_id", "at",
                                     "by_id"),
             "P8: a bail condition is never changed; amend it (a new record with the reason)"),
            ("cases_bailnotice", ("case_id", "condition_id", "person_id", "change", "created_at", "due_at"),
             "P8: a victim's notice of a bail change is never changed"),
        ),
        migrations.RunPython(decided_once, migrations.RunPython.noop, elidable=False),
    ]
