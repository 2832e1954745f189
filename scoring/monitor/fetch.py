"""Probes: one HTTP GET each, polite to every host, never to a host nobody named (SPEC extension 4).

httpx's async client carries the connections; the redirect chain is followed here, one hop at a
time, so that a redirect to a host that is neither in the sites file nor linked from its pages is
refused instead of followed, and the whole answer (body included) is held to one deadline.

Memory is bounded by what the monitor needs, never by what a server sends: a link probe streams
its body through a hash and keeps none of it, compressed or not; a page keeps at most
``MAX_PAGE_BYTES`` and stops reading there (the page is then unreadable, the probe still answered).
A gzip or deflate page is inflated here, never more than the limit at a time, so that a small
compressed answer cannot unpack into gigabytes."""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import hashlib
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from scoring.version import __version__

__all__ = ["MAX_PAGE_BYTES", "USER_AGENT", "Fetcher", "Probe", "host_of"]

USER_AGENT = f"assess-monitor/{__version__} (government website inspection tool)"  # headers are ASCII
MAX_REDIRECTS = 5
MAX_PAGE_BYTES = 5 * 2**20  # a real government page is well under 1 MB; a longer one is not read past this
_REDIRECTS = {301, 302, 303, 307, 308}


@dataclass(frozen=True)
class Probe:
    """One GET and its outcome; ``failure`` says in Chinese why it failed, empty when it answered."""

    url: str
    at: str  # ISO UTC, when the request started
    status: int | None
    elapsed: float  # seconds
    failure: str
    body: bytes  # a page's body; empty for a link probe, a failure, or a page over MAX_PAGE_BYTES
    content_type: str
    final_url: str
    length: int = 0  # bytes of the body received (a page over the limit: where reading stopped)
    # of the bytes received: a page's as decoded (its archive's name), a link's as sent (gzip and all)
    sha256: str = hashlib.sha256(b"").hexdigest()
    unread: str = ""  # why a page that answered was not kept: over MAX_PAGE_BYTES, a damaged compression

    @property
    def ok(self) -> bool:
        return not self.failure

    @property
    def said(self) -> str:
        """The outcome as evidence cites it: HTTP 200, or the failure."""
        return f"HTTP {self.status}" if self.ok else self.failure


def host_of(url: str) -> str:
    """The host a politeness limit applies to: host and port."""
    parts = urlsplit(url)
    return f"{(parts.hostname or '').lower()}:{parts.port or (443 if parts.scheme == 'https' else 80)}"


class Fetcher:
    """Probes URLs, each once per run, at most ``concurrency`` at a time overall and ``per_host``
    at a time per host, a request start to the same host at least ``interval_s`` after the last."""

    def __init__(self, allowed: Iterable[str], timeout_s: float = 15, concurrency: int = 16, per_host: int = 2,
                 interval_s: float = 0.05, progress: Callable[[int], None] | None = None) -> None:  # fmt: skip
        self.allowed = {host_of(u) for u in allowed}
        self.timeout_s = timeout_s
        self.per_host, self.interval_s = per_host, interval_s
        self._overall = asyncio.Semaphore(concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._last_start: dict[str, float] = {}
        self._done: dict[str, asyncio.Task] = {}
        self.finished: dict[str, Probe] = {}  # every probe that ended, as it ended (a deadline keeps these)
        self._progress = progress
        self._reader = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="monitor-reader")
        # trust_env=False: a proxy named in the environment would be a host nobody listed
        self._client = httpx.AsyncClient(
            headers={"User-Agent": USER_AGENT, "Accept": "text/html,*/*;q=0.8", "Accept-Encoding": "gzip, deflate"},
            follow_redirects=False,
            trust_env=False, timeout=httpx.Timeout(timeout_s), verify=True,
            limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
        )  # fmt: skip

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.cancel_pending()
        await self._client.aclose()
        # a reading under way when the deadline came finishes within its own time budget, unwaited
        self._reader.shutdown(wait=False, cancel_futures=True)

    async def cancel_pending(self) -> None:
        """Stop every probe still under way (a run's deadline has come)."""
        pending = [t for t in self._done.values() if not t.done()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    def allow(self, urls: Iterable[str]) -> None:
        """Hosts linked from the pages may be probed too (and redirected to)."""
        self.allowed.update(host_of(u) for u in urls)

    async def probe_all(self, urls: Iterable[str], keep_body: bool = True, max_bytes: int = MAX_PAGE_BYTES,
                        digest: Callable[[Probe], Probe] | None = None) -> dict[str, Probe]:  # fmt: skip
        """Probe each URL once; ``keep_body`` for pages that will be read, not for link targets, at
        most ``max_bytes`` of it. ``digest`` reads a probe as it ends (in a worker thread, one at a
        time, so that reading never holds up the other requests' clocks) and gives the probe kept
        (its body dropped): an article's or an attachment's bytes are never all held at once."""
        wanted = list(dict.fromkeys(urls))
        for url in wanted:
            if url not in self._done:
                self._done[url] = asyncio.ensure_future(self._probe(url, keep_body, max_bytes, digest))
        return {url: await self._done[url] for url in wanted}

    async def _polite(self, host: str) -> None:
        wait = self._last_start.get(host, -1e9) + self.interval_s - time.monotonic()
        self._last_start[host] = time.monotonic() + max(0.0, wait)
        if wait > 0:
            await asyncio.sleep(wait)

    async def _probe(self, url: str, keep_body: bool, max_bytes: int = MAX_PAGE_BYTES,
                     digest: Callable[[Probe], Probe] | None = None) -> Probe:  # fmt: skip
        host = host_of(url)
        limit = self._hosts.setdefault(host, asyncio.Semaphore(self.per_host))
        # the host's turn first, then an overall slot: a queue for one host must not hold the slots
        # every other host is waiting for
        async with limit:
            await self._polite(host)
            async with self._overall:
                probe = await self._timed(url, keep_body, max_bytes)
                # read while the slot is held: when reading is slower than fetching, fetching waits,
                # and no more than ``concurrency`` bodies are ever held (not a queue of them)
                if digest is not None:
                    probe = await asyncio.get_running_loop().run_in_executor(self._reader, digest, probe)
        self.finished[url] = probe
        return probe

    async def _timed(self, url: str, keep_body: bool, max_bytes: int = MAX_PAGE_BYTES) -> Probe:
        at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        start = time.monotonic()
        try:
            async with asyncio.timeout(self.timeout_s):
                status, got, ctype, final = await self._follow(url, keep_body, max_bytes)
            failure = f"HTTP {status}" if status >= 400 else ""
        except TimeoutError:
            status, got, ctype, final = None, _Body(False, ""), "", url
            failure = f"{self.timeout_s:g} 秒内未完整响应"
        except _Refused as exc:
            status, got, ctype, final = None, _Body(False, ""), "", url
            failure = str(exc)
        except httpx.HTTPError as exc:
            status, got, ctype, final = None, _Body(False, ""), "", url
            failure = _failure_text(exc)
        kept = bytes(got.kept) if not failure and not got.unread else b""
        probe = Probe(url, at, status, round(time.monotonic() - start, 3), failure, kept, ctype, final,
                      got.length, got.hash.hexdigest(), got.unread if not failure else "")  # fmt: skip
        if self._progress is not None:
            self._progress(1)
        return probe

    async def _follow(self, url: str, keep_body: bool, max_bytes: int) -> tuple[int, _Body, str, str]:
        for _ in range(MAX_REDIRECTS + 1):
            async with self._client.stream("GET", url) as answer:
                location = answer.headers.get("location")
                if answer.status_code in _REDIRECTS and location:
                    nxt = urljoin(url, location)
                    if urlsplit(nxt).scheme not in ("http", "https"):
                        raise _Refused(f"重定向到非网页地址 {nxt}")
                    if host_of(nxt) not in self.allowed:
                        raise _Refused(f"重定向到站点清单和页面链接以外的主机 {urlsplit(nxt).hostname}(未访问)")
                    url = nxt
                    continue
                # a link's body is only counted, as sent; a page's is inflated, kept, and not read
                # past the limit
                got = _Body(keep_body, answer.headers.get("content-encoding", ""), max_bytes)
                async for chunk in answer.aiter_raw():
                    if not got.add(chunk):
                        break
                else:
                    got.end()
                return answer.status_code, got, answer.headers.get("content-type", ""), url
        raise _Refused(f"重定向超过 {MAX_REDIRECTS} 次")


class _Refused(Exception):
    pass


class _Body:
    """What is kept of a body as it streams in: its length and hash, and a page's bytes."""

    def __init__(self, keep: bool, coding: str, limit: int = MAX_PAGE_BYTES) -> None:
        self.keep = keep
        self.limit = limit
        self.kept = bytearray()
        self.length = 0
        self.hash = hashlib.sha256()
        self.unread = ""
        coding = coding.strip().lower()
        self.inflate = None
        if keep and coding in ("gzip", "x-gzip", "deflate"):
            # 47: a gzip or a zlib header, whichever it is; raw deflate (no header) is a second try
            self.inflate = zlib.decompressobj(47)
            self.raw_deflate = coding == "deflate"
        elif keep and coding not in ("", "identity"):
            self.unread = f"内容编码 {coding[:20]} 无法解读(只接受 gzip、deflate)"

    def add(self, chunk: bytes) -> bool:
        """Take a chunk as sent; False once a page is over the limit or cannot be read (reading stops)."""
        self.length += len(chunk)
        if not self.keep:
            self.hash.update(chunk)
            return True
        if self.unread:
            return False
        if self.inflate is not None:
            try:
                chunk = self._inflated(chunk)
            except zlib.error:
                self.unread = "压缩内容已损坏,无法解压"
                self.kept = bytearray()
                return False
        if len(self.kept) + len(chunk) > self.limit:
            self.unread = f"{'网页' if self.limit == MAX_PAGE_BYTES else '文件'}超过 {self.limit // 2**20} MB,未读取"
            self.kept = bytearray()
            return False
        self.hash.update(chunk)
        self.kept += chunk
        return True

    def end(self) -> None:
        """The whole body came: a compressed page must have come to its end too."""
        if self.inflate is not None and not self.unread and not self.inflate.eof:
            self.unread = "压缩内容已损坏,无法解压"
            self.kept = bytearray()

    def _inflated(self, chunk: bytes) -> bytes:
        # never more than one byte past the limit out of any chunk, however well it compresses
        room = self.limit - len(self.kept) + 1
        try:
            out = self.inflate.decompress(chunk, room)
        except zlib.error:
            if not self.raw_deflate:
                raise
            self.inflate = zlib.decompressobj(-15)
            out = self.inflate.decompress(chunk, room)
        self.raw_deflate = False  # the first chunk shows which deflate it is
        return out + (b"\0" if self.inflate.unconsumed_tail else b"")


def _failure_text(exc: httpx.HTTPError) -> str:
    if isinstance(exc, httpx.ConnectError):
        return "无法连接"
    if isinstance(exc, httpx.TimeoutException):
        return "响应超时"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "连接中断,未完整响应"
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return "网址无效"
    return f"访问失败({type(exc).__name__})"
