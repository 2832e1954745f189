"""A store that cannot be used as asked (issue 27, finding 8): damaged, newer than the code, a
folder, read-only, on a full disk. One Chinese message and exit 2 from every command, never
"内部错误" and a traceback; `verify` reports damage as a failed verification; a read-only store can
still be listed, read and verified.

Real files, really damaged; read-only and full disks are real mounts when the tests run as root
(root ignores permission bits), the permission bits otherwise; a full disk also as the file-size
limit of the child process.

SQLite files only: each case is about the file, its folder or its disk. A PostgreSQL server that
cannot be used (unreachable, no such database, a role without grants) is in test_backends.py.
"""

from __future__ import annotations

import hashlib
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from helpers import ROOT
from scoring.store import open_store
from scoring.store.db import SCHEMA_VERSION
from scoring.store.failures import StoreUnusable
from ui.demo import seed_demo

ROOT_USER = os.geteuid() == 0
READS = [("rounds",), ("appeal", "list"), ("user", "list"), ("evidence", "list")]


def assess(*args, preexec_fn=None, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scoring.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, preexec_fn=preexec_fn, input=stdin)  # fmt: skip


def said_once(p: subprocess.CompletedProcess, words: str) -> None:
    """Exit 2, one problem, in Chinese, naming the store; no traceback."""
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    assert p.stderr.startswith("发现 1 个问题:\n"), p.stderr
    assert words in p.stderr, p.stderr
    assert "Traceback" not in p.stderr and "内部错误" not in p.stderr


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("seed") / "assess.db"
    store = open_store(path)
    assert seed_demo(store)  # three published rounds, one appeal, evidence files
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return path


@pytest.fixture
def copy(seeded, tmp_path) -> Path:
    path = tmp_path / "store" / "assess.db"  # a folder of its own, which a test may make read-only
    path.parent.mkdir()
    shutil.copy(seeded, path)
    return path


def test_a_file_whose_header_is_damaged_is_named_damaged_by_every_command(copy):
    with open(copy, "r+b") as f:
        f.write(b"not a database!!")  # the 16-byte magic every SQLite file begins with
    for command in READS:
        said_once(assess(*command, "--db", copy), "存储文件已损坏或不是本程序的存储(file is not a database)")
    said_once(assess("rounds", "--open", "--period", "2019Q1", "--db", copy), "存储文件已损坏")
    p = assess("verify", "--db", copy)
    assert p.returncode == 1 and p.stdout.startswith("核验未通过:存储文件已损坏"), (p.stdout, p.stderr)
    assert "Traceback" not in p.stderr


def test_verify_reports_a_damaged_page_as_a_failed_verification(copy):
    data = bytearray(copy.read_bytes())
    page = len(data) // 4096 * 2 // 3  # one page among the stored rows, far from the schema's
    data[page * 4096 : (page + 1) * 4096] = b"\xff" * 4096
    copy.write_bytes(bytes(data))
    p = assess("verify", "--db", copy)
    assert p.returncode == 1, (p.stdout, p.stderr)
    assert p.stdout.startswith("核验未通过") and "存储文件已损坏" in p.stdout and "malformed" in p.stdout
    assert "Traceback" not in p.stderr


def test_damaged_pages_throughout_are_said_by_the_commands_that_read_them(copy):
    data = bytearray(copy.read_bytes())
    for page in range(2, len(data) // 4096, 7):
        data[page * 4096 + 8 : page * 4096 + 108] = b"\xa5" * 100
    copy.write_bytes(bytes(data))
    for command in READS:
        said_once(assess(*command, "--db", copy), "(database disk image is malformed)")
    assert assess("verify", "--db", copy).stdout.startswith("核验未通过")


def test_a_store_newer_than_the_code_is_refused_and_left_as_it_is(copy):
    with sqlite3.connect(copy) as raw:
        raw.execute("PRAGMA user_version=99")
    raw.close()
    before = hashlib.sha256(copy.read_bytes()).hexdigest()
    for command in [*READS, ("verify",), ("rounds", "--open", "--period", "2019Q1")]:
        said_once(assess(*command, "--db", copy), f"存储的结构版本为 99,比本程序支持的版本 {SCHEMA_VERSION} 新")
    assert hashlib.sha256(copy.read_bytes()).hexdigest() == before
    with pytest.raises(StoreUnusable, match="结构版本为 99"):
        open_store(copy, writes=False)


def test_a_folder_given_as_the_store_is_said_to_be_a_folder(tmp_path):
    folder = tmp_path / "stores"
    folder.mkdir()
    for command in [*READS, ("verify",), ("rounds", "--open", "--period", "2019Q1")]:
        said_once(assess(*command, "--db", folder), "这是一个文件夹,不是存储文件")
    assert list(folder.iterdir()) == []


@contextmanager
def read_only(path: Path):
    """``path`` (a file or a folder) read-only for everyone: a read-only bind mount as root, whom
    permission bits do not stop; the permission bits otherwise."""
    if ROOT_USER:
        subprocess.run(["mount", "--bind", str(path), str(path)], check=True)
        try:
            subprocess.run(["mount", "-o", "remount,ro,bind", str(path)], check=True)
            yield
        finally:
            subprocess.run(["umount", str(path)], check=True)
    else:
        mode = path.stat().st_mode
        path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield
        finally:
            path.chmod(mode)


@pytest.mark.parametrize("what", ["folder", "file"])
def test_a_read_only_store_is_listed_read_and_verified_but_not_written(copy, tmp_path, what):
    with read_only(copy.parent if what == "folder" else copy):
        rounds = assess("rounds", "--db", copy)
        assert rounds.returncode == 0, rounds.stderr
        assert "2017Q3\t已发布\tsuzhou-2017 1.0\t1\t1781\t0\t第 1 版" in rounds.stdout
        appeals = assess("appeal", "list", "--db", copy)
        assert appeals.returncode == 0 and appeals.stdout.startswith("1\t2018Q2\t341322\tGK3.2.1\t待复核"), appeals
        verified = assess("verify", "--db", copy)
        assert verified.returncode == 0 and verified.stdout.startswith("核验通过:3 个已发布版本"), verified
        out = tmp_path / "out" / "leaders.xlsx"
        report = assess("report", "--period", "2017Q3", "--out", out, "--db", copy)
        assert report.returncode == 0 and out.stat().st_size > 0, report.stderr
        said_once(assess("rounds", "--open", "--period", "2019Q1", "--db", copy), "只读")
        said_once(assess("user", "add", "boss", "--role", "admin", "--password-stdin", "--db", copy,
                         stdin="correct-horse-1\n"), "只读")  # fmt: skip
        if what == "folder":  # an output that cannot be written there is said too, naming the file
            p = assess("report", "--period", "2017Q3", "--out", copy.parent / "r.xlsx", "--db", copy)
            assert p.returncode == 2 and f"{copy.parent / 'r.xlsx'}: 无法写出文件" in p.stderr, p.stderr
    assert "2019Q1" not in assess("rounds", "--db", copy).stdout


@contextmanager
def small_disk(tmp_path: Path):
    if not ROOT_USER:
        pytest.skip("a real small disk needs root to mount; the file-size limit case covers a full disk")
    disk = tmp_path / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)], check=True)
    try:
        yield disk
    finally:
        subprocess.run(["umount", str(disk)], check=True)


def test_a_full_disk_is_said_and_nothing_is_half_written(tmp_path):
    with small_disk(tmp_path) as disk:
        db = disk / "assess.db"
        assert assess("rounds", "--open", "--period", "2019Q1", "--db", db).returncode == 0
        free = os.statvfs(disk)
        (disk / "filler").write_bytes(b"0" * (free.f_bavail * free.f_frsize - 16 * 1024))
        shot = tmp_path / "shot.png"
        shot.write_bytes(os.urandom(200_000))
        said_once(assess("evidence", "add", shot, "--db", db), "磁盘已满")
        said_once(assess("rounds", "--open", "--period", "2019Q2", "--db", db), "磁盘已满")
        (disk / "filler").unlink()
        assert assess("evidence", "list", "--db", db).stdout == ""
        assert "2019Q2" not in assess("rounds", "--db", db).stdout
        assert assess("verify", "--db", db).returncode == 0


def test_a_file_size_limit_reached_mid_write_is_said_and_nothing_is_half_written(tmp_path):
    db = tmp_path / "assess.db"
    assert assess("rounds", "--open", "--period", "2019Q1", "--db", db).returncode == 0
    shot = tmp_path / "shot.png"
    shot.write_bytes(os.urandom(400_000))
    limit = db.stat().st_size + 64 * 1024

    def limited() -> None:  # in the child: writes past the limit fail with EFBIG instead of killing it
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    said_once(assess("evidence", "add", shot, "--db", db, preexec_fn=limited), "磁盘已满、超过文件大小限制")
    assert assess("evidence", "list", "--db", db).stdout == ""
    assert assess("verify", "--db", db).returncode == 0
