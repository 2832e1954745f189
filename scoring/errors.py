"""Located problems in user input: collected, never raised one at a time.

Every stage appends :class:`Issue` records to a list; only when a stage cannot go
on does it raise :class:`InputError`, which carries every issue found so far.
Row numbers are the ones a person sees in a spreadsheet (header = row 1).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import pandas as pd

__all__ = ["InputError", "Issue", "by_location", "format_issue", "issues_frame"]


@dataclass(frozen=True)
class Issue:
    """One problem in one place of one input file."""

    code: str
    message: str
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    # rubric problems: the dotted path inside the YAML tree and its line
    path: str | None = None
    line: int | None = None

    def location(self) -> str:
        """`file:line: path` for a rubric; `file 工作表 S 第 N 行 列 C` for a table."""
        head = self.file or ""
        if self.line is not None:
            head = f"{head}:{self.line}"
        place = []
        if self.sheet:
            place.append(f"工作表「{self.sheet}」")
        if self.row is not None:
            place.append(f"第 {self.row} 行")
        if self.column:
            place.append(f"列「{self.column}」")
        if place:
            head = f"{head} {' '.join(place)}".strip()
        if self.path:
            head = f"{head}: {self.path}" if head else self.path
        return head


def format_issue(issue: Issue) -> str:
    """The line the command prints for one issue."""
    loc = issue.location()
    return f"{loc}: {issue.message}" if loc else issue.message


class InputError(Exception):
    """Raised when user input cannot be used; carries every issue found."""

    def __init__(self, issues: list[Issue]):
        self.issues = list(issues)
        super().__init__("\n".join(format_issue(i) for i in self.issues[:20]))


ISSUE_COLUMNS = [f.name for f in fields(Issue)]


def issues_frame(issues: list[Issue]) -> pd.DataFrame:
    """Issues as one table (the shape an upload page shows and a test compares)."""
    return pd.DataFrame([asdict(i) for i in issues], columns=ISSUE_COLUMNS)


def by_location(issues: list[Issue]) -> list[Issue]:
    """Issues in the order a person fixes a file: by file, sheet, line or row; those with no
    place (a missing result, a summary of more rows) after them. Stable, so one row's issues
    keep the order they were found in."""

    def place(i: Issue) -> tuple:
        return (i.file is None, i.file or "", i.sheet or "", i.line or 0, i.row or 0)

    return sorted(issues, key=place)
