"""Faults at the database: each is a clear typed error, the previous page stays readable, and the
next sync after the fault clears succeeds.

A real full disk (a small tmpfs, filled up), a database opened read-only
(SQLite's ``mode=ro``, a read-only PostgreSQL session) and one on a mount made
read-only, a cache file replaced by one that is not a database, and a
PostgreSQL backend terminated in the middle of a sync, held at a known point
by the host's media-item store. (test_store_errors.py covers the full disk
made with ``max_page_count``, inside a host's transaction too.) A WAL
database on a read-only mount is the one fault whose page cannot be read:
SQLite cannot open it at all, and the error says so.
"""

from __future__ import annotations

import errno
import gc
import os
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Iterator

import peewee
import pytest

import homesections
from homesections import (
    ConnectionLostError, DiskFullError, HomePage, HomeSections, Item, ReadOnlyError, Section, StoreError,
)

from ..pages import page, section, snapshot
from ..host import LibraryItems, host_models
from .processes import PATIENCE, SOURCE

pytestmark = pytest.mark.stress

OLD = page(section("home.ondeck", "1", "2"), section("home.recent", "3"))
NEW = page(section("home.ondeck", "2", "4"))


def big_page(items: int = 2000) -> HomePage:
    """A page that takes megabytes to store."""
    return HomePage((Section("home.big", "Big", items=tuple(
        Item(str(n), "movie", title=f"{n}:" + "x" * 2000) for n in range(items))),))


# -- a full disk ------------------------------------------------------------------------------


@pytest.fixture
def small_disk(sqlite, tmp_path) -> Iterator[Path]:
    """A 1 MiB tmpfs mounted for the test, where the machine lets it be mounted."""
    where = tmp_path / "tmpfs"
    where.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root; the full disk is covered by max_page_count elsewhere")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(where)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"this machine does not let the test mount a tmpfs: {mounted.stderr.strip()}")
    try:
        yield where
    finally:
        let_go_of_files()
        subprocess.run(["umount", str(where)], check=True)


def let_go_of_files() -> None:
    # sqlite3 lets go of a closed database's files only once its last
    # statement is freed, and a caught error's traceback holds one.
    gc.collect()


def remount(disk: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(disk)], check=True)


def fill(disk: Path) -> Path:
    """Write a ballast file until the disk has no byte left; return it."""
    ballast = disk / "ballast"
    with open(ballast, "wb", buffering=0) as f:  # unbuffered: nothing is left to fail at close
        try:
            while True:
                f.write(b"\0" * 4096)
        except OSError as full:
            assert full.errno == errno.ENOSPC
    return ballast


def test_a_disk_that_fills_up_is_a_disk_full_error_and_keeps_the_page_until_space_is_freed(small_disk):
    db = peewee.SqliteDatabase(str(small_disk / "home.db"), pragmas=homesections.SQLITE_PRAGMAS)
    try:
        hs = HomeSections(db)
        hs.migrate()
        hs.sync(SOURCE, OLD)
        before = snapshot(db)
        ballast = fill(small_disk)

        with pytest.raises(DiskFullError, match="disk is full") as caught:
            hs.sync(SOURCE, big_page())

        assert caught.value.rolled_back_transaction is False
        assert isinstance(caught.value.__cause__, peewee.OperationalError)
        assert hs.load(SOURCE) == OLD and snapshot(db) == before
        ballast.unlink()  # the fault clears
        hs.sync(SOURCE, NEW)
        assert hs.load(SOURCE) == NEW
        assert db.execute_sql("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        db.close()


# -- a database only readable ------------------------------------------------------------------


def test_a_read_only_database_refuses_a_sync_keeps_the_page_and_takes_the_sync_once_writable(
    hs, db, db_path, engine, connect_db,
):
    hs.sync(SOURCE, OLD)
    before = snapshot(db)
    if engine == "sqlite":
        readonly = peewee.SqliteDatabase(f"file:{db_path}?mode=ro", uri=True)
    else:
        readonly = connect_db()
        readonly.execute_sql("SET default_transaction_read_only = on")
    reader = HomeSections(readonly)

    with pytest.raises(ReadOnlyError, match="only"):
        reader.sync(SOURCE, NEW)

    assert reader.load(SOURCE) == OLD and snapshot(db) == before
    if engine == "sqlite":  # the fault clears: the file is opened writable again
        readonly.close()
        reader = HomeSections(connect_db())
    else:
        readonly.execute_sql("SET default_transaction_read_only = off")
    reader.sync(SOURCE, NEW)
    assert reader.load(SOURCE) == NEW and hs.load(SOURCE) == NEW


def test_a_database_on_a_mount_made_read_only_says_why_it_cannot_be_opened_and_works_once_writable(
    small_disk,
):
    db = peewee.SqliteDatabase(str(small_disk / "home.db"), pragmas=homesections.SQLITE_PRAGMAS)
    hs = HomeSections(db)
    hs.migrate()
    hs.sync(SOURCE, OLD)
    db.close()
    let_go_of_files()
    remount(small_disk, "ro")
    try:
        # SQLite opens a WAL database only where it can make the -wal and
        # -shm files beside it, so even a load cannot run.
        for call in (lambda: hs.load(SOURCE), lambda: hs.sync(SOURCE, NEW)):
            with pytest.raises(StoreError, match="read-only folder or mount"):
                call()
    finally:
        db.close()
        let_go_of_files()
        remount(small_disk, "rw")  # the fault clears
    try:
        assert hs.load(SOURCE) == OLD
        hs.sync(SOURCE, NEW)
        assert hs.load(SOURCE) == NEW
    finally:
        db.close()


# -- a file that is not a database ---------------------------------------------------------------


def test_a_cache_file_replaced_by_one_that_is_not_a_database_is_named_and_left_alone(sqlite, hs, db, db_path):
    hs.sync(SOURCE, OLD)
    db.close()
    saved = db_path.with_name("saved.db")
    os.replace(db_path, saved)  # a restore gone wrong puts something else where the cache was
    db_path.write_bytes(b"these are my notes, not a database\n" * 200)
    notes = db_path.read_bytes()

    for call in (lambda: hs.load(SOURCE), lambda: hs.sync(SOURCE, NEW)):
        with pytest.raises(StoreError, match="not an SQLite database"):
            call()
    assert db_path.read_bytes() == notes

    shutil.move(saved, db_path)  # the fault clears: the cache file is back
    assert hs.load(SOURCE) == OLD
    hs.sync(SOURCE, NEW)
    assert hs.load(SOURCE) == NEW


# -- a PostgreSQL backend terminated mid-sync -----------------------------------------------------


def test_a_backend_terminated_mid_sync_is_a_lost_connection_and_the_old_page_stays_whole(
    postgres, db, connect_db,
):
    Server, LibraryItem = host_models(db)
    db.create_tables([Server, LibraryItem])
    Server.create(id="srv", label="Living room")
    held, let_go, backend = threading.Event(), threading.Event(), []

    def hold_when_asked() -> None:
        # Inside the sync's transaction, before any write: a known point.
        if held.is_set():
            return
        backend.append(db.execute_sql("SELECT pg_backend_pid()").fetchone()[0])
        held.set()
        assert let_go.wait(PATIENCE)

    hs = HomeSections(db, source_model=Server, media_items=LibraryItems(LibraryItem))
    hs.migrate()
    hs.sync("srv", OLD)
    before = snapshot(db, ("home_sections", "home_section_items", "library_items"))
    hs.media_items.before_upsert = hold_when_asked

    def terminate_the_held_sync() -> None:
        assert held.wait(PATIENCE)
        killer = connect_db()
        killer.execute_sql("SELECT pg_terminate_backend(%s)", (backend[0],))
        killer.close()
        let_go.set()

    killer = threading.Thread(target=terminate_the_held_sync)
    killer.start()
    try:
        with pytest.raises(ConnectionLostError, match="connection to PostgreSQL was lost"):
            hs.sync("srv", NEW)
    finally:
        let_go.set()
        killer.join(PATIENCE)

    # The same registration, on the same thread: the next call reconnects.
    assert hs.load("srv") == OLD
    assert snapshot(db, ("home_sections", "home_section_items", "library_items")) == before
    hs.sync("srv", NEW)
    assert hs.load("srv") == NEW
