"""Migrations: apply, list, roll back, survive rows, and run once across processes."""

from __future__ import annotations

import datetime
import multiprocessing
import sqlite3

import peewee
import pytest

import homesections
from homesections import HomeSections, MigrationError, Section
from homesections.migrations import HISTORY_TABLE

from .engines import connect
from .pages import movie, page, section
from .test_schema import CARD_COLUMNS as CARD_KINDS

ALL = [
    "m20250107_000000_add_sources_and_media_items",
    "m20250107_000001_add_home_sections",
    "m20250108_000001_add_hub_key_and_more",
    "m20250109_000001_add_card_fields",
]

HOME_TABLES = {"home_sections", "home_section_items"}


def _tables(db) -> set[str]:
    return set(db.get_tables())


def _history(db) -> list[str]:
    return [name for (name,) in db.execute_sql(f'SELECT name FROM "{HISTORY_TABLE}" ORDER BY name')]


def test_migrate_applies_everything_in_order_then_nothing(db):
    hs = HomeSections(db)
    assert [m.name for m in hs.migrations()] == ALL
    assert not any(m.applied for m in hs.migrations())
    assert hs.migrate() == ALL
    assert hs.migrate() == []
    assert all(m.applied for m in hs.migrations())
    assert {"sources", "media_items", *HOME_TABLES, HISTORY_TABLE} <= _tables(db)
    assert _history(db) == ALL


def test_applied_times_are_aware_utc(hs):
    for status in hs.migrations():
        assert status.applied_at.tzinfo is homesections.page.datetime.timezone.utc


def test_rollback_undoes_the_newest_first(hs, db):
    assert hs.rollback() == ["m20250109_000001_add_card_fields"]
    assert not CARD_COLUMNS & {c.name for c in db.get_columns("media_items")}
    assert hs.rollback() == ["m20250108_000001_add_hub_key_and_more"]
    columns = {c.name for c in db.get_columns("home_sections")}
    assert "hub_key" not in columns and "more" not in columns
    assert [m.applied for m in hs.migrations()] == [True, True, False, False]
    assert hs.rollback(2) == ALL[1::-1]
    assert not (_tables(db) & {"sources", "media_items", *HOME_TABLES})
    assert _history(db) == []
    assert hs.migrate() == ALL


@pytest.mark.parametrize("steps", [5, 0, -1, "1", 1.5, True])
def test_rolling_back_too_far_or_nonsense_is_refused_and_changes_nothing(hs, db, steps):
    before = (_tables(db), _history(db), [c.name for c in db.get_columns("home_sections")])
    with pytest.raises(MigrationError) as error:
        hs.rollback(steps)
    assert str(steps) in str(error.value) or repr(steps) in str(error.value)
    after = (_tables(db), _history(db), [c.name for c in db.get_columns("home_sections")])
    assert after == before


def test_rolling_back_more_than_applied_says_how_many_are(hs):
    with pytest.raises(MigrationError, match=r"cannot roll back 5 .*only 4 applied"):
        hs.rollback(5)


def test_a_failing_migration_changes_nothing(db, monkeypatch):
    from homesections.migrations import m20250108_000001_add_hub_key_and_more as second

    hs = HomeSections(db)
    hs.migrate()
    hs.rollback(2)
    real_up = second.up

    def up_then_fail(ctx):
        real_up(ctx)  # the columns are added inside the transaction...
        raise RuntimeError("disk full")  # ...and must go again with it

    monkeypatch.setattr(second, "up", up_then_fail)
    with pytest.raises(MigrationError, match=r"m20250108_000001_add_hub_key_and_more.*disk full"):
        hs.migrate()
    assert "hub_key" not in {c.name for c in db.get_columns("home_sections")}
    assert _history(db) == ALL[:2]


def _fill_all_four_tables(hs) -> dict[str, int]:
    m = hs.models
    for source in ("a", "b"):
        hs.add_source(source, name=f"Server {source}", backend_name="plex")
        section = m.HomeSection.create(source=source, hub_identifier="home.ondeck", title="On Deck",
                                       section_type="on_deck", position=0)
        for n in range(3):
            item = m.MediaItem.create(id=f"{source}:{n}", source=source, server_key=str(n),
                                      type="movie", title=f"Movie {n}")
            m.HomeSectionItem.create(section=section, media_item=item, position=n)
    return _counts(hs)


def _counts(hs) -> dict[str, int]:
    return {model._meta.table_name: model.select().count() for model in hs.models}


def test_rows_in_all_four_tables_survive_rollback_and_migrate_with_foreign_keys_on(hs, db, engine):
    if engine == "sqlite":
        assert db.pragma("foreign_keys") == 1  # the setting under which a table rebuild cascades
    counts = _fill_all_four_tables(hs)
    assert counts == {"sources": 2, "media_items": 6, "home_sections": 2, "home_section_items": 6}
    hs.rollback(2)
    assert _counts_without_new_columns(db) == counts
    hs.migrate()
    assert _counts(hs) == counts
    section = hs.models.HomeSection.get(hs.models.HomeSection.source == "a")
    assert section.more is False and section.hub_key is None


def test_rows_survive_when_the_host_holds_a_transaction_open(hs, db):
    # Inside an outer transaction SQLite cannot switch foreign keys off, so a
    # migration that rebuilt a table here would cascade-delete the links.
    counts = _fill_all_four_tables(hs)
    with db.atomic():
        hs.rollback(2)
        hs.migrate()
    assert _counts(hs) == counts


def _counts_without_new_columns(db) -> dict[str, int]:
    tables = ("sources", "media_items", "home_sections", "home_section_items")
    return {t: db.execute_sql(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}


# --- the card fields (the fourth migration) --------------------------------------------

UTC = datetime.timezone.utc
CARD_COLUMNS = set(CARD_KINDS)
CARDS = {
    "summary": "A heist.", "content_rating": "R", "release_date": datetime.date(1995, 12, 15),
    "leaf_count": 1, "unplayed_count": 0, "library_id": "1", "library_title": "Movies",
    "starts_at": datetime.datetime(2025, 1, 7, 20, 0, tzinfo=UTC),
    "ends_at": datetime.datetime(2025, 1, 7, 22, 50, tzinfo=UTC), "channel_title": "Film4",
}


def _card_page():
    return page(Section("home.ondeck", "On Deck", items=(movie("1", title="Heat", **CARDS),
                                                         movie("2", title="Movie 2"))),
                section("home.recent", "2", "3"))


def _rows_without_card_columns(db) -> dict[str, list[tuple]]:
    kept = {t: [c.name for c in db.get_columns(t) if c.name not in CARD_COLUMNS]
            for t in ("sources", "media_items", "home_sections", "home_section_items")}
    quoted = {t: ", ".join('"%s"' % c for c in columns) for t, columns in kept.items()}
    return {t: db.execute_sql(f'SELECT {quoted[t]} FROM "{t}" ORDER BY 1').fetchall() for t in kept}


def test_the_card_fields_go_down_and_up_again_keeping_every_row_of_every_table(hs, db):
    for source in ("a", "b"):
        hs.sync(source, _card_page())
    before = _rows_without_card_columns(db)
    counts = _counts(hs)

    assert hs.rollback() == ["m20250109_000001_add_card_fields"]
    assert not CARD_COLUMNS & {c.name for c in db.get_columns("media_items")}
    assert _rows_without_card_columns(db) == before

    assert hs.migrate() == ["m20250109_000001_add_card_fields"]
    assert CARD_COLUMNS <= {c.name for c in db.get_columns("media_items")}
    assert _rows_without_card_columns(db) == before and _counts(hs) == counts
    # The values went with the columns; everything else is as it was.
    heat = hs.load("a").section("home.ondeck").items[0]
    assert heat == movie("1", title="Heat")
    hs.sync("a", _card_page())
    assert hs.load("a") == _card_page()


def test_the_card_fields_migration_leaves_a_table_of_the_hosts_alone(hs, db):
    # A host table pointing at the plugin's media items, rows cascading from them.
    class Favourite(peewee.Model):
        media_item = peewee.ForeignKeyField(hs.models.MediaItem, on_delete="CASCADE")
        note = peewee.TextField()

        class Meta:
            database = db
            table_name = "favourites"

    hs.sync("a", _card_page())
    db.create_tables([Favourite])
    for key in ("a:1", "a:2"):
        Favourite.create(media_item=key, note=f"loved {key}")
    state = lambda: ([c.name for c in db.get_columns("favourites")],  # noqa: E731
                     db.execute_sql('SELECT * FROM "favourites" ORDER BY id').fetchall())
    before = state()

    hs.rollback()
    assert state() == before
    hs.migrate()
    assert state() == before


def test_an_unchanged_resync_after_the_card_fields_migration_writes_only_the_freshness_stamp(hs, query_log):
    plain = page(section("home.ondeck", "1", "2"), section("home.recent", "2", "3"))
    hs.sync("a", plain)
    hs.rollback()  # the cache as it was before the card fields: their columns are new to it
    hs.migrate()
    query_log.statements.clear()

    report = hs.sync("a", plain)

    assert report.rows_written == 0 and report.unchanged == ("home.ondeck", "home.recent")
    assert query_log.writes("media_items") == [] and query_log.writes("home_section_items") == []
    assert len(query_log.writes("home_sections")) == 1  # the stamp
    assert hs.sync("a", _card_page()).rows_written > 0
    query_log.statements.clear()
    assert hs.sync("a", _card_page()).rows_written == 0
    assert query_log.writes("media_items") == []


def _migrate_in_a_process(engine, path, barrier, results):
    # Each process opens its own connection, waits for the other, then migrates.
    db = connect(engine, path)
    hs = HomeSections(db)
    barrier.wait(timeout=30)
    try:
        results.put(("ok", hs.migrate()))
    except Exception as exc:  # reported to the parent, which fails the test
        results.put(("error", repr(exc)))
    finally:
        db.close()


@pytest.mark.slow
def test_two_processes_migrating_at_once_apply_each_migration_once(db, engine, db_path):
    db.close()  # the processes share the (empty) database, not this connection
    spawn = multiprocessing.get_context("spawn")
    barrier = spawn.Barrier(2)
    results = spawn.Queue()
    processes = [
        spawn.Process(target=_migrate_in_a_process, args=(engine, db_path, barrier, results))
        for _ in range(2)
    ]
    for p in processes:
        p.start()
    outcomes = [results.get(timeout=60) for _ in processes]
    for p in processes:
        p.join(timeout=30)
        assert p.exitcode == 0
    assert [kind for kind, _ in outcomes] == ["ok", "ok"], outcomes
    applied = sorted(name for _, names in outcomes for name in names)
    assert applied == ALL  # every migration applied exactly once, by one or the other
    db.connect()
    assert _history(db) == ALL


def test_the_sqlite_used_here_drops_columns_in_place(engine):
    # The second migration's down() relies on ALTER TABLE DROP COLUMN (3.35+);
    # older SQLite would make playhouse.migrate rebuild the table.
    if engine != "sqlite":
        pytest.skip("an SQLite-only property")
    assert sqlite3.sqlite_version_info >= (3, 35, 0)


def test_the_history_table_is_named_for_the_plugin(hs, db):
    assert HISTORY_TABLE == "homesections_migrations"
    assert HISTORY_TABLE in db.get_tables()
    assert "migratehistory" not in db.get_tables() and "schema_migration" not in db.get_tables()
