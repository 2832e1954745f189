"""A real PostgreSQL server for the tests: one cluster per test session, in a temporary folder, on
127.0.0.1, started from Debian's ``postgresql-15`` and stopped at the end; each test that asks gets a
database of its own.

``ASSESS_TEST_PG`` (a ``postgresql://`` URL of a server where the tests may create and drop
databases) uses that server instead. Without either, the PostgreSQL tests skip, except under
``CI=true``, where they must run: a skip there would let a broken backend pass.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

PG_BIN = Path(os.environ.get("ASSESS_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
_counter = itertools.count(1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(args: list[str]) -> list[str]:
    """initdb and the server refuse to run as root: as root, run them as the ``postgres`` user."""
    if os.geteuid() != 0:
        return args
    return ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(f"'{a}'" for a in args)]


class PgCluster:
    """A throwaway cluster: ``url(db)`` names a database on it, ``create()`` makes a new one."""

    def __init__(self, base_url: str, stop=None, data: Path | None = None):
        self.base_url = base_url
        self._stop = stop
        self.data = data  # the cluster's folder, when this process started it

    def url(self, database: str) -> str:
        parts = urlsplit(self.base_url)
        return urlunsplit(parts._replace(path="/" + database))

    def create(self, prefix: str = "t") -> str:
        """A new empty database; its URL."""
        import psycopg

        name = f"{prefix}_{os.getpid()}_{next(_counter)}"
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING UTF8')
        return self.url(name)

    def drop(self, url: str) -> None:
        import psycopg

        name = urlsplit(url).path.lstrip("/")
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        if self._stop:
            self._stop()


def start_cluster(*, durable: bool = False) -> PgCluster | None:
    """A running cluster, or None where no PostgreSQL is installed (and none is given). ``durable``:
    fsync and synchronous commit on, as a server runs (the bench's honest figures)."""
    given = os.environ.get("ASSESS_TEST_PG")
    if given:
        return PgCluster(given)
    if not (PG_BIN / "initdb").exists():
        return None
    root = Path(tempfile.mkdtemp(prefix="assess-pg-"))
    data, sock = root / "data", root / "sock"
    data.mkdir(mode=0o700)
    sock.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        shutil.chown(data, "postgres", "postgres")
        shutil.chown(sock, "postgres", "postgres")
    port = _free_port()
    run = dict(check=True, capture_output=True, text=True, timeout=120)
    subprocess.run(_as_postgres([str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                                 "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]), **run)  # fmt: skip
    # fsync off: a test cluster is thrown away, and the tests measure behaviour, not durability
    options = (f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={sock} "
               "-c max_connections=200")  # fmt: skip
    if not durable:
        options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(root / "server.log"),
                                 "-o", options, "-w", "start"]), **run)  # fmt: skip

    def stop() -> None:
        subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                       capture_output=True, timeout=60)  # fmt: skip
        shutil.rmtree(root, ignore_errors=True)

    return PgCluster(f"postgresql://postgres@127.0.0.1:{port}/postgres", stop, data)


def unavailable(reason: str):
    """Skip outside CI; fail under CI=true, where the PostgreSQL tests must run."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL tests must run under CI=true: {reason}")
    pytest.skip(reason)


def wait_ready(url: str, patience_s: float = 30.0) -> None:
    import psycopg

    deadline = time.monotonic() + patience_s
    while True:
        try:
            psycopg.connect(url, connect_timeout=2).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
