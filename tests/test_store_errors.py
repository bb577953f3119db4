"""What the database refuses or breaks on arrives as a typed StoreError, and loses nothing.

Real faults on real databases: a full disk (SQLite's max_page_count), a host
table referencing the plugin's, a PostgreSQL backend terminated under a call,
a schema that is missing or behind, a WAL that readers keep from shrinking,
a lock held elsewhere, a read-only database, a file that is not a database.
"""

from __future__ import annotations

import json
import os
from typing import Any, Collection, Sequence

import peewee
import pytest

import homesections
from homesections import (
    ConnectionLostError,
    DiskFullError,
    HomePage,
    HomeSections,
    Item,
    LockTimeoutError,
    MigrationError,
    ReadOnlyError,
    SchemaError,
    Section,
    StoreError,
)

from .pages import page, section, snapshot



def big_page(items: int = 400, title_size: int = 2000, tag: str = "") -> HomePage:
    """A page whose items take hundreds of pages in the file: enough to fill a capped database."""
    return page(Section("home.recent", "Recently Added", items=tuple(
        Item(str(n), "movie", title=f"{tag}{n}:" + "x" * title_size) for n in range(items))))


def cap_pages(db: peewee.Database, extra: int) -> None:
    """Let the SQLite file grow by ``extra`` pages at most (a full disk, reproducibly)."""
    (count,) = db.execute_sql("PRAGMA page_count").fetchone()
    db.execute_sql(f"PRAGMA max_page_count = {count + extra}")


class Note(peewee.Model):
    """A row of the host's own, written in the host's transaction around a sync."""

    text = peewee.TextField()

    class Meta:
        table_name = "host_notes"


@pytest.fixture
def notes(db):
    Note.bind(db)
    db.create_tables([Note])
    return Note


class Leave(Exception):
    """The host leaves its atomic() block, and so rolls it back."""


# --- a full disk ------------------------------------------------------------------


def test_a_full_disk_outside_a_host_transaction_is_a_disk_full_error_and_keeps_the_old_page(
    sqlite, hs, db,
):
    old = page(section("home.ondeck", "1"))
    hs.sync("plex", old)
    before = snapshot(db)
    cap_pages(db, 5)

    with pytest.raises(DiskFullError, match="database or disk is full") as caught:
        hs.sync("plex", big_page())

    assert caught.value.rolled_back_transaction is False
    assert isinstance(caught.value.__cause__, peewee.OperationalError)
    assert snapshot(db) == before and hs.load("plex") == old
    cap_pages(db, 100_000)  # the fault clears: the next sync succeeds
    assert hs.sync("plex", big_page()).added == ("home.recent",)


def test_when_sqlite_rolls_back_the_hosts_whole_transaction_no_host_write_commits_alone(
    sqlite, hs, db, notes, connect_db,
):
    hs.sync("plex", page(section("home.ondeck", "1")))
    cap_pages(db, 5)

    with pytest.raises(Leave):
        with db.atomic(lock_type="IMMEDIATE"):
            notes.create(text="before the sync")
            with pytest.raises(DiskFullError, match="leave the block") as caught:
                hs.sync("plex", big_page())  # many one-row inserts: SQLite ends the transaction
            assert caught.value.rolled_back_transaction is True
            assert "rolled back your whole transaction" in str(caught.value)
            notes.create(text="after the sync")
            raise Leave

    other = connect_db()
    assert other.execute_sql("SELECT text FROM host_notes").fetchall() == []
    assert HomeSections(other).load("plex") == page(section("home.ondeck", "1"))


def test_after_sqlite_rolled_back_the_hosts_transaction_its_commit_keeps_only_the_later_writes(
    sqlite, hs, db, notes,
):
    cap_pages(db, 5)
    with db.atomic(lock_type="IMMEDIATE"):
        notes.create(text="before the sync")
        with pytest.raises(DiskFullError):
            hs.sync("plex", big_page())
        notes.create(text="after the sync")
    # The block ended normally: one commit, of what came after the rollback.
    assert [n.text for n in notes.select()] == ["after the sync"]


class BulkMediaItems:
    """A host's store that writes all items in one multi-row statement.

    SQLite can undo such a statement alone when the disk fills, keeping the
    transaction: the other outcome a full disk can have.
    """

    def __init__(self, model: type[peewee.Model]) -> None:
        self.model = model

    def upsert(self, source_id: str, items: Sequence[Item]) -> dict[str, Any]:
        rows = [[f"{source_id}/{i.key}", i.title or ""] for i in items]
        self.model._meta.database.execute_sql(
            'INSERT OR REPLACE INTO "library_media" (id, name) '
            "SELECT value ->> 0, value ->> 1 FROM json_each(?)", (json.dumps(rows),))
        return {i.key: f"{source_id}/{i.key}" for i in items}

    def get(self, ids: Collection[Any]) -> dict[Any, Item]:
        return {row.id: Item(row.id.split("/", 1)[1], "movie", title=row.name)
                for row in self.model.select().where(self.model.id.in_(list(ids)))}


def test_when_sqlite_undoes_only_the_statement_the_hosts_transaction_goes_on(sqlite, db, notes):
    class Server(peewee.Model):
        id = peewee.TextField(primary_key=True)

        class Meta:
            database = db
            table_name = "servers"

    class Media(peewee.Model):
        id = peewee.TextField(primary_key=True)
        name = peewee.TextField()

        class Meta:
            database = db
            table_name = "library_media"

    db.create_tables([Server, Media])
    Server.create(id="srv")
    hs = HomeSections(db, source_model=Server, media_items=BulkMediaItems(Media))
    hs.migrate()
    cap_pages(db, 5)

    with db.atomic(lock_type="IMMEDIATE"):
        notes.create(text="before the sync")
        with pytest.raises(DiskFullError) as caught:
            hs.sync("srv", big_page())
        assert caught.value.rolled_back_transaction is False
        notes.create(text="after the sync")
    assert [n.text for n in notes.select()] == ["before the sync", "after the sync"]
    assert hs.load("srv") == HomePage()


# --- rolling every migration back ---------------------------------------------------


def test_rolling_back_refuses_while_a_host_table_references_the_plugins_tables(hs, db):
    class Bookmark(peewee.Model):
        source = peewee.ForeignKeyField(hs.models.Source, on_delete="CASCADE")
        label = peewee.TextField()

        class Meta:
            database = db
            table_name = "host_bookmarks"

    hs.sync("plex", page(section("home.ondeck", "1")))
    db.create_tables([Bookmark])
    Bookmark.create(source="plex", label="mine")
    applied = [m.name for m in hs.migrations() if m.applied]

    with pytest.raises(MigrationError, match="'host_bookmarks' has a foreign key"):
        hs.rollback(len(applied))

    assert [m.name for m in hs.migrations() if m.applied] == applied
    assert [b.label for b in Bookmark.select()] == ["mine"]
    assert hs.load("plex") == page(section("home.ondeck", "1"))


# --- a lost PostgreSQL connection ------------------------------------------------------


def terminate(db: peewee.Database, connect_db) -> None:
    (pid,) = db.execute_sql("SELECT pg_backend_pid()").fetchone()
    killer = connect_db()
    killer.execute_sql("SELECT pg_terminate_backend(%s)", (pid,))
    killer.close()


def test_a_lost_connection_is_said_and_the_next_call_reconnects(postgres, hs, db, connect_db):
    hs.sync("plex", page(section("home.ondeck", "1")))
    terminate(db, connect_db)

    with pytest.raises(ConnectionLostError, match="connection to PostgreSQL was lost"):
        hs.sync("plex", page(section("home.ondeck", "2")))

    assert hs.load("plex") == page(section("home.ondeck", "1"))
    assert hs.sync("plex", page(section("home.ondeck", "2"))).changed == ("home.ondeck",)


def test_a_connection_lost_inside_a_host_transaction_says_to_leave_it(postgres, hs, db, connect_db):
    hs.sync("plex", page(section("home.ondeck", "1")))

    with pytest.raises(peewee.PeeweeException):  # the host's own rollback meets the dead connection
        with db.atomic():
            terminate(db, connect_db)
            with pytest.raises(ConnectionLostError, match="leave your atomic"):
                hs.sync("plex", page(section("home.ondeck", "2")))

    assert hs.load("plex") == page(section("home.ondeck", "1"))  # the next call reconnects


# --- a schema that is missing or behind --------------------------------------------------


@pytest.mark.parametrize("call", ["load", "load_all", "sync", "stale_sections", "needs_refresh", "mark_stale"])
def test_an_unmigrated_database_says_to_run_migrate(db, call):
    hs = HomeSections(db)
    calls = {
        "load": lambda: hs.load("plex"),
        "load_all": hs.load_all,
        "sync": lambda: hs.sync("plex", page(section("a", "1"))),
        "stale_sections": hs.stale_sections,
        "needs_refresh": lambda: hs.needs_refresh("plex", homesections.refresh.MAX_BACKOFF),
        "mark_stale": lambda: hs.mark_stale("plex"),
    }
    with pytest.raises(SchemaError, match="run migrate"):
        calls[call]()


def test_a_schema_rolled_back_behind_the_code_says_to_run_migrate(hs):
    hs.sync("plex", page(section("a", "1")))
    hs.rollback(1)

    with pytest.raises(SchemaError, match="run migrate"):
        hs.load("plex")
    with pytest.raises(SchemaError, match="run migrate"):
        hs.sync("plex", page(section("a", "2")))
    hs.migrate()
    assert [s.hub_identifier for s in hs.load("plex")] == ["a"]


# --- the WAL, locks, read-only and foreign files -------------------------------------------


def wal_size(db_path) -> int:
    wal = f"{db_path}-wal"
    return os.path.getsize(wal) if os.path.exists(wal) else 0


def test_the_wal_shrinks_under_16_mib_once_readers_let_go(sqlite, hs, db, db_path, connect_db):
    reader = connect_db()
    reader.connect()
    reader.execute_sql("BEGIN")
    reader.execute_sql("SELECT count(*) FROM media_items").fetchone()  # holds its snapshot
    for n in range(6):
        hs.sync("plex", big_page(items=1500, title_size=3000, tag=str(n % 2)))
    grown = wal_size(db_path)
    reader.execute_sql("COMMIT")
    reader.close()

    hs.sync("plex", big_page(items=1500, title_size=3000, tag="last"))

    assert grown > 16 * 1024 * 1024, "the readers did not hold the WAL open: no test"
    assert wal_size(db_path) < 16 * 1024 * 1024


def test_a_write_lock_held_too_long_elsewhere_is_a_lock_timeout(hs, db, connect_db, engine):
    other = connect_db()
    other.connect()
    if engine == "sqlite":
        db.execute_sql("PRAGMA busy_timeout = 50")
        other.execute_sql("BEGIN IMMEDIATE")
    else:
        db.execute_sql("SET lock_timeout = '50ms'")
        other.execute_sql("BEGIN")
        other.execute_sql("SELECT pg_advisory_xact_lock(%s, 0)", (0x68730001,))
    try:
        with pytest.raises(LockTimeoutError, match="try again"):
            hs.sync("plex", page(section("a", "1")))
    finally:
        other.execute_sql("ROLLBACK")
        other.close()
    assert hs.sync("plex", page(section("a", "1"))).added == ("a",)


def test_a_read_only_database_reads_and_refuses_writes_clearly(hs, db, db_path, engine, connect_db):
    hs.sync("plex", page(section("a", "1")))
    if engine == "sqlite":
        db.close()
        readonly = peewee.SqliteDatabase(f"file:{db_path}?mode=ro", uri=True)
    else:
        readonly = connect_db()
        readonly.connect()
        readonly.execute_sql("SET default_transaction_read_only = on")
    reader = HomeSections(readonly)

    assert reader.load("plex") == page(section("a", "1"))
    with pytest.raises(ReadOnlyError, match="only"):
        reader.sync("plex", page(section("a", "2")))
    readonly.close()


def test_a_file_that_is_not_a_database_is_named_as_such(sqlite, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes(b"these are my notes, not a database\n" * 200)
    hs = HomeSections(peewee.SqliteDatabase(str(path)))

    with pytest.raises(StoreError, match="not an SQLite database"):
        hs.load("plex")
    with pytest.raises(StoreError, match="not an SQLite database"):
        hs.migrate()
    assert path.read_bytes().startswith(b"these are my notes")
