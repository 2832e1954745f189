"""Roles on real data: every role against every kind of data, and accounts that resist misuse."""

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from scoring import InputError
from scoring.store import open_store
from scoring.store.access import AccessDenied, can, require, scoped, scoped_appeals, visible_periods, visible_units
from scoring.store.accounts import (
    LOCKOUT_FAILURES,
    SignInError,
    User,
    add_user,
    authenticate,
    disable_user,
    enable_user,
    list_users,
    set_password,
)
from scoring.store.appeals import appeals_table, decide_appeal
from scoring.store.publish import all_rounds
from scoring.store.users import OPERATOR
from ui.demo import seed_demo

ADMIN = User("boss", "admin")
OP = User("test", OPERATOR)  # the command line on a store without accounts
EVALUATOR = User("tester", "evaluator")
LEADER = User("mayor", "leader")
XIAO = User("xiaoxian", "unit", "341322")
CZJ = User("caizheng", "unit", "CZJ")
PUBLISHED = ["2017Q3", "2017Q4", "2018Q1"]


@pytest.fixture(scope="module")
def store(module_location):
    s = open_store(module_location)
    seed_demo(s)  # 2017Q3–2018Q1 published, 2018Q2 in its appeal window with 萧县's appeal
    return s


@pytest.fixture(scope="module")
def everything(store):
    result, rounds = all_rounds(store)
    return result, {p: status for p, status, _ in rounds}


def test_periods_per_role(everything):
    _, statuses = everything
    assert visible_periods(ADMIN, statuses) == visible_periods(EVALUATOR, statuses) == [*PUBLISHED, "2018Q2"]
    assert visible_periods(LEADER, statuses) == PUBLISHED
    assert visible_periods(XIAO, statuses) == [*PUBLISHED, "2018Q2"]  # its own preliminary results too
    assert visible_periods(None, statuses) == []


@pytest.mark.parametrize("user", [ADMIN, EVALUATOR])
def test_office_and_evaluator_see_everything(everything, user):
    result, statuses = everything
    assert scoped(user, result, statuses) is result


def test_leader_sees_every_published_result_and_nothing_preliminary(everything):
    result, statuses = everything
    view = scoped(LEADER, result, statuses)
    for table in (view.scores.units, view.scores.dimensions, view.scores.checks, view.findings.rows):
        assert set(table["period"]) == set(PUBLISHED)
    assert set(view.scores.units["unit_id"]) == set(result.roster["unit_id"])
    assert view.scores.periods == PUBLISHED


def test_a_unit_sees_its_groups_published_ranking_and_only_its_own_details(everything):
    result, statuses = everything
    view = scoped(XIAO, result, statuses)
    counties = set(result.roster.loc[result.roster["group"] == "county", "unit_id"])
    units = view.scores.units
    assert set(units.loc[units["period"].isin(PUBLISHED), "unit_id"]) == counties
    assert set(units.loc[units["period"] == "2018Q2", "unit_id"]) == {"341322"}  # preliminary: only itself
    assert set(view.scores.dimensions.loc[view.scores.dimensions["period"] == "2018Q2", "unit_id"]) == {"341322"}
    # checks and findings carry the evidence: only its own, in every round
    assert set(view.scores.checks["unit_id"]) == {"341322"}
    assert set(view.findings.rows["unit_id"]) == {"341322"}
    assert set(view.findings.rows["period"]) == {*PUBLISHED, "2018Q2"}


def test_nobody_signed_in_sees_nothing(everything):
    result, statuses = everything
    assert scoped(None, result, statuses) is None


def test_drill_down_units_per_role(everything):
    result, _ = everything
    assert visible_units(XIAO, result.roster) == ["341322"]
    assert visible_units(User("ghost", "unit", "NOPE"), result.roster) == []
    assert len(visible_units(LEADER, result.roster)) == 44
    assert visible_units(None, result.roster) == []


def test_appeals_per_role(store, everything):
    _, statuses = everything
    appeals = appeals_table(store)
    assert list(scoped_appeals(XIAO, appeals, statuses)["unit_id"]) == ["341322"]
    assert scoped_appeals(CZJ, appeals, statuses).empty
    assert scoped_appeals(LEADER, appeals, statuses).empty  # the only appeal is in an unpublished round
    assert len(scoped_appeals(EVALUATOR, appeals, statuses)) == 1


@pytest.mark.parametrize(
    ("action", "allowed"),
    [
        ("import", {"evaluator"}),
        ("decide_appeal", {"evaluator"}),
        ("file_appeal", {"unit"}),
        ("set_status", {"admin"}),
        ("publish", {"admin"}),
        ("audit", {"admin"}),
        ("accounts", {"admin"}),
    ],
)
def test_actions_per_role(action, allowed):
    for user in (ADMIN, EVALUATOR, LEADER, XIAO):
        assert can(user, action) == (user.role in allowed)
        if user.role not in allowed:
            with pytest.raises(AccessDenied):
                require(user, action)
    assert not can(None, action)


def test_stored_hashes_are_never_the_password(tmp_path):
    """SQLite only: the file's bytes, write-ahead log included, are searched for the password."""
    s = open_store(tmp_path / "a.db")
    add_user(s, "boss", "admin", "correct-horse-1", OP)
    add_user(s, "boss2", "admin", "correct-horse-1", OP)
    rows = s.db.execute("SELECT salt, hash FROM account").fetchall()
    assert all(b"correct-horse-1" not in bytes(r["hash"]) + bytes(r["salt"]) for r in rows)
    assert rows[0]["hash"] != rows[1]["hash"]  # per-user salt
    raw = (tmp_path / "a.db").read_bytes() + (tmp_path / "a.db-wal").read_bytes()
    assert b"correct-horse-1" not in raw
    assert authenticate(s, "boss", "correct-horse-1") == User("boss", "admin")


def test_lockout_after_repeated_failures_then_the_window_passes(store_location):
    s = open_store(store_location)
    add_user(s, "mayor", "leader", "correct-horse-1", OP)
    t0 = datetime(2018, 1, 1, 9, 0, tzinfo=UTC)
    for i in range(LOCKOUT_FAILURES):
        with pytest.raises(SignInError, match="账号或密码错误"):
            authenticate(s, "mayor", "nope", at=t0 + timedelta(minutes=i))
    with pytest.raises(SignInError, match="锁定"):
        authenticate(s, "mayor", "correct-horse-1", at=t0 + timedelta(minutes=6))
    assert authenticate(s, "mayor", "correct-horse-1", at=t0 + timedelta(minutes=25)).role == "leader"
    actions = [r[0] for r in s.db.execute("SELECT action FROM audit WHERE target = 'mayor' ORDER BY id")]
    assert actions[-3:] == ["sign-in.failed", "sign-in.locked", "sign-in"]


def test_disabled_accounts_and_password_changes(store_location):
    s = open_store(store_location)
    add_user(s, "u1", "unit", "correct-horse-1", OP, unit_id="341302")
    set_password(s, "u1", "battery-staple-2", OP)
    with pytest.raises(SignInError):
        authenticate(s, "u1", "correct-horse-1")
    assert authenticate(s, "u1", "battery-staple-2").unit_id == "341302"
    disable_user(s, "u1", OP)
    with pytest.raises(SignInError):
        authenticate(s, "u1", "battery-staple-2")
    assert list_users(s).loc[0, "disabled"] == 1
    enable_user(s, "u1", OP)
    assert authenticate(s, "u1", "battery-staple-2").unit_id == "341302"


def test_the_last_usable_admin_account_cannot_be_disabled(store_location):
    s = open_store(store_location)
    add_user(s, "boss", "admin", "correct-horse-1", OP)
    with pytest.raises(InputError, match="最后一个可用的考核办账号"):
        disable_user(s, "boss", OP)
    add_user(s, "deputy", "admin", "correct-horse-1", OP)
    disable_user(s, "boss", OP)  # another admin remains
    with pytest.raises(InputError, match="deputy 是最后一个"):
        disable_user(s, "deputy", OP)


def test_a_bad_account_is_refused_with_every_problem(store_location):
    s = open_store(store_location)
    add_user(s, "mayor", "leader", "correct-horse-1", OP)
    with pytest.raises(InputError) as err:
        add_user(s, "mayor", "unit", "short", OP)
    assert [i.message for i in err.value.issues] == [
        "被考核单位账号须指定单位编码",
        "密码至少 8 位",
        "账号 mayor 已存在",
    ]
    assert len(list_users(s)) == 1


def test_demo_accounts_never_exist_outside_demo_mode(store_location):
    s = open_store(store_location)
    seed_demo(s)  # demo rounds may be loaded, but accounts are made only by demo mode
    assert list_users(s).empty
    add_user(s, "lingbi", "unit", "correct-horse-1", OP, unit_id="341323", demo=True)
    with pytest.raises(SignInError):
        authenticate(s, "lingbi", "correct-horse-1")  # a demo account outside demo mode does not open
    assert authenticate(s, "lingbi", "correct-horse-1", demo_allowed=True).unit_id == "341323"


def test_user_commands(store_location):
    db = str(store_location)

    def user(*args, stdin=""):
        return subprocess.run([sys.executable, "-m", "scoring.cli", "user", *args, "--db", db], input=stdin,
                              capture_output=True, text=True)  # fmt: skip

    assert user("add", "boss", "--role", "admin", "--password-stdin", stdin="correct-horse-1\n").returncode == 0
    # once an account exists, a write names the account it acts as
    p = user("add", "u2", "--role", "leader", "--password-stdin", stdin="correct-horse-1\n")
    assert p.returncode == 2 and "该存储已设账号,写入操作须用 --by 指明其中一个账号" in p.stderr
    p = user("add", "u2", "--role", "leader", "--by", "boss", "--password-stdin", stdin="correct-horse-1\n")
    assert p.returncode == 0, p.stderr
    p = user("add", "u3", "--role", "leader", "--by", "u2", "--password-stdin", stdin="correct-horse-1\n")
    assert p.returncode == 2 and "角色无权" in p.stderr  # a leader manages no accounts
    db_args = ("--by", "boss")
    p = user("add", "u1", "--role", "unit", *db_args, "--password-stdin", stdin="correct-horse-1\n")
    assert p.returncode == 2 and "须指定单位编码" in p.stderr
    assert user("add", "u1", "--role", "unit", "--unit", "341302", *db_args, "--password-stdin",
                stdin="correct-horse-1\n").returncode == 0  # fmt: skip
    assert "boss\t考核办" in user("list").stdout
    assert user("passwd", "u1", *db_args, "--password-stdin", stdin="battery-staple-2\n").returncode == 0
    assert user("disable", "u1", *db_args).returncode == 0
    assert "u1\t被考核单位\t341302\t停用" in user("list").stdout
    assert "已启用账号 u1" in user("enable", "u1", *db_args).stdout
    assert "u1\t被考核单位\t341302\t正常" in user("list").stdout
    assert authenticate(open_store(db), "boss", "correct-horse-1").role == "admin"


# issue 27: what the office does to an account holds for every session signed in with it


@pytest.fixture
def staffed(store, clone):
    """A copy of the seeded store with an office and an evaluator account (the module's store stays
    without accounts for the other tests)."""
    s = open_store(clone(store.path, "staffed"))
    add_user(s, "boss", "admin", "correct-horse-1", OP)
    add_user(s, "tester", "evaluator", "correct-horse-1", OP)
    return s


def _last_audit(s):
    return tuple(s.db.execute("SELECT actor, action, target, detail FROM audit ORDER BY id DESC LIMIT 1").fetchone())


def _open_appeal(s) -> int:
    return int(appeals_table(s, "2018Q2")["id"].iloc[0])


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda s: disable_user(s, "tester", ADMIN), "账号 tester 已停用"),
        (lambda s: set_password(s, "tester", "battery-staple-2", ADMIN), "账号 tester 的密码已重置,须用新密码重新登录"),
        (lambda s: s.db.execute("UPDATE account SET role = 'leader' WHERE name = 'tester'"),
         "账号 tester 的角色或所属单位已变更,须重新登录"),
    ],
    ids=["disabled", "password-reset", "role-changed"],
)  # fmt: skip
def test_a_signed_in_evaluators_next_write_is_refused_once_the_office_changes_the_account(staffed, change, why):
    signed_in = authenticate(staffed, "tester", "correct-horse-1")
    aid = _open_appeal(staffed)
    change(staffed)
    with pytest.raises(AccessDenied, match=why):
        decide_appeal(staffed, aid, "upheld", "维持", signed_in)
    assert _last_audit(staffed) == ("tester", "denied.decide_appeal", f"appeal {aid}", why)
    assert appeals_table(staffed, "2018Q2").loc[0, "outcome"] == "open"  # nothing decided


def test_the_store_refuses_a_disabled_or_unknown_account_whatever_the_caller_passes(staffed):
    aid = _open_appeal(staffed)
    disable_user(staffed, "tester", ADMIN)
    for claimed in (User("tester", "evaluator"), User("tester", "evaluator", sso=True), User("tester", OPERATOR)):
        with pytest.raises(AccessDenied, match="已停用"):
            decide_appeal(staffed, aid, "upheld", "维持", claimed)
    with pytest.raises(AccessDenied, match="账号 ghost 不存在"):
        decide_appeal(staffed, aid, "upheld", "维持", User("ghost", "evaluator"))
    assert _last_audit(staffed)[:2] == ("ghost", "denied.decide_appeal")
    # a person the identity provider vouches for needs no store account; the file's holder neither
    decide_appeal(staffed, aid, "upheld", "维持", User("li@example.org", "evaluator", sso=True))
    add_user(staffed, "tester2", "evaluator", "correct-horse-1", OP)
    assert appeals_table(staffed, "2018Q2").loc[0, "decided_by"] == "li@example.org"


def test_a_store_without_accounts_takes_any_named_user(store_location):
    s = open_store(store_location)
    add_user(s, "boss", "admin", "correct-horse-1", User("first", "admin"))  # nobody to check against yet
    with pytest.raises(AccessDenied, match="账号 first 不存在"):
        add_user(s, "boss2", "admin", "correct-horse-1", User("first", "admin"))


def test_an_unknown_account_costs_the_same_scrypt_as_a_known_one(store_location, monkeypatch):
    from scoring.store import accounts

    s = open_store(store_location)
    add_user(s, "mayor", "leader", "correct-horse-1", OP)
    add_user(s, "gone", "leader", "correct-horse-1", OP)
    disable_user(s, "gone", OP)
    calls = []
    real = accounts.hash_password

    def counted(password, salt=None):  # the real scrypt runs; only its calls are counted
        calls.append(salt)
        return real(password, salt)

    monkeypatch.setattr(accounts, "hash_password", counted)
    for name in ("mayor", "nobody", "gone"):
        with pytest.raises(SignInError):
            authenticate(s, name, "wrong-password")
    assert len(calls) == 3  # the wrong password, the unknown account and the disabled one: one hash each
    assert all(isinstance(salt, bytes) and len(salt) == 16 for salt in calls)
