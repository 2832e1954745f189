"""The README's promises: two set-up commands first, the second being what CI runs."""

import re

from helpers import ROOT


def _blocks() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return [b.strip() for b in re.findall(r"```bash\n(.*?)```", text, flags=re.S)]


def test_readme_opens_with_the_app_command_and_the_test_command():
    first, second = _blocks()[:2]
    assert first == "pip install -e . && ASSESS_DEMO=1 streamlit run app.py"
    assert second == "pip install -e '.[test]' && python -m pytest"


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert _blocks()[1] in ci.splitlines()
