"""Registering the plugin on a host's database, with the plugin's tables or the host's."""

from __future__ import annotations

from typing import NamedTuple

import peewee
import pytest

import homesections
from homesections import ConfigurationError, HomeSections, Item, SourceError

from .engines import engine_name
from .host import LibraryItems, host_models

HOME_TABLES = {"home_sections", "home_section_items"}


# -- bad input ------------------------------------------------------------------


@pytest.mark.parametrize("not_a_db", ["not a database", None, 42, object()])
def test_registering_on_something_that_is_not_a_database_says_so(not_a_db):
    with pytest.raises(ConfigurationError, match="needs a peewee.Database or peewee.DatabaseProxy"):
        HomeSections(not_a_db)


def test_an_engine_homesections_does_not_support_is_named_in_the_error():
    mysql = peewee.MySQLDatabase("app")  # never connected: the check needs no server
    with pytest.raises(ConfigurationError, match="SQLite and PostgreSQL.*not MySQLDatabase"):
        HomeSections(mysql)


def test_an_unknown_engine_name_for_the_suite_lists_the_choices():
    with pytest.raises(ValueError, match=r"'mysql' names no engine.*sqlite, postgres"):
        engine_name({"HOMESECTIONS_TEST_ENGINE": "mysql"})
    assert engine_name({}) == "sqlite"
    assert engine_name({"HOMESECTIONS_TEST_ENGINE": "Postgres"}) == "postgres"


def test_host_tables_need_both_a_source_model_and_media_items(db):
    host = _Host(*host_models(db))
    with pytest.raises(ConfigurationError, match="both source_model and media_items"):
        HomeSections(db, source_model=host.Source)
    with pytest.raises(ConfigurationError, match="both source_model and media_items"):
        HomeSections(db, media_items=LibraryItems(host.Media))
    with pytest.raises(ConfigurationError, match="source_model must be a peewee.Model subclass"):
        HomeSections(db, source_model="sources", media_items=LibraryItems(host.Media))
    with pytest.raises(ConfigurationError, match="upsert"):
        HomeSections(db, source_model=host.Source, media_items=object())
    assert not (set(db.get_tables()) & HOME_TABLES)


def test_the_error_for_a_bad_database_changes_nothing(db):
    before = db.get_tables()
    with pytest.raises(ConfigurationError):
        HomeSections("not a database")
    assert db.get_tables() == before == []


# -- the plugin's own tables ----------------------------------------------------------


def test_models_are_bound_to_the_registration_database(hs, db):
    assert {m._meta.database for m in hs.models} == {db}
    assert [m._meta.table_name for m in hs.models] == [
        "sources", "media_items", "home_sections", "home_section_items",
    ]


def test_two_registrations_on_two_databases_stay_independent(hs, db, tmp_path):
    other_db = peewee.SqliteDatabase(str(tmp_path / "other.db"), pragmas=homesections.SQLITE_PRAGMAS)
    other = HomeSections(other_db)
    other.migrate()
    assert hs.models.HomeSection is not other.models.HomeSection
    assert hs.models.HomeSection._meta.database is db
    assert other.models.HomeSection._meta.database is other_db
    hs.add_source("only-here")
    assert [s.id for s in hs.sources()] == ["only-here"]
    assert other.sources() == []


def test_a_database_proxy_is_resolved_when_first_used(db):
    proxy = peewee.DatabaseProxy()
    hs = HomeSections(proxy)
    with pytest.raises(ConfigurationError, match="not initialized"):
        hs.migrate()
    proxy.initialize(db)
    assert hs.migrate()
    hs.add_source("a")
    assert [s.id for s in hs.sources()] == ["a"]


def test_sources_are_added_listed_and_removed(hs):
    hs.add_source("plex-main", name="Living room", backend_name="plex")
    hs.add_source("jf-kids", backend_name="jellyfin")
    assert [(s.id, s.name, s.backend) for s in hs.sources()] == [
        ("jf-kids", "jf-kids", "jellyfin"), ("plex-main", "Living room", "plex"),
    ]
    assert hs.sources()[0].created_at.tzinfo is not None
    with pytest.raises(SourceError, match="'plex-main' already exists"):
        hs.add_source("plex-main")
    assert hs.remove_source("plex-main") is True
    assert hs.remove_source("plex-main") is False
    assert [s.id for s in hs.sources()] == ["jf-kids"]


@pytest.mark.parametrize("bad_id", ["", None, 7])
def test_a_source_id_must_be_a_non_empty_string(hs, bad_id):
    with pytest.raises(ConfigurationError, match="source id"):
        hs.add_source(bad_id)


def test_sqlite_pragmas_are_the_recommended_settings(db, engine):
    assert homesections.SQLITE_PRAGMAS["journal_mode"] == "wal"
    assert homesections.SQLITE_PRAGMAS["foreign_keys"] == 1
    assert homesections.SQLITE_PRAGMAS["busy_timeout"] >= 1000
    if engine != "sqlite":
        pytest.skip("the pragmas are SQLite's; the rest of this test reads them back")
    assert db.pragma("journal_mode") == "wal"
    assert db.pragma("foreign_keys") == 1
    assert db.pragma("busy_timeout") == homesections.SQLITE_PRAGMAS["busy_timeout"]


# -- the host's own tables --------------------------------------------------------


class _Host(NamedTuple):
    Source: type[peewee.Model]
    Media: type[peewee.Model]


@pytest.fixture
def host(db) -> _Host:
    """The host's tables (tests/host.py), with a server and an item of the host's own."""
    models = _Host(*host_models(db))
    db.create_tables([models.Source, models.Media])
    models.Source.create(id="srv", label="The host's server")
    models.Media.create(id="srv/keep", server="srv", key="keep", kind="movie", title="Already in the library")
    return models


def _host_state(db):
    return {
        t: (sorted(c.name for c in db.get_columns(t)),
            db.execute_sql(f'SELECT * FROM "{t}" ORDER BY id').fetchall())
        for t in ("servers", "library_items")
    }


def test_a_host_with_its_own_tables_gets_only_the_two_home_tables(db, host):
    before = _host_state(db)
    hs = HomeSections(db, source_model=host.Source, media_items=LibraryItems(host.Media))
    assert [m.name for m in hs.migrations()] == [
        "m20250107_000001_add_home_sections", "m20250108_000001_add_hub_key_and_more",
    ]
    hs.migrate()
    tables = set(db.get_tables())
    assert HOME_TABLES <= tables
    assert not ({"sources", "media_items"} & tables)
    keys = {fk.column: (fk.dest_table, fk.dest_column) for fk in db.get_foreign_keys("home_sections")}
    assert keys == {"source_id": ("servers", "id")}
    keys = {fk.column: fk.dest_table for fk in db.get_foreign_keys("home_section_items")}
    assert keys == {"section_id": "home_sections", "media_item_id": "library_items"}
    assert _host_state(db) == before
    assert hs.models.Source is host.Source and hs.models.MediaItem is host.Media
    assert host.Source._meta.database is db  # the host's models are not rebound


def test_a_host_registration_rolls_back_only_its_own_tables(db, host):
    before = _host_state(db)
    hs = HomeSections(db, source_model=host.Source, media_items=LibraryItems(host.Media))
    hs.migrate()
    assert hs.rollback(2) == ["m20250108_000001_add_hub_key_and_more", "m20250107_000001_add_home_sections"]
    assert not (set(db.get_tables()) & HOME_TABLES)
    assert _host_state(db) == before
    with pytest.raises(homesections.MigrationError):
        hs.rollback(1)


def test_a_host_registration_syncs_into_the_host_tables(db, host):
    hs = HomeSections(db, source_model=host.Source, media_items=LibraryItems(host.Media))
    hs.migrate()
    page = homesections.HomePage((homesections.Section(
        "home.ondeck", "On Deck", items=(Item("1", "movie", title="One"),)),))
    report = hs.sync("srv", page)
    assert report.added == ("home.ondeck",)
    assert hs.load("srv") == page
    assert host.Media.get_by_id("srv/1").title == "One"
    assert host.Media.get_by_id("srv/keep").title == "Already in the library"


def test_the_plugin_does_not_manage_a_host_owned_sources_table(db, host):
    hs = HomeSections(db, source_model=host.Source, media_items=LibraryItems(host.Media))
    for call in (lambda: hs.add_source("x"), hs.sources, lambda: hs.remove_source("srv"),
                 hs.prune_media_items):
        with pytest.raises(ConfigurationError, match="host owns"):
            call()
    assert host.Source.select().count() == 1


def test_the_error_for_a_connection_string_does_not_repeat_it():
    with pytest.raises(ConfigurationError) as error:
        HomeSections("postgresql://app:s3cr3t-token@db.example/home")
    assert "s3cr3t" not in str(error.value) and "got str" in str(error.value)


@pytest.mark.parametrize("call", ["load", "load_all", "stale_sections", "needs_refresh", "sync"])
def test_every_call_on_an_uninitialized_proxy_says_so(call):
    import datetime

    hs = HomeSections(peewee.DatabaseProxy())
    calls = {
        "load": lambda: hs.load("a"),
        "load_all": hs.load_all,
        "stale_sections": hs.stale_sections,
        "needs_refresh": lambda: hs.needs_refresh("a", datetime.timedelta(minutes=5)),
        "sync": lambda: hs.sync("a", homesections.HomePage()),
    }
    with pytest.raises(ConfigurationError, match="not initialized"):
        calls[call]()
