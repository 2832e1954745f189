"""One Store serves every person of the app, each page run in its own thread (issue 21): their
transactions must not interleave on one connection, and none may read another's uncommitted rows.

Shown failing on the shared connection this replaced: "cannot start a transaction within a
transaction" from the second BEGIN, and the reader counting a row that was never committed.
"""

from __future__ import annotations

import threading
import time

from scoring.store import open_store


def _audits(store) -> int:
    return store.db.execute("SELECT COUNT(*) FROM audit").fetchone()[0]


def test_transactions_of_many_threads_take_turns(store_location):
    store = open_store(store_location)
    errors: list[BaseException] = []

    def person(i: int) -> None:
        try:
            for j in range(5):
                with store.transaction():
                    store.audit(f"p{i}", "test.write", str(j))
                    time.sleep(0.002)  # hold the transaction while the others try theirs
        except BaseException as exc:  # every failure of every thread is the finding
            errors.append(exc)

    threads = [threading.Thread(target=person, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert _audits(store) == 40


def test_a_thread_never_reads_another_threads_uncommitted_rows(store_location):
    store = open_store(store_location)
    inside, release = threading.Event(), threading.Event()

    def writer() -> None:
        with store.transaction():
            store.audit("w", "test.write", "half-done")
            inside.set()
            release.wait(10)

    t = threading.Thread(target=writer)
    t.start()
    assert inside.wait(10)
    assert _audits(store) == 0  # the write is not committed: this thread must not see it
    release.set()
    t.join()
    assert _audits(store) == 1
