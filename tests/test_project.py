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


def test_every_word_the_app_shows_is_in_the_glossary():
    """Chinese text in ui/ and app.py lives in ui/glossary.py (docstrings, comments and demo data aside)."""
    import ast

    cjk = re.compile(r"[\u4e00-\u9fff]")
    found = []
    for path in [*sorted((ROOT / "ui").rglob("*.py")), ROOT / "app.py"]:
        if path.name in ("glossary.py", "demo.py"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)
        }  # fmt: skip
        found += [
            f"{path.relative_to(ROOT)}:{node.lineno} {node.value!r}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
            and cjk.search(node.value)
        ]  # fmt: skip
    assert not found


def test_a_bare_streamlit_run_listens_on_loopback_only():
    """Demo mode shows its accounts' passwords: the app's own config must not serve the LAN."""
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["address"] == "127.0.0.1"


def _app_calls_without(method: str, keyword: str, value: str) -> list[str]:
    """file:line of every ``st.<method>(...)`` in the app that does not pass ``keyword=value``."""
    import ast

    missing = []
    for path in [ROOT / "app.py", *sorted((ROOT / "ui").rglob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == method:
                given = {k.arg: k.value for k in node.keywords}
                if not (isinstance(given.get(keyword), ast.Constant) and given[keyword].value == value):
                    missing.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return missing


def test_every_table_in_the_app_draws_a_missing_value_blank():
    """Streamlit draws a missing cell as "None" unless told otherwise (issue 17): every st.dataframe
    call of the app passes placeholder=""."""
    assert _app_calls_without("dataframe", "placeholder", "") == []


def test_every_download_button_leaves_the_page_alone():
    """A download click that reruns the page drops the other buttons' deferred files, so a quick
    second click was lost (issue 17): every st.download_button passes on_click="ignore"."""
    assert _app_calls_without("download_button", "on_click", "ignore") == []
