"""What every command shares: printing problems, writing a file whole, the store and who acts."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import pandas as pd

from scoring.errors import InputError, Issue, by_location, format_issue
from scoring.tables import InputFile, SourceInfo

MAX_PRINTED = 200


def print_issues(exc: InputError, command: str) -> None:
    issues = by_location(exc.issues)
    after = ";未计分,未写入任何文件" if command in ("score", "template") else ""
    print(f"发现 {len(issues)} 个问题{after}:", file=sys.stderr)
    for issue in issues[:MAX_PRINTED]:
        print(format_issue(issue), file=sys.stderr)
    if len(issues) > MAX_PRINTED:
        print(f"……另有 {len(issues) - MAX_PRINTED} 个问题未显示", file=sys.stderr)


def cell(value: object) -> str:
    """A value as a listing prints it: a missing one (None, or NaN where pandas turned a None
    into one) is blank, never "None" or "nan"."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value)


def say_encodings(sources: list[SourceInfo]) -> None:
    for src in sources:
        if src.encoding != "utf-8":
            print(f"注意:{src.path} 不是 UTF-8 编码,已按 GB18030(GBK)读取", file=sys.stderr)


def store_of(args: argparse.Namespace, *, writes: bool = True):
    """The store the command names; ``writes=False`` for a command that only reads, which then
    works on a read-only store too."""
    from scoring.store.db import open_store

    return open_store(args.db, writes=writes)


def actor(store, args: argparse.Namespace):
    from scoring.store.accounts import acting_user

    return acting_user(store, args.by)


def revision_digest_text(store, period: str, revision: int) -> str:
    from scoring.store.publish import revision_digests

    d = revision_digests(store, period)
    hit = d.loc[d["revision"] == revision, "digest"]
    return str(hit.iloc[0]) if len(hit) and isinstance(hit.iloc[0], str) else ""


def read_files(paths: list[str]) -> list[InputFile]:
    """Every file read, or every unreadable one named at once."""
    files, unreadable = [], []
    for f in paths:
        try:
            files.append(InputFile.from_path(f))
        except InputError as exc:
            unreadable.extend(exc.issues)
    if unreadable:
        raise InputError(unreadable)
    return files


def write_atomically(out: Path, data: bytes) -> None:
    tmp = None
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".assess-", suffix=out.suffix, dir=out.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, out)
    except OSError as exc:  # a read-only or full disk, a folder where the file should be: the user's to fix
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise InputError([Issue(code="output-unwritable", file=str(out),
                                message=f"无法写出文件:{exc.strerror or exc}")]) from None  # fmt: skip
