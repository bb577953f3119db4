"""Migrations run at once by several processes, under a reader, and over rows of every table.

Processes released together from a barrier migrate a database whose newest
migration is pending while another process loads: the migration is applied
once, the reader sees the page whole or a SchemaError (never a driver's
error, never part of a page), and every row of every table, a host table's
included, is there afterwards. Each rollback keeps every row of the tables
it keeps and leaves host tables alone; one that would drop a table a host
table references is refused, changing nothing. Foreign keys are on
throughout (SQLite's ``PRAGMA foreign_keys``, always on PostgreSQL).
"""

from __future__ import annotations

import peewee
import pytest

from homesections import HomePage, HomeSections, MigrationError
from homesections.migrations import HISTORY_TABLE

from ..pages import page, section
from ..host import LibraryItems, host_models
from .processes import (
    PATIENCE, SOURCE, load_while_migrating, migrate_when_released, reader_page, receive, spawn, start,
)

pytestmark = pytest.mark.stress

MIGRATORS = 3
Rows = dict[str, tuple[tuple[str, ...], list[tuple]]]


def rows_of(db: peewee.Database, tables=None) -> Rows:
    """``{table: (its columns, its rows ordered by the first)}``; every table but the migration history by default."""
    if tables is None:
        tables = [t for t in db.get_tables() if t != HISTORY_TABLE]
    found = {}
    for table in tables:
        cursor = db.execute_sql(f'SELECT * FROM "{table}" ORDER BY 1')
        found[table] = (tuple(c[0] for c in cursor.description), [tuple(r) for r in cursor.fetchall()])
    return found


def on_columns(rows: Rows, like: Rows) -> Rows:
    """``rows`` cut down to the tables and columns that ``like`` has."""
    cut = {}
    for table, (columns, _) in like.items():
        had, kept = rows[table]
        where = [had.index(c) for c in columns]
        cut[table] = (columns, [tuple(row[i] for i in where) for row in kept])
    return cut


def assert_foreign_keys_hold(db: peewee.Database, engine: str) -> None:
    if engine == "sqlite":
        assert db.pragma("foreign_keys") == 1
        assert db.execute_sql("PRAGMA foreign_key_check").fetchall() == []


def bookmarks(db: peewee.Database, hs: HomeSections) -> type[peewee.Model]:
    """A host table with a row per source, each with a foreign key to the plugin's ``sources``."""

    class Bookmark(peewee.Model):
        source = peewee.ForeignKeyField(hs.models.Source, on_delete="CASCADE")
        label = peewee.TextField()

        class Meta:
            database = db
            table_name = "host_bookmarks"

    db.create_tables([Bookmark])
    for source in hs.models.Source.select():
        Bookmark.create(source=source, label=f"{source.id}'s bookmark")
    return Bookmark


PAGES = {
    "plex": page(section("home.ondeck", "1", "2", hub_key="/hubs/ondeck", more=True),
                 section("home.recent", "2", "3")),
    "jellyfin": page(section("jellyfin.resume", "a", "b", hub_key="/UserItems/Resume")),
}


@pytest.mark.slow
def test_processes_released_at_once_migrate_once_while_a_reader_sees_the_page_whole(hs, db, db_path, engine):
    hs.sync(SOURCE, reader_page(0))
    bookmarks(db, hs)  # FK to sources, whose rows are the plugin's
    hs.rollback(1)
    hs.migrate()
    expected, rows = hs.load(SOURCE), rows_of(db)  # what a rollback of the newest and a migrate leave
    (newest,) = hs.rollback(1)
    db.close()  # the processes share the database, not this connection

    start_line, migrating = spawn.Barrier(MIGRATORS + 1), spawn.Event()
    migrating.set()
    migrators = [start(migrate_when_released, engine, db_path, start_line) for _ in range(MIGRATORS)]
    reader, to_reader = start(load_while_migrating, engine, db_path, expected, start_line, migrating)
    try:
        applied = sorted(receive(pipe, "migrated") for _, pipe in migrators)
    finally:
        migrating.clear()
    outcomes = receive(to_reader, "loaded")
    for child in (reader, *(child for child, _ in migrators)):
        child.join(PATIENCE)
        assert child.exitcode == 0

    assert applied == [[]] * (MIGRATORS - 1) + [[newest]]  # once, by one of them
    assert outcomes["strangers"] == []
    assert outcomes["schema_error"] >= 1 and outcomes["page"] >= 1  # it read before and after
    db.connect()
    assert rows_of(db) == rows
    assert_foreign_keys_hold(db, engine)


def test_each_rollback_keeps_every_row_of_the_tables_it_keeps_and_migrate_keeps_them_again(hs, db, engine):
    for source_id, home in PAGES.items():
        hs.sync(source_id, home)
    Bookmark = bookmarks(db, hs)
    marks = rows_of(db, [Bookmark._meta.table_name])
    applied = len(hs.migrations())
    assert all(len(rows) for _, rows in rows_of(db).values()), "every table needs rows to prove this"

    # Rolling back all of them would drop sources, which the bookmarks
    # reference: refused (test_store_errors.py); every shorter rollback runs.
    for steps in range(1, applied):
        before = rows_of(db)
        hs.rollback(steps)
        kept = rows_of(db)
        assert kept == on_columns(before, kept)
        assert_foreign_keys_hold(db, engine)

        hs.migrate()
        assert on_columns(rows_of(db), kept) == kept
        assert rows_of(db, [Bookmark._meta.table_name]) == marks
        assert_foreign_keys_hold(db, engine)
        for source_id, home in PAGES.items():  # what a rollback dropped comes back with a sync
            hs.sync(source_id, home)
            assert hs.load(source_id) == home


def test_a_host_owning_its_tables_keeps_every_row_through_rolling_back_every_migration(db, engine):
    Server, LibraryItem = host_models(db)
    db.create_tables([Server, LibraryItem])
    Server.create(id="srv", label="Living room")
    hs = HomeSections(db, source_model=Server, media_items=LibraryItems(LibraryItem))
    hs.migrate()
    home = PAGES["plex"]
    hs.sync("srv", home)

    class Pin(peewee.Model):
        """The host pins a cached row: a host table referencing the plugin's home_sections."""

        section = peewee.ForeignKeyField(hs.models.HomeSection, on_delete="CASCADE")

        class Meta:
            database = db
            table_name = "host_pins"

    db.create_tables([Pin])
    Pin.create(section=hs.models.HomeSection.select().first())
    every_row, applied = rows_of(db), hs.migrations()

    with pytest.raises(MigrationError, match="'host_pins' has a foreign key"):
        hs.rollback(len(applied))
    assert rows_of(db) == every_row and hs.migrations() == applied

    db.drop_tables([Pin])  # once the host lets go of the plugin's table, everything rolls back
    host_rows = rows_of(db, ["servers", "library_items"])
    hs.rollback(len(applied))
    assert set(rows_of(db)) == {"servers", "library_items"}
    assert rows_of(db) == host_rows
    assert_foreign_keys_hold(db, engine)

    hs.migrate()
    assert hs.load("srv") == HomePage()
    hs.sync("srv", home)
    assert hs.load("srv") == home
    assert rows_of(db, ["servers", "library_items"]) == host_rows
