"""Demo mode on a store several app processes share: seeded once, and every process shows the same
demo passwords, which work (issue 30: two app processes behind a proxy)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from helpers import ROOT
from scoring.store import open_store
from scoring.store.accounts import SignInError, authenticate, set_password
from ui.demo import DEMO, demo_accounts, demo_credentials, demo_password_of

# what ui/data.py does when an app process starts in demo mode, then the passwords its page shows
START = """
import json, sys
from scoring.store import open_store
from ui.demo import demo_accounts, demo_credentials, seed_demo
store = open_store(sys.argv[1])
seed_demo(store)
demo_accounts(store)
print(json.dumps(demo_credentials(store).values.tolist(), ensure_ascii=False))
"""


def _start_two(location: str) -> list[list]:
    procs = [subprocess.Popen([sys.executable, "-c", START, location], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]  # fmt: skip
    out = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=300)
        assert p.returncode == 0, stderr
        out.append(json.loads(stdout))
    return out


def _two_processes_share_one_demo(location: str) -> None:
    first, second = _start_two(location)
    assert first == second and len(first) == 6
    store = open_store(location)
    actions = [r[0] for r in store.db.execute("SELECT action FROM audit WHERE action LIKE 'demo.%' ORDER BY id")]
    assert actions == ["demo.claim", "demo.seed"]  # seeded once
    assert store.db.execute("SELECT COUNT(*) FROM round_open").fetchone()[0] == 5
    # a third start (a process restarted behind the proxy) keeps what the others show
    (third, _) = _start_two(location)
    assert third == first
    for _, name, password, _ in first:
        assert authenticate(store, name, password, demo_allowed=True).name == name


def test_two_app_processes_seed_one_demo_and_show_the_same_passwords(tmp_path):
    _two_processes_share_one_demo(str(tmp_path / "demo.db"))


def test_two_app_processes_on_postgresql_seed_one_demo_and_show_the_same_passwords(pg_url):
    _two_processes_share_one_demo(pg_url)


def test_a_demo_account_whose_password_was_changed_gets_one_the_page_can_show(tmp_path):
    store = open_store(tmp_path / "demo.db")
    demo_accounts(store)
    set_password(store, "leader", "changed-by-hand", DEMO)  # or made by an earlier version: random
    shown = demo_credentials(store).set_index("账号")["密码"]
    with pytest.raises(SignInError):
        authenticate(store, "leader", shown["leader"], demo_allowed=True)
    demo_accounts(store)
    shown = demo_credentials(store).set_index("账号")["密码"]
    assert authenticate(store, "leader", shown["leader"], demo_allowed=True).name == "leader"
    assert shown["admin"] == demo_password_of(bytes(store.db.execute(
        "SELECT salt FROM account WHERE name = 'admin'").fetchone()[0]))  # fmt: skip


def test_derived_demo_passwords_have_no_look_alike_characters():
    import os

    drawn = [demo_password_of(os.urandom(16)) for _ in range(500)]
    assert {len(p) for p in drawn} == {12} and len(set(drawn)) == 500
    assert not set("".join(drawn)) & set("lI10Oo-_")
