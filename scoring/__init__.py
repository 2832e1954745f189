"""Performance assessment engine for government disclosure and services (政务公开政务服务绩效考核).

Stages, each in its own module: rubric (read + validate) -> tables (read roster and
results) -> validate (check results, normalise values) -> engine (score) ->
ranking -> output (write files). The command ``assess`` is a thin layer over this API.
"""

from scoring.engine import Scores
from scoring.errors import InputError, Issue, by_location, format_issue, issues_frame
from scoring.output import score_tables_as_text, write_outputs
from scoring.pipeline import Assessment, RawResults, assess, read_results, read_roster, score
from scoring.rounding import round_half_up
from scoring.rubric.load import Rubric, load_rubric, parse_rubric, rubric_from_bytes
from scoring.tables import InputFile, SourceInfo
from scoring.validate import Findings, validate_results
from scoring.version import __version__

__all__ = [
    "Assessment",
    "Findings",
    "InputError",
    "InputFile",
    "Issue",
    "RawResults",
    "Rubric",
    "Scores",
    "SourceInfo",
    "__version__",
    "assess",
    "build_template",
    "by_location",
    "format_issue",
    "issues_frame",
    "load_rubric",
    "parse_rubric",
    "read_results",
    "read_roster",
    "round_half_up",
    "rubric_from_bytes",
    "score",
    "score_tables_as_text",
    "validate_results",
    "write_outputs",
]


def __getattr__(name: str) -> object:
    # openpyxl costs 0.1 s to import; only the template needs it, so scoring runs skip it
    if name == "build_template":
        from scoring.workbooks.template import build_template

        return build_template
    raise AttributeError(f"module 'scoring' has no attribute {name!r}")
