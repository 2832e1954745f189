"""通报草稿: a draft of the circular an office sends after a round, written from the round's tables.

Every figure comes from the same functions the pages and workbooks use (rankings, grade counts,
shared problems, rectification), so the draft never says what the tables do not. The office
edits the wording and adds its demands; the draft only saves it from copying numbers by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from scoring.pipeline import Assessment, narrowed
from scoring.views.explain import common_problems, grade_counts, previous_period, ranking_table
from scoring.views.rectification import rectification, rectification_summary
from scoring.words import UNSCORED

__all__ = ["Circular", "circular", "circular_text", "round_title"]

CHINESE_NUMERALS = "一二三四五六七八九十"
TOP_PROBLEMS = 5
MOVED = 2  # ranks moved to be named as a riser or a faller (at most three of each)


QUARTERS = "一二三四"


def round_title(period: str, title: str = "") -> str:
    """The round as a document names it: the title the office gave it when it opened it, else
    "2018年第四季度" for 2018Q4, else the period id itself."""
    if title and title.strip():
        return title.strip()
    m = re.fullmatch(r"(\d{4})Q([1-4])", period)
    return f"{m.group(1)}年第{QUARTERS[int(m.group(2)) - 1]}季度" if m else period


def _score(x: float) -> str:
    return f"{x:.2f}"


def _named(rows: pd.DataFrame) -> str:
    """Units tied at one place: 甲县(90.00 分)、乙县(90.00 分); a unit failed by an unscored veto
    (单项否决) has no number: 丙县(单项否决,不计分)."""
    return "、".join(f"{r.unit_name}({f'单项否决,{UNSCORED}' if pd.isna(r.score) else f'{_score(r.score)} 分'})"
                    for r in rows.itertuples())  # fmt: skip


def _change(delta: float) -> str:
    if pd.isna(delta):
        return ""
    if abs(delta) < 0.005:
        return ",与上期持平"
    return f",较上期{'上升' if delta > 0 else '下降'} {abs(delta):.2f} 分"


FOOTER = "(本通报草稿由测评系统根据测评结果自动生成,各项数据可在系统中逐项追溯到测评发现和佐证材料。)"


@dataclass(frozen=True)
class Circular:
    """The draft's parts, for the text and the Word renderings: a title, notes under it, numbered
    sections of paragraphs, and per peer group and track the ranking table."""

    title: str
    notes: list[str]
    sections: list[tuple[str, list[str]]]
    rankings: list[tuple[str, pd.DataFrame]] = field(default_factory=list)  # (caption, ranking rows)
    footer: str = FOOTER


def circular_text(result: Assessment, period: str, label: str = "", digest: str = "", title: str = "") -> str:
    """The draft for ``period`` as plain text (see :func:`circular`)."""
    c = circular(result, period, label, digest, title)
    lines = [c.title, ""]
    for note in c.notes:
        lines += [note, ""]
    for i, (title, body) in enumerate(c.sections):
        lines += [f"{CHINESE_NUMERALS[i]}、{title}", *body, ""]
    lines.append(c.footer)
    return "\n".join(lines) + "\n"


def circular(result: Assessment, period: str, label: str = "", digest: str = "", title: str = "") -> Circular:
    """The draft for ``period``, compared with the round before it in ``result`` where there is one;
    ``label`` says which version it is from (e.g. "2018Q1 · 已发布 第 1 版"), ``digest`` that
    version's publication digest, so that a circular sent out proves later what it was based on;
    ``title`` the round's title as the office opened it (see :func:`round_title`)."""
    rubric = result.rubric
    before = previous_period(result.scores.periods, period)
    # only this round's and the previous one's check rows: a province's other rounds stay unread
    result = narrowed(result, periods=[p for p in (before, period) if p])
    scores = result.scores
    tracks = rubric.tracks.set_index("track_id")
    grades = [g.name for g in rubric.spec.grades]
    units_now = scores.units[scores.units["period"] == period]
    heading = f"{rubric.spec.title}第三方测评情况通报({round_title(period, title)})"
    notes = []
    if label:
        notes.append(f"(依据 {label} 的测评结果)")
    if digest:
        # a document for leaders: where to check, not how to type it
        notes.append(f"(发布摘要 sha256:{digest};可在测评系统中核对存档未被改动)")

    sections: list[tuple[str, list[str]]] = []
    rankings: list[tuple[str, pd.DataFrame]] = []

    overview = []
    counted = units_now.drop_duplicates("unit_id")
    by_group = counted.groupby("group", sort=False).size()
    groups = "、".join(f"{rubric.groups[g]} {int(by_group[g])} 家" for g in rubric.groups if g in by_group)
    overview.append(f"本期共测评 {len(counted)} 家单位({groups})。")
    for tid, t in tracks.iterrows():
        rows = units_now[units_now["track"] == tid]
        if rows.empty:
            continue
        mean = rows["score"].mean()
        prev = scores.units[(scores.units["period"] == before) & (scores.units["track"] == tid)] if before else None
        delta = mean - prev["score"].mean() if prev is not None and not prev.empty else float("nan")
        counts = grade_counts(rows, grades).set_index("grade")["count"]
        graded = "、".join(f"「{g}」{int(counts[g])} 家" for g in grades if counts[g])
        text = f"{t['track_name']}:平均得分 {_score(mean)} 分{_change(delta)};{graded}。"
        vetoed = rows[rows["vetoed"]]
        if not vetoed.empty:
            text += f"{'、'.join(vetoed['unit_name'])}触发单项否决,得分封顶、等次为「{grades[-1]}」。"
        overview.append(text)
    sections.append(("总体情况", overview))

    ranking = []
    for gid, gname in rubric.groups.items():
        parts = []
        for tid, t in tracks.iterrows():
            table = ranking_table(scores, period, tid, gid)
            if table.empty:
                continue
            rankings.append((f"{gname} · {t['track_name']}", table))
            text = f"{t['track_name']}第一名 {_named(table[table['rank'] == 1])}"
            if len(table) > 1:
                text += f",末位 {_named(table[table['rank'] == table['rank'].max()])}"
            change = table["rank_change"].fillna(0)
            risers = table[change >= MOVED].sort_values("rank_change", ascending=False, kind="stable").head(3)
            fallers = table[change <= -MOVED].sort_values("rank_change", kind="stable").head(3)
            if not risers.empty:
                text += ",进步较大的有" + "、".join(
                    f"{r.unit_name}(上升 {int(r.rank_change)} 位)" for r in risers.itertuples()
                )
            if not fallers.empty:
                text += ",退步较大的有" + "、".join(
                    f"{r.unit_name}(下降 {-int(r.rank_change)} 位)" for r in fallers.itertuples()
                )
            parts.append(text)
        if parts:
            ranking.append(f"{gname}:" + ";".join(parts) + "。")
    sections.append(("各组排名", ranking))

    problems = []
    all_units = list(result.roster["unit_id"])
    for tid, t in tracks.iterrows():
        table = common_problems(result, period, tid, all_units)
        table = table[table["losing"] > 0].head(TOP_PROBLEMS)
        for r in table.itertuples():
            problems.append(
                f"{len(problems) + 1}. {t['track_name']} · {r.check_name}({r.dimension_name}):"
                f"{int(r.losing)} 家单位失分(占已测评 {int(r.tested)} 家的 {r.loss_rate:.0f}%)。评分标准:{r.criteria}"
            )
    sections.append(("共性问题", problems or ["本期没有失分点。"]))

    if before is not None:
        table = rectification(scores.checks, period, before)
        units = counted[["unit_id", "unit_name"]]
        summary = rectification_summary(table, units)
        checkable = int((summary["losses_before"] - summary["unchecked"]).sum())
        fixed = int(summary["rectified"].sum())
        rate = f",整改率 {100 * fixed / checkable:.1f}%" if checkable else ""
        text = [
            f"对照上期({before})发现的 {int(summary['losses_before'].sum())} 个失分点,本期已整改 {fixed} 个"
            f"{rate};部分整改 {int(summary['partly'].sum())} 个,未整改 {int(summary['not_rectified'].sum())} 个;"
            f"本期新增失分点 {int(summary['new'].sum())} 个。"
        ]
        worst = summary[summary["not_rectified"] > 0].head(3)
        if not worst.empty:
            text.append("未整改失分点较多的单位:" + "、".join(
                f"{r.unit_name}({int(r.not_rectified)} 个)" for r in worst.itertuples()) + "。")  # fmt: skip
        sections.append(("整改情况", text))

    return Circular(heading, notes, sections, rankings)
