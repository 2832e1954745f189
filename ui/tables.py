"""Turning engine frames into what a page shows: Chinese headers, arrows, links."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from scoring.views.people import beijing_time, people
from scoring.views.values_shown import recorded_status, value_text
from scoring.workbooks.template import METHOD_NAMES

from .glossary import APPEAL_COLUMNS, AUDIT_ACTIONS, AUDIT_DETAILS, COLUMN, LABEL, NO, RECTIFY, STATUS, YES


def shown(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The chosen columns, in order, with their Chinese headers."""
    return frame[columns].rename(columns=COLUMN)


# a chart draws this many units at most at each end; a province's group of 2,000 is read in the table
CHART_ENDS = 15
# a table shows this many rows before it scrolls (Streamlit draws only the rows in view, so a
# province's 2,000 rows scroll as smoothly as 20)
TABLE_ROWS = 40


def table_height(rows: int, most: int = TABLE_ROWS) -> int:
    """Pixels for a table as tall as its content up to ``most`` rows; longer ones scroll."""
    return 35 * max(1, min(rows, most)) + 38


def chart_units(
    ordered: pd.DataFrame, query: str = "", ends: int = CHART_ENDS, name: str = "unit_name"
) -> pd.DataFrame:
    """The rows a chart can show legibly: all of a small group; of a large one the first and last
    ``ends`` in the given order, and those whose name contains ``query`` (at most 20), in order."""
    if len(ordered) <= 2 * ends and not query:
        return ordered
    keep = np.zeros(len(ordered), dtype=bool)
    keep[:ends] = True
    keep[-ends:] = True
    if query.strip():
        hits = np.flatnonzero(ordered[name].astype(str).str.contains(query.strip(), regex=False).to_numpy())
        keep[hits[:20]] = True
    return ordered[keep]


def ranking_style(table: pd.DataFrame, own_name: str | None = None):
    """A ranking as drawn: ▲ in green and ▼ in red, and the signed-in unit's own row shaded."""
    changes = [c for c in (COLUMN["rank_change"], COLUMN["score_change"]) if c in table.columns]

    def colour(v: object) -> str:
        text = str(v)
        return "color: #2e7d32" if text.startswith("▲") else "color: #c62828" if text.startswith("▼") else ""

    def shade(row: pd.Series) -> list[str]:
        mine = own_name is not None and row.get(COLUMN["unit_name"]) == own_name
        return ["background-color: #fff3e0; font-weight: bold" if mine else ""] * len(row)

    return table.style.map(colour, subset=changes).apply(shade, axis=1)


def groups_overview(scores, period: str, track: str, rubric) -> pd.DataFrame:
    """Every peer group of a round and track in one table: how many ranked, the mean, the first and
    last, and how many in the top and the bottom grade."""
    from scoring.views.completeness import complete_units
    from scoring.views.explain import ranking_table

    grades = [g.name for g in rubric.spec.grades]
    rows = []
    for gid, gname in rubric.groups.items():
        t = ranking_table(scores, period, track, gid)
        if t.empty:
            continue
        t = t[complete_units(t)]  # an open round's units with results missing are not ranked (issue 29)
        mean = np.nan if t.empty else round(t["score"].mean(), 2)
        rows.append({LABEL["group"]: gname, LABEL["units_ranked"]: len(t), LABEL["mean_score"]: mean,
                     LABEL["first_place"]: "、".join(t.loc[t["rank"] == 1, "unit_name"]),
                     LABEL["last_place"]: "、".join(t.loc[t["rank"] == t["rank"].max(), "unit_name"]),
                     grades[0]: int((t["grade"] == grades[0]).sum()), grades[-1]: int((t["grade"] == grades[-1]).sum())})  # fmt: skip
    return pd.DataFrame(rows)


def change_text(delta: pd.Series, has_previous: bool, decimals: int = 0) -> pd.Series:
    """▲ 3 / ▼ 2 / — ; '首期' when there is no previous round to compare with."""
    if not has_previous:
        return pd.Series(LABEL["first_round"], index=delta.index)
    d = delta.astype("Float64")
    fmt = "{:." + str(decimals) + "f}"
    up = "▲ " + d.abs().map(lambda v: fmt.format(v) if pd.notna(v) else "")
    down = "▼ " + d.abs().map(lambda v: fmt.format(v) if pd.notna(v) else "")
    out = np.select([d.isna().to_numpy(dtype=bool), (d > 0).fillna(False), (d < 0).fillna(False)], ["", up, down], "—")
    return pd.Series(out, index=delta.index)


def ranking_download(table: pd.DataFrame, columns: list[str], has_previous: bool, decimals: int) -> pd.DataFrame:
    """A ranking as its download holds it: changes as signed numbers that Excel shows ▲▼ (blank in a
    first round), scores with the rubric's decimals, the veto 是/否 as in every workbook."""
    from scoring.workbooks.report import arrows, fixed

    out = shown(table.assign(vetoed=yes_no(table["vetoed"]),
                             rank_change=table["rank_change"] if has_previous else None,
                             score_change=table["score_change"] if has_previous else None), columns)  # fmt: skip
    out.attrs["number_formats"] = {
        COLUMN["score"]: fixed(decimals), COLUMN["target_points"]: fixed(2),
        COLUMN["rank_change"]: arrows(), COLUMN["score_change"]: arrows(decimals),
    }  # fmt: skip
    return out


def machine_rows_shown(rows: pd.DataFrame, names: dict[str, str], checks: pd.DataFrame) -> pd.DataFrame:
    """A machine's result rows (the monitor's, the records') as the pages show them: unit and check
    by name, the value in words ("NA" as not applicable), the evidence as written."""
    by_check = checks.set_index("check_id")
    status = pd.Series("scored", index=rows.index).where(rows["value"] != "NA", "na")
    return pd.DataFrame({
        "unit": rows["unit_id"].map(names).fillna(rows["unit_id"]),
        "check": rows["check_id"].map(by_check["check_name"]),
        "value": value_text(rows["check_id"].map(by_check["method"]), rows["value"], status),
        "evidence": rows["evidence"],
    })  # fmt: skip


def yes_no(flag: pd.Series) -> pd.Series:
    return flag.map({True: YES, False: NO})


def method_names(method: pd.Series) -> pd.Series:
    return method.map(METHOD_NAMES)


def status_names(status: pd.Series, violated: pd.Series) -> pd.Series:
    return status.map(STATUS).where(~violated, STATUS["veto"])


def audit_actions(actions: pd.Series) -> pd.Series:
    """Audit actions in Chinese; a refusal (denied.<action>) says what was refused."""
    denied = actions.str.startswith("denied.")
    named = actions.map(AUDIT_ACTIONS).fillna(actions)
    inner = actions.str.removeprefix("denied.")
    return named.where(~denied, AUDIT_ACTIONS["denied"] + "(" + inner.map(AUDIT_ACTIONS).fillna(inner) + ")")


def audit_details(details: pd.Series, roster: pd.DataFrame, rubric_titles: dict[str, str]) -> pd.Series:
    """Stored audit details in Chinese (AUDIT_DETAILS): roles, statuses, units and rubrics by name."""
    from scoring.store.users import ROLE_NAMES
    from scoring.words import ROUND_STATUS_NAMES

    units = roster.set_index("unit_id")["name"].to_dict()

    def said(match: re.Match, template: str) -> str:
        groups = match.groups()
        first, last = (groups[0], groups[-1]) if groups else ("", "")  # a detail of fixed words has none
        named = {
            "role": ROLE_NAMES.get(first, first),
            "unit": units.get(last, last),
            "rubric": rubric_titles.get(first, first),
            "from_status": ROUND_STATUS_NAMES.get(first, first),
            "to_status": ROUND_STATUS_NAMES.get(last, last),
        }
        return template.format(*groups, **named)

    out = details.fillna("").astype(str)
    for pattern, template in AUDIT_DETAILS:
        out = out.str.replace(pattern, lambda m, t=template: said(m, t), regex=True)
    return out


def evidence_links(evidence: pd.Series) -> pd.Series:
    """The first URL in each evidence cell (several are joined by ' | '), else empty."""
    first = evidence.astype(str).str.extract(r"(https?://[^\s|]+)", expand=False)
    return first.astype(object).where(first.notna(), "")


def rectification_view(table: pd.DataFrame, rubric) -> pd.DataFrame:
    """Rows of ``scoring.views.rectification.rectification`` as a page shows them, with the check's criteria."""
    meta = rubric.checks.set_index("check_id")
    tracks = rubric.tracks.set_index("track_id")["track_name"]
    view = table.assign(
        track=table["track"].map(tracks),
        check_name=table["check_id"].map(meta["check_name"]).fillna(table["check_id"]),
        criteria=table["check_id"].map(meta["criteria"]),
        rectify_status=table["status"].map(RECTIFY),
        value_before=value_text(table["method"], table["value_before"], recorded_status(table["value_before"])),
        value_now=value_text(table["method"], table["value_now"], recorded_status(table["value_now"])),
    )
    columns = ["track", "check_name", "rectify_status", "value_before", "value_now", "lost_before", "lost_now",
               "criteria"]  # fmt: skip
    out = shown(view, columns)
    return out.round({COLUMN["lost_before"]: 2, COLUMN["lost_now"]: 2}).reset_index(drop=True)


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


def plain(text: object) -> str:
    """User text for st.markdown, shown as typed: no links, images or emphasis it did not ask for."""
    return _MARKDOWN.sub(r"\\\1", "" if text is None or text is pd.NA else str(text)).replace("\n", "  \n")


# an address ends at a space, a '|' (evidence cells join several with ' | ') or the first character
# no URL has unescaped (Chinese text, quotes, angle brackets)
_URL = re.compile(r"(?:https?://|www\.)[!-~]+?(?=[.,;:!?()]*(?:[^!-~]|[|<>\"']|$))")


def linked(text: object) -> str:
    """User text for st.markdown as ``plain`` shows it, with each URL in it a link: the text shown
    escaped, the address as written (escaping a URL for markdown once gave ``www\\.`` on screen and
    ``%5C`` in the link, issue 29)."""
    raw = "" if text is None or text is pd.NA else str(text)
    out, at = [], 0
    for m in _URL.finditer(raw):  # a few per cell
        url = m.group(0)
        href = url if url.startswith("http") else f"http://{url}"
        out += [plain(raw[at : m.start()]), f"[{plain(url)}](<{href}>)"]
        at = m.end()
    return "".join([*out, plain(raw[at:])])


def appeals_view(appeals: pd.DataFrame, roster: pd.DataFrame, rubric, accounts: pd.DataFrame) -> pd.DataFrame:
    """Appeals as a page shows them: units and checks by name, people by who they are, Beijing time,
    blank (never "None") where an appeal has no decision yet."""
    from scoring.workbooks.report import APPEAL_OUTCOMES

    units = roster.set_index("unit_id")["name"]
    checks = rubric.checks.set_index("check_id")["check_name"]
    view = appeals.assign(
        unit_id=appeals["unit_id"].map(units).fillna(appeals["unit_id"]),
        check_id=appeals["check_id"] + " " + appeals["check_id"].map(checks).fillna(""),
        outcome=appeals["outcome"].map(APPEAL_OUTCOMES),
        filed_by=people(appeals["filed_by"], accounts, roster),
        decided_by=people(appeals["decided_by"].fillna(""), accounts, roster),
        filed_at=beijing_time(appeals["filed_at"]),
        decided_at=beijing_time(appeals["decided_at"]),
    )
    for col in ("proof", "new_value", "decision_reason"):
        view[col] = view[col].fillna("").astype(str)
    # the outcome beside the case, before the long texts, so that it shows without scrolling sideways;
    # the period is the page's own choice
    return view[APPEAL_ORDER].rename(columns=APPEAL_COLUMNS)


APPEAL_ORDER = ["id", "unit_id", "check_id", "outcome", "new_value", "decision_reason", "reason", "proof",
                "filed_by", "filed_at", "decided_by", "decided_at"]  # fmt: skip


def next_period(periods: list[str]) -> str:
    """The quarter after the latest one (2018Q2 -> 2018Q3); the latest itself if not a quarter."""
    latest = sorted(periods)[-1] if periods else "2017Q3"
    m = re.fullmatch(r"(\d{4})Q([1-4])", latest)
    if not m:
        return latest
    year, q = int(m.group(1)), int(m.group(2))
    return f"{year + (q == 4)}Q{q % 4 + 1}"
