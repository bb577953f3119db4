"""How much does a live Plex fetch cost on top of the bare HTTP request?

Serves synthetic Plex answers from a local threaded HTTP server on 127.0.0.1,
in a process of its own as a real server is (the 60-hub page of
``bench_parse.py``, as JSON bytes), and times, as medians
of ``--repeat`` interleaved runs with :func:`time.perf_counter`:

- ``fetch_legacy``: ``PlexBackend(mode="legacy").fetch_home()`` (request, size
  check, parse) against ``bare_get``: ``httpx.Client.get`` of the same bytes
  plus ``json.loads``. Both keep their connection alive between runs, as a
  host's backend does (a bare ``httpx.get`` would build a new client, and its
  TLS context, every time and flatter the ratio). Target: ``<= 1.3 x``.
  Two more runs say where the difference goes: ``backend_get`` is the
  backend's request alone (plus ``json.loads``), ``bare_get_parse`` the bare
  request plus ``parse()``.
- ``fetch_home_6``: ``fetch_home()`` of a 6-library home (``mode="home"``,
  ``pinned=`` the 6 libraries), each ``/hubs/promoted`` answer held back
  ``--delay`` seconds, against ``one_request``: one bare GET of a promoted
  answer, held back alike. The requests go out together, so the home costs
  one round trip; sent one after the other it would cost 7. Target: ``<= 2.5 x``.
  ``fetch_home_6_unpinned`` is the same home found through ``/library/sections``
  (two round trips); the same target applies.

Prints one JSON object: the medians, the ratios and whether each target is met.

    python benchmarks/bench_fetch.py [--repeat 15] [--hubs 60] [--items 12] [--delay 0.2]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import multiprocessing
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Optional
from urllib.parse import parse_qs, urlsplit

import httpx

from bench_parse import make_hubs, timings, to_json
from homesections_plex import PlexBackend

LIBRARIES = ("1", "2", "4", "6", "7", "9")

#: (run, baseline, target): the ratios printed, and the most each may be (None: no target).
RATIOS: tuple[tuple[str, str, Optional[float]], ...] = (
    ("fetch_legacy", "bare_get", 1.3),
    ("backend_get", "bare_get", None),
    ("bare_get_parse", "bare_get", None),
    ("fetch_home_6", "one_request", 2.5),
    ("fetch_home_6_unpinned", "one_request", 2.5),
)
TOKEN = "bench-token"


def library_page(library: str, hubs: int, items: int) -> bytes:
    """A promoted answer for one library: its own hubs, named after it as Plex names them."""
    page = make_hubs(hubs, items)
    for hub, _ in page:
        hub["hubIdentifier"] = hub["hubIdentifier"].replace(".6.", f".{library}.", 1)
    return to_json(page)


class Answers:
    """What the server answers: ``path -> bytes``, promoted answers per library, and their delay."""

    def __init__(self, home: bytes, promoted: dict[str, bytes], delay: float) -> None:
        sections = [{"key": library, "title": f"Library {library}", "type": "movie", "hidden": 0}
                    for library in LIBRARIES]
        self.paths = {
            "/hubs": home,
            "/hubs/continueWatching": to_json(make_hubs(1, 4)),
            "/library/sections": json.dumps({"MediaContainer": {"Directory": sections}}).encode(),
        }
        self.promoted = promoted
        self.delay = delay

    def answer(self, url: str) -> bytes:
        parts = urlsplit(url)
        if parts.path == "/hubs/promoted":
            time.sleep(self.delay)
            return self.promoted[parse_qs(parts.query)["contentDirectoryID"][0]]
        return self.paths[parts.path]


def serve(answers: Answers) -> tuple[int, multiprocessing.Process]:
    """Start the server in a child process (sharing no GIL with the timed client); its port and process."""
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as Plex Media Server

        def do_GET(self) -> None:  # noqa: N802 (the http.server name)
            body = answers.answer(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # a line per request would time the terminal

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    # Forked: the child inherits the listening socket and the answers; only it accepts.
    process = multiprocessing.get_context("fork").Process(target=server.serve_forever, daemon=True)
    process.start()
    server.socket.close()
    return server.server_address[1], process


def bare_get(client: httpx.Client, url: str, read: Callable[[bytes], Any] = json.loads) -> Callable[[], Any]:
    return lambda: read(client.get(url).content)


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--repeat", type=int, default=15)
    options.add_argument("--hubs", type=int, default=60)
    options.add_argument("--items", type=int, default=12, help="distinct items per hub")
    options.add_argument("--delay", type=float, default=0.2, help="seconds per promoted answer")
    args = options.parse_args()

    home = to_json(make_hubs(args.hubs, args.items))
    promoted = {library: library_page(library, 10, args.items) for library in LIBRARIES}
    port, server = serve(Answers(home, promoted, args.delay))
    base = f"http://127.0.0.1:{port}"
    legacy = PlexBackend(base, TOKEN, mode="legacy")
    pinned = PlexBackend(base, TOKEN, pinned=list(LIBRARIES))
    unpinned = PlexBackend(base, TOKEN)
    client = httpx.Client(headers={"Accept": "application/json", "X-Plex-Token": TOKEN})
    try:
        page = legacy.fetch_home()
        if page != PlexBackend().parse(home):
            raise SystemExit("fetch_home() does not give the page parse() gives for the same bytes")
        if pinned.fetch_home() != unpinned.fetch_home():
            raise SystemExit("the pinned and the unpinned home differ")
        times = timings({
            "fetch_legacy": legacy.fetch_home,
            "bare_get": bare_get(client, f"{base}/hubs"),
            "backend_get": lambda: json.loads(legacy.get("/hubs").content),
            "bare_get_parse": bare_get(client, f"{base}/hubs", PlexBackend().parse),
        }, args.repeat)
        times.update(timings({
            "fetch_home_6": pinned.fetch_home,
            "fetch_home_6_unpinned": unpinned.fetch_home,
            "one_request": bare_get(client, f"{base}/hubs/promoted?contentDirectoryID=6"),
        }, max(3, args.repeat // 3)))  # each run waits out the delay: fewer suffice
    finally:
        for backend in (legacy, pinned, unpinned):
            backend.close()
        client.close()
        server.terminate()

    median = {name: statistics.median(values) for name, values in times.items()}
    ratios = {f"{run} / {base}": median[run] / median[base] for run, base, _ in RATIOS}
    targets = {f"{run} <= {limit} x {base}": ratios[f"{run} / {base}"] <= limit
               for run, base, limit in RATIOS if limit is not None}
    print(json.dumps({
        "config": {"hubs": len(page.sections), "home_bytes": len(home), "libraries": len(LIBRARIES),
                   "promoted_bytes": len(promoted["6"]), "delay_s": args.delay, "repeat": args.repeat,
                   "python": sys.version.split()[0], "httpx": httpx.__version__},
        "medians_ms": {name: round(value * 1000, 2) for name, value in median.items()},
        "ratios": {name: round(value, 2) for name, value in ratios.items()},
        "targets": targets,
        "all_targets_met": all(targets.values()),
    }, indent=2))


if __name__ == "__main__":
    main()
