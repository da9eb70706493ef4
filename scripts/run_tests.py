"""The whole suite, as `make test` and CI run it.

1. lint and migration check; 2. unit tests (no database); 3. everything that needs a database, on SQLite;
3b. schemathesis over the OpenAPI schema against a real server on SQLite (tests/api_fuzz: every operation, a
bounded number of examples each; any 5xx, undocumented status or body unlike its schema fails the run);
4. the same on PostgreSQL: WATCHKEEPER_TEST_DATABASE_URL if set, else the server on 127.0.0.1:5432, else a
throwaway cluster started with this machine's pg_ctl. Under CI=true a missing tool fails the run with what
to install; elsewhere it is reported loudly and that part is left out.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
DB_SUITES = ["tests/integration", "tests/scenarios", "tests/e2e"]
API_FUZZ = "tests/api_fuzz"
WORKERS = os.environ.get("WATCHKEEPER_TEST_WORKERS", "2")


def run(cmd: list[str], env: dict[str, str] | None = None) -> None:
    print("+", " ".join(cmd), flush=True)
    done = subprocess.run(cmd, cwd=ROOT, env={**os.environ, **(env or {})})
    if done.returncode != 0:
        sys.exit(done.returncode)


def missing(what: str, how: str) -> None:
    msg = f"{what} is missing. Install it: {how}"
    if CI:
        sys.exit(f"FAIL: {msg}")
    print(f"\n!!! WARNING: {msg} — that part of the suite was NOT run.\n", flush=True)


def _can_connect(url: str) -> bool:
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=3):
            return True
    except Exception:
        return False


class Throwaway:
    """A PostgreSQL cluster of our own, in a temporary folder, for machines without a running server."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="wk-pg-"))
        self.bindir = self._bindir()
        self.port = 55432
        self.prefix: list[str] = []
        if os.geteuid() == 0:  # initdb refuses to run as root
            runuser = shutil.which("runuser")
            if runuser is None:
                raise RuntimeError("running as root without runuser")
            shutil.chown(self.dir, "postgres")
            self.prefix = [runuser, "-u", "postgres", "--"]

    @staticmethod
    def _bindir() -> Path:
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
        if found:
            return Path(found[-1]).parent
        pg_ctl = shutil.which("pg_ctl")
        if pg_ctl:
            return Path(pg_ctl).parent
        raise FileNotFoundError("pg_ctl")

    def start(self) -> str:
        data = self.dir / "data"
        subprocess.run([*self.prefix, str(self.bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"],
                       check=True, capture_output=True)
        subprocess.run([*self.prefix, str(self.bindir / "pg_ctl"), "-D", str(data), "-w", "-l", str(self.dir / "log"),
                        "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1", "start"], check=True)
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        subprocess.run([*self.prefix, str(self.bindir / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "fast", "stop"],
                       check=False, capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)


def postgres_url() -> tuple[str | None, Throwaway | None]:
    given = os.environ.get("WATCHKEEPER_TEST_DATABASE_URL")
    if given:
        return given, None
    local = "postgresql://postgres@127.0.0.1:5432/postgres"
    if _can_connect(local):
        return local, None
    try:
        tmp = Throwaway()
        return tmp.start(), tmp
    except (FileNotFoundError, RuntimeError, subprocess.CalledProcessError):
        return None, None


# `make lint`: style (ruff), the layers (import-linter's contracts in pyproject.toml), types (mypy with
# Django's stubs) and the migration check. Each tool is installed by `make install` (the dev extras); a
# missing one fails the run (it is never skipped).
LINT: list[tuple[str, list[str], dict[str, str]]] = [
    ("ruff", ["check", "src", "tests", "scripts"], {}),
    ("lint-imports", [], {}),
    ("mypy", ["src/watchkeeper"], {"WATCHKEEPER_DATABASE_URL": "sqlite:///:memory:"}),
    ("watchkeeper", ["makemigrations", "--check", "--dry-run"], {"WATCHKEEPER_DATABASE_URL": "sqlite:///:memory:"}),
]


def lint() -> None:
    for tool, args, env in LINT:
        path = BIN / tool
        if not path.exists():
            sys.exit(f"FAIL: {tool} is missing from {BIN}. Install the dev tools: make install "
                     "(pip install -e '.[dev]')")
        run([str(path), *args], env=env)


def api_fuzz(pytest: list[str], scratch: str) -> None:
    """schemathesis against the OpenAPI schema, on a real server (SQLite): its own step, so its report reads
    on its own. A missing schemathesis fails under CI and is reported loudly elsewhere."""
    if not (BIN / "st").exists():
        missing("schemathesis (the API fuzzing step)", "make install (pip install -e '.[dev]')")
        return
    run([*pytest, API_FUZZ, "-q", "-s"],
        env={"WATCHKEEPER_DATABASE_URL": f"sqlite:///{scratch}/api-fuzz.sqlite3", "WATCHKEEPER_VAR_DIR": scratch})


def main() -> None:
    pytest = [str(BIN / "pytest"), "-p", "no:cacheprovider"]
    lint()
    if "--lint-only" in sys.argv[1:]:
        return
    run([*pytest, "tests/unit", "-q"])
    if not os.path.exists("/usr/bin/chromium"):
        missing("Debian's chromium (for the browser tests)", "sudo apt-get install -y chromium")
    scratch = tempfile.mkdtemp(prefix="wk-test-")
    run([*pytest, *DB_SUITES, "-q", "-n", WORKERS, "--dist", "loadfile"],
        env={"WATCHKEEPER_DATABASE_URL": f"sqlite:///{scratch}/watchkeeper.sqlite3", "WATCHKEEPER_VAR_DIR": scratch})
    api_fuzz(pytest, scratch)
    url, throwaway = postgres_url()
    if url is None:
        missing("PostgreSQL (a server on 127.0.0.1:5432, or pg_ctl)", "sudo apt-get install -y postgresql")
        return
    try:
        run([*pytest, *DB_SUITES, "-q", "-n", WORKERS, "--dist", "loadfile"],
            env={"WATCHKEEPER_DATABASE_URL": url, "WATCHKEEPER_VAR_DIR": scratch})
    finally:
        if throwaway:
            throwaway.stop()
    shutil.rmtree(scratch, ignore_errors=True)
    print("all suites passed on SQLite and PostgreSQL", flush=True)


if __name__ == "__main__":
    main()
