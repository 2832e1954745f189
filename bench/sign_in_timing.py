"""Sign-in timing (issue 27, finding 6): an unknown account must cost what a known one costs.

    python bench/sign_in_timing.py [--runs 15]

Times ``authenticate`` on a real store for a wrong password, an unknown account and a disabled
account, and prints each median. Before the fix an unknown account answered in 3.6 ms against
56 ms for a wrong password; now all three run one scrypt hash. Exit 1 when an unknown or disabled
account's median is under half the wrong password's (a generous bound: a shared machine is noisy,
and the difference it guards against is fifteen-fold). The test suite proves the same by counting
the hashes (tests/store/test_access.py), never by timing.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scoring.store import open_store
from scoring.store.accounts import OPERATOR, SignInError, User, add_user, authenticate, disable_user


def median_ms(store, name: str, runs: int) -> float:
    times = []
    for i in range(runs):
        # each attempt a lockout window after the last, so that five failures never lock the name
        at = datetime(2030, 1, 1, tzinfo=UTC) + timedelta(minutes=16 * i)
        start = time.perf_counter()
        with contextlib.suppress(SignInError):
            authenticate(store, name, "wrong-password", at=at)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "assess.db")
        op = User("bench", OPERATOR)
        add_user(store, "mayor", "leader", "correct-horse-1", op)
        add_user(store, "gone", "leader", "correct-horse-1", op)
        disable_user(store, "gone", op)
        medians = {
            "wrong password": median_ms(store, "mayor", runs),
            "unknown account": median_ms(store, "nobody", runs),
            "disabled account": median_ms(store, "gone", runs),
        }
        store.close()
    for what, ms in medians.items():
        print(f"{what:18} {ms:7.1f} ms")
    base = medians["wrong password"]
    slow_enough = all(ms >= base / 2 for ms in medians.values())
    print("equal work" if slow_enough else "UNEQUAL: an account's existence shows in the time")
    return 0 if slow_enough else 1


if __name__ == "__main__":
    sys.exit(main())
