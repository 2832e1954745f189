"""The shape of a rubric file, as pydantic models.

These models check types, required keys and single-value ranges only; rules that
look across keys (ids unique, weights, method parameters, points sums) live in
:mod:`scoring.rubric_rules` so that they can be reported even when the shape is
broken elsewhere. ``extra="forbid"``: a typo in a key is an error, not silence.
``strict``: ``version: 1.10`` (a float) or ``id: 1.1`` is refused instead of
being quietly turned into ``"1.1"``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "BASE_METHODS",
    "METHODS",
    "CalendarSpec",
    "CheckSpec",
    "DimensionSpec",
    "GradeSpec",
    "IndicatorSpec",
    "MonitorSpec",
    "RecordsSpec",
    "RubricSpec",
    "TrackSpec",
]

METHODS = ("binary", "levels", "ratio", "deduct", "bonus", "veto", "deadline")
# methods whose points make up the 100-point base of a track
BASE_METHODS = ("binary", "levels", "ratio", "deduct", "deadline")

ID_PATTERN = r"^[A-Za-z0-9._-]+$"
RUBRIC_ID_PATTERN = r"^[a-z0-9-]+$"

Id = Annotated[str, Field(pattern=ID_PATTERN, min_length=1)]
Text = Annotated[str, Field(min_length=1)]
Number = float  # strict float accepts ints, refuses strings and booleans
Fraction = Annotated[float, Field(ge=0, le=1)]
IsoDate = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]


class _Model(BaseModel):
    # allow_inf_nan: a points of .inf would pass every range check and print as "inf 分" (SPEC extension 1b)
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)


class GradeSpec(_Model):
    name: Text
    min: Annotated[float, Field(ge=0)]


class TargetSpec(_Model):
    total_points: Annotated[float, Field(gt=0)]


class RoundingSpec(_Model):
    decimals: Annotated[int, Field(ge=0, le=4)] = 2
    # half_even: ties to the even digit, as indices computed in R or numpy publish (an extension)
    mode: Literal["half_up", "half_even"] = "half_up"


class RankingSpec(_Model):
    by: Literal["rounded", "exact"] = "rounded"
    method: Literal["competition", "dense"] = "competition"


MONITOR_RULES = ("unreachable", "home_stale", "stale_columns", "empty_columns", "broken_links", "page_exists",
                 "wrong_words", "privacy_leaks", "hidden_links", "unanswered_messages")  # fmt: skip
COLUMN_KINDS = ("news", "notice", "policy", "static")


class MonitorSpec(_Model):
    """A check measured by ``assess monitor`` (SPEC extensions 4 and 4a); which parameters a rule
    takes and which methods it serves are checked in :mod:`scoring.rubric.rules`."""

    rule: Literal["unreachable", "home_stale", "stale_columns", "empty_columns", "broken_links", "page_exists",
                  "wrong_words", "privacy_leaks", "hidden_links", "unanswered_messages"]  # fmt: skip
    max_failure_rate: Annotated[float, Field(gt=0, le=1)] | None = None
    timeout_s: Annotated[float, Field(gt=0, le=300)] | None = None
    days: Annotated[int, Field(ge=0, le=100_000)] | None = None
    limits: dict[Literal["news", "notice", "policy", "static"], Annotated[int, Field(ge=0, le=100_000)]] | None = None
    column: Text | None = None
    severity: Literal["严重", "一般"] | None = None  # wrong_words: count only the forms of this severity
    # stale_columns, empty_columns: count only columns of these kinds (default all four)
    kinds: Annotated[list[Literal["news", "notice", "policy", "static"]], Field(min_length=1)] | None = None
    # stale_columns, empty_columns on a veto: vetoed when at least this many columns are counted (default 1)
    at_least: Annotated[int, Field(ge=1, le=100_000)] | None = None


RECORDS_MEASURES = (
    "on_time_rate", "overdue_cases", "online_rate", "instant_rate", "one_visit_rate", "time_reduction",
    "satisfaction", "bad_fixed_on_time", "callback_rate", "rating_coverage", "stale_accounts",
)  # fmt: skip


class RecordsSpec(_Model):
    """A check measured by ``assess records`` from the platforms' records (SPEC extension 6); which
    methods a measure serves and which parameters it takes are checked in :mod:`scoring.rubric.rules`."""

    measure: Literal[
        "on_time_rate", "overdue_cases", "online_rate", "instant_rate", "one_visit_rate", "time_reduction",
        "satisfaction", "bad_fixed_on_time", "callback_rate", "rating_coverage", "stale_accounts",
    ]  # fmt: skip
    max_visits: Annotated[int, Field(ge=0, le=1_000)] | None = None
    days: Annotated[int, Field(gt=0, le=100_000)] | None = None


class CheckSpec(_Model):
    id: Id
    name: Text
    method: Literal["binary", "levels", "ratio", "deduct", "bonus", "veto", "deadline"]
    points: Annotated[float, Field(gt=0)] | None = None
    limit: Annotated[int, Field(gt=0)] | None = None  # deadline: working days allowed (SPEC extension 1a)
    per_day: Annotated[float, Field(gt=0)] | None = None  # deadline: points off per working day late
    per_item: Annotated[float, Field(gt=0)] | None = None
    levels: dict[Text, Fraction] | None = None
    floor: Fraction | None = None
    target: Fraction | None = None
    cap: Annotated[float, Field(ge=0)] | None = None
    # veto: 'cap' (default) caps the score; 'unscored' fails the unit outright, with no score (单项否决 → 不合格)
    effect: Literal["cap", "unscored"] | None = None
    applies_to: list[Id] | None = None
    units: list[Text] | None = None
    basis: str | None = None
    criteria: str | None = None
    monitor: MonitorSpec | None = None  # measured by assess monitor (SPEC extension 4)
    records: RecordsSpec | None = None  # measured by assess records (SPEC extension 6)

    @property
    def is_base(self) -> bool:
        return self.method in BASE_METHODS


class IndicatorSpec(_Model):
    id: Id
    name: Text
    points: Annotated[float, Field(gt=0)] | None = None
    # 扣完为止 per indicator: the deductions of its checks, uncapped each, together take at most its points
    deduct_pool: bool = False
    checks: Annotated[list[CheckSpec], Field(min_length=1)]


class DimensionSpec(_Model):
    id: Id
    name: Text
    points: Annotated[float, Field(gt=0)] | None = None
    indicators: Annotated[list[IndicatorSpec], Field(min_length=1)]


class TrackSpec(_Model):
    id: Id
    name: Text
    kind: Literal["disclosure", "service", "other"]
    weight: Annotated[float, Field(gt=0, le=1)]
    na_policy: Literal["rescale", "full"] = "rescale"
    bonus_max: Annotated[float, Field(ge=0)] = 0
    # 加分起算线: bonus counts only for a unit whose published base reaches this
    bonus_min_base: Annotated[float, Field(ge=0, le=100)] | None = None
    # 高于 N 分进入加分: bonus counts only for a unit whose published base is strictly above this
    bonus_above: Annotated[float, Field(ge=0, le=100)] | None = None
    dimensions: Annotated[list[DimensionSpec], Field(min_length=1)]


DEFAULT_GRADES = (
    GradeSpec(name="优秀", min=90),
    GradeSpec(name="良好", min=80),
    GradeSpec(name="合格", min=60),
    GradeSpec(name="不合格", min=0),
)


class CalendarSpec(_Model):
    """Working days beyond the national calendar's (SPEC extension 1a)."""

    years: list[Annotated[int, Field(ge=1900, le=2100)]] = []
    holidays: list[IsoDate] = []
    workdays: list[IsoDate] = []


class RubricSpec(_Model):
    id: Annotated[str, Field(pattern=RUBRIC_ID_PATTERN, min_length=1)]
    title: Text
    version: Text
    source: str | None = None
    target: TargetSpec
    grades: Annotated[list[GradeSpec], Field(min_length=1)] = list(DEFAULT_GRADES)
    rounding: RoundingSpec = RoundingSpec()
    ranking: RankingSpec = RankingSpec()
    groups: Annotated[dict[Id, Text], Field(min_length=1)]
    tracks: Annotated[list[TrackSpec], Field(min_length=1)]
    calendar: CalendarSpec | None = None
