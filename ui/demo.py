"""Fill an empty store with the demo rounds, so that a first start shows a living assessment.

2017Q3–2018Q1 are published; 2018Q2 is in its appeal window with one appeal waiting for review;
2018Q3 is opened for the evaluators and holds no results yet, but the website monitor has run
once against the demo's fake websites (served on 127.0.0.1 by this process, 演示网站,非真实),
and its 政务服务 checks have been computed once from the platforms' demo exports (sample_data/records/),
both runs' rows kept with the round, ready for an evaluator to import on 网站监测 and 政务服务记录;
and the screenshots its findings for 萧县 cite are stored as (drawn, plainly fake) evidence files.
All of it is demo data (see sample_data/generate.py) and the store records that it is.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import re
import secrets
from pathlib import Path

import pandas as pd
from PIL import Image, ImageDraw

from scoring import InputFile, load_rubric, read_roster
from scoring.monitor import monitor_sites
from scoring.monitor.demo_site import DEMO_WORDS, demo_pages, demo_sites_frame
from scoring.monitor.loopback import serve_sites
from scoring.output import csv_bytes
from scoring.records import compute_records
from scoring.store import Store
from scoring.store.accounts import OPERATOR, ROLE_NAMES, User, demo_salts, ensure_demo_accounts
from scoring.store.appeals import file_appeal
from scoring.store.content import save_words
from scoring.store.evidence import add_evidence
from scoring.store.probes import home_history, record_run
from scoring.store.publish import publish
from scoring.store.records import record_records
from scoring.store.rounds import import_results, open_round, set_status
from scoring.views.periods import period_span
from scoring.views.records_shown import files_up_to
from scoring.words_list import words_from_table

from .glossary import CREDENTIAL_COLUMNS

ROOT = Path(__file__).resolve().parent.parent
DEMO_ACTOR = "演示数据"
# the seeding acts as the server itself (the command line's operator), a unit's appeal as that unit
DEMO = User(DEMO_ACTOR, OPERATOR)


def seed_demo(store: Store) -> bool:
    """Seed only a store that has never held anything; True if it did.

    Several app processes may start together on one (PostgreSQL) store: the first to take the
    writer's lock claims the seeding with an audit entry, and every other finds the store not empty.
    """
    with store.transaction():
        if not store.is_empty():
            return False
        store.audit(DEMO_ACTOR, "demo.claim", "store", "seeding the demo rounds")
    rubric = ROOT / "rubrics" / "suzhou-2017.yaml"
    units = ROOT / "sample_data" / "units.csv"
    rounds = sorted((ROOT / "sample_data" / "results").glob("*.xlsx"))
    periods = [p.stem for p in rounds]
    for period in periods:
        open_round(store, period, DEMO)
    import_results(store, rubric, units, rounds, DEMO)
    # the next quarter is open for the evaluators, as an office opens it before testing starts
    open_round(store, "2018Q3", DEMO, "2018年第三季度")
    for period in periods:
        set_status(store, period, "feedback", DEMO)
        set_status(store, period, "appeal", DEMO)
    for period in periods[:-1]:
        publish(store, period, DEMO)
    add_evidence(store, demo_screenshots(periods[-1], "341322"), DEMO)
    file_appeal(
        store, periods[-1], "341322", "GK3.2.1",
        "测评所指“通知公告”栏目已于测评前更新,测评时因缓存显示旧页面", "截图 萧县-通知公告-更新记录.png", User("xiaoxian", "unit", "341322"),
    )  # fmt: skip
    # a real run of the monitor against the demo's websites, as an evaluator starts 2018Q3 with
    rub, roster = load_rubric(rubric), read_roster(units, load_rubric(rubric))
    # with the office's starter words list, kept as its first version; the sites carry planted problems
    words = words_from_table(pd.DataFrame(DEMO_WORDS, columns=["wrong", "right", "severity"]))
    words_id = save_words(store, words, "演示清单", DEMO)
    run = monitor_sites(rub, roster, demo_sites(), "2018Q3", DEMO_AS_OF, history=home_history(store, "2018Q3"),
                        words=words)  # fmt: skip
    record_run(store, "2018Q3", run, DEMO, words_id)
    # and the 政务服务 checks from the platforms' exports, over the open quarter (not imported: the
    # draft round stays without results until an evaluator imports them)
    files = demo_records_files("2018Q3")
    start, end = period_span("2018Q3")
    records = compute_records(rub, roster, "2018Q3", start, end, cases=files["cases"], ratings=files["ratings"],
                              accounts=files["accounts"][0], posts=files["posts"])  # fmt: skip
    record_records(store, "2018Q3", csv_bytes(records.rows), DEMO)
    with store.transaction():
        store.audit(DEMO_ACTOR, "demo.seed", "store", "demo rounds 2017Q3–2018Q2 loaded")
    return True


# the demo's websites are dated as of the end of the open quarter, so that ages mean something
DEMO_AS_OF = dt.date(2018, 9, 28)


@functools.cache
def demo_sites() -> pd.DataFrame:
    """The demo's fake websites, one loopback port per unit, served for the life of this process;
    their sites file."""
    roster = read_roster(ROOT / "sample_data" / "units.csv", load_rubric(ROOT / "rubrics" / "suzhou-2017.yaml"))
    ports, _ = serve_sites(
        [demo_pages(u, n, DEMO_AS_OF) for u, n in roster[["unit_id", "name"]].itertuples(index=False)]
    )
    return demo_sites_frame(roster, ports)


def demo_records_files(period: str) -> dict[str, list[Path]]:
    """The demo's platform exports a round reads: every file up to its own quarter, by kind."""
    return files_up_to(ROOT / "sample_data" / "records", period)


def demo_screenshots(period: str, unit_id: str) -> list[InputFile]:
    """A drawn stand-in for each screenshot the unit's findings of the round cite (PNG, deterministic)."""
    results = pd.read_csv(ROOT / "sample_data" / "results" / f"{period}.csv", dtype=str, keep_default_na=False)
    cited = results.loc[results["unit_id"] == unit_id, "evidence"].str.findall(r"截图 (\S+\.png)").explode().dropna()
    files = []
    for name in sorted(set(cited)):
        image = Image.new("RGB", (640, 360), "#f4f6f8")
        draw = ImageDraw.Draw(image)
        draw.rectangle((0, 0, 639, 36), fill="#d0d7de")  # a browser's address bar
        page = re.sub(r"-0[0-9]\.png$", "", name)
        draw.text((12, 12), f"http://www.sz-demo.gov.cn/{unit_id}/{page}", fill="#24292f")
        draw.rectangle((40, 80, 600, 300), outline="#8c959f", width=2)
        for i, line in enumerate(
            ["DEMO  -  simulated screenshot, not a real page", name, f"unit {unit_id}  round {period}"]
        ):
            draw.text((64, 110 + 40 * i), line, fill="#c62828" if i == 0 else "#24292f")
        buf = io.BytesIO()
        image.save(buf, format="PNG")
        files.append(InputFile(name, buf.getvalue()))
    return files


DEMO_ACCOUNTS = [
    ("admin", "admin", None, "考核办"),
    ("evaluator", "evaluator", None, "第三方评估机构"),
    ("leader", "leader", None, "领导"),
    ("lingbi", "unit", "341323", "灵璧县人民政府"),
    ("xiaoxian", "unit", "341322", "萧县人民政府"),
    ("caizheng", "unit", "CZJ", "市财政局(国资委)"),
]


# what a person copies from the sign-in page by eye: no l/I/1, 0/O/o, nor - and _ that fonts blur
PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"
PASSWORD_LENGTH = 12  # 56 letters: about 70 bits, as many as the 12 characters token_urlsafe(9) gave


def demo_password() -> str:
    """A fresh random password of characters that cannot be mistaken for one another."""
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))


def demo_password_of(salt: bytes) -> str:
    """A demo account's password, following from its (random) salt, so that every app process on the
    store shows the same one. Whoever reads the store can work it out; in demo mode the sign-in page
    shows it to everyone anyway, and outside demo mode a demo account never signs in."""
    number = int.from_bytes(hashlib.sha256(b"assess demo password\0" + salt).digest(), "big")
    letters = []
    for _ in range(PASSWORD_LENGTH):  # 12 base-56 digits of a 256-bit number: as good as uniform
        number, at = divmod(number, len(PASSWORD_ALPHABET))
        letters.append(PASSWORD_ALPHABET[at])
    return "".join(letters)


def demo_accounts(store: Store) -> None:
    """One account per role, made once for the store (a start of another process keeps them)."""
    ensure_demo_accounts(store, [(name, role, unit) for name, role, unit, _ in DEMO_ACCOUNTS], demo_password_of, DEMO)


def demo_credentials(store: Store) -> pd.DataFrame:
    """The demo accounts with their passwords, as the sign-in page shows them (read from the store
    each time: another process may have made them)."""
    salts = demo_salts(store)
    rows = [(ROLE_NAMES[role], name, demo_password_of(salts[name]), label)
            for name, role, _, label in DEMO_ACCOUNTS if name in salts]  # fmt: skip
    return pd.DataFrame(rows, columns=CREDENTIAL_COLUMNS)
