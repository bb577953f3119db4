"""A process killed (SIGKILL) at any moment of a sync or a migration leaves the cache whole.

A child process syncs a 5,200-link page, the one of two that the cache does
not hold, and says through a pipe when its write transaction has begun (its
database class speaks after ``BEGIN``: a host's own subclass, public Peewee).
The test kills it after a random delay within the time such a transaction
takes, measured first on syncs that run to their end. Afterwards the cache
loads as exactly one of the two pages: the old one when the kill landed
inside the transaction, the new one when it came after the commit; SQLite's
``integrity_check`` is ``ok`` and ``foreign_key_check`` empty. On PostgreSQL
this is the client killed; the server's backend terminated under a sync is
in test_database_faults.py.
"""

from __future__ import annotations

import random
import time
from typing import Optional

import pytest

from homesections import HomePage, HomeSections, SchemaError

from .processes import SOURCE, crash_page, kill, migrate_then_wait, receive, start, sync_then_wait

pytestmark = [pytest.mark.stress, pytest.mark.slow]

KILLS = 25
# A migration's transaction lasts a few milliseconds, about as long as a kill
# takes to arrive, so it is killed until three kills have landed inside it.
MIGRATION_KILLS_INSIDE, MIGRATION_TRIES = 3, 20
# The delays are random, but the same on every run: only the machine's timing varies.
DELAYS = random.Random(20250110)


def measured_transaction(target, *args) -> float:
    """Seconds from ``BEGIN`` to the commit, of one call in a child left to finish."""
    child, pipe = start(target, *args)
    begun = receive(pipe, "begun")
    committed = receive(pipe, "committed")
    kill(child)
    return committed - begun


def kill_inside_transaction(target, window: float, *args) -> Optional[float]:
    """Start ``target`` in a child and SIGKILL it a random moment within ``window`` after its ``BEGIN``.

    Returns how long the transaction took when it committed before the kill
    (a shorter window for the next try), else ``None``.
    """
    child, pipe = start(target, *args)
    # Counted from the child's own clock reading (monotonic is one clock for
    # every process), so the time its message took to arrive is not added.
    begun = receive(pipe, "begun")
    moment = begun + DELAYS.uniform(0, window)
    # A wait on the pipe, not a sleep: a commit reported first ends it early.
    committed_first = pipe.poll(max(0.0, moment - time.monotonic()))
    kill(child)
    return receive(pipe, "committed") - begun if committed_first else None


def assert_file_whole(db, engine: str) -> None:
    if engine == "sqlite":
        assert db.execute_sql("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert db.execute_sql("PRAGMA foreign_key_check").fetchall() == []


def test_a_sync_killed_inside_its_transaction_leaves_one_of_the_two_pages_whole(hs, db, db_path, engine):
    pages = (crash_page(0), crash_page(1))
    assert pages[0] != pages[1] and all(sum(len(s.items) for s in p) >= 5000 for p in pages)
    hs.sync(SOURCE, pages[0])
    # Syncs left to finish, each to the page the cache does not hold: 1, 0, 1, 0.
    window = min(measured_transaction(sync_then_wait, engine, db_path, version) for version in (1, 0) * 2)
    cached = 0

    inside = 0
    for _ in range(KILLS):
        took = kill_inside_transaction(sync_then_wait, window, engine, db_path, 1 - cached)
        window = min(window, took or window)
        loaded = hs.load(SOURCE)
        assert loaded in pages, "the cache holds neither page: a sync was seen half-written"
        if loaded == pages[cached]:
            inside += 1  # the killed sync never committed
        else:
            cached = 1 - cached
        assert_file_whole(db, engine)

    print(f"\n{engine}: {inside} of {KILLS} kills landed inside the sync's transaction "
          f"(the shortest transaction seen took {window:.3f} s)")
    assert inside >= 20
    assert hs.sync(SOURCE, pages[1 - cached]).changed  # and the cache still takes a sync
    assert hs.load(SOURCE) == pages[1 - cached]


@pytest.fixture(params=["every migration", "the newest migration"])
def pending(request, db, clock):
    """A database whose migrations (every one, or the newest, with rows in every table) are pending.

    Returns the registration and the page it loads once migrated.
    """
    hs = HomeSections(db, clock=clock)
    if request.param == "every migration":
        return hs, HomePage()
    hs.migrate()
    hs.sync(SOURCE, crash_page(0))
    # What survives a rollback of the newest migration and a migrate again.
    hs.rollback(1)
    hs.migrate()
    expected = hs.load(SOURCE)
    hs.rollback(1)
    return hs, expected


def test_a_migrate_killed_inside_its_transaction_leaves_the_schema_as_it_was(pending, db, db_path, engine):
    hs, expected = pending
    before = [m.applied for m in hs.migrations()]
    steps = before.count(False)  # rolled back after each migrate that committed, to try again
    window = measured_transaction(migrate_then_wait, engine, db_path)
    hs.rollback(steps)

    inside = tries = 0
    while inside < MIGRATION_KILLS_INSIDE and tries < MIGRATION_TRIES:
        tries += 1
        took = kill_inside_transaction(migrate_then_wait, window, engine, db_path)
        window = min(window, took or window)
        applied = [m.applied for m in hs.migrations()]
        if applied == before:
            inside += 1  # nothing of the killed migrate is left
            with pytest.raises(SchemaError):
                hs.load(SOURCE)
        else:
            assert applied == [True] * len(before), "a migrate was kept in part"
            assert hs.load(SOURCE) == expected
            hs.rollback(steps)
        assert_file_whole(db, engine)

    print(f"\n{engine}: {inside} of {tries} kills landed inside migrate()'s transaction "
          f"(the shortest took {window * 1000:.1f} ms)")
    assert inside == MIGRATION_KILLS_INSIDE
    assert hs.migrate() and hs.load(SOURCE) == expected
