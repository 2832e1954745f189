"""Probes: one HTTP GET each, polite to every host, never to a host nobody named (SPEC extension 4).

httpx's async client carries the connections; the redirect chain is followed here, one hop at a
time, so that a redirect to a host that is neither in the sites file nor linked from its pages is
refused instead of followed, and the whole answer (body included) is held to one deadline."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from scoring.version import __version__

__all__ = ["MAX_PAGE_BYTES", "USER_AGENT", "Fetcher", "Probe", "host_of"]

USER_AGENT = f"assess-monitor/{__version__} (government website inspection tool)"  # headers are ASCII
MAX_REDIRECTS = 5
MAX_PAGE_BYTES = 20 * 2**20  # as large as an evidence file may be; the rest of a longer page is not read
_REDIRECTS = {301, 302, 303, 307, 308}


@dataclass(frozen=True)
class Probe:
    """One GET and its outcome; ``failure`` says in Chinese why it failed, empty when it answered."""

    url: str
    at: str  # ISO UTC, when the request started
    status: int | None
    elapsed: float  # seconds
    failure: str
    body: bytes
    content_type: str
    final_url: str

    @property
    def ok(self) -> bool:
        return not self.failure

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()

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
        self._progress = progress
        # trust_env=False: a proxy named in the environment would be a host nobody listed
        self._client = httpx.AsyncClient(
            headers={"User-Agent": USER_AGENT, "Accept": "text/html,*/*;q=0.8"}, follow_redirects=False,
            trust_env=False, timeout=httpx.Timeout(timeout_s), verify=True,
            limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
        )  # fmt: skip

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._client.aclose()

    def allow(self, urls: Iterable[str]) -> None:
        """Hosts linked from the pages may be probed too (and redirected to)."""
        self.allowed.update(host_of(u) for u in urls)

    async def probe_all(self, urls: Iterable[str]) -> dict[str, Probe]:
        wanted = list(dict.fromkeys(urls))
        for url in wanted:
            if url not in self._done:
                self._done[url] = asyncio.ensure_future(self._probe(url))
        return {url: await self._done[url] for url in wanted}

    async def _polite(self, host: str) -> None:
        wait = self._last_start.get(host, -1e9) + self.interval_s - time.monotonic()
        self._last_start[host] = time.monotonic() + max(0.0, wait)
        if wait > 0:
            await asyncio.sleep(wait)

    async def _probe(self, url: str) -> Probe:
        host = host_of(url)
        limit = self._hosts.setdefault(host, asyncio.Semaphore(self.per_host))
        # the host's turn first, then an overall slot: a queue for one host must not hold the slots
        # every other host is waiting for
        async with limit:
            await self._polite(host)
            async with self._overall:
                return await self._timed(url)

    async def _timed(self, url: str) -> Probe:
        at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        start = time.monotonic()
        try:
            async with asyncio.timeout(self.timeout_s):
                status, body, ctype, final = await self._follow(url)
            failure = f"HTTP {status}" if status >= 400 else ""
        except TimeoutError:
            status, body, ctype, final = None, b"", "", url
            failure = f"{self.timeout_s:g} 秒内未完整响应"
        except _Refused as exc:
            status, body, ctype, final = None, b"", "", url
            failure = str(exc)
        except httpx.HTTPError as exc:
            status, body, ctype, final = None, b"", "", url
            failure = _failure_text(exc)
        probe = Probe(url, at, status, round(time.monotonic() - start, 3), failure,
                      body if not failure else b"", ctype, final)  # fmt: skip
        if self._progress is not None:
            self._progress(1)
        return probe

    async def _follow(self, url: str) -> tuple[int, bytes, str, str]:
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
                body = bytearray()
                async for chunk in answer.aiter_bytes():
                    body += chunk
                    if len(body) >= MAX_PAGE_BYTES:
                        break
                return answer.status_code, bytes(body[:MAX_PAGE_BYTES]), answer.headers.get("content-type", ""), url
        raise _Refused(f"重定向超过 {MAX_REDIRECTS} 次")


class _Refused(Exception):
    pass


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
