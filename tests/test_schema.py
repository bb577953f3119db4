"""The live schema, introspected on the running engine, matches the seed exactly."""

from __future__ import annotations

import datetime

import pytest

UTC = datetime.timezone.utc

# column -> (kind, nullable), from the seed schema in DESIGN.md plus the second migration.
SEED_COLUMNS = {
    "home_sections": {
        "id": ("integer", False),
        "source_id": ("text", False),
        "hub_identifier": ("text", False),
        "title": ("text", False),
        "section_type": ("text", False),
        "position": ("integer", False),
        "context": ("text", True),
        "style": ("text", True),
        "hub_type": ("text", True),
        "size": ("integer", True),
        "last_updated": ("timestamp", False),
        "is_stale": ("boolean", False),
        "created_at": ("timestamp", False),
        "updated_at": ("timestamp", False),
        "hub_key": ("text", True),
        "more": ("boolean", False),
    },
    "home_section_items": {
        "id": ("integer", False),
        "section_id": ("integer", False),
        "media_item_id": ("text", False),
        "position": ("integer", False),
        "created_at": ("timestamp", False),
    },
}

# The card fields of the plugin's own media_items (the fourth migration): column -> kind, all nullable.
CARD_COLUMNS = {
    "summary": "text", "content_rating": "text", "release_date": "text", "leaf_count": "integer",
    "unplayed_count": "integer", "library_id": "text", "library_title": "text",
    "starts_at": "timestamp", "ends_at": "timestamp", "channel_title": "text",
}

# index name -> (columns, unique)
SEED_INDEXES = {
    "home_sections": {
        "idx_home_sections_source_hub": (["source_id", "hub_identifier"], True),
        "idx_home_sections_source_position": (["source_id", "position"], False),
    },
    "home_section_items": {
        "idx_home_section_items_section_position": (["section_id", "position"], False),
        "idx_home_section_items_unique": (["section_id", "media_item_id"], True),
        "idx_home_section_items_media_item": (["media_item_id"], False),
    },
}

# column -> (table, column) referenced, all ON DELETE CASCADE
SEED_FOREIGN_KEYS = {
    "home_sections": {"source_id": ("sources", "id")},
    "home_section_items": {
        "section_id": ("home_sections", "id"),
        "media_item_id": ("media_items", "id"),
    },
}

# What each engine reports for each kind of column.
KINDS = {
    "sqlite": {"integer": {"INTEGER"}, "text": {"TEXT"}, "timestamp": {"DATETIME"},
               "boolean": {"INTEGER"}, "bigint": {"INTEGER"}},
    "postgres": {"integer": {"integer"}, "text": {"text"},
                 "timestamp": {"timestamp without time zone"}, "boolean": {"boolean"},
                 "bigint": {"bigint"}},
}


def _columns(db, table):
    return {c.name: c for c in db.get_columns(table)}


@pytest.mark.parametrize("table", sorted(SEED_COLUMNS))
def test_columns_match_the_seed(hs, db, engine, table):
    columns = _columns(db, table)
    assert set(columns) == set(SEED_COLUMNS[table])
    for name, (kind, nullable) in SEED_COLUMNS[table].items():
        assert columns[name].data_type in KINDS[engine][kind], (table, name, columns[name].data_type)
        assert columns[name].null is nullable, (table, name)
    assert [c.name for c in columns.values() if c.primary_key] == ["id"]


def test_the_card_columns_of_media_items_are_nullable_text_integers_and_times(hs, db, engine):
    columns = _columns(db, "media_items")
    for name, kind in CARD_COLUMNS.items():
        assert columns[name].data_type in KINDS[engine][kind], (name, columns[name].data_type)
        assert columns[name].null is True, name


@pytest.mark.parametrize("table", sorted(SEED_INDEXES))
def test_indexes_match_the_seed(hs, db, table):
    indexes = {
        i.name: (i.columns, i.unique)
        for i in db.get_indexes(table)
        if not i.name.endswith("_pkey")  # PostgreSQL lists the primary key's own index
    }
    assert indexes == SEED_INDEXES[table]


@pytest.mark.parametrize("table", sorted(SEED_FOREIGN_KEYS))
def test_foreign_keys_match_the_seed_and_cascade(hs, db, table):
    keys = {fk.column: fk for fk in db.get_foreign_keys(table)}
    assert {c: (fk.dest_table, fk.dest_column) for c, fk in keys.items()} == SEED_FOREIGN_KEYS[table]
    assert {fk.on_delete for fk in keys.values()} == {"CASCADE"}


def test_defaults_of_a_new_section(hs, clock):
    S = hs.models.HomeSection
    hs.add_source("s1")
    row = S.create(source="s1", hub_identifier="home.ondeck", title="On Deck",
                   section_type="on_deck", position=0)
    row = S.get_by_id(row.id)
    assert row.is_stale is False and row.more is False and row.hub_key is None
    for stamp in (row.last_updated, row.created_at, row.updated_at):
        assert stamp.tzinfo is UTC


def test_strings_are_unbounded(hs):
    title = "T" * 10_000 + " 🎬 فيلم"
    hs.add_source("s1", name=title)
    hs.models.HomeSection.create(source="s1", hub_identifier="h" * 255, title=title,
                                 section_type="custom", position=0)
    assert hs.models.HomeSection.get().title == title
    assert hs.sources()[0].name == title


def test_timestamps_are_stored_in_utc_and_come_back_aware(hs, db):
    # 14:30 at UTC+02:00 is 12:30 UTC; both engines must give back the same instant, in UTC.
    plus_two = datetime.timezone(datetime.timedelta(hours=2))
    written = datetime.datetime(2025, 1, 7, 14, 30, 15, 123456, tzinfo=plus_two)
    hs.add_source("s1")
    S = hs.models.HomeSection
    S.create(source="s1", hub_identifier="h", title="t", section_type="custom", position=0,
             last_updated=written)
    read = S.get().last_updated
    assert read == written
    assert read.tzinfo is UTC
    assert read.hour == 12 and read.microsecond == 123456
    # The stored value itself is UTC, whatever the session's zone.
    raw = db.execute_sql('SELECT last_updated FROM "home_sections"').fetchone()[0]
    assert str(raw).startswith("2025-01-07 12:30:15")


def test_deleting_a_source_cascades_to_its_sections_and_links(hs, db):
    _two_sources_with_a_link_each(hs)
    hs.models.Source.delete().where(hs.models.Source.id == "a").execute()
    m = hs.models
    assert [s.source_id for s in m.HomeSection.select()] == ["b"]
    assert m.HomeSectionItem.select().count() == 1
    assert m.HomeSectionItem.get().section.source_id == "b"


def test_deleting_a_media_item_removes_its_links_but_not_the_sections(hs):
    _two_sources_with_a_link_each(hs)
    m = hs.models
    m.MediaItem.delete().where(m.MediaItem.source == "a").execute()
    assert m.HomeSection.select().count() == 2
    assert [link.media_item_id for link in m.HomeSectionItem.select()] == ["b:1"]


def test_the_same_section_twice_in_a_source_is_refused(hs):
    import peewee

    hs.add_source("a")
    S = hs.models.HomeSection
    S.create(source="a", hub_identifier="home.ondeck", title="x", section_type="custom", position=0)
    with pytest.raises(peewee.IntegrityError):
        S.create(source="a", hub_identifier="home.ondeck", title="y", section_type="custom", position=1)


def _two_sources_with_a_link_each(hs):
    m = hs.models
    for source in ("a", "b"):
        hs.add_source(source)
        item = m.MediaItem.create(id=f"{source}:1", source=source, server_key="1", type="movie")
        section = m.HomeSection.create(source=source, hub_identifier="home.ondeck", title="On Deck",
                                       section_type="on_deck", position=0)
        m.HomeSectionItem.create(section=section, media_item=item, position=0)


def test_the_plugin_media_item_model_declares_columns_in_the_order_rows_are_bound(hs):
    # PluginMediaItems builds UPDATE parameters in COLUMNS order, and Peewee
    # writes SET columns in the model's field order: the two must agree.
    from homesections.media_items import COLUMNS

    declared = [f.column_name for f in hs.models.MediaItem._meta.sorted_fields]
    assert [d for d in declared if d in {c.name for c in COLUMNS}] == [c.name for c in COLUMNS]


def test_every_item_field_is_a_column_in_field_order():
    from homesections.media_items import COLUMNS
    from homesections.page import ITEM_FIELDS

    assert [c.field for c in COLUMNS] == list(ITEM_FIELDS)
