"""Evidence files (佐证材料): the screenshots and documents behind the findings, kept in the store.

A finding's ``evidence`` is text (SPEC §2): a URL, a document number, a screenshot's file name.
When the evaluator also stores the files, a unit can open the very screenshot that cost it
points. A file is found by its name appearing in a finding's evidence text. Files are only ever
added: a name once stored keeps its content, so what a unit saw at publication stays what it
sees later; the same file again is accepted and skipped, other content under that name refused.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath

import pandas as pd

from scoring.errors import InputError, Issue
from scoring.images import image_issue
from scoring.limits import MAX_EVIDENCE_BYTES
from scoring.store.access import authorize
from scoring.store.db import Store, now
from scoring.store.users import User
from scoring.tables import InputFile

__all__ = [
    "IMAGE_TYPES",
    "MAX_EVIDENCE_BYTES",
    "MAX_NAME_CHARS",
    "EvidenceAdded",
    "add_evidence",
    "check_evidence",
    "cited_files",
    "evidence_content",
    "evidence_files",
    "insert_evidence",
    "name_problems",
    "shown_name",
]

# a name is cited in evidence cells, listed one per line and shown on pages: long enough for any
# real screenshot's name, short enough to read
MAX_NAME_CHARS = 200
# shown inline; anything else (PDF, Office, SVG, which may carry script) is offered as a download
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
               ".webp": "image/webp"}  # fmt: skip


@dataclass(frozen=True)
class EvidenceAdded:
    stored: list[str]
    already: list[str]


def _base_name(name: str) -> str:
    # an upload or a command-line path: the file's own name is what evidence texts cite
    return PurePath(name.replace("\\", "/")).name.strip()


# Cc: NUL, line breaks, tabs (they split `assess evidence list` and its tab-separated lines); Cf:
# bidi overrides such as U+202E, which show "report\u202egnp.exe" as "reportexe.png", and zero-width
# spaces; Zl/Zp: line and paragraph separators (a line break to many readers); Cs: undecodable bytes
# of a command-line name, which cannot even be printed
_HIDDEN = ("Cc", "Cf", "Zl", "Zp", "Cs")


def _hidden(ch: str) -> bool:
    return unicodedata.category(ch) in _HIDDEN


def shown_name(name: str) -> str:
    """A name (or a command line's path) safe to print in a message: hidden characters as
    <U+XXXX>, an absurdly long one cut to its start."""
    text = "".join(f"<U+{ord(c):04X}>" if _hidden(c) else c for c in name)
    return text if len(text) <= 2 * MAX_NAME_CHARS else f"{text[:80]}…(共 {len(name)} 个字符)"


def name_problems(name: str, file: str | None = None) -> list[Issue]:
    """Every rule the name a file would be stored under breaks, each an issue located at ``file``
    (the name as given, shown safely); empty when the name may be stored."""
    problems = []
    hidden = sorted({c for c in name if _hidden(c)})
    if hidden:
        codes = "、".join(f"U+{ord(c):04X}" for c in hidden)
        problems.append(("evidence-name-hidden",
                         f"文件名含不可见字符({codes}):控制字符(如换行、制表符、NUL)或格式字符(如零宽空格、"
                         "改变文字方向的 U+202E)会使文件名显示得与实际不同或打乱列表;请改用只含可见字符的文件名"))  # fmt: skip
    if name in (".", ".."):
        problems.append(("evidence-name-dots", f"文件名不能只是「{name}」;请用文件自己的名字,如 截图1.png"))
    if "/" in name or "\\" in name:
        problems.append(("evidence-name-separator", "文件名不能含 / 或 \\;请用不含路径的文件名"))
    if len(name) > MAX_NAME_CHARS:
        problems.append(("evidence-name-too-long",
                         f"文件名有 {len(name)} 个字符,超过 {MAX_NAME_CHARS} 个字符的上限;请改用短一些的文件名"))  # fmt: skip
    where = shown_name(file if file is not None else name)
    return [Issue(code=code, message=message, file=where) for code, message in problems]


def add_evidence(store: Store, files: list[InputFile], user: User) -> EvidenceAdded:
    """Store the files, all or none; every problem is reported at once."""
    authorize(store, user, "add_evidence", "、".join(f.name for f in files))
    with store.transaction():
        new, already, issues = check_evidence(store, files)  # under the lock: a name is claimed once
        if issues:
            raise InputError(issues)
        insert_evidence(store, new, user.name)
    return EvidenceAdded(stored=[n for n, _ in new], already=already)


def check_evidence(
    store: Store, files: list[InputFile], prefix: str = ""
) -> tuple[list[tuple[str, InputFile]], list[str], list[Issue]]:
    """Which files are new (with the names they will have), which are stored already, and every
    problem. ``prefix`` goes before each file's own name (an appeal's proof is named after it)."""
    issues: list[Issue] = []
    wanted: dict[str, InputFile] = {}
    for f in files:
        own = _base_name(f.name)
        name = prefix + own if own else own
        if not name:
            issues.append(Issue(code="evidence-name", message="文件名为空", file=shown_name(f.name)))
            continue
        # the file's own name ("..") and the name it is stored under (a prefix may make it too long)
        broken = name_problems(own, f.name)
        broken += [i for i in name_problems(name, f.name) if i.code not in {b.code for b in broken}]
        if broken:
            issues += broken
            continue
        if len(f.data) > MAX_EVIDENCE_BYTES:
            issues.append(Issue(code="evidence-too-large", file=shown_name(f.name),
                                message=f"文件 {len(f.data) / 2**20:.1f} MB,超过 {MAX_EVIDENCE_BYTES // 2**20} MB 上限"))  # fmt: skip
            continue
        if PurePath(name).suffix.lower() in IMAGE_TYPES and (bomb := image_issue(f.name, f.data)) is not None:
            issues.append(bomb)  # shown inline, it would be decoded: its pixels are bounded, not only its bytes
            continue
        if name in wanted and wanted[name].sha256 != f.sha256:
            issues.append(
                Issue(
                    code="evidence-name-twice", file=shown_name(f.name), message=f"同名文件 {name} 上传了两份不同内容"
                )
            )
            continue
        wanted[name] = f
    stored = {r["name"]: r["sha256"] for r in store.db.execute("SELECT name, sha256 FROM evidence_file")}
    already = [n for n, f in wanted.items() if stored.get(n) == f.sha256]
    for n, f in wanted.items():
        if n in stored and stored[n] != f.sha256:
            issues.append(Issue(code="evidence-name-taken", file=shown_name(f.name),
                                message=f"已存有同名佐证文件 {n},内容不同;佐证文件一经保存不再更改,请改用新文件名"))  # fmt: skip
    new = [(n, f) for n, f in wanted.items() if n not in stored]
    return new, already, issues


def insert_evidence(store: Store, new: list[tuple[str, InputFile]], actor: str, *, audit_each: bool = True) -> None:
    """Insert checked files; the caller holds the transaction, so they go in with whatever cites them.
    ``audit_each=False``: the caller writes one audit entry for them all (a monitor run keeps
    hundreds of pages; one line per page would bury the office's log)."""
    for n, f in new:
        store.db.execute(
            "INSERT INTO evidence_file(name, sha256, size, content, uploaded_at, uploaded_by) VALUES (?, ?, ?, ?, ?, ?)",
            (n, f.sha256, len(f.data), f.data, now(), actor),
        )
        if audit_each:
            store.audit(actor, "evidence.add", n, f"{len(f.data)} bytes, sha256 {f.sha256}")


def evidence_files(store: Store) -> pd.DataFrame:
    """Every stored file: name, size, sha256, uploaded_at, uploaded_by (no content)."""
    rows = store.db.execute(
        "SELECT name, size, sha256, uploaded_at, uploaded_by FROM evidence_file ORDER BY name"
    ).fetchall()
    return pd.DataFrame([tuple(r) for r in rows], columns=["name", "size", "sha256", "uploaded_at", "uploaded_by"])


# what may stand either side of a file name in an evidence cell: "截图 a.png | 见(b.pdf)", a URL path
_EDGE = r"""\s|,;:,;:、()()\[\]【】"'“”‘’/"""


def cited_files(store: Store, texts: Iterable[str]) -> list[str]:
    """Names of stored files that any of ``texts`` (evidence cells) cites, in name order.

    A name counts only as a whole word, so "1.png" is not cited by "截图 11.png".
    """
    joined = "\n".join(t for t in texts if isinstance(t, str) and t)
    if not joined:
        return []
    names = [r[0] for r in store.db.execute("SELECT name FROM evidence_file ORDER BY name")]
    return [n for n in names if n in joined and re.search(f"(?<![^{_EDGE}]){re.escape(n)}(?![^{_EDGE}])", joined)]


def evidence_content(store: Store, name: str) -> bytes:
    row = store.db.execute("SELECT content, sha256 FROM evidence_file WHERE name = ?", (name,)).fetchone()
    if row is None:
        raise InputError([Issue(code="evidence-unknown", message=f"没有名为 {name} 的佐证文件")])
    content = bytes(row["content"])
    # the stored digest is the file's identity; a mismatch means the file was altered outside the tool
    if hashlib.sha256(content).hexdigest() != row["sha256"]:
        raise RuntimeError(f"evidence file {name} does not match its stored sha256")
    return content
