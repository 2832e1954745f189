"""A store that cannot be used, said once in Chinese: damaged, newer than the code, a folder,
read-only, on a full disk, busy. Each is the user's (or the machine's) situation, not a bug, so it
is an InputError (exit 2 on the command line), never "内部错误" and a traceback.

SQLite says what went wrong by its result code (``sqlite3.Error.sqlite_errorcode``); the primary
code is the low byte. The operating system says it by ``errno`` when a folder cannot be made.
PostgreSQL says it by SQLSTATE, or, for a connection that never got as far as a server's answer, by
libpq's message. A store named by a URL is only ever shown through :func:`shown_location`, which
masks the password: it must never reach a message, a log, the audit log or a folder name.
"""

from __future__ import annotations

import errno
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from scoring.errors import InputError, Issue

__all__ = ["PG_SCHEMES", "StoreUnusable", "is_url", "shown_location", "store_failure"]

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
    "scheme": "不支持的存储地址 {scheme}://…;--db(或 ASSESS_DB)须为存储文件的路径(如 data/assess.db),"
    "或 PostgreSQL 数据库的地址 postgresql://用户@主机:端口/数据库",
    "pg-unreachable": "无法连接 PostgreSQL 服务器(服务器未运行、地址或端口有误,或网络不通);请检查地址后重试",
    "pg-auth": "PostgreSQL 服务器拒绝登录(用户名或密码错误,或该用户不允许从本机登录);请检查地址中的用户和密码",
    "pg-no-database": "PostgreSQL 服务器上没有这个数据库;请先由数据库管理员创建(CREATE DATABASE),再使用",
    "pg-denied": "PostgreSQL 数据库拒绝了本次操作(该用户没有所需的权限);请由数据库管理员按部署说明授权",
    "pg-empty-is-null": "该数据库把空字符串当作 NULL(Oracle 兼容模式),存储会因此出错;请使用 PostgreSQL 兼容模式的"
    "数据库(openGauss 为 dbcompatibility='PG',人大金仓 KingbaseES 为 PG 模式)",
    "pg-no-backup": "PostgreSQL 上的存储由数据库自己的工具备份(pg_dump),或用 assess store copy 复制为一个存储文件",
    "pg-nul": "文本中含有 NUL 字符(U+0000),PostgreSQL 不能保存,本次操作未写入任何内容;请删去该字符后重试",
    "pg-failed": "PostgreSQL 数据库出错,本次操作未写入任何内容:{detail}",
}

# URL schemes that name a PostgreSQL store (libpq accepts both)
PG_SCHEMES = ("postgresql", "postgres")


class StoreUnusable(InputError):
    """The store cannot be opened or written as asked; ``kind`` is one of :data:`MESSAGES`."""

    def __init__(self, kind: str, path: str | Path, **detail: object):
        self.kind = kind
        super().__init__([Issue(code=f"store-{kind}", message=MESSAGES[kind].format(**detail),
                                file=shown_location(path))])  # fmt: skip


def is_url(location: str | Path) -> bool:
    """A store named by a URL (``scheme://…``), not by a file's path."""
    return isinstance(location, str) and "://" in location and location.split("://", 1)[0].isidentifier()


def shown_location(location: str | Path) -> str:
    """The store's location as it may be printed: a path as given, a URL without its password
    (``postgresql://user:***@host:port/db``); a URL that cannot be parsed shows its scheme only."""
    if not is_url(location):
        return str(location)
    try:
        parts = urlsplit(str(location))
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return str(location).split("://", 1)[0] + "://…"
    user = parts.username or ""
    auth = f"{user}:***@" if parts.password is not None else f"{user}@" if user else ""
    host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{auth}{host}{port}{parts.path}"


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


def _pg_kind(exc: BaseException) -> str | None:
    """What a psycopg error says about the server or the store, or None for a bug (a bad statement)."""
    psycopg = sys.modules.get("psycopg")
    if psycopg is None or not isinstance(exc, psycopg.Error):
        return None
    state = getattr(exc, "sqlstate", None) or ""
    text = str(exc)
    if type(exc).__name__ == "PoolTimeout":  # every pooled connection busy for the pool's whole wait
        return "busy"
    if state in ("28P01", "28000") or "password authentication failed" in text or "no pg_hba.conf entry" in text:
        return "pg-auth"
    if state == "3D000" or ("database" in text and "does not exist" in text):
        return "pg-no-database"
    if state == "42501":
        return "pg-denied"
    if state == "22021" and "0x00" in text:  # a NUL in a text: PostgreSQL's text type cannot hold one
        return "pg-nul"
    if state.startswith("08") or (isinstance(exc, psycopg.OperationalError) and not state):
        return "pg-unreachable"
    if state.startswith(("53", "57", "58")):  # out of resources, shut down, system error: the server's state
        return "pg-failed"
    return None


def store_failure(exc: BaseException, path: str | Path, *, opening: bool = False) -> StoreUnusable | None:
    """What ``exc`` (or an error it arose from) says about the store at ``path``, or None when it is
    not about the store (a bug, which keeps its traceback). The operating system's errors count only
    while ``opening`` the store: later, one may be about another file (a report's --out)."""
    if is_url(path):
        return _url_failure(exc, str(path))
    path = Path(path)
    for e in _chain(exc):
        if isinstance(e, StoreUnusable):
            return e
        kind = None
        if isinstance(e, sqlite3.Error):
            kind = _sqlite_kind(e, path)
        elif opening and isinstance(e, OSError):
            kind = _os_kind(e, path)
        if kind is not None:
            return StoreUnusable(kind, path, detail=str(e))
    return None


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and the errors it arose from, each once (a cycle of causes ends the walk)."""
    seen: set[int] = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        yield e
        e = e.__cause__ or e.__context__


def _url_failure(exc: BaseException, url: str) -> StoreUnusable | None:
    for e in _chain(exc):
        if isinstance(e, StoreUnusable):
            return e
        kind = _pg_kind(e)
        if kind is not None:
            # the server's own words may name the user, never the password; the state is shown, not the text
            return StoreUnusable(kind, url, detail=getattr(e, "sqlstate", None) or type(e).__name__)
    return None
