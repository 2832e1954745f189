"""A store that cannot be used, said once in Chinese: damaged, newer than the code, a folder,
read-only, on a full disk, busy. Each is the user's (or the machine's) situation, not a bug, so it
is an InputError (exit 2 on the command line), never "内部错误" and a traceback.

SQLite says what went wrong by its result code (``sqlite3.Error.sqlite_errorcode``); the primary
code is the low byte. The operating system says it by ``errno`` when a folder cannot be made.
"""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

from scoring.errors import InputError, Issue

__all__ = ["StoreUnusable", "store_failure"]

# SQLite's primary result codes (sqlite3.h) this module tells apart
_PERM, _BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = 3, 5, 6, 8, 10, 11, 13, 14, 26

MESSAGES = {
    "folder": "这是一个文件夹,不是存储文件;--db(或 ASSESS_DB)须指向存储文件本身,例如 data/assess.db",
    "damaged": "存储文件已损坏或不是本程序的存储({detail}),无法读取;请保留该文件(不要覆盖),"
    "用最近的备份(assess backup 写出的文件)恢复",
    "newer": "存储的结构版本为 {found},比本程序支持的版本 {supported} 新(由更新版本的 assess 写入);"
    "请使用更新版本的 assess 打开,本程序不会改动它",
    "older-read-only": "存储的结构版本为 {found},须升级到 {supported} 才能使用,但它是只读的;"
    "请在可写的位置由有写权限的用户运行一次 assess rounds 完成升级",
    "read-only": "存储文件或其所在文件夹只读(或无权限),不能写入;只读的存储仍可查看(列出、报告、核验),"
    "写入请换到可写的位置或请管理员开放写权限",
    "unopenable": "无法打开存储文件(文件不存在、所在文件夹不可访问或无权限)",
    "pending-log": "存储旁有尚未合并的写入日志({name}),而所在位置只读,无法完整读取;"
    "请在可写的位置打开一次(任一 assess 命令)后再只读使用",
    "full": "存储所在磁盘已满,本次操作未写入任何内容;请清理磁盘空间后重试",
    "io": "读写存储文件时出错(磁盘已满、超过文件大小限制或磁盘故障),本次操作未写入任何内容;请检查磁盘后重试",
    "busy": "存储正被其他程序长时间占用,未能完成本次操作;请稍后重试",
}


class StoreUnusable(InputError):
    """The store cannot be opened or written as asked; ``kind`` is one of :data:`MESSAGES`."""

    def __init__(self, kind: str, path: str | Path, **detail: object):
        self.kind = kind
        super().__init__([Issue(code=f"store-{kind}", message=MESSAGES[kind].format(**detail), file=str(path))])


def _sqlite_kind(exc: sqlite3.Error, path: Path) -> str | None:
    code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
    if code in (_CORRUPT, _NOTADB):
        return "damaged"
    if code == _CANTOPEN:
        # an existing file SQLite cannot open for writing: its folder refuses the files beside it
        return "folder" if path.is_dir() else "read-only" if path.is_file() else "unopenable"
    return {_PERM: "read-only", _READONLY: "read-only", _FULL: "full", _IOERR: "io", _BUSY: "busy",
            _LOCKED: "busy"}.get(code)  # fmt: skip


def _os_kind(exc: OSError, path: Path) -> str | None:
    if exc.errno == errno.EISDIR or path.is_dir():
        return "folder"
    return {errno.EACCES: "read-only", errno.EPERM: "read-only", errno.EROFS: "read-only", errno.ENOSPC: "full",
            errno.EDQUOT: "full", errno.EFBIG: "io", errno.EIO: "io"}.get(exc.errno)  # fmt: skip


def store_failure(exc: BaseException, path: str | Path, *, opening: bool = False) -> StoreUnusable | None:
    """What ``exc`` (or an error it arose from) says about the store at ``path``, or None when it is
    not about the store (a bug, which keeps its traceback). The operating system's errors count only
    while ``opening`` the store: later, one may be about another file (a report's --out)."""
    path = Path(path)
    seen: set[int] = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        if isinstance(e, StoreUnusable):
            return e
        kind = None
        if isinstance(e, sqlite3.Error):
            kind = _sqlite_kind(e, path)
        elif opening and isinstance(e, OSError):
            kind = _os_kind(e, path)
        if kind is not None:
            return StoreUnusable(kind, path, detail=str(e))
        e = e.__cause__ or e.__context__
    return None
