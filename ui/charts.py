"""Plotly figures, built in plain functions so that tests can inspect them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from scoring import Rubric

from .glossary import CHART, COLUMN, LABEL, RECTIFY

# highest grade first: green, blue, amber, red; more grades reuse the last colour
GRADE_COLOURS = ["#2e7d32", "#1565c0", "#f9a825", "#c62828"]
FONT = dict(family="WenQuanYi Micro Hei, Microsoft YaHei, PingFang SC, sans-serif")
# plotly's tool bar speaks English and offers nothing an official needs (downloads are on the page)
CONFIG = {"displayModeBar": False}
# one colour per track, the disclosure track first
TRACK_COLOURS = ["#1565c0", "#e65100", "#2e7d32", "#6a1b9a"]


def grade_colours(grades: list[str]) -> dict[str, str]:
    return {g: GRADE_COLOURS[min(i, len(GRADE_COLOURS) - 1)] for i, g in enumerate(grades)}


def ranking_bars(table: pd.DataFrame, grades: list[str]) -> go.Figure:
    """Horizontal bars of published scores, best at the top, coloured by grade."""
    data = table.sort_values("rank", ascending=False)
    labels = data["unit_name"] + (data["vetoed"].map({True: " ✖", False: ""}))
    fig = px.bar(
        data.assign(label=labels),
        x="score",
        y="label",
        orientation="h",
        color="grade",
        color_discrete_map=grade_colours(grades),
        category_orders={"grade": grades},
        text="score",
        labels={"score": COLUMN["score"], "label": "", "grade": COLUMN["grade"]},
    )
    fig.update_traces(texttemplate="%{text:.2f}", textposition="outside", cliponaxis=False)
    # plotly stacks categories bottom-up: list the lowest rank first so the best is on top
    fig.update_yaxes(categoryorder="array", categoryarray=list(labels))
    fig.update_layout(
        height=max(260, 26 * len(data) + 110), margin=dict(l=10, r=40, t=40, b=10), font=FONT,
        xaxis=dict(range=[0, max(105, float(data["score"].max()) + 8)]), legend_title_text=COLUMN["grade"],
        # above the plot: at the right the longest bar's score label ran into it at 1280 px
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
    )  # fmt: skip
    return fig


# the previous round's losses by outcome (red still wrong, amber less, green fixed, grey not
# tested), then this round's new losses in purple, so a bar's length is all a unit has to fix
RECTIFY_COLOURS = {"not_rectified": "#c62828", "partly": "#f9a825", "rectified": "#2e7d32", "unchecked": "#b0bec5",
                   "new": "#8e24aa"}  # fmt: skip


def rectification_bars(summary: pd.DataFrame) -> go.Figure:
    """Per unit, its lost points by what became of them: one stacked bar, the worst unit on top."""
    data = summary.iloc[::-1]  # plotly draws the first row at the bottom
    fig = go.Figure()
    for status, colour in RECTIFY_COLOURS.items():
        fig.add_bar(y=data["unit_name"], x=data[status], name=RECTIFY[status], orientation="h", marker_color=colour)
    fig.update_layout(
        barmode="stack", height=max(260, 26 * len(data) + 110), margin=dict(l=10, r=10, t=40, b=10), font=FONT,
        xaxis_title=LABEL["rectify_items"],
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0, traceorder="normal"),
    )  # fmt: skip
    fig.update_yaxes(type="category")
    return fig


def rank_history(history: pd.DataFrame, order: list[str]) -> go.Figure:
    """Units (rows, in ``order`` from the top) by round (columns): colour is the score, text the rank."""
    score = history.pivot(index="unit_name", columns="period", values="score")
    rank = history.pivot(index="unit_name", columns="period", values="rank")
    periods = list(dict.fromkeys(history["period"]))
    score, rank = score.reindex(index=order, columns=periods), rank.reindex(index=order, columns=periods)
    text = rank.map(lambda r: "" if pd.isna(r) else f"{int(r)}")
    fig = go.Figure(
        go.Heatmap(
            z=score.to_numpy(), x=periods, y=order, text=text.to_numpy(), texttemplate="%{text}",
            colorscale="RdYlGn", zmin=max(0.0, float(history["score"].min()) - 5), zmax=100,
            colorbar=dict(title=COLUMN["score"]),
            hovertemplate="%{y} %{x}<br>" + COLUMN["score"] + " %{z:.2f}<br>" + COLUMN["rank"] + " %{text}<extra></extra>",
        )
    )  # fmt: skip
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(type="category", side="top")
    fig.update_layout(height=max(220, 26 * len(order) + 90), margin=dict(l=10, r=10, t=40, b=10), font=FONT)
    return fig


def problem_bars(problems: pd.DataFrame, top: int = 15) -> go.Figure:
    """The checks most units lost points on: the share of tested units losing, widest first on top."""
    data = problems.head(top).iloc[::-1]
    labels = data["check_id"] + " " + data["check_name"]
    fig = go.Figure(
        go.Bar(
            x=data["loss_rate"], y=labels, orientation="h", marker_color="#c62828",
            text=[f"{n}/{t}" for n, t in zip(data["losing"], data["tested"], strict=True)], textposition="outside",
            cliponaxis=False,
        )
    )  # fmt: skip
    fig.update_yaxes(type="category")
    fig.update_layout(height=max(220, 26 * len(data) + 80), margin=dict(l=10, r=40, t=10, b=10), font=FONT,
                      xaxis=dict(range=[0, 108], title=COLUMN["loss_rate"]))  # fmt: skip
    return fig


def grade_pie(counts: pd.DataFrame, grades: list[str]) -> go.Figure:
    counts = counts[counts["count"] > 0]  # an empty grade would print a stray "0" on the ring
    fig = px.pie(counts, names="grade", values="count", color="grade", color_discrete_map=grade_colours(grades),
                 category_orders={"grade": grades}, hole=0.45)  # fmt: skip
    fig.update_traces(textinfo="label+value", sort=False)
    fig.update_layout(height=260, margin=dict(l=10, r=10, t=10, b=10), showlegend=False, font=FONT)
    return fig


def dimension_bars(profile: pd.DataFrame) -> go.Figure:
    """The unit's percent per dimension beside its group's mean and best."""
    shown = [c for c in ("percent", "group_mean", "group_best") if c in profile.columns]
    long = profile.melt(id_vars=["dimension_name"], value_vars=shown, var_name="series")
    long["series"] = long["series"].map({"percent": CHART["own"], "group_mean": CHART["group_mean"],
                                         "group_best": CHART["group_best"]})  # fmt: skip
    fig = px.bar(long, x="dimension_name", y="value", color="series", barmode="group",
                 labels={"dimension_name": "", "value": COLUMN["percent"], "series": ""},
                 color_discrete_sequence=["#1565c0", "#90a4ae", "#2e7d32"])  # fmt: skip
    fig.update_layout(height=340, margin=dict(l=10, r=10, t=40, b=10), yaxis=dict(range=[0, 105]), font=FONT,
                      legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0))  # fmt: skip
    return fig


def trend_lines(trend: pd.DataFrame, track_names: dict[str, str]) -> go.Figure:
    """Each track's score by round, a colour per track; the rank above the first track's points and
    below the second's, so that two tracks with close scores do not write over each other."""
    data = trend.assign(track_name=trend["track"].map(track_names))
    order = list(dict.fromkeys(track_names.values()))
    fig = px.line(data, x="period", y="score", color="track_name", markers=True, text="rank",
                  category_orders={"track_name": order}, color_discrete_sequence=TRACK_COLOURS,
                  labels={"period": LABEL["period"], "score": COLUMN["score"], "track_name": ""})  # fmt: skip
    fig.update_traces(texttemplate=CHART["rank_text"], textposition="top center")
    for i, trace in enumerate(fig.data):
        trace.textposition = "top center" if i % 2 == 0 else "bottom center"
    fig.update_layout(height=300, margin=dict(l=10, r=10, t=20, b=10), yaxis=dict(range=[0, 110]), font=FONT)
    fig.update_xaxes(type="category")
    return fig


def points_treemap(rubric: Rubric, track_id: str) -> go.Figure:
    """One track's base points as nested boxes: its dimensions, each opening to its indicators, every
    box labelled with its points and what they come to out of 100, as scores are stated (bonus and
    veto checks carry no base points). Boxes stay readable where a sunburst's small slices did not."""
    c = rubric.checks[rubric.checks["is_base"] & (rubric.checks["track_id"] == track_id)]
    total = float(c["points"].sum())
    dims = c.groupby(["dimension_id", "dimension_name"], sort=False, as_index=False)["points"].sum()
    inds = c.groupby(["dimension_id", "indicator_id", "indicator_name"], sort=False, as_index=False)["points"].sum()
    track = rubric.tracks.set_index("track_id").loc[track_id, "track_name"]
    nodes = pd.concat(
        [
            pd.DataFrame({"id": [track_id], "label": [track], "parent": [""], "points": [total]}),
            pd.DataFrame({"id": dims["dimension_id"], "label": dims["dimension_id"] + " " + dims["dimension_name"],
                          "parent": track_id, "points": dims["points"]}),
            pd.DataFrame({"id": inds["dimension_id"] + "/" + inds["indicator_id"], "label": inds["indicator_name"],
                          "parent": inds["dimension_id"], "points": inds["points"]}),
        ],
        ignore_index=True,
    )  # fmt: skip
    out_of_100 = (100.0 * nodes["points"] / total).round(1) if total else nodes["points"] * 0.0
    # plotly writes a float value as 128.000; the rubric's points as written (128, 1.5)
    shown = nodes["points"].map("{:g}".format)
    fig = go.Figure(
        go.Treemap(
            ids=nodes["id"], labels=nodes["label"], parents=nodes["parent"], values=nodes["points"],
            branchvalues="total", maxdepth=2, customdata=list(zip(shown, out_of_100, strict=True)), texttemplate=CHART["treemap_label"],
            hovertemplate=CHART["treemap_label"] + "<extra></extra>", textfont=dict(size=14),
            marker=dict(colorscale="Blues", colors=nodes["points"], cmin=0, cmax=float(dims["points"].max()) * 1.6),
        )
    )  # fmt: skip
    fig.update_layout(height=380, margin=dict(l=0, r=0, t=0, b=0), font=FONT)
    return fig


def rank_interval_chart(intervals: pd.DataFrame) -> go.Figure:
    """Each unit's published rank with its p05–p95 interval as an error bar, best rank on top."""
    data = intervals.iloc[::-1]
    fig = go.Figure(
        go.Scatter(
            x=data["rank"], y=data["unit_name"], mode="markers", marker=dict(color="#1565c0", size=9),
            error_x=dict(type="data", symmetric=False, array=(data["p95"] - data["rank"]).to_numpy(),
                         arrayminus=(data["rank"] - data["p05"]).to_numpy(), color="#90a4ae", thickness=2, width=4),
            hovertemplate=CHART["interval_hover"],
            customdata=data[["p05", "p95", "median_rank"]].to_numpy(),
        )
    )  # fmt: skip
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=list(data["unit_name"]))
    fig.update_xaxes(title=CHART["interval_axis"], dtick=1, range=[0.5, max(2, int(data["p95"].max())) + 0.5])
    fig.update_layout(height=max(220, 26 * len(data) + 80), margin=dict(l=10, r=20, t=10, b=10), font=FONT,
                      showlegend=False)  # fmt: skip
    return fig


def full_share_bars(table: pd.DataFrame, label: pd.Series, flagged: pd.Series, line: float) -> go.Figure:
    """Per check, the share of its tested units at full marks (percent), highest on top; flagged
    checks in red, and a dashed line at the 区分度低 threshold."""
    order = table["full"].sort_values(kind="stable").index
    fig = go.Figure(
        go.Bar(x=table.loc[order, "full"], y=label[order], orientation="h",
               marker_color=np.where(flagged[order], "#c62828", "#1565c0"))
    )  # fmt: skip
    fig.add_vline(x=line, line_dash="dash", line_color="#616161")
    fig.update_yaxes(type="category")
    fig.update_layout(height=max(240, 16 * len(order) + 80), margin=dict(l=10, r=20, t=10, b=10), font=FONT,
                      xaxis=dict(range=[0, 102], ticksuffix="%"))  # fmt: skip
    return fig
