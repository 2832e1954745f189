"""A transaction's bulk writes run by a thread of their own, in order, while the caller's thread
prepares the next (issue 34).

A province's import spent 1.7 s in SQLite's inserts and another second gathering the rows, turning
them into Python values and compressing the columnar copy, all on one core. SQLite's
driver releases the GIL while a statement steps (psycopg while it sends a COPY), so a second
thread that owns the connection for the insert phase puts the machine's other core to work.

The connection stays the caller's, and so does the transaction: the caller must not use the
connection between handing the writer its first call and :meth:`Writer.wait` (or the end of the
``with`` block). A failing call stops the writer (the calls after it are dropped); its exception
is raised in the caller's thread at the next :meth:`Writer.submit` or :meth:`Writer.wait`, as if
the call had run there, so the caller's transaction rolls back as it always did. A failure in the
caller's thread stops the writer and waits for the statement it is running before the exception
goes on to the rollback: nothing touches the connection from two threads at once.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from types import TracebackType

__all__ = ["Writer"]

_DONE = object()  # what ends the writer's thread: never a call anyone could submit

# calls queued ahead of the one running, each a part of a slice as Python objects (8,000 rows of a
# province's round, some 8 MB): two keep the writer fed while the caller converts the next part
_DEPTH = 2


class Writer:
    """Calls run one after another by a thread of their own; ``threaded=False`` runs each at once
    in the caller's thread (a few rows are not worth a thread)."""

    def __init__(self, *, threaded: bool = True) -> None:
        self._error: BaseException | None = None
        self._stop = False
        self._queue: queue.Queue[Callable[[], object] | object] | None = None
        self._thread: threading.Thread | None = None
        if threaded:
            self._queue = queue.Queue(maxsize=_DEPTH)
            self._thread = threading.Thread(target=self._run, name="store-writer", daemon=True)
            self._thread.start()

    def submit(self, call: Callable[[], object]) -> None:
        """Run ``call`` after those submitted before it; waits while the queue is full."""
        self._raise_failure()
        if self._queue is None:
            call()
        else:
            self._queue.put(call)

    def wait(self) -> None:
        """Every call submitted has run; the first failure among them is raised here."""
        self._finish()
        self._raise_failure()

    def __enter__(self) -> Writer:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if kind is None:
            self.wait()
        else:
            # the caller failed: drop what is queued, and let the statement running end before the
            # caller's rollback uses the connection
            self._stop = True
            self._finish()

    def _run(self) -> None:
        assert self._queue is not None
        while (call := self._queue.get()) is not _DONE:
            if self._stop or self._error is not None:
                continue  # keep taking calls so that a caller blocked in submit() wakes up
            try:
                call()  # type: ignore[operator]
            except BaseException as exc:  # raised again in the caller's thread
                self._error = exc

    def _finish(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            assert self._queue is not None
            self._queue.put(_DONE)
            self._thread.join()

    def _raise_failure(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            self._stop = True
            raise error
