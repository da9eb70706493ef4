"""Running real Watchkeeper servers on scratch databases, for benchmarks and end-to-end tests.

A scratch database is a temporary SQLite file or a new PostgreSQL database on a given server. It is
migrated and seeded with the demonstration staff (each with an API token) by `watchkeeper` subprocesses,
exactly as an operator would.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import httpx

BIN = Path(sys.executable).parent / "watchkeeper"
# Scratch servers hold only scratch data, so a fixed key of their own is enough (`serve` refuses the public
# development key outside debug); a key given in the environment is used instead. Fixed, so that a server
# restarted on the same database keeps its sessions.
SCRATCH_SECRET_KEY = "watchkeeper-scratch-server-key-for-tests-and-benchmarks-only-9f3c1e"
_CALLERS = itertools.count()


def caller(contact: dict[str, Any]) -> dict[str, Any]:
    """The contact from a phone no earlier benchmark log used: most calls are about different things, and a
    phone on an open log would be a second call (L8), offered that log first."""
    n = next(_CALLERS) % 1_000_000
    return {**contact, "caller_phone": f"07{n // 1000:03d} 9{n % 1000:05d}"}


SEED = """
import json
from watchkeeper.core.actor import Actor
from watchkeeper.root.demo import seed_staff, password_for
from watchkeeper.staff.actions import issue_token
people = seed_staff()
tokens = {n: issue_token(Actor(None, via="setup"), u.pk, "scratch")[1] for n, u in people.items()}
print(json.dumps({"tokens": tokens, "passwords": {n: password_for(n) for n in people},
                  "ids": {n: u.pk for n, u in people.items()}}))
"""


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


def with_dbname(url: str, dbname: str) -> str:
    return urlunparse(urlparse(url)._replace(path=f"/{dbname}"))


def pg_exec(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(with_dbname(url, "postgres"), autocommit=True) as conn:
        conn.execute(sql)


def scratch_url(kind_or_url: str, workdir: Path, prefix: str = "wk_scratch") -> str:
    """A new empty database: on the PostgreSQL server named by the URL, or a SQLite file in workdir."""
    if is_postgres(kind_or_url):
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        pg_exec(kind_or_url, f'CREATE DATABASE "{name}"')
        return with_dbname(kind_or_url, name)
    return f"sqlite:///{workdir / f'{prefix}-{uuid.uuid4().hex[:8]}.sqlite3'}"


def drop(url: str) -> None:
    if is_postgres(url):
        pg_exec(url, f'DROP DATABASE IF EXISTS "{urlparse(url).path.lstrip("/")}" WITH (FORCE)')
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(urlparse(url).path + suffix).unlink(missing_ok=True)


# Benchmarks drive one token at hundreds of requests a second: the per-caller API rate limit (which protects
# the 999 path from a bulk caller in production) is off on their scratch servers, and only there.
BENCH_ENV = {"WATCHKEEPER_API_RATE": "off", "WATCHKEEPER_API_WRITE_RATE": "off"}


def run_cli(url: str, *args: str, code: str | None = None, env: dict[str, str] | None = None,
            cwd: Path | None = None, timeout: float = 600) -> str:
    full_env = {**os.environ, "WATCHKEEPER_DATABASE_URL": url, **(env or {})}
    if code is None:
        cmd = [str(BIN), *args]
    else:
        boot = ("import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'watchkeeper.settings'); "
                "django.setup()\n")
        cmd = [sys.executable, "-c", boot + code]
    out = subprocess.run(cmd, env=full_env, capture_output=True, text=True, timeout=timeout, cwd=cwd)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:3])} failed:\n{out.stdout}\n{out.stderr}")
    return out.stdout


def prepare(url: str) -> dict[str, Any]:
    """Migrate and seed a scratch database; returns tokens, passwords and ids of the staff."""
    run_cli(url, "migrate")
    seed: dict[str, Any] = json.loads(run_cli(url, code=SEED).strip().splitlines()[-1])
    return seed


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def process_tree_cpu_seconds(root: int) -> float:
    """User + system CPU seconds of a process and all its descendants now alive (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    used: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # the process ended while we looked
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) "
        parents[int(entry.name)] = int(fields[1])
        used[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        for child, parent in parents.items():
            if parent == pid and child not in tree:
                tree.add(child)
                frontier.append(child)
    return sum(used.get(pid, 0.0) for pid in tree)


class Server:
    """A running `watchkeeper serve` process on its own port and database."""

    def __init__(self, url: str, *, sweeper: bool = True, extra_env: dict[str, str] | None = None,
                 port: int | None = None) -> None:
        self.db_url = url
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.sweeper = sweeper
        self.extra_env = extra_env or {}
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = Path(tempfile.mkstemp(prefix="wk-serve-", suffix=".log")[1])

    def start(self, timeout: float = 90) -> Server:
        env = {"WATCHKEEPER_SECRET_KEY": SCRATCH_SECRET_KEY, **os.environ, "WATCHKEEPER_DATABASE_URL": self.db_url,
               "WATCHKEEPER_SWEEPER_INTERVAL": "0.2", **self.extra_env}
        if env.get("WATCHKEEPER_CLOCK_OFFSET_SECONDS", "").strip() not in ("", "0"):
            # A scratch server with a moved clock is a drill by definition (core/clock.py refuses otherwise).
            env.setdefault("WATCHKEEPER_DRILL", "1")
        args = [str(BIN), "serve", "--port", str(self.port)] + ([] if self.sweeper else ["--no-sweeper"])
        self.proc = subprocess.Popen(args, env=env, stdout=self.log.open("wb"), stderr=subprocess.STDOUT,
                                     start_new_session=True)
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log.read_text()}")
            try:
                if httpx.get(self.base + "/login/", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        self.kill()  # not left running behind the error
        raise RuntimeError(f"server did not start within {timeout:.0f} s:\n{self.log.read_text()}")

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the server: its process and every process under it (the
        workers), read from /proc. The difference across a run divided by the requests served is the server's
        CPU per request, which a busy machine disturbs far less than wall time."""
        if self.proc is None:
            return 0.0
        return process_tree_cpu_seconds(self.proc.pid)

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            self.proc.wait(timeout=20)

    def stop(self) -> None:
        self.kill(signal.SIGTERM)
