"""The office's list of wrong and outdated wording (``assess monitor --words``, SPEC extension 4a)
and the search for it in published text.

One Aho-Corasick automaton (pyahocorasick) holds every wrong and every right form, so that a page
is scanned once whatever the length of the list, and every occurrence is found, overlapping ones
included: an occurrence of a wrong form that lies inside an occurrence of a right form (wrong
国土资源局 inside 国土资源局遗留档案, a right form the office listed) is not counted."""

from __future__ import annotations

from dataclasses import dataclass

import ahocorasick
import numpy as np
import pandas as pd

from scoring.errors import InputError, Issue
from scoring.tables import Columns, InputFile, as_text, first_sheet_frame

__all__ = ["SEVERITIES", "WORDS_COLUMNS", "WordList", "read_words"]

WORDS_COLUMNS = Columns({"wrong": "错误表述", "right": "正确表述", "severity": "严重程度"},
                        ("wrong", "right", "severity"))  # fmt: skip
SEVERITIES = ("严重", "一般")
MAX_FORM_CHARS = 200  # an agency's full name is under 40 characters


def _issue(f: InputFile, sheet: str | None, row: int, name: str, code: str, message: str, value: str) -> Issue:
    return Issue(code=code, message=message, file=f.name, sheet=sheet, row=row,
                 column=WORDS_COLUMNS.aliases[name], value=value or None)  # fmt: skip


def read_words(f: InputFile) -> pd.DataFrame:
    """wrong, right, severity and the row, in file order; every problem at once (InputError)."""
    frame, sheet, issues = first_sheet_frame(f, WORDS_COLUMNS)
    for name in WORDS_COLUMNS.aliases:
        frame[name] = as_text(frame[name]).astype(str).str.strip()
    rows = frame["_row"].to_numpy()

    def each(mask: pd.Series, name: str, code: str, message: str) -> None:
        for i in np.flatnonzero(mask.to_numpy()):
            value = frame[name].iat[i]
            issues.append(_issue(f, sheet, int(rows[i]), name, code, message.format(v=value), value))

    for name in WORDS_COLUMNS.required:
        each(frame[name] == "", name, "empty-cell", f"必填单元格为空:{WORDS_COLUMNS.describe((name,))}")
    each(~frame["severity"].isin(SEVERITIES) & (frame["severity"] != ""), "severity", "unknown-severity",
         "严重程度 {v} 不可用;可填 严重 或 一般")  # fmt: skip
    each((frame["wrong"] == frame["right"]) & (frame["wrong"] != ""), "right", "same-forms",
         "正确表述与错误表述相同({v});请写出应改成的表述")  # fmt: skip
    for name in ("wrong", "right"):
        each(frame[name].str.len() > MAX_FORM_CHARS, name, "form-too-long",
             f"表述超过 {MAX_FORM_CHARS} 个字;请只写需要查找的词语")  # fmt: skip
    twice = frame[frame.duplicated("wrong", keep=False) & (frame["wrong"] != "")]
    for wrong, listed in twice.groupby("wrong")["_row"].agg(list).items():
        issues.append(_issue(f, sheet, int(listed[1]), "wrong", "wrong-twice",
                             f"错误表述「{wrong}」出现了不止一次(第 {'、'.join(map(str, listed))} 行);每个错误表述只写一行",
                             wrong))  # fmt: skip
    if issues:
        raise InputError(issues)
    if frame.empty:
        raise InputError([Issue(code="words-empty", message="错误表述清单没有任何一行", file=f.name, sheet=sheet)])
    return frame[["wrong", "right", "severity", "_row"]].reset_index(drop=True)


@dataclass(frozen=True)
class WordList:
    """The list, ready to scan text with."""

    words: pd.DataFrame  # wrong, right, severity
    automaton: ahocorasick.Automaton

    @classmethod
    def of(cls, words: pd.DataFrame) -> WordList:
        auto = ahocorasick.Automaton()
        forms: dict[str, tuple[bool, bool]] = {}  # form -> (is a wrong form, is a right form)
        for form in words["wrong"]:
            forms[form] = (True, False)
        for form in words["right"]:
            forms[form] = (forms.get(form, (False, False))[0], True)
        for form, (wrong, right) in forms.items():
            auto.add_word(form, (len(form), wrong, right, form))
        auto.make_automaton()
        return cls(words.reset_index(drop=True), auto)

    def severity(self) -> dict[str, str]:
        return dict(zip(self.words["wrong"], self.words["severity"], strict=True))

    def find(self, text: str) -> list[tuple[int, str]]:
        """(start, wrong form) of every counted occurrence of a wrong form in ``text``."""
        hits = [
            (end - n + 1, end + 1, wrong, right, form) for end, (n, wrong, right, form) in self.automaton.iter(text)
        ]
        if not hits:
            return []
        frame = pd.DataFrame(hits, columns=["start", "end", "wrong", "right", "form"])
        wrong = frame[frame["wrong"]]
        right = frame[frame["right"]]
        if right.empty or wrong.empty:
            return list(zip(wrong["start"].tolist(), wrong["form"].tolist(), strict=True))
        # covered when some right occurrence starts at or before it and ends at or after it (and is
        # not the wrong occurrence itself, should a form be both)
        rs, re_ = right["start"].to_numpy()[None, :], right["end"].to_numpy()[None, :]
        ws, we = wrong["start"].to_numpy()[:, None], wrong["end"].to_numpy()[:, None]
        same = (rs == ws) & (re_ == we)
        covered = ((rs <= ws) & (re_ >= we) & ~same).any(axis=1)
        kept = wrong[~covered]
        return list(zip(kept["start"].tolist(), kept["form"].tolist(), strict=True))
