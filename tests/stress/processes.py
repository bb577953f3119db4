"""The stress tests' child processes, and the code that starts them and hears from them.

Every child is started with multiprocessing's spawn context, so it shares
nothing with the test but the database (the same SQLite file, or the same
PostgreSQL database) and what it is handed: a pipe to report through, and
the barriers and events that start and stop it together with others. A child
reports in plain tuples; one that fails sends ``("error", traceback text)``
instead, and :func:`receive` fails the test with it.

:func:`readers_during_writes` is also what ``benchmarks/bench_readers.py``
runs, so the figures it prints come from the very workload the test checks.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import time
import traceback
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

from homesections import HomePage, HomeSections, Item, SchemaError, Section

from ..engines import connect

SOURCE = "plex-main"
#: Seconds a child may take to say anything: far more than any step takes.
PATIENCE = 60

spawn = multiprocessing.get_context("spawn")


def home_page(version: int, sections: int, per_section: int) -> HomePage:
    """Version ``version`` of a synthetic home page: the same every time it is asked for.

    Two versions differ everywhere: some sections come and go, the rest move,
    every title changes, and each section shows other items (each item shows
    in about two sections), so a sync from one to the other rewrites most rows.
    """
    rng = random.Random(version)
    pool = sections * per_section // 2
    return HomePage(tuple(
        Section(f"hub.{hub}", f"Hub {hub} (v{version})", items=tuple(
            Item(str(key), "movie", title=f"Movie {key} (v{version})", year=1900 + key % 120)
            for key in rng.sample(range(pool), per_section)))
        for hub in rng.sample(range(sections + sections // 5), sections)
    ))


def crash_page(version: int) -> HomePage:
    """A page of 52 sections x 100 items: 5,200 links."""
    return home_page(version, 52, 100)


def reader_page(version: int) -> HomePage:
    """A page of 10 sections x 40 items: 400 links, small enough to sync hundreds of times."""
    return home_page(version, 10, 40)


# -- starting children and hearing from them ------------------------------------------


def start(target: Callable[..., None], *args: Any) -> tuple[multiprocessing.Process, Any]:
    """Start ``target(*args, pipe)`` in a child; return the child and the test's end of the pipe."""
    ours, theirs = spawn.Pipe()
    child = spawn.Process(target=target, args=(*args, theirs), daemon=True)
    child.start()
    theirs.close()
    return child, ours


def receive(pipe: Any, kind: str) -> Any:
    """The next message from a child, which must be of ``kind``; returns its value."""
    assert pipe.poll(PATIENCE), f"the child said nothing for {PATIENCE} s (waiting for {kind!r})"
    got, value = pipe.recv()
    assert got != "error", f"the child failed:\n{value}"
    assert got == kind, f"expected {kind!r} from the child, got {got!r}"
    return value


def kill(child: multiprocessing.Process) -> None:
    """SIGKILL: the child gets no chance to roll back, close or clean up anything."""
    os.kill(child.pid, signal.SIGKILL)
    child.join(PATIENCE)
    assert child.exitcode == -signal.SIGKILL


@contextmanager
def reporting(pipe: Any) -> Iterator[None]:
    """In a child: send what went wrong, rather than die silently."""
    try:
        yield
    except BaseException:
        pipe.send(("error", traceback.format_exc()))
        raise


# -- children that are killed ------------------------------------------------------------


class SaysWhenItBegins:
    """A host's database class that says, through its ``pipe``, when each transaction has begun.

    It speaks once ``BEGIN`` has returned: on SQLite a writer's ``BEGIN
    IMMEDIATE`` then holds the write lock. A child that only writes has no
    other transactions, so every message is the start of a write.
    """

    pipe: Any  # set on each database made

    def begin(self, *args: Any, **kwargs: Any) -> None:
        super().begin(*args, **kwargs)  # type: ignore[misc]
        self.pipe.send(("begun", time.monotonic()))


def _saying_when_it_begins(engine: str, db_path: Path, pipe: Any) -> HomeSections:
    db = connect(engine, db_path, mixin=SaysWhenItBegins)
    db.pipe = pipe
    return HomeSections(db)


def sync_then_wait(engine: str, db_path: Path, version: int, pipe: Any) -> None:
    """Sync :func:`crash_page` ``version``, saying when it begins and when it committed; then wait to be killed."""
    with reporting(pipe):
        hs = _saying_when_it_begins(engine, db_path, pipe)
        hs.sync(SOURCE, crash_page(version))
        pipe.send(("committed", time.monotonic()))
    pipe.recv()  # never answered: the test kills this process


def migrate_then_wait(engine: str, db_path: Path, pipe: Any) -> None:
    """``migrate()``, saying when its transaction begins and when it committed; then wait to be killed."""
    with reporting(pipe):
        hs = _saying_when_it_begins(engine, db_path, pipe)
        hs.migrate()
        pipe.send(("committed", time.monotonic()))
    pipe.recv()


# -- readers during writes ------------------------------------------------------------------


def write_pages(engine: str, db_path: Path, versions: int, syncs: int, start_line: Any, pipe: Any) -> None:
    """Sync the :func:`reader_page` versions in turn, ``syncs`` times; report how long it took."""
    with reporting(pipe):
        pages = [reader_page(v) for v in range(versions)]
        hs = HomeSections(connect(engine, db_path))
        start_line.wait(PATIENCE)
        began = time.monotonic()
        for n in range(syncs):
            hs.sync(SOURCE, pages[(n + 1) % versions])
        pipe.send(("wrote", time.monotonic() - began))


def read_pages(engine: str, db_path: Path, versions: int, start_line: Any, writing: Any, pipe: Any) -> None:
    """``load()`` while ``writing`` is set; report the loads, which versions they were, and any other page."""
    with reporting(pipe):
        pages = [reader_page(v) for v in range(versions)]
        hs = HomeSections(connect(engine, db_path))
        start_line.wait(PATIENCE)
        began = time.monotonic()
        loads, seen, strangers = 0, set(), 0
        while writing.is_set():
            page = hs.load(SOURCE)
            loads += 1
            if page in pages:
                seen.add(pages.index(page))
            else:
                strangers += 1  # a mix of two pages, or a part of one
        pipe.send(("read", {"loads": loads, "seconds": time.monotonic() - began,
                            "versions_seen": sorted(seen), "strangers": strangers}))


def readers_during_writes(engine: str, db_path: Path, syncs: int = 200, readers: int = 2) -> dict[str, Any]:
    """One process syncs ``syncs`` times while ``readers`` others load in a loop; what each saw, and the rates.

    The cache holds version 0 before anyone starts, so a reader always has a
    page to read; all start together from a barrier.
    """
    versions = 3
    db = connect(engine, db_path)
    hs = HomeSections(db)
    hs.migrate()
    hs.sync(SOURCE, reader_page(0))
    db.close()

    start_line, writing = spawn.Barrier(1 + readers), spawn.Event()
    writing.set()
    writer, to_writer = start(write_pages, engine, db_path, versions, syncs, start_line)
    started = [start(read_pages, engine, db_path, versions, start_line, writing) for _ in range(readers)]
    try:
        seconds = receive(to_writer, "wrote")
    finally:
        writing.clear()  # the readers stop, whatever happened to the writer
    reads = [receive(pipe, "read") for _, pipe in started]
    for child in (writer, *(child for child, _ in started)):
        child.join(PATIENCE)
        assert child.exitcode == 0
    loads = sum(r["loads"] for r in reads)
    return {
        "engine": engine,
        "links_per_page": sum(len(s.items) for s in reader_page(0)),
        "syncs": syncs,
        "syncs_per_second": round(syncs / seconds, 1),
        "readers": readers,
        "loads": loads,
        "loads_per_second": round(sum(r["loads"] / r["seconds"] for r in reads), 1),
        "reads": reads,
    }


# -- migrations under load ---------------------------------------------------------------------


def migrate_when_released(engine: str, db_path: Path, start_line: Any, pipe: Any) -> None:
    """Wait at the barrier, then ``migrate()``; report the migrations this process applied."""
    with reporting(pipe):
        hs = HomeSections(connect(engine, db_path))
        start_line.wait(PATIENCE)
        pipe.send(("migrated", hs.migrate()))


def load_while_migrating(engine: str, db_path: Path, expected: HomePage, start_line: Any,
                         migrating: Any, pipe: Any) -> None:
    """``load()`` once, then from the barrier until ``migrating`` clears, and once after; count what each gave.

    A load of a schema not yet migrated raises :class:`SchemaError`; one of a
    migrated schema gives ``expected``. Anything else is counted as a stranger.
    """
    with reporting(pipe):
        hs = HomeSections(connect(engine, db_path))
        outcomes: dict[str, Any] = {"schema_error": 0, "page": 0, "strangers": []}

        def load() -> None:
            try:
                page = hs.load(SOURCE)
            except SchemaError:
                outcomes["schema_error"] += 1
            else:
                if page == expected:
                    outcomes["page"] += 1
                else:
                    outcomes["strangers"].append(repr(page)[:300])

        load()  # connected, and reading, before anyone migrates
        start_line.wait(PATIENCE)
        while migrating.is_set():
            load()
        load()
        pipe.send(("loaded", outcomes))
