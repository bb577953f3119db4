"""How long does BackgroundRefresh.stop() take, at the worst moments?

The promise is that ``handle.stop()`` returns within a second and that
nothing is written after it returns. The tests assert it with a wide margin;
this measures it, on a real SQLite file (WAL), ``--repeat`` times each:

- ``during_request``: the thread waits on a server that never answers (its
  timeout is 30 s): stop() must close the backend and return at once;
- ``during_sync``: the thread syncs a large page (``--links`` links) over and
  over; stop() lands at a random moment, often inside a write transaction,
  and must not wait for more than a commit;
- ``idle``: the thread waits for its next turn.

After each stop the script checks that the database does not change any more
(no commit after stop() returned). Prints one JSON object: median and
maximum in milliseconds per case, and whether every stop was under 1 s.

    python benchmarks/bench_refresh.py [--repeat 20] [--links 6000]
"""

from __future__ import annotations

import argparse
import http.server
import json
import random
import socketserver
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable

import peewee

import homesections
from homesections import Backend, HomePage, HomeSections, Item, Section
from homesections.http import HttpBackend


class _Hanging(http.server.BaseHTTPRequestHandler):
    """Accepts a request and answers only when the server's `release` event is set."""

    def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
        self.server.arrived.set()  # type: ignore[attr-defined]
        self.server.release.wait(60)  # type: ignore[attr-defined]
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


class HangingBackend(HttpBackend):
    name = "hanging"

    def parse(self, payload: Any) -> HomePage:
        return HomePage()

    def fetch_home(self) -> HomePage:
        self.get("/home")
        return HomePage()


class PageBackend(Backend):
    """Fetches instantly: each call returns the next of two large pages."""

    name = "pages"

    def __init__(self, pages: list[HomePage]) -> None:
        self.pages = pages
        self.calls = 0

    def parse(self, payload: Any) -> HomePage:
        return payload

    def fetch_home(self) -> HomePage:
        self.calls += 1
        return self.pages[self.calls % 2]


def big_page(links: int, tag: str) -> HomePage:
    per = 100
    return HomePage(tuple(
        Section(f"hub.{s}", f"Hub {s}", items=tuple(
            Item(str(s * per + n), "movie", title=f"{tag} {s}/{n}") for n in range(per)))
        for s in range(max(1, links // per))
    ))


def snapshot(db: peewee.Database) -> tuple:
    return tuple(db.execute_sql(f"SELECT count(*), max(updated_at) FROM {t}").fetchone()
                 for t in ("home_sections",)) + (
        db.execute_sql("SELECT count(*), group_concat(title) FROM media_items").fetchone(),)


def measure(repeat: int, start: Callable[[], Any], ready: Callable[[Any], None],
            db: peewee.Database) -> tuple[list[float], int]:
    """Stop times in seconds, and how many stops were followed by a write."""
    times, writes = [], 0
    for _ in range(repeat):
        handle = start()
        ready(handle)
        began = time.perf_counter()
        handle.stop(timeout=5.0)
        times.append(time.perf_counter() - began)
        before = snapshot(db)
        time.sleep(0.2)  # a commit that slipped past stop() would show by now
        writes += snapshot(db) != before
    return times, writes


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--links", type=int, default=6000)
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="bench-refresh-"))
    db = peewee.SqliteDatabase(str(workdir / "home.db"), pragmas=homesections.SQLITE_PRAGMAS)
    hs = HomeSections(db)
    hs.migrate()

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Hanging)
    server.daemon_threads = True
    server.arrived, server.release = threading.Event(), threading.Event()  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"

    def hanging() -> Any:
        server.arrived.clear()  # type: ignore[attr-defined]
        hs.mark_stale("srv")
        return hs.start_background_refresh("srv", HangingBackend(base_url=url, timeout=30), 3600)

    during_request, writes_1 = measure(args.repeat, hanging,
                                       lambda handle: server.arrived.wait(10), db)  # type: ignore[attr-defined]

    pages = [big_page(args.links, "a"), big_page(args.links, "b")]
    hs.sync("srv", pages[0])

    def syncing() -> Any:
        return hs.start_background_refresh("srv", PageBackend(pages), 0.001)

    def some_moment(handle: Any) -> None:
        time.sleep(random.uniform(0.05, 0.4))

    during_sync, writes_2 = measure(args.repeat, syncing, some_moment, db)
    idle, writes_3 = measure(args.repeat, lambda: hs.start_background_refresh(
        "srv", PageBackend(pages), 3600), lambda handle: time.sleep(0.05), db)
    writes_after_stop = writes_1 + writes_2 + writes_3
    server.release.set()  # type: ignore[attr-defined]
    server.shutdown()

    def figures(times: list[float]) -> dict[str, float]:
        return {"median_ms": round(statistics.median(times) * 1000, 2),
                "max_ms": round(max(times) * 1000, 2)}

    report = {
        "repeat": args.repeat,
        "links": args.links,
        "during_request": figures(during_request),
        "during_sync": figures(during_sync),
        "idle": figures(idle),
        "writes_after_stop": writes_after_stop,
        "targets": {
            "every stop under 1 s": max(during_request + during_sync + idle) < 1.0,
            "nothing written after stop": writes_after_stop == 0,
        },
    }
    print(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    sys.exit(0 if all(main()["targets"].values()) else 1)
