"""Database triggers that refuse deletion and alteration: the second line of defence behind the actions
(L1, L2, A3). Used by migrations; works on SQLite and PostgreSQL.

`refuse` installs whole-row rules (no DELETE, no UPDATE at all); `freeze` refuses an UPDATE that changes
any of the named columns (a record's recorded facts) while the columns actions legitimately change stay
writable. What a trigger cannot freeze (a log's status, a marker's end) `verify-audit` checks against the
audit trail instead.
"""

from __future__ import annotations

from typing import Any


def _quoted(message: str) -> str:
    return message.replace("'", "''")


def _sqlite(table: str, op: str, message: str) -> list[str]:
    name = f"wk_refuse_{op.lower()}_{table}"
    return [
        f"DROP TRIGGER IF EXISTS {name}",
        f"CREATE TRIGGER {name} BEFORE {op} ON {table} BEGIN SELECT RAISE(ABORT, '{_quoted(message)}'); END",
    ]


def _postgres(table: str, op: str, message: str) -> list[str]:
    fn = f"wk_refuse_{op.lower()}_{table}"
    return [
        f"CREATE OR REPLACE FUNCTION {fn}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN RAISE EXCEPTION '{_quoted(message)}' USING ERRCODE = 'restrict_violation'; END $$",
        f"DROP TRIGGER IF EXISTS {fn} ON {table}",
        f"CREATE TRIGGER {fn} BEFORE {op} ON {table} FOR EACH ROW EXECUTE FUNCTION {fn}()",
    ]


def _freeze_sqlite(table: str, columns: tuple[str, ...], message: str) -> list[str]:
    name = f"wk_freeze_{table}"
    cols = ", ".join(f'"{c}"' for c in columns)
    changed = " OR ".join(f'OLD."{c}" IS NOT NEW."{c}"' for c in columns)
    return [
        f"DROP TRIGGER IF EXISTS {name}",
        f"CREATE TRIGGER {name} BEFORE UPDATE OF {cols} ON {table} WHEN {changed} "
        f"BEGIN SELECT RAISE(ABORT, '{_quoted(message)}'); END",
    ]


def _freeze_postgres(table: str, columns: tuple[str, ...], message: str) -> list[str]:
    fn = f"wk_freeze_{table}"
    cols = ", ".join(f'"{c}"' for c in columns)
    changed = " OR ".join(f'OLD."{c}" IS DISTINCT FROM NEW."{c}"' for c in columns)
    return [
        f"CREATE OR REPLACE FUNCTION {fn}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN RAISE EXCEPTION '{_quoted(message)}' USING ERRCODE = 'restrict_violation'; END $$",
        f"DROP TRIGGER IF EXISTS {fn} ON {table}",
        f"CREATE TRIGGER {fn} BEFORE UPDATE OF {cols} ON {table} FOR EACH ROW WHEN ({changed}) "
        f"EXECUTE FUNCTION {fn}()",
    ]


def refuse(*rules: tuple[str, str, str]) -> Any:
    """A migration operation installing triggers: each rule is (table, "DELETE"|"UPDATE", message)."""
    from django.db import migrations

    def forwards(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        for table, op, message in rules:
            statements = _sqlite(table, op, message) if vendor == "sqlite" else _postgres(table, op, message)
            for sql in statements:
                schema_editor.execute(sql)

    return migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False)


def freeze(*rules: tuple[str, tuple[str, ...], str]) -> Any:
    """A migration operation installing triggers that refuse changing recorded facts: each rule is
    (table, columns, message). An UPDATE that leaves those columns as they were (a save of other fields)
    passes. One freeze trigger per table: a later `freeze` of the same table replaces it, so name every
    frozen column again (also after a migration that makes SQLite rebuild the table)."""
    from django.db import migrations

    def forwards(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        for table, columns, message in rules:
            build = _freeze_sqlite if vendor == "sqlite" else _freeze_postgres
            for sql in build(table, tuple(columns), message):
                schema_editor.execute(sql)

    return migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False)
