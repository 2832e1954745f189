"""The app at province scale (issue 21): a store of 2,000 units × 4 rounds, driven in a real browser.

    python bench/app_scale.py [--units 2000] [--work DIR] [--sessions 10] [--keep]
                              [--db-backend sqlite|postgresql|both]

1. builds the store with the real command line, each step a fresh process whose time and peak
   memory (its own ru_maxrss) are recorded: open four periods, import one CSV per round
   (≈ 540 k findings each), move three rounds to the appeal window and publish them, leave the
   fourth a draft, and add an office, a leader and a unit account; each import and publication
   runs three times (twice on copies of the store as it stands) and the median counts;
2. starts ``streamlit run app.py`` on that store and drives it with Debian chromium through
   playwright, signed in as a leader, then the office, then a unit: each page's first visit after
   the app started and a repeated visit (the median of three), timed from the click in the menu to the page being idle
   (Streamlit's running indicator gone and the page's title drawn);
3. then ``--sessions`` people at once (leaders, offices and units in turn), each visiting every
   page of their menu; the app process's peak resident memory after one session and after them all.

With ``--db-backend postgresql`` (or ``both``: SQLite, then PostgreSQL, in one run) the store is a
database on a PostgreSQL cluster started for the run as the tests start theirs (tests/pg_server.py),
but durable — fsync, synchronous commit and full-page writes on, as a server would run; its trial
copies are ``CREATE DATABASE … TEMPLATE``. On a shared machine wall time says little on its own, so
each step also reports its CPU time: the ``assess`` process's (user + system), and on PostgreSQL the
server's (every backend's, summed by the postmaster as it reaps them).

The inputs are deterministic (bench/synth.py, seed 7). Results go to stdout as a Markdown table,
which bench/RESULTS.md quotes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synth

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]  # fmt: skip
PASSWORD = "bench-password-2017"
# (account, role, unit, pages in the order visited); page titles as the menu shows them
PEOPLE = [
    ("leader", "leader", None, ["排名总览", "年度汇总", "整改跟踪", "共性问题", "单位详情"]),
    ("office", "admin", None, ["测评轮次", "排名总览", "申诉复核", "单位详情"]),
    ("unit", "unit", "U0001", ["单位详情", "排名总览", "年度汇总", "申诉复核"]),
]
TARGETS = {"first": 5.0, "again": 1.0, "mem_one": 1536, "mem_ten": 2560, "import_s": 5.0, "import_mb": 614,
           "publish_s": 3.0}  # fmt: skip


def run(args: list[str], stdin: str | None = None) -> None:
    """A command-line step that is not measured."""
    proc = subprocess.run([sys.executable, "-m", "scoring.cli", *args], cwd=ROOT, input=stdin, capture_output=True,
                          text=True, check=False)  # fmt: skip
    if proc.returncode:
        raise SystemExit(f"assess {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")


class SqliteStore:
    """The store as one SQLite file; a trial runs on a copy of the file as it stands."""

    name = "SQLite"

    def __init__(self, work: Path) -> None:
        self.work, self.path = work, work / "scale.db"
        self.location = str(self.path)

    def fresh(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def trial(self) -> str:
        trial = self.work / "trial.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{trial}{suffix}").unlink(missing_ok=True)
        shutil.copy(self.path, trial)  # the store is closed between steps: no -wal beside it
        return str(trial)

    def server_cpu(self) -> float:
        return 0.0


class PostgresStore:
    """The store as a database on a durable cluster of its own; a trial runs on a copy made with
    CREATE DATABASE … TEMPLATE (the steps' connections are closed between steps)."""

    name = "PostgreSQL"

    def __init__(self) -> None:
        sys.path.insert(0, str(ROOT / "tests"))
        from pg_server import start_cluster

        cluster = start_cluster(durable=True)
        if cluster is None:
            raise SystemExit(
                "--db-backend postgresql needs postgresql-15 (/usr/lib/postgresql/15/bin) or ASSESS_TEST_PG"
            )
        self.cluster = cluster
        self.location = cluster.url("scale")

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.cluster.url("postgres"), autocommit=True) as conn:
            conn.execute(sql)

    def fresh(self) -> None:
        self._admin('DROP DATABASE IF EXISTS "scale" WITH (FORCE)')
        self._admin('CREATE DATABASE "scale" TEMPLATE template0 ENCODING UTF8')

    def trial(self) -> str:
        self._admin('DROP DATABASE IF EXISTS "trial" WITH (FORCE)')
        self._admin('CREATE DATABASE "trial" TEMPLATE "scale"')
        return self.cluster.url("trial")

    def server_cpu(self) -> float:
        """CPU seconds of the server so far: the postmaster's own and its reaped backends'."""
        if self.cluster.data is None:
            return 0.0
        pid = (self.cluster.data / "postmaster.pid").read_text().split()[0]
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")  # utime stime cutime cstime

    def stop(self) -> None:
        self.cluster.stop()


def build_store(work: Path, n_units: int, store) -> dict[str, list[tuple[float, ...]]]:
    store.fresh()
    rubric = synth.write_rubric(work / "bench.json")
    units, rows = synth.findings(n_units * 300 * len(synth.PERIODS))
    units.to_csv(work / "units.csv", index=False)
    times: dict[str, list[tuple[float, ...]]] = {"import": [], "publish": []}
    base = ["--db", store.location]
    for period in synth.PERIODS:
        run(["rounds", *base, "--open", "--period", period])
    for period in synth.PERIODS:
        path = work / f"results-{period}.csv"
        synth.as_offices_send(rows[rows["period"] == period]).to_csv(path, index=False)
        times["import"].append(on_copies(["import", *base, "--rubric", str(rubric), "--units", str(work / "units.csv"),
                                          "--results", str(path)], store, work))  # fmt: skip
        print(f"{store.name} imported {period}: {times['import'][-1][0]:.1f} s, {times['import'][-1][1]:.0f} MB",
              flush=True)  # fmt: skip
    for period in synth.PERIODS[:3]:
        run(["rounds", *base, "--period", period, "--status", "feedback"])
        run(["rounds", *base, "--period", period, "--status", "appeal"])
        times["publish"].append(on_copies(["publish", *base, "--period", period], store, work))
        print(f"{store.name} published {period}: {times['publish'][-1][0]:.1f} s", flush=True)
    run(["user", *base, "add", "office", "--role", "admin", "--password-stdin"], PASSWORD + "\n")
    for name, role, unit, _ in PEOPLE[::2]:
        extra = ["--unit", unit] if unit else []
        run(["user", *base, "--by", "office", "add", name, "--role", role, *extra, "--password-stdin"], PASSWORD + "\n")
    return times


# the command line run so that the process reports its own peak: the rusage of a child counts the
# parent's memory it was forked from (this script holds the synthetic round), exec resets VmHWM
_OWN_PEAK = """
import runpy, sys
out = sys.argv.pop(1)
try:
    runpy.run_module("scoring.cli", run_name="__main__", alter_sys=True)
finally:
    peak = next(line for line in open("/proc/self/status") if line.startswith("VmHWM"))
    open(out, "w").write(peak.split()[1])
"""


def measured(args: list[str], work: Path, store) -> tuple[float, float, float, float]:
    """(seconds, the process's own peak MB, its CPU seconds, the server's CPU seconds) of an assess
    command run as a fresh process."""
    peak = work / "peak.txt"
    before, server = resource.getrusage(resource.RUSAGE_CHILDREN), store.server_cpu()
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _OWN_PEAK, str(peak), *args], cwd=ROOT, capture_output=True,
                          text=True, check=False)  # fmt: skip
    seconds = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode:
        raise SystemExit(f"assess {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if server:  # a backend's time reaches the postmaster when it has exited and been reaped, just after ours
        time.sleep(0.5)
    return seconds, int(peak.read_text()) / 1024, cpu, store.server_cpu() - server


# a shared 2-core machine's figures for one run of a few seconds vary by a quarter: each step runs
# this many times, on copies of the store as it stands and last on the store itself, and the median counts
TRIALS = 3


def on_copies(args: list[str], store, work: Path) -> tuple[float, ...]:
    """(median seconds, largest peak MB, fastest, slowest, median CPU s, median server CPU s) of an
    assess step run ``TRIALS`` times."""
    runs = []
    for _ in range(TRIALS - 1):
        trial = store.trial()
        runs.append(measured([trial if a == store.location else a for a in args], work, store))
    runs.append(measured(args, work, store))
    seconds = sorted(r[0] for r in runs)

    def median(i: int) -> float:
        return sorted(r[i] for r in runs)[len(runs) // 2]

    return median(0), max(r[1] for r in runs), seconds[0], seconds[-1], median(2), median(3)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(db: str) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "ASSESS_DEMO"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.headless", "true",
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, env={**env, "ASSESS_DB": db}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("streamlit did not start")


def resident_mb(pid: int) -> tuple[float, float]:
    """(current, peak) resident MB of the app process."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


class Runs:
    """Streamlit's own word that a script run ended: the ``script_finished`` message on the page's
    websocket (a run cut short by a rerun does not count). Waiting for it times the server's work
    and the message's trip, with no guess about what the page draws."""

    def __init__(self, page, who: str = "") -> None:
        self.done = asyncio.Event()
        self.page, self.who = page, who
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload) -> None:
        if not isinstance(payload, bytes | bytearray):
            return
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        msg = ForwardMsg()
        msg.ParseFromString(bytes(payload))
        if msg.WhichOneof("type") == "script_finished" and msg.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
            self.done.set()

    async def after(self, action, what: str) -> float:
        self.done.clear()
        t0 = time.perf_counter()
        await action()
        try:
            await asyncio.wait_for(self.done.wait(), timeout=120)
        except TimeoutError:
            shot = Path(tempfile.gettempdir()) / f"app-scale-stuck-{self.who}-{time.time():.0f}.png"
            await self.page.screenshot(path=str(shot), full_page=True)
            raise RuntimeError(f"{self.who}: no end of the script run after 120 s: {what} (see {shot})") from None
        return time.perf_counter() - t0


async def sign_in(page, runs: Runs, url: str, name: str) -> float:
    """Seconds from pressing 登录 to the first page of the menu drawn (its first visit)."""
    await page.goto(url)
    await page.get_by_label("账号").wait_for(timeout=300_000)
    await page.get_by_label("账号").fill(name)
    await page.get_by_label("密码").fill(PASSWORD)

    async def press() -> None:
        await page.get_by_role("button", name="登录").click()
        await page.get_by_role("button", name="退出登录").wait_for(timeout=300_000)

    return await runs.after(press, f"{name} 登录")


async def visit(page, runs: Runs, title: str) -> float:
    """Seconds from the click in the menu until the page's script has run to its end."""
    link = page.locator('[data-testid="stSidebarNav"] a').filter(has_text=title).first
    seconds = await runs.after(link.click, title)
    await page.locator("h1").filter(has_text=title).first.wait_for(timeout=60_000)
    return seconds


async def one_person(browser, url: str, person: tuple, repeat: bool) -> list[tuple[str, str, float, float | None]]:
    """Sign in (the first menu page's first visit), visit the other pages, then each page again."""
    name, _, _, pages = person
    ctx = await browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = await ctx.new_page()
    runs = Runs(page, f"{name}-{id(page) % 1000}")
    firsts = {pages[0]: await sign_in(page, runs, url, name)}
    for title in pages[1:]:
        firsts[title] = await visit(page, runs, title)
    if not repeat:
        print(f"    {name}: " + ", ".join(f"{t} {s:.1f}" for t, s in firsts.items()), flush=True)
    out = []
    for title in pages:
        again = None
        if repeat:
            times = []
            for _ in range(TRIALS):
                await visit(page, runs, pages[0] if title != pages[0] else pages[1])
                times.append(await visit(page, runs, title))
            again = sorted(times)[len(times) // 2]
        out.append((name, title, firsts[title], again))
    await ctx.close()
    return out


async def drive(url: str, pid: int, sessions: int) -> dict:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        rows = []
        for person in PEOPLE:
            rows += await one_person(browser, url, person, repeat=True)
            print(f"  {person[0]}: " + ", ".join(f"{t} {a:.1f}/{b or 0:.1f}" for _, t, a, b in rows if _ == person[0]),
                  flush=True)  # fmt: skip
        one = resident_mb(pid)
        t0 = time.perf_counter()
        crowd = await asyncio.gather(*[one_person(browser, url, PEOPLE[i % len(PEOPLE)], repeat=False)
                                       for i in range(sessions)])  # fmt: skip
        crowd_s = time.perf_counter() - t0
        many = resident_mb(pid)
        await browser.close()
    slowest = max(t for person in crowd for _, _, t, _ in person)
    return {"rows": rows, "mem_one": one, "mem_many": many, "crowd_s": crowd_s, "crowd_slowest": slowest}


def report(n_units: int, results: list[tuple[str, dict, dict]], sessions: int) -> str:
    lines = [f"### The app at province scale: {n_units:,} units × {len(synth.PERIODS)} rounds (bench/app_scale.py)", ""]
    lines += [
        f"| store | step (one process each, {TRIALS} runs) | median s | fastest–slowest s | CPU s, assess | "
        "CPU s, server | peak MB |",
        "|---|---|---|---|---|---|---|",
    ]
    for backend, build, _ in results:
        for what in ("import", "publish"):
            for p, step in zip(synth.PERIODS, build[what], strict=False):
                s, m, lo, hi, cpu, server = (*step, 0.0, 0.0)[:6]
                server_cell = f"{server:.1f}" if backend == "PostgreSQL" else "—"
                lines.append(
                    f"| {backend} | {what} {p} | {s:.1f} | {lo:.1f}–{hi:.1f} | {cpu:.1f} | {server_cell} | {m:.0f} |"
                )
    lines += ["", f"| store | who | page | first visit s | again s (median of {TRIALS}) |", "|---|---|---|---|---|"]
    lines += [f"| {backend} | {who} | {page} | {a:.2f} | {'' if b is None else f'{b:.2f}'} |"
              for backend, _, app in results for who, page, a, b in app["rows"]]  # fmt: skip
    for backend, build, app in results:
        imp, pub, pages = build["import"], build["publish"], app["rows"]
        verdict = [
            ("slowest first visit", max(a for _, _, a, _ in pages), TARGETS["first"], "s"),
            ("slowest repeated visit", max(b for _, _, _, b in pages if b is not None), TARGETS["again"], "s"),
            ("app peak memory, one session", app["mem_one"][1], TARGETS["mem_one"], "MB"),
            (f"app peak memory, then {sessions} sessions at once", app["mem_many"][1], TARGETS["mem_ten"], "MB"),
            ("slowest import (median)", max(s[0] for s in imp), TARGETS["import_s"], "s"),
            ("largest import peak", max(s[1] for s in imp), TARGETS["import_mb"], "MB"),
            ("slowest publish (median)", max(s[0] for s in pub), TARGETS["publish_s"], "s"),
        ]
        lines += ["", f"{backend}:"] + [f"- {what}: {v:.2f} {unit} (target ≤ {t:g} {unit}) {'met' if v <= t else 'NOT MET'}"
                                        for what, v, t, unit in verdict]  # fmt: skip
        lines.append(f"- {sessions} sessions at once, each signing in and visiting every page of its menu: all done "
                     f"in {app['crowd_s']:.1f} s; the slowest single page {app['crowd_slowest']:.1f} s")  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--units", type=int, default=2000)
    p.add_argument("--sessions", type=int, default=10)
    p.add_argument("--work", type=Path)
    p.add_argument("--reuse", action="store_true", help="use the SQLite store already in --work (skip building)")
    p.add_argument("--keep", action="store_true")
    p.add_argument("--build-only", action="store_true", help="build the store and report its figures; no app")
    p.add_argument("--db-backend", choices=["sqlite", "postgresql", "both"], default="sqlite",
                   help="the store's backend; both: SQLite, then PostgreSQL, in one run")  # fmt: skip
    args = p.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="app-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    backends = ["sqlite", "postgresql"] if args.db_backend == "both" else [args.db_backend]
    results = []
    for backend in backends:
        store = SqliteStore(work) if backend == "sqlite" else PostgresStore()
        try:
            if args.reuse and backend == "sqlite":
                build = json.loads((work / "build-sqlite.json").read_text())
            else:
                build = build_store(work, args.units, store)
                (work / f"build-{backend}.json").write_text(json.dumps(build))
            if args.build_only:
                print(json.dumps({backend: build}))
                continue
            proc, url = start_app(store.location)
            try:
                app = asyncio.run(drive(url, proc.pid, args.sessions))
            finally:
                proc.terminate()
                proc.wait(timeout=30)
            results.append((store.name, build, app))
        finally:
            if backend == "postgresql":
                store.stop()
    if results:
        print(report(args.units, results, args.sessions))
    if not args.keep and not args.work:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
