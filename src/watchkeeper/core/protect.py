"""Database triggers that refuse deletion and alteration: the second line of defence behind the actions
(L1, L2, A3). Used by migrations; works on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any


def _sqlite(table: str, op: str, message: str) -> list[str]:
    name = f"wk_refuse_{op.lower()}_{table}"
    return [
        f"DROP TRIGGER IF EXISTS {name}",
        f"CREATE TRIGGER {name} BEFORE {op} ON {table} BEGIN SELECT RAISE(ABORT, '{message}'); END",
    ]


def _postgres(table: str, op: str, message: str) -> list[str]:
    fn = f"wk_refuse_{op.lower()}_{table}"
    return [
        f"CREATE OR REPLACE FUNCTION {fn}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN RAISE EXCEPTION '{message}' USING ERRCODE = 'restrict_violation'; END $$",
        f"DROP TRIGGER IF EXISTS {fn} ON {table}",
        f"CREATE TRIGGER {fn} BEFORE {op} ON {table} FOR EACH ROW EXECUTE FUNCTION {fn}()",
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
