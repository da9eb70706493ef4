"""Which database errors mean "cannot write now" (a 503 with the reason) and which are faults (a 500)."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest
from django.db import utils

from watchkeeper.core.startup import unavailable


def _wrapped(inner: BaseException) -> BaseException:
    """As Django raises it: its own error class, the driver's error as the cause."""
    outer = utils.OperationalError(str(inner))
    outer.__cause__ = inner
    return outer


@pytest.mark.parametrize(("sqlstate", "words"), [
    ("25006", "read-only"), ("53100", "disk is full"), ("58030", "input/output"), ("55P03", "busy"),
    ("57P01", "restarting"), ("57P03", "restarting"), ("08006", "cannot be reached"), ("53300", "resources"),
])
def test_postgresql_states_that_mean_no_writes(sqlstate: str, words: str) -> None:
    outage = unavailable(_wrapped(psycopg.errors.lookup(sqlstate)("x")))
    assert outage is not None and words in outage.reason


def test_a_fault_is_not_an_outage() -> None:
    assert unavailable(_wrapped(psycopg.errors.lookup("42P01")("no such table"))) is None  # undefined_table
    assert unavailable(_wrapped(psycopg.errors.lookup("23505")("duplicate"))) is None  # unique_violation
    assert unavailable(ValueError("not a database error")) is None


def test_sqlite_errors_from_real_sqlite(tmp_path: object) -> None:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t (x)")
    db.execute("PRAGMA query_only = 1")
    with pytest.raises(sqlite3.OperationalError) as readonly:
        db.execute("INSERT INTO t VALUES (1)")
    outage = unavailable(_wrapped(readonly.value))
    assert outage is not None and "read-only" in outage.reason
    with pytest.raises(sqlite3.OperationalError) as missing:
        db.execute("SELECT * FROM nowhere")
    assert unavailable(_wrapped(missing.value)) is None
