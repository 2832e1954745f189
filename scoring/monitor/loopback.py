"""Fake websites served on loopback, one port per site (so that each is its own host to the
monitor's politeness limits): the demo's 示例 sites, and the benchmark's 500. A real HTTP/1.1 server
on asyncio, in a daemon thread; never bound beyond 127.0.0.1."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Mapping

__all__ = ["Pages", "serve_sites"]

# a site: path → (status, content type, body)
Pages = Mapping[str, tuple[int, str, bytes]]
_REASONS = {200: "OK", 301: "Moved Permanently", 302: "Found", 404: "Not Found", 500: "Internal Server Error"}
_NOT_FOUND = (404, "text/html; charset=utf-8", "<html><body>示例网站:页面不存在</body></html>".encode())


def _handler(pages: Pages):
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                path = head.split(b" ", 2)[1].decode("latin-1").split("#")[0]
                status, ctype, body = pages.get(path, _NOT_FOUND)
                extra = ""
                if status in (301, 302):
                    extra, body = f"Location: {body.decode()}\r\n", b""
                writer.write(f"HTTP/1.1 {status} {_REASONS.get(status, 'OK')}\r\nContent-Type: {ctype}\r\n{extra}"
                             f"Content-Length: {len(body)}\r\n\r\n".encode("latin-1") + body)  # fmt: skip
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, IndexError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()

    return handle


def serve_sites(sites: list[Pages]) -> tuple[list[int], threading.Event]:
    """Serve each site on its own 127.0.0.1 port in a daemon thread; the ports, and an event that
    stops them when set."""
    ready, stop = threading.Event(), threading.Event()
    ports: list[int] = []

    async def main() -> None:
        servers = [await asyncio.start_server(_handler(p), "127.0.0.1", 0, backlog=512) for p in sites]
        ports.extend(s.sockets[0].getsockname()[1] for s in servers)
        ready.set()
        while not stop.is_set():
            await asyncio.sleep(0.2)
        for s in servers:
            s.close()

    threading.Thread(target=asyncio.run, args=(main(),), daemon=True, name="loopback-sites").start()
    ready.wait(30)
    return ports, stop
