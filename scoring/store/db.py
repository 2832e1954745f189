"""The evaluation store: one SQLite file — or a PostgreSQL database, named by a ``postgresql://``
URL (SPEC extension 7) — that keeps a round from import to publication.

SQLite: standard library only. WAL mode so that readers never wait for an import; foreign keys on;
the schema is versioned with ``PRAGMA user_version`` and moved forward by :data:`MIGRATIONS`.
PostgreSQL: ``scoring/store/pg_store.py``; the store's modules run one SQL text on both (``?``
placeholders, portable statements), and the few things that differ are hooks of :class:`Store`
(:meth:`Store.insert_returning_id`, :meth:`Store.bulk_insert`, :meth:`Store.transaction`).
Findings, batches, snapshots, appeals and decisions, and the audit log are only ever inserted
(triggers refuse the rest, :data:`INSERT_ONLY`): a correction is a new finding that supersedes the
old one, and a change to a published round is a new revision.
"""

from __future__ import annotations

import getpass
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from scoring.store.failures import PG_SCHEMES, StoreUnusable, is_url, shown_location, store_failure

__all__ = [
    "INSERT_ONLY",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "Store",
    "StoreUnusable",
    "bulk_insert",
    "default_actor",
    "default_db_path",
    "insert_returning_id",
    "now",
    "open_store",
    "shown_location",
]

ROUND_STATUSES = ("draft", "feedback", "appeal", "published")

# the tables migration 5 guards with triggers; part of a shipped migration's text, never edited
_GUARDED_BY_5 = ("batch", "snapshot", "snapshot_row", "supersession", "decision", "appeal", "rubric_version",
                 "roster_version", "roster_unit", "round_revision_reason")  # fmt: skip

# each entry moves the schema from version i to i + 1; never edit one that has shipped.
# EVERY NEW MIGRATION NEEDS BOTH: its SQLite text here, and its PostgreSQL twin appended to
# pg_schema.PG_MIGRATIONS (a new PostgreSQL store is made at pg_schema.BASE_VERSION and moved on by
# those); tests/store/test_pg_schema.py fails until the two schemas agree again.
MIGRATIONS: list[str] = [
    # 1: rubrics, rosters, rounds, imported batches and their findings, score snapshots, audit log
    """
    CREATE TABLE rubric_version (
        id INTEGER PRIMARY KEY,
        rubric_id TEXT NOT NULL,
        version TEXT NOT NULL,
        sha256 TEXT NOT NULL UNIQUE,
        path TEXT NOT NULL,
        text TEXT NOT NULL,
        loaded_at TEXT NOT NULL,
        loaded_by TEXT NOT NULL
    );
    CREATE TABLE roster_version (
        id INTEGER PRIMARY KEY,
        sha256 TEXT NOT NULL UNIQUE,
        path TEXT NOT NULL,
        loaded_at TEXT NOT NULL,
        loaded_by TEXT NOT NULL
    );
    CREATE TABLE roster_unit (
        roster_id INTEGER NOT NULL REFERENCES roster_version(id),
        unit_id TEXT NOT NULL,
        name TEXT NOT NULL,
        grp TEXT NOT NULL,
        PRIMARY KEY (roster_id, unit_id)
    );
    CREATE TABLE round (
        id INTEGER PRIMARY KEY,
        period TEXT NOT NULL UNIQUE,
        rubric_version_id INTEGER NOT NULL REFERENCES rubric_version(id),
        roster_id INTEGER NOT NULL REFERENCES roster_version(id),
        status TEXT NOT NULL CHECK (status IN ('draft', 'feedback', 'appeal', 'published')),
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL
    );
    CREATE TABLE batch (
        id INTEGER PRIMARY KEY,
        file_name TEXT NOT NULL,
        sha256 TEXT NOT NULL UNIQUE,
        rows INTEGER NOT NULL,
        imported_at TEXT NOT NULL,
        imported_by TEXT NOT NULL
    );
    CREATE TABLE finding (
        id INTEGER PRIMARY KEY,
        batch_id INTEGER NOT NULL REFERENCES batch(id),
        round_id INTEGER NOT NULL REFERENCES round(id),
        sheet TEXT NOT NULL,
        row_no INTEGER NOT NULL,
        unit_id TEXT NOT NULL,
        check_id TEXT NOT NULL,
        value TEXT NOT NULL,
        evidence TEXT NOT NULL,
        note TEXT NOT NULL,
        evaluator TEXT NOT NULL,
        checked_at TEXT NOT NULL
    );
    CREATE INDEX finding_round ON finding(round_id, unit_id, check_id);
    CREATE TABLE snapshot (
        id INTEGER PRIMARY KEY,
        round_id INTEGER NOT NULL REFERENCES round(id),
        revision INTEGER NOT NULL,
        max_finding_id INTEGER NOT NULL,
        reason TEXT NOT NULL,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        UNIQUE (round_id, revision)
    );
    CREATE TABLE snapshot_row (
        snapshot_id INTEGER NOT NULL REFERENCES snapshot(id),
        tbl TEXT NOT NULL CHECK (tbl IN ('unit', 'dimension', 'check')),
        seq INTEGER NOT NULL,
        line TEXT NOT NULL,
        PRIMARY KEY (snapshot_id, tbl, seq)
    ) WITHOUT ROWID;
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        detail TEXT NOT NULL
    );
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
    CREATE TRIGGER finding_no_update BEFORE UPDATE ON finding BEGIN SELECT RAISE(ABORT, 'findings are never changed'); END;
    CREATE TRIGGER finding_no_delete BEFORE DELETE ON finding BEGIN SELECT RAISE(ABORT, 'findings are never deleted'); END;
    """,
    # 2: appeals (申诉) and decisions (复核); a correction supersedes findings instead of editing them
    """
    CREATE TABLE appeal (
        id INTEGER PRIMARY KEY,
        round_id INTEGER NOT NULL REFERENCES round(id),
        unit_id TEXT NOT NULL,
        check_id TEXT NOT NULL,
        reason TEXT NOT NULL,
        proof TEXT NOT NULL,
        filed_at TEXT NOT NULL,
        filed_by TEXT NOT NULL
    );
    CREATE TABLE decision (
        appeal_id INTEGER PRIMARY KEY REFERENCES appeal(id),
        outcome TEXT NOT NULL CHECK (outcome IN ('upheld', 'corrected')),
        new_value TEXT,
        reason TEXT NOT NULL,
        decided_at TEXT NOT NULL,
        decided_by TEXT NOT NULL
    );
    CREATE TABLE supersession (
        old_finding_id INTEGER PRIMARY KEY REFERENCES finding(id),
        new_finding_id INTEGER NOT NULL REFERENCES finding(id),
        appeal_id INTEGER REFERENCES appeal(id)
    );
    CREATE TABLE round_revision_reason (
        round_id INTEGER NOT NULL REFERENCES round(id),
        revision INTEGER NOT NULL,
        reason TEXT NOT NULL,
        PRIMARY KEY (round_id, revision)
    );
    """,
    # 3: accounts (passwords as scrypt hashes with per-user salt) and every sign-in attempt
    """
    CREATE TABLE account (
        name TEXT PRIMARY KEY,
        role TEXT NOT NULL CHECK (role IN ('admin', 'evaluator', 'leader', 'unit')),
        unit_id TEXT,
        salt BLOB NOT NULL,
        hash BLOB NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0,
        demo INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        CHECK ((role = 'unit') = (unit_id IS NOT NULL))
    );
    CREATE TABLE sign_in (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        at TEXT NOT NULL,
        ok INTEGER NOT NULL
    );
    CREATE INDEX sign_in_name ON sign_in(name, at);
    """,
    # 4: evidence files (佐证材料: screenshots, documents), found by the name a finding's evidence cites
    """
    CREATE TABLE evidence_file (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        sha256 TEXT NOT NULL,
        size INTEGER NOT NULL,
        content BLOB NOT NULL,
        uploaded_at TEXT NOT NULL,
        uploaded_by TEXT NOT NULL
    );
    CREATE TRIGGER evidence_no_update BEFORE UPDATE ON evidence_file
        BEGIN SELECT RAISE(ABORT, 'evidence files are never changed'); END;
    CREATE TRIGGER evidence_no_delete BEFORE DELETE ON evidence_file
        BEGIN SELECT RAISE(ABORT, 'evidence files are never deleted'); END;
    """,
    # 5: insert-only for real (issue 15): every table the README calls insert-only refuses UPDATE and
    # DELETE; a round may change its status only; decided appeals stay decided; and each published
    # revision gets a digest chained to the previous revision's (tamper evidence beyond the store)
    """
    """
    + "".join(
        f"""
    CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} BEGIN SELECT RAISE(ABORT, '{table} rows are never changed'); END;
    CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} BEGIN SELECT RAISE(ABORT, '{table} rows are never deleted'); END;"""
        for table in _GUARDED_BY_5
    )
    + """
    CREATE TRIGGER round_no_delete BEFORE DELETE ON round BEGIN SELECT RAISE(ABORT, 'rounds are never deleted'); END;
    CREATE TRIGGER round_status_only BEFORE UPDATE ON round
        WHEN NEW.id IS NOT OLD.id OR NEW.period IS NOT OLD.period OR NEW.rubric_version_id IS NOT OLD.rubric_version_id
          OR NEW.roster_id IS NOT OLD.roster_id OR NEW.created_at IS NOT OLD.created_at OR NEW.created_by IS NOT OLD.created_by
        BEGIN SELECT RAISE(ABORT, 'only a round status changes'); END;
    CREATE TABLE snapshot_digest (
        snapshot_id INTEGER PRIMARY KEY REFERENCES snapshot(id),
        digest TEXT NOT NULL,
        previous TEXT NOT NULL
    );
    CREATE TRIGGER snapshot_digest_no_update BEFORE UPDATE ON snapshot_digest
        BEGIN SELECT RAISE(ABORT, 'digests are never changed'); END;
    CREATE TRIGGER snapshot_digest_no_delete BEFORE DELETE ON snapshot_digest
        BEGIN SELECT RAISE(ABORT, 'digests are never deleted'); END;
    """,
    # 6: the office opens a period before results are imported into it (SPEC extension 2a); the
    # rounds a store already holds were opened by their first import
    """
    CREATE TABLE round_open (
        period TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        opened_at TEXT NOT NULL,
        opened_by TEXT NOT NULL
    );
    INSERT INTO round_open(period, title, opened_at, opened_by) SELECT period, '', created_at, created_by FROM round;
    CREATE TRIGGER round_open_no_update BEFORE UPDATE ON round_open
        BEGIN SELECT RAISE(ABORT, 'round_open rows are never changed'); END;
    CREATE TRIGGER round_open_no_delete BEFORE DELETE ON round_open
        BEGIN SELECT RAISE(ABORT, 'round_open rows are never deleted'); END;
    """,
    # 7: a published revision's score tables with every column, as Arrow IPC, so that readers load
    # them instead of rescoring the round (issue 21); verify checks them against snapshot_row
    """
    CREATE TABLE snapshot_frame (
        snapshot_id INTEGER NOT NULL REFERENCES snapshot(id),
        tbl TEXT NOT NULL CHECK (tbl IN ('unit', 'dimension', 'check')),
        arrow BLOB NOT NULL,
        PRIMARY KEY (snapshot_id, tbl)
    );
    CREATE TRIGGER snapshot_frame_no_update BEFORE UPDATE ON snapshot_frame
        BEGIN SELECT RAISE(ABORT, 'snapshot_frame rows are never changed'); END;
    CREATE TRIGGER snapshot_frame_no_delete BEFORE DELETE ON snapshot_frame
        BEGIN SELECT RAISE(ABORT, 'snapshot_frame rows are never deleted'); END;
    """,
    # 8: every probe of the website monitor (SPEC extension 4): a daily run adds its probes, and the
    # period's home-page failure rate counts them all; the pages themselves are evidence files
    """
    CREATE TABLE probe (
        id INTEGER PRIMARY KEY,
        period TEXT NOT NULL,
        unit_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        url TEXT NOT NULL,
        at TEXT NOT NULL,
        status INTEGER,
        elapsed_ms INTEGER NOT NULL,
        failure TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        evidence TEXT NOT NULL,
        run_by TEXT NOT NULL
    );
    CREATE INDEX probe_period_url ON probe(period, url);
    CREATE TRIGGER probe_no_update BEFORE UPDATE ON probe BEGIN SELECT RAISE(ABORT, 'probe rows are never changed'); END;
    CREATE TRIGGER probe_no_delete BEFORE DELETE ON probe BEGIN SELECT RAISE(ABORT, 'probe rows are never deleted'); END;
    """,
    # 9: each batch's findings again, per round, as one Arrow table (scoring/store/findings.py): a
    # province's round reads back in 0.05 s instead of 2.5 s; the finding table stays the record
    """
    CREATE TABLE batch_frame (
        batch_id INTEGER NOT NULL REFERENCES batch(id),
        round_id INTEGER NOT NULL REFERENCES round(id),
        first_id INTEGER NOT NULL,
        last_id INTEGER NOT NULL,
        rows INTEGER NOT NULL,
        arrow BLOB NOT NULL,
        PRIMARY KEY (batch_id, round_id)
    );
    CREATE INDEX batch_frame_round ON batch_frame(round_id, first_id);
    CREATE TRIGGER batch_frame_no_update BEFORE UPDATE ON batch_frame
        BEGIN SELECT RAISE(ABORT, 'batch_frame rows are never changed'); END;
    CREATE TRIGGER batch_frame_no_delete BEFORE DELETE ON batch_frame
        BEGIN SELECT RAISE(ABORT, 'batch_frame rows are never deleted'); END;
    """,
    # 10: the rounds' list counts each round's batches and findings from this index alone; through
    # the table it read every finding's row, a second on a province's first page (issue 34)
    """
    CREATE INDEX finding_round_batch ON finding(round_id, batch_id);
    """,
    # 11: the roster's order is a column (issue 30): a digest covers the roster in the order it was
    # loaded, which SQLite kept as rowid order and PostgreSQL does not keep at all. The rows stored
    # so far take their rowid, which orders them as before (the guard is lifted for that one update)
    """
    ALTER TABLE roster_unit ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
    DROP TRIGGER roster_unit_no_update;
    UPDATE roster_unit SET seq = rowid;
    CREATE TRIGGER roster_unit_no_update BEFORE UPDATE ON roster_unit BEGIN SELECT RAISE(ABORT, 'roster_unit rows are never changed'); END;
    CREATE UNIQUE INDEX roster_unit_seq ON roster_unit(roster_id, seq);
    """,
    # 12: what the monitor read on the sites (SPEC 4a): each content run, the units it read whole,
    # the findings it saw, and the office's versions of the wrong-words list it used; whether a
    # finding was fixed is asked of these rows (scoring/store/content.py), never written into them
    """
    CREATE TABLE words_version (
        id INTEGER PRIMARY KEY,
        sha256 TEXT NOT NULL,
        name TEXT NOT NULL,
        text TEXT NOT NULL,
        entries INTEGER NOT NULL,
        saved_at TEXT NOT NULL,
        saved_by TEXT NOT NULL
    );
    CREATE TABLE content_run (
        id INTEGER PRIMARY KEY,
        period TEXT NOT NULL,
        at TEXT NOT NULL,
        run_by TEXT NOT NULL,
        words_id INTEGER REFERENCES words_version(id)
    );
    CREATE TABLE content_unit (
        run_id INTEGER NOT NULL REFERENCES content_run(id),
        unit_id TEXT NOT NULL,
        PRIMARY KEY (run_id, unit_id)
    );
    CREATE TABLE content_finding (
        run_id INTEGER NOT NULL REFERENCES content_run(id),
        unit_id TEXT NOT NULL,
        finding_key TEXT NOT NULL,
        rule TEXT NOT NULL,
        url TEXT NOT NULL,
        found TEXT NOT NULL,
        context TEXT NOT NULL,
        severity TEXT NOT NULL,
        PRIMARY KEY (run_id, unit_id, finding_key)
    );
    CREATE INDEX content_finding_unit ON content_finding(unit_id, run_id);
    """
    + "".join(
        f"""
    CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} BEGIN SELECT RAISE(ABORT, '{table} rows are never changed'); END;
    CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} BEGIN SELECT RAISE(ABORT, '{table} rows are never deleted'); END;"""
        for table in ("words_version", "content_run", "content_unit", "content_finding")
    ),
    # 13: nothing on SQLite, whose foreign keys cost an index probe a row in process. Its PostgreSQL
    # twin checks a finding's batch and round once a statement instead of once a row (issue 30:
    # two thirds of the server's time in a province's import went to those per-row checks)
    """
    -- no statement
    """,
    # 14: no index of the findings by (round, unit, check): no statement reads findings by unit or
    # check (pages read the columnar copies, and every read of a round's findings is served by
    # finding_round_batch), while keeping it up was a fifth of SQLite's work in a province's import
    # and made the import sort each batch by its key (issue 34)
    """
    DROP INDEX finding_round;
    """,
]
# tables that only ever grow (a test tries UPDATE and DELETE on each)
INSERT_ONLY = ("audit", "finding", "evidence_file", *_GUARDED_BY_5, "snapshot_digest", "round_open", "snapshot_frame",
               "probe", "batch_frame", "words_version", "content_run", "content_unit", "content_finding")  # fmt: skip
SCHEMA_VERSION = len(MIGRATIONS)
# the migration that begins the columnar copies of findings makes those of the batches already stored
_COPIES_BEGIN = 9


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def default_actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def default_db_path() -> Path | str:
    """``ASSESS_DB`` if set, else ``data/assess.db`` under the working directory. A URL stays a
    string: as a Path, ``postgresql://…`` would become the folder ``postgresql:/…``."""
    given = os.environ.get("ASSESS_DB")
    if given and is_url(given):
        return given
    return Path(given or Path.cwd() / "data" / "assess.db")


def store_url(location: str | Path) -> str | None:
    """The PostgreSQL URL ``location`` names, None for a file's path; any other URL is refused
    (before anything is made of it: a URL taken as a path made a folder named by its password)."""
    if not is_url(location):
        return None
    scheme = str(location).split("://", 1)[0]
    if scheme.lower() not in PG_SCHEMES:
        raise StoreUnusable("scheme", location, scheme=scheme)
    return str(location)


def insert_returning_id(db, sql: str, params: tuple | list = ()) -> int:
    """Run ``INSERT …`` and return the id it gave (``RETURNING id``, on both backends)."""
    return int(db.execute(sql + " RETURNING id", params).fetchone()[0])


def bulk_insert(db, table: str, columns: tuple[str, ...] | list[str], rows) -> None:
    """Insert many rows: ``executemany`` on SQLite, ``COPY … FROM STDIN`` on PostgreSQL."""
    if isinstance(db, sqlite3.Connection):
        marks = ",".join("?" * len(columns))
        db.executemany(f"INSERT INTO {table}({', '.join(columns)}) VALUES ({marks})", rows)
    else:
        db.copy_rows(table, columns, rows)


class Store:
    """The store file, with migrations applied, and a connection to it for each thread.

    The app serves every person from one Store in one process, each page run in its own thread.
    One shared connection would let two people's transactions interleave (a second BEGIN inside
    the first, one's ROLLBACK undoing the other's write) and let a reader see another thread's
    uncommitted rows. So each thread gets its own connection (``db``), and SQLite's locks order
    the threads as they order processes.

    ``Store(url)`` with a ``postgresql://`` URL is a :class:`scoring.store.pg_store.PgStore`.
    """

    backend = "sqlite"

    def __new__(cls, path: str | Path, *, read_only: bool = False):
        if cls is Store and store_url(path) is not None:
            from scoring.store.pg_store import PgStore

            return super().__new__(PgStore)
        return super().__new__(cls)

    def __init__(self, path: str | Path, *, read_only: bool = False):
        self.path = Path(path)
        # read-only: for a store on a read-only disk or folder, which may still be listed and read;
        # nothing is written, not even the switch to WAL or a migration
        self.read_only = read_only
        self._uri = None
        self._local = threading.local()
        if read_only:
            self._uri = _read_only_uri(self.path)
            found = self.schema_version
            if found != SCHEMA_VERSION:
                raise StoreUnusable("newer" if found > SCHEMA_VERSION else "older-read-only", self.path,
                                    found=found, supported=SCHEMA_VERSION)  # fmt: skip
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        _wal(self.db)
        self.migrate()

    @property
    def location(self) -> str:
        """Where the store is, as it may be printed (a URL without its password)."""
        return shown_location(self.path)

    def insert_returning_id(self, sql: str, params: tuple | list = ()) -> int:
        return insert_returning_id(self.db, sql, params)

    def bulk_insert(self, table: str, columns: tuple[str, ...] | list[str], rows) -> None:
        bulk_insert(self.db, table, columns, rows)

    def advance_identities(self) -> None:
        """After rows were inserted with their ids given: new rows get ids after them. SQLite's
        rowid keys always do; PostgreSQL's identity sequences need telling."""

    @property
    def db(self) -> sqlite3.Connection:
        """This thread's connection (opened on first use, closed when the thread ends)."""
        conn = getattr(self._local, "db", None)
        if conn is None:
            # autocommit mode: transactions are opened explicitly with BEGIN IMMEDIATE
            target, uri = (self._uri, True) if self._uri else (self.path, False)
            conn = sqlite3.connect(target, timeout=30, isolation_level=None, check_same_thread=False, uri=uri)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA busy_timeout=30000")
            conn.execute("PRAGMA foreign_keys=ON")
            self._local.db = conn
        return conn

    @property
    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self, target: int = SCHEMA_VERSION) -> None:
        """Bring the schema forward to ``target``, one migration per transaction."""
        while self.schema_version < target:
            with self.transaction():
                # read again under the write lock: another process may have migrated meanwhile
                step = self.schema_version
                if step >= target:
                    break
                for statement in _statements(MIGRATIONS[step]):
                    self.db.execute(statement)
                if step + 1 == _COPIES_BEGIN:
                    from scoring.store.findings import copy_stored_batches  # it needs this module

                    copy_stored_batches(self.db)
                self.db.execute(f"PRAGMA user_version={step + 1}")
        if self.schema_version > SCHEMA_VERSION:
            raise StoreUnusable("newer", self.path, found=self.schema_version, supported=SCHEMA_VERSION)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: everything inside is stored whole or not at all."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
            self.db.execute("COMMIT")
        except BaseException:
            # SQLite has already rolled back after some failures (a full disk, an I/O error): a
            # second ROLLBACK would replace the error that says why with "no transaction is active"
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise

    def audit(self, actor: str, action: str, target: str, detail: str = "") -> None:
        self.db.execute(
            "INSERT INTO audit(at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)",
            (now(), actor, action, target, detail),
        )

    def recent_audit(self, limit: int = 200) -> list[tuple[str, str, str, str, str]]:
        """The newest audit entries first, as (at, actor, action, target, detail)."""
        rows = self.db.execute(
            "SELECT at, actor, action, target, detail FROM audit ORDER BY id DESC LIMIT ?", (limit,)
        ).fetchall()
        return [tuple(r) for r in rows]

    def is_empty(self) -> bool:
        """Nothing was ever done with this store (no audit entry): a demo may be seeded into it."""
        return self.db.execute("SELECT COUNT(*) FROM audit").fetchone()[0] == 0

    def data_version(self) -> int:
        """The newest audit entry that changed rounds, findings or appeals.

        Every such change leaves an audit entry, so this changes exactly when the scores may; a
        sign-in, sign-out or account change does not, so that it never makes an app reload
        every round.
        """
        row = self.db.execute(
            "SELECT id FROM audit WHERE action NOT LIKE 'sign-%' AND action NOT LIKE 'user.%'"
            " AND action NOT LIKE 'denied.%' ORDER BY id DESC LIMIT 1"
        ).fetchone()
        return int(row[0]) if row else 0

    def backup(self, out: str | Path) -> Path:
        """A consistent copy of the whole store, taken while others keep reading and writing.

        SQLite's online backup copies the database as of one moment; it is written beside ``out``
        and renamed into place, so ``out`` is never a half-written file.
        """
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f".{out.name}.partial")
        tmp.unlink(missing_ok=True)
        target = sqlite3.connect(tmp)
        try:
            self.db.backup(target)
            target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        finally:
            target.close()
        os.replace(tmp, out)
        return out

    def dispose(self) -> None:
        """Close every connection this process holds to the store (for SQLite: this thread's)."""
        self.close()

    def close(self) -> None:
        """Close this thread's connection (another use opens a new one)."""
        conn = getattr(self._local, "db", None)
        if conn is not None:
            conn.close()
            self._local.db = None


def _wal(db: sqlite3.Connection, patience_s: float = 30.0) -> None:
    """WAL mode. Switching a new file to WAL needs a moment alone with it, and SQLite answers
    'database is locked' at once instead of waiting when two processes open a fresh store together."""
    deadline = time.monotonic() + patience_s
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _statements(script: str) -> list[str]:
    """Split a migration into statements (triggers keep their inner semicolons)."""
    out, buf = [], ""
    for part in script.split(";"):
        buf += part + ";"
        if sqlite3.complete_statement(buf):
            if buf.strip(" \n;"):
                out.append(buf.strip())
            buf = ""
    return out


def _read_only_uri(path: Path) -> str:
    """The URI that reads the store without writing anything beside it.

    ``mode=ro`` still needs the WAL index (``-shm``) beside the file; in a read-only folder, where it
    cannot be made, the file is read as immutable, which is exact only when no write-ahead log holds
    writes not yet merged into it (a writer there could not have made one).
    """
    base = f"file:{quote(str(path.absolute()))}?mode=ro"
    probe = sqlite3.connect(base, uri=True)
    try:
        probe.execute("PRAGMA user_version").fetchone()
        return base
    except sqlite3.Error as exc:
        if (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF != 14 or not path.is_file():  # 14: SQLITE_CANTOPEN
            raise
    finally:
        probe.close()
    wal = path.with_name(path.name + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise StoreUnusable("pending-log", path, name=wal.name)
    return base + "&immutable=1"


def open_store(path: str | Path | None = None, *, writes: bool = True) -> Store:
    """The store at ``path`` (default :func:`default_db_path`), or :class:`StoreUnusable` saying why
    not. ``writes=False``: the caller only reads, so a store that cannot be written (a read-only disk
    or folder) is opened read-only instead of refused."""
    path = path or default_db_path()
    if store_url(path) is not None:
        return Store(path, read_only=not writes)  # the server's grants decide what may be written
    path = Path(path)
    try:
        return Store(path)
    except (sqlite3.Error, OSError) as exc:
        problem = store_failure(exc, path, opening=True)
        if problem is None:
            raise
        if writes or problem.kind not in ("read-only", "unopenable"):
            raise problem from None
    try:
        return Store(path, read_only=True)
    except (sqlite3.Error, OSError) as exc:
        problem = store_failure(exc, path, opening=True)
        if problem is None:
            raise
        raise problem from None
