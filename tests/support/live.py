"""Real servers for tests, on fresh copies of a prepared database.

The database kind follows WATCHKEEPER_DATABASE_URL: PostgreSQL gets a new database made from a template
database (fast), SQLite a copy of a template file. The template is migrated and seeded once per test worker
with the demonstration staff and an API token for each of them (watchkeeper.bench.server.prepare).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx

from watchkeeper.bench.server import Server, drop, is_postgres, pg_exec, prepare, scratch_url, with_dbname

__all__ = ["Server", "Template", "api", "make_template"]


def configured_url() -> str:
    return os.environ.get("WATCHKEEPER_DATABASE_URL", "")


@dataclass
class Template:
    url: str
    seed: dict[str, Any]
    workdir: Path
    made: list[str] = field(default_factory=list)

    def fresh_url(self) -> str:
        """A new database with the template's content."""
        if is_postgres(self.url):
            name = f"wk_live_{uuid.uuid4().hex[:12]}"
            pg_exec(self.url, f'CREATE DATABASE "{name}" TEMPLATE "{urlparse(self.url).path.lstrip("/")}"')
            url = with_dbname(self.url, name)
        else:
            dst = self.workdir / f"live-{uuid.uuid4().hex[:8]}.sqlite3"
            shutil.copyfile(urlparse(self.url).path, dst)
            url = f"sqlite:///{dst}"
        self.made.append(url)
        return url

    def drop_all(self) -> None:
        for url in [*self.made, self.url]:
            try:
                drop(url)
            except Exception:  # best effort: a leftover scratch database harms nothing
                pass
        shutil.rmtree(self.workdir, ignore_errors=True)


def make_template() -> Template:
    workdir = Path(tempfile.mkdtemp(prefix="wk-live-"))
    base = configured_url() if is_postgres(configured_url()) else "sqlite"
    url = scratch_url(base, workdir, prefix="wk_tpl")
    seed = prepare(url)
    if is_postgres(url):
        # A template database must have no other connections when it is copied.
        name = urlparse(url).path.lstrip("/")
        pg_exec(url, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     f"WHERE datname = '{name}' AND pid <> pg_backend_pid()")
    return Template(url=url, seed=seed, workdir=workdir)


def api(server: Server, token: str) -> httpx.Client:
    return httpx.Client(base_url=server.base, headers={"Authorization": f"Bearer {token}"}, timeout=30)


class SseFrames:
    """Assembles a server-sent-event stream, line by line, into frames {"id", "event", "data"}."""

    def __init__(self) -> None:
        self._current: dict[str, Any] = {}

    def feed(self, line: str) -> dict[str, Any] | None:
        """The frame this line completes, if any."""
        if line.startswith("id: "):
            self._current["id"] = int(line[4:])
        elif line.startswith("event: "):
            self._current["event"] = line[7:]
        elif line.startswith("data: "):
            self._current["data"] = json.loads(line[6:])
        elif line == "" and "data" in self._current:
            frame, self._current = self._current, {}
            return frame
        return None
