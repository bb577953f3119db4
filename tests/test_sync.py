"""sync and sync_section: one atomic, minimal diff per home page.

Each test reads the rows the sync left through ``hs.models`` (and, for
"writes nothing" claims, the raw table contents and the statements run).
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any, Mapping, Sequence

import peewee
import pytest

import homesections
from homesections import HomePage, HomeSections, Item, Section, SectionType, SyncReport
from homesections.media_items import media_item_id

from .pages import hubs, movie, page, section, snapshot

UTC = datetime.timezone.utc
MINUTE = datetime.timedelta(minutes=1)


# --- reading the rows back ----------------------------------------------------


def media_rows(hs: HomeSections, source_id: str) -> dict[str, Any]:
    """``{server key: MediaItem row}`` of one source."""
    M = hs.models.MediaItem
    return {row.server_key: row for row in M.select().where(M.source == source_id)}


def section_row(hs: HomeSections, source_id: str, hub: str):
    S = hs.models.HomeSection
    return S.get((S.source == source_id) & (S.hub_identifier == hub))


def links(hs: HomeSections, source_id: str, hub: str) -> list[tuple[str, int, int]]:
    """``[(media item id, position, link id)]`` of one section, by position."""
    L = hs.models.HomeSectionItem
    query = L.select().where(L.section == section_row(hs, source_id, hub).id).order_by(L.position)
    return [(link.media_item_id, link.position, link.id) for link in query]


def link_ids_by_item(hs: HomeSections, source_id: str, hub: str) -> dict[str, int]:
    return {media_id: link_id for media_id, _, link_id in links(hs, source_id, hub)}


def linked_keys(hs: HomeSections, source_id: str, hub: str) -> list[str]:
    return [media_id.split(":", 1)[1] for media_id, _, _ in links(hs, source_id, hub)]


def positions(hs: HomeSections, source_id: str) -> dict[str, int]:
    S = hs.models.HomeSection
    return {row.hub_identifier: row.position for row in S.select().where(S.source == source_id)}


# --- the first sync -----------------------------------------------------------


def test_a_first_sync_writes_every_row_and_reports_every_section_added(hs, clock):
    home = page(section("home.ondeck", "1", "2"), section("home.recent", "2", "3"))

    report = hs.sync("plex", home)

    assert report == SyncReport(
        "plex", added=("home.ondeck", "home.recent"),
        rows_written=3 + 2 + 4,  # media items, sections, links
    )
    assert report.has_changes
    assert sorted(media_rows(hs, "plex")) == ["1", "2", "3"]
    assert {row.id for row in media_rows(hs, "plex").values()} == {
        media_item_id("plex", k) for k in ("1", "2", "3")
    }
    assert positions(hs, "plex") == {"home.ondeck": 0, "home.recent": 1}
    assert linked_keys(hs, "plex", "home.ondeck") == ["1", "2"]
    assert linked_keys(hs, "plex", "home.recent") == ["2", "3"]
    assert [p for _, p, _ in links(hs, "plex", "home.recent")] == [0, 1]
    row = section_row(hs, "plex", "home.ondeck")
    assert (row.last_updated, row.created_at, row.updated_at, row.is_stale) == (
        clock.now, clock.now, clock.now, False,
    )
    assert hs.load("plex") == home


def test_media_item_rows_hold_every_item_field(hs):
    added = datetime.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)
    item = Item(
        key="42", type="episode", title="Pilot", parent_title="Season 1",
        grandparent_title="The Show", index=1, parent_index=1, year=2008,
        thumb="/t/42", art="/a/42", grandparent_thumb="/gt/42", duration=2**40,
        view_offset=2**33, view_count=3, last_viewed_at=added + MINUTE, added_at=added,
        summary="It begins.", content_rating="TV-14", release_date=datetime.date(2008, 1, 20),
        leaf_count=1, unplayed_count=0, library_id="2", library_title="TV Shows",
        starts_at=added + 2 * MINUTE, ends_at=added + 60 * MINUTE, channel_title="AMC",
    )
    hs.sync("plex", page(Section("home.ondeck", "On Deck", items=(item,))))

    row = media_rows(hs, "plex")["42"]
    assert (row.id, row.source_id, row.type, row.title, row.parent_title, row.grandparent_title) == (
        media_item_id("plex", "42"), "plex", "episode", "Pilot", "Season 1", "The Show",
    )
    assert (row.item_index, row.parent_index, row.year, row.view_count) == (1, 1, 2008, 3)
    assert (row.thumb, row.art, row.grandparent_thumb) == ("/t/42", "/a/42", "/gt/42")
    assert (row.duration, row.view_offset) == (2**40, 2**33)
    assert (row.added_at, row.last_viewed_at) == (added, added + MINUTE)
    assert row.added_at.tzinfo == UTC
    assert (row.summary, row.content_rating, row.release_date) == (
        "It begins.", "TV-14", datetime.date(2008, 1, 20),
    )
    assert (row.leaf_count, row.unplayed_count, row.library_id, row.library_title) == (1, 0, "2", "TV Shows")
    assert (row.starts_at, row.ends_at, row.channel_title) == (added + 2 * MINUTE, added + 60 * MINUTE, "AMC")
    assert row.starts_at.tzinfo == UTC
    # The date is ISO text in the table, on both engines.
    raw = hs.db.execute_sql('SELECT release_date FROM "media_items"').fetchone()[0]
    assert raw == "2008-01-20"


# --- the diff, case by case ---------------------------------------------------


def test_a_new_item_inserts_one_link_and_one_media_item(hs, query_log):
    hs.sync("plex", page(section("home.recent", "1", "2")))
    before = link_ids_by_item(hs, "plex", "home.recent")
    query_log.statements.clear()

    report = hs.sync("plex", page(section("home.recent", "1", "2", "3")))

    assert report == SyncReport("plex", changed=("home.recent",), rows_written=3)
    assert len(query_log.writes("media_items")) == 1
    assert [s.split()[0].upper() for s in query_log.writes("home_section_items")] == ["INSERT"]
    assert linked_keys(hs, "plex", "home.recent") == ["1", "2", "3"]
    after = link_ids_by_item(hs, "plex", "home.recent")
    assert {k: after[k] for k in before} == before  # the old links are the same rows
    assert sorted(media_rows(hs, "plex")) == ["1", "2", "3"]


def test_a_gone_item_loses_its_link_but_its_media_item_stays_until_pruned(hs):
    hs.sync("plex", page(section("home.recent", "1", "2", "3")))

    report = hs.sync("plex", page(section("home.recent", "1", "3")))

    # One link deleted, "3" moved from position 2 to 1, the section's updated_at.
    assert report == SyncReport("plex", changed=("home.recent",), rows_written=3)
    assert linked_keys(hs, "plex", "home.recent") == ["1", "3"]
    assert [p for _, p, _ in links(hs, "plex", "home.recent")] == [0, 1]
    assert sorted(media_rows(hs, "plex")) == ["1", "2", "3"]
    assert hs.load("plex") == page(section("home.recent", "1", "3"))


def test_moved_items_are_repositioned_in_place_not_deleted_and_reinserted(hs, clock, query_log):
    hs.sync("plex", page(section("home.recent", "1", "2", "3")))
    L = hs.models.HomeSectionItem
    before = {(link.media_item_id, link.id, link.created_at) for link in L.select()}
    clock.advance(minutes=5)
    query_log.statements.clear()

    report = hs.sync("plex", page(section("home.recent", "3", "1", "2")))

    assert report == SyncReport("plex", changed=("home.recent",), rows_written=3 + 1)
    assert linked_keys(hs, "plex", "home.recent") == ["3", "1", "2"]
    assert [p for _, p, _ in links(hs, "plex", "home.recent")] == [0, 1, 2]
    assert {(link.media_item_id, link.id, link.created_at) for link in L.select()} == before
    link_writes = query_log.writes("home_section_items")
    assert link_writes and all(s.lstrip().upper().startswith("UPDATE") for s in link_writes)
    assert query_log.writes("media_items") == []
    assert hs.load("plex") == page(section("home.recent", "3", "1", "2"))


def test_a_retitled_section_updates_its_own_row_and_nothing_else(hs, clock, query_log):
    hs.sync("plex", page(section("home.recent", "1", "2", title="Recently Added")))
    old = section_row(hs, "plex", "home.recent")
    old_links = links(hs, "plex", "home.recent")
    clock.advance(minutes=5)
    query_log.statements.clear()

    report = hs.sync("plex", page(section("home.recent", "1", "2", title="New Arrivals")))

    assert report == SyncReport("plex", changed=("home.recent",), rows_written=1)
    new = section_row(hs, "plex", "home.recent")
    assert (new.id, new.title, new.created_at) == (old.id, "New Arrivals", old.created_at)
    assert new.updated_at == clock.now != old.updated_at
    assert links(hs, "plex", "home.recent") == old_links
    assert query_log.writes("home_section_items") == []
    assert query_log.writes("media_items") == []
    assert hs.load("plex").sections[0].title == "New Arrivals"


@pytest.mark.parametrize(
    "change",
    [
        {"section_type": SectionType.ON_DECK},
        {"context": "hub.movie.recentlyadded"},
        {"style": "hero"},
        {"hub_type": "movie"},
        {"size": 12},
        {"hub_key": "/hubs/home/recentlyAdded"},
        {"more": True},
    ],
    ids=lambda change: next(iter(change)),
)
def test_a_change_to_any_other_section_field_marks_it_changed(hs, change):
    base = section("home.recent", "1")
    hs.sync("plex", page(base))

    changed = dataclasses.replace(base, **change)
    report = hs.sync("plex", page(changed))

    assert report == SyncReport("plex", changed=("home.recent",), rows_written=1)
    assert hs.load("plex") == page(changed)
    # ... and back: None/False are values too.
    assert hs.sync("plex", page(base)).changed == ("home.recent",)
    assert hs.load("plex") == page(base)


def test_a_changed_item_updates_its_media_item_and_marks_its_sections_changed(hs, query_log):
    hs.sync("plex", page(section("home.ondeck", "1", "2"), section("home.recent", "2", "3"),
                         section("home.other", "3")))
    old_links = {hub: links(hs, "plex", hub) for hub in ("home.ondeck", "home.recent")}
    query_log.statements.clear()

    resumed = movie("2", title="Movie 2", view_offset=60_000)
    home = page(
        Section("home.ondeck", "Home.Ondeck", items=(movie("1", title="Movie 1"), resumed)),
        Section("home.recent", "Home.Recent", items=(resumed, movie("3", title="Movie 3"))),
        section("home.other", "3"),
    )
    report = hs.sync("plex", home)

    # The card of item 2 looks different in both sections that show it.
    assert report.changed == ("home.ondeck", "home.recent")
    assert report.unchanged == ("home.other",)
    assert report.has_changes
    assert media_rows(hs, "plex")["2"].view_offset == 60_000
    assert len(query_log.writes("media_items")) == 1
    assert query_log.writes("home_section_items") == []
    assert {hub: links(hs, "plex", hub) for hub in old_links} == old_links
    assert hs.load("plex") == home


def test_the_same_item_in_two_sections_is_one_media_item_and_two_links(hs):
    home = page(section("home.ondeck", "7"), section("home.recent", "5", "7"))

    report = hs.sync("plex", home)

    assert report.rows_written == 2 + 2 + 3
    assert sorted(media_rows(hs, "plex")) == ["5", "7"]
    assert linked_keys(hs, "plex", "home.ondeck") == ["7"]
    assert linked_keys(hs, "plex", "home.recent") == ["5", "7"]
    assert hs.load("plex") == home


def test_two_values_of_one_item_key_on_a_page_are_stored_as_one_merged_row(hs):
    home = page(
        Section("home.ondeck", "On Deck", items=(movie("7", title="Heat", view_offset=None),)),
        Section("home.recent", "Recent", items=(movie("5"), movie("7", title=None, view_offset=90))),
    )

    hs.sync("plex", home)

    row = media_rows(hs, "plex")["7"]
    assert (row.title, row.view_offset) == ("Heat", 90)
    loaded = hs.load("plex")
    assert loaded.sections[0].items == (movie("7", title="Heat", view_offset=90),)
    assert loaded.sections[1].items == (movie("5"), movie("7", title="Heat", view_offset=90))


def test_an_empty_section_is_kept_and_emptying_a_section_deletes_its_links(hs):
    hs.sync("plex", page(section("home.empty"), section("home.recent", "1", "2")))
    assert hs.load("plex") == page(section("home.empty"), section("home.recent", "1", "2"))
    assert links(hs, "plex", "home.empty") == []

    report = hs.sync("plex", page(section("home.empty"), section("home.recent")))

    assert report == SyncReport(
        "plex", changed=("home.recent",), unchanged=("home.empty",), rows_written=2 + 1,
    )
    assert links(hs, "plex", "home.recent") == []
    assert hs.load("plex") == page(section("home.empty"), section("home.recent"))


def test_an_empty_page_removes_every_section_of_the_source(hs):
    hs.sync("plex", page(section("a", "1"), section("b", "2")))
    hs.sync("jelly", page(section("a", "1")))

    report = hs.sync("plex", HomePage())

    assert report.removed == ("a", "b")
    assert (report.added, report.changed, report.unchanged) == ((), (), ())
    assert hs.load("plex") == HomePage()
    L, S = hs.models.HomeSectionItem, hs.models.HomeSection
    assert [s.source_id for s in S.select()] == ["jelly"]
    assert L.select().count() == 1
    assert hs.load("jelly") == page(section("a", "1"))


def test_the_same_key_on_two_sources_is_two_rows_and_the_newest_sync_of_each_wins(hs):
    hs.sync("plex", page(Section("home.recent", "Recent", items=(movie("9", title="One"),))))
    hs.sync("jelly", page(Section("home.recent", "Recent", items=(movie("9", title="Two"),))))

    M = hs.models.MediaItem
    assert sorted((m.id, m.source_id, m.server_key, m.title) for m in M.select()) == sorted([
        (media_item_id("plex", "9"), "plex", "9", "One"),
        (media_item_id("jelly", "9"), "jelly", "9", "Two"),
    ])

    hs.sync("plex", page(Section("home.recent", "Recent", items=(movie("9", title="Uno"),))))

    assert media_rows(hs, "plex")["9"].title == "Uno"
    assert media_rows(hs, "jelly")["9"].title == "Two"
    assert M.select().count() == 2
    assert hs.load("plex").sections[0].items == (movie("9", title="Uno"),)
    assert hs.load("jelly").sections[0].items == (movie("9", title="Two"),)


def test_source_ids_with_separators_never_share_a_media_item(hs):
    hs.sync("a:b", page(Section("h", "H", items=(movie("c", title="from a:b"),))))
    hs.sync("a", page(Section("h", "H", items=(movie("b:c", title="from a"),))))

    M = hs.models.MediaItem
    assert M.select().count() == 2
    assert hs.load("a:b").sections[0].items == (movie("c", title="from a:b"),)
    assert hs.load("a").sections[0].items == (movie("b:c", title="from a"),)


def test_sections_the_server_no_longer_sends_are_deleted_with_their_links(hs):
    hs.sync("plex", page(section("a", "1"), section("b", "2", "3"), section("c", "4")))
    gone = section_row(hs, "plex", "b").id

    report = hs.sync("plex", page(section("a", "1"), section("c", "4")))

    assert report.removed == ("b",)
    assert report.changed == ("c",)  # its position went from 2 to 1
    assert hubs(hs.load("plex")) == ["a", "c"]
    assert positions(hs, "plex") == {"a": 0, "c": 1}
    L = hs.models.HomeSectionItem
    assert L.select().where(L.section == gone).count() == 0
    assert L.select().count() == 2


def test_sections_are_reordered_to_the_page_order(hs):
    hs.sync("plex", page(section("a", "1"), section("b", "2"), section("c", "3")))
    ids = {hub: section_row(hs, "plex", hub).id for hub in "abc"}

    report = hs.sync("plex", page(section("c", "3"), section("a", "1"), section("b", "2")))

    assert report == SyncReport("plex", changed=("c", "a", "b"), rows_written=3)
    assert positions(hs, "plex") == {"c": 0, "a": 1, "b": 2}
    assert {hub: section_row(hs, "plex", hub).id for hub in "abc"} == ids
    assert hubs(hs.load("plex")) == ["c", "a", "b"]


# --- the report ---------------------------------------------------------------


def test_the_report_lists_each_kind_of_change_in_page_order(hs):
    hs.sync("plex", page(
        section("A", "1", "2"), section("B"), section("C", "4", "5"), section("D", "6"),
    ))

    report = hs.sync("plex", page(
        section("A", "1", "2"), section("C", "5", "4"), section("E", "7"), section("D", "6"),
        section("F"),
    ))

    assert report == SyncReport(
        "plex",
        added=("E", "F"),
        changed=("C",),  # position 2 -> 1, and its items swapped
        removed=("B",),
        unchanged=("A", "D"),
        # media item 7; sections E and F inserted, C updated, B deleted;
        # links: two moves in C and one insert in E.
        rows_written=1 + 2 + 1 + 1 + 2 + 1,
        items_left_out=0,
    )
    assert report.has_changes


def test_removed_sections_are_listed_in_the_order_the_cache_had_them(hs):
    hs.sync("plex", page(section("z"), section("keep"), section("a"), section("m")))

    report = hs.sync("plex", page(section("keep")))

    assert report.removed == ("z", "a", "m")


def test_rows_written_counts_the_links_of_a_removed_section(hs):
    hs.sync("plex", page(section("keep", "1"), section("gone", "2", "3")))
    L = hs.models.HomeSectionItem
    assert L.select().count() == 3

    report = hs.sync("plex", page(section("keep", "1")))

    # The sync deleted one section row and its two link rows.
    assert L.select().count() == 1
    assert report.rows_written == 1 + 2


# --- an unchanged resync ------------------------------------------------------


def unchanged_sample() -> HomePage:
    """Built anew at each call: the resync compares values, not objects."""
    viewed = datetime.datetime(2025, 1, 6, 21, 30, 15, 654321, tzinfo=UTC)
    film = movie("2", title="🎬 Film", year=1999)
    return page(
        Section(
            "home.continue", "Continue Watching", SectionType.CONTINUE_WATCHING,
            context="hub.continue", style="hero", hub_type="mixed", size=2,
            hub_key="/hubs/continue", more=True,
            items=(
                Item("1", "episode", "Pilot", "Season 1", "Show", 1, 1, 2008, "/t", "/a",
                     "/gt", 2_700_000, 1_200_000, 0, viewed, viewed - MINUTE),
                film,
            ),
        ),
        Section("home.recent", "Recently Added", items=(film, movie("3"))),
        section("home.empty"),
    )


def test_an_unchanged_resync_writes_nothing_but_the_freshness_stamp(hs, clock, query_log):
    hs.sync("plex", unchanged_sample())
    S = hs.models.HomeSection
    before = {s.hub_identifier: (s.id, s.created_at, s.updated_at) for s in S.select()}
    links_before = snapshot(hs.db, ("media_items", "home_section_items"))
    clock.advance(minutes=45)
    assert hs.mark_stale("plex", "home.recent") == 1
    max_age = datetime.timedelta(minutes=30)
    assert hs.needs_refresh("plex", max_age)
    query_log.statements.clear()

    report = hs.sync("plex", unchanged_sample())

    assert report == SyncReport(
        "plex", unchanged=("home.continue", "home.recent", "home.empty"), rows_written=0,
    )
    assert not report.has_changes
    assert query_log.writes("media_items") == []
    assert query_log.writes("home_section_items") == []
    assert query_log.writes("sources") == []
    stamp = query_log.writes("home_sections")
    assert len(stamp) == 1 and stamp[0].lstrip().upper().startswith("UPDATE")
    assert {s.hub_identifier: (s.id, s.created_at, s.updated_at) for s in S.select()} == before
    assert {s.last_updated for s in S.select()} == {clock.now}
    assert not any(s.is_stale for s in S.select())
    assert snapshot(hs.db, ("media_items", "home_section_items")) == links_before
    assert not hs.needs_refresh("plex", max_age)
    assert hs.load("plex") == unchanged_sample()


def test_an_unchanged_sync_section_writes_nothing_but_its_own_stamp(hs, clock, query_log):
    hs.sync("plex", unchanged_sample())
    clock.advance(minutes=10)
    query_log.statements.clear()

    report = hs.sync_section("plex", unchanged_sample().sections[0])

    assert report == SyncReport("plex", unchanged=("home.continue",))
    assert query_log.writes("media_items") == []
    assert query_log.writes("home_section_items") == []
    assert len(query_log.writes("home_sections")) == 1
    assert section_row(hs, "plex", "home.continue").last_updated == clock.now
    assert section_row(hs, "plex", "home.recent").last_updated == clock.now - 10 * MINUTE


# --- sync_section -------------------------------------------------------------


def test_sync_section_refreshes_one_hub_and_leaves_the_others_alone(hs, clock):
    hs.sync("plex", page(section("a", "1"), section("b", "2"), section("c", "3")))
    first = clock.now
    others = {hub: links(hs, "plex", hub) for hub in ("a", "c")}
    clock.advance(minutes=10)

    report = hs.sync_section("plex", section("b", "2", "4", title="Bee"))

    assert report == SyncReport("plex", changed=("b",), rows_written=1 + 1 + 1)
    assert hs.load("plex") == page(section("a", "1"), section("b", "2", "4", title="Bee"),
                                   section("c", "3"))
    assert positions(hs, "plex") == {"a": 0, "b": 1, "c": 2}
    assert {hub: links(hs, "plex", hub) for hub in ("a", "c")} == others
    assert {hub: section_row(hs, "plex", hub).last_updated for hub in "abc"} == {
        "a": first, "b": clock.now, "c": first,
    }


def test_sync_section_puts_a_new_hub_last(hs):
    hs.sync("plex", page(section("a", "1"), section("b", "2")))

    report = hs.sync_section("plex", section("new", "2", "9"))

    assert report == SyncReport("plex", added=("new",), rows_written=1 + 1 + 2)
    assert hubs(hs.load("plex")) == ["a", "b", "new"]
    assert positions(hs, "plex")["new"] > max(positions(hs, "plex")["a"], positions(hs, "plex")["b"])
    assert hs.load("plex").section("new") == section("new", "2", "9")


def test_sync_section_after_a_removal_still_goes_after_the_last_hub(hs):
    hs.sync("plex", page(section("a"), section("b"), section("c")))
    hs.sync("plex", page(section("c"), section("a")))  # positions now c=0, a=1

    hs.sync_section("plex", section("d"))

    assert hubs(hs.load("plex")) == ["c", "a", "d"]


def test_sync_section_puts_a_new_hub_after_every_cached_one_whatever_gaps_their_positions_have(hs):
    hs.sync("plex", page(section("a", "1"), section("b"), section("c")))
    # Positions as older data may hold them: not from 0, with gaps.
    S = hs.models.HomeSection
    for hub, position in {"a": 3, "b": 10, "c": 40}.items():
        S.update(position=position).where((S.source == "plex") & (S.hub_identifier == hub)).execute()

    hs.sync_section("plex", section("new", "9"))
    hs.sync_section("plex", section("newer"))

    assert hubs(hs.load("plex")) == ["a", "b", "c", "new", "newer"]
    # Each is last by its own position, not by a tie the row ids happen to break.
    stored = positions(hs, "plex")
    assert stored["c"] < stored["new"] < stored["newer"]


def test_sync_section_on_a_new_source_adds_the_source(hs, clock):
    report = hs.sync_section("fresh", section("a", "1"))

    assert report.added == ("a",)
    source = hs.models.Source.get_by_id("fresh")
    assert (source.name, source.backend, source.created_at) == ("fresh", None, clock.now)
    assert hs.load("fresh") == page(section("a", "1"))


# --- sources ------------------------------------------------------------------


def test_a_sync_adds_a_source_it_has_not_seen_named_after_its_id(hs, clock):
    hs.sync("living-room", page(section("a")))

    assert [(s.id, s.name, s.backend, s.created_at) for s in hs.sources()] == [
        ("living-room", "living-room", None, clock.now),
    ]


def test_an_existing_source_row_is_never_rewritten_by_a_sync(hs, clock, query_log):
    hs.add_source("plex", name="Living room", backend_name="jellyfin")
    before = snapshot(hs.db, ("sources",))
    clock.advance(minutes=5)
    query_log.statements.clear()

    hs.sync("plex", page(section("a", "1")), backend_name="plex")
    hs.refresh("plex", FakeBackend(page(section("a", "1"), section("b"))))

    assert query_log.writes("sources") == []
    assert snapshot(hs.db, ("sources",)) == before


class FakeBackend(homesections.Backend):
    """A backend whose "server" answers with a fixed page, or fails."""

    name = "fake"

    def __init__(self, home: HomePage | None = None, error: Exception | None = None) -> None:
        self.home = home
        self.error = error

    def parse(self, payload: Any) -> HomePage:
        return payload

    def fetch_home(self) -> HomePage:
        if self.error is not None:
            raise self.error
        return self.home


def test_refresh_syncs_the_fetched_page_and_records_the_backend_name(hs, clock):
    home = page(section("home.ondeck", "1"), section("home.recent", "1", "2"))

    report = hs.refresh("server-1", FakeBackend(home))

    assert report.added == ("home.ondeck", "home.recent")
    assert hs.load("server-1") == home
    source = hs.models.Source.get_by_id("server-1")
    assert (source.name, source.backend, source.created_at) == ("server-1", "fake", clock.now)


def test_a_failed_fetch_leaves_the_cache_unchanged(hs, clock):
    old = page(section("home.ondeck", "1"))
    hs.sync("plex", old)
    before = snapshot(hs.db)
    clock.advance(minutes=5)

    # A third party's backend raising its own error still gives a typed one, the cause kept.
    with pytest.raises(homesections.FetchError, match="server unreachable") as caught:
        hs.refresh("plex", FakeBackend(error=ConnectionError("server unreachable")))
    assert isinstance(caught.value.__cause__, ConnectionError)
    with pytest.raises(homesections.FetchError):
        hs.refresh("new-source", FakeBackend(error=ConnectionError("server unreachable")))

    assert snapshot(hs.db) == before
    assert hs.load("plex") == old


def test_a_fetch_that_returns_no_page_raises_payload_error_and_writes_nothing(hs):
    hs.sync("plex", page(section("a", "1")))
    before = snapshot(hs.db)

    with pytest.raises(homesections.PayloadError):
        hs.refresh("plex", FakeBackend(home={"MediaContainer": {}}))  # type: ignore[arg-type]

    assert snapshot(hs.db) == before


# --- bad input ----------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        None,
        {"sections": []},
        [Section("a", "A")],
        (Section("a", "A"),),
        HomePage((Section("dup", "One"), Section("x", "X"), Section("dup", "Two"))),
        HomePage((Section("a", "A", items=(movie("1"), "not an item")),)),  # type: ignore[arg-type]
        HomePage((Section("a", "A", items=(movie(""),)),)),
        HomePage((Section("", "Nameless"),)),
        HomePage(("not a section",)),  # type: ignore[arg-type]
    ],
    ids=["none", "dict", "list", "tuple", "duplicate-hub", "non-item", "empty-key",
         "empty-hub", "non-section"],
)
def test_bad_input_raises_payload_error_and_writes_nothing(hs, bad):
    hs.sync("plex", page(section("a", "1")))
    before = snapshot(hs.db)

    with pytest.raises(homesections.PayloadError):
        hs.sync("plex", bad)
    with pytest.raises(homesections.PayloadError):
        hs.sync("unseen", bad)

    assert snapshot(hs.db) == before


@pytest.mark.parametrize("hub", ["a", "new"], ids=["cached-section", "new-section"])
def test_a_duplicate_item_key_in_one_section_raises_payload_error_and_writes_nothing(hs, hub):
    hs.sync("plex", page(section("a", "1")))
    before = snapshot(hs.db)

    with pytest.raises(homesections.PayloadError):
        hs.sync("plex", page(section("a", "1"), section(hub, "1", "2", "1")))
    with pytest.raises(homesections.PayloadError):
        hs.sync_section("plex", section(hub, "1", "2", "1"))

    assert snapshot(hs.db) == before


@pytest.mark.parametrize("bad", [None, HomePage(), "a", Section("", "Nameless")],
                         ids=["none", "page", "str", "empty-hub"])
def test_sync_section_rejects_what_is_not_a_section(hs, bad):
    hs.sync("plex", page(section("a", "1")))
    before = snapshot(hs.db)

    with pytest.raises(homesections.PayloadError):
        hs.sync_section("plex", bad)

    assert snapshot(hs.db) == before


# --- atomicity ----------------------------------------------------------------


@pytest.fixture
def cached(hs, clock):
    """A source with a cached page, the page, and the raw rows of every table."""
    old = page(section("a", "1", "2"), section("b", "2", "3"), section("c", "4"))
    hs.sync("plex", old)
    hs.mark_stale("plex", "c")
    clock.advance(minutes=30)
    return old, snapshot(hs.db)


# A new page that touches every kind of row: a changed media item, a moved,
# a new and a gone link, a new, a changed and a gone section.
NEW_PAGE = page(
    Section("b", "Bee", items=(movie("3", title="changed"), movie("2", title="Movie 2"))),
    section("a", "1", "5"),
    section("d", "6"),
)


def assert_unchanged(hs: HomeSections, old: HomePage, rows: dict) -> None:
    assert snapshot(hs.db) == rows
    assert hs.load("plex") == old
    assert [s.hub_identifier for s in hs.stale_sections("plex")] == ["c"]


def test_an_error_after_the_media_items_were_written_rolls_everything_back(hs, cached, monkeypatch):
    old, rows = cached
    upsert = hs.media_items.upsert
    written = []

    def upsert_then_fail(source_id, items):
        written.append(upsert(source_id, items).rows_written)
        raise RuntimeError("disk full")

    monkeypatch.setattr(hs.media_items, "upsert", upsert_then_fail)

    with pytest.raises(RuntimeError, match="disk full"):
        hs.sync("plex", NEW_PAGE)
    with pytest.raises(RuntimeError, match="disk full"):
        hs.sync("unseen", NEW_PAGE)

    assert written[0] > 0  # the failure came after real writes
    assert_unchanged(hs, old, rows)


def test_an_error_after_the_link_insert_rolls_everything_back(hs, cached, query_log):
    old, rows = cached

    def links_inserted(sql: str) -> bool:
        return any(s.startswith('INSERT INTO "home_section_items"') for s in query_log.statements)

    query_log.fail_before(links_inserted, RuntimeError("connection lost"))

    with pytest.raises(RuntimeError, match="connection lost"):
        hs.sync("plex", NEW_PAGE)

    assert any(s.startswith('INSERT INTO "home_sections"') for s in query_log.statements)
    assert_unchanged(hs, old, rows)


def test_an_error_at_the_very_end_of_a_sync_rolls_everything_back(hs, cached, query_log):
    old, rows = cached

    def commit(sql: str) -> bool:
        return sql.strip().upper() == "COMMIT"

    query_log.fail_before(commit, RuntimeError("interrupted"))
    with pytest.raises(RuntimeError, match="interrupted"):
        hs.sync("plex", NEW_PAGE)
    query_log.fail_before(commit, RuntimeError("interrupted"))
    with pytest.raises(RuntimeError, match="interrupted"):
        hs.sync_section("plex", NEW_PAGE.sections[0])

    assert_unchanged(hs, old, rows)


def test_a_constraint_failure_mid_sync_rolls_everything_back(hs, cached, monkeypatch):
    old, rows = cached
    upsert = hs.media_items.upsert

    def upsert_with_a_dangling_id(source_id, items):
        ids = upsert(source_id, items)
        ids["6"] = "no-such-media-item"  # the link insert breaks its foreign key
        return ids

    monkeypatch.setattr(hs.media_items, "upsert", upsert_with_a_dangling_id)

    with pytest.raises(homesections.StoreError, match="FOREIGN KEY|foreign key") as caught:
        hs.sync("plex", NEW_PAGE)

    assert isinstance(caught.value.__cause__, peewee.IntegrityError)  # the driver's, kept
    assert_unchanged(hs, old, rows)
    monkeypatch.undo()
    # The connection is still usable, and the same page syncs cleanly.
    hs.sync("plex", NEW_PAGE)
    assert hs.load("plex") == NEW_PAGE


def test_a_sync_inside_a_host_transaction_rolls_back_with_it(hs, cached):
    old, rows = cached

    with pytest.raises(RuntimeError):
        with hs.db.atomic():
            hs.sync("plex", NEW_PAGE)
            assert hs.load("plex") == NEW_PAGE
            raise RuntimeError("the host's own work failed")

    assert_unchanged(hs, old, rows)


def test_a_reader_on_another_connection_sees_the_committed_page(hs, connect_db):
    hs.sync("plex", NEW_PAGE)
    other = connect_db()
    try:
        assert HomeSections(other).load("plex") == NEW_PAGE
    finally:
        other.close()


# --- a host that owns its sources and media items -----------------------------


class HostMediaItems:
    """A host's own media-item store over its ``host_media`` table (integer ids).

    It has no row for the keys in ``refuse``, so it returns no id for them.
    """

    def __init__(self, model: type[peewee.Model], refuse: Sequence[str] = ()) -> None:
        self.model = model
        self.refuse = set(refuse)
        self.calls: list[str] = []
        self.fail_after_write = False

    def upsert(self, source_id: str, items: Sequence[Item]) -> Mapping[str, int]:
        self.calls.append(source_id)
        M = self.model
        ids = {}
        for item in items:
            if item.key in self.refuse:
                continue
            row = M.get_or_none((M.server == source_id) & (M.rating_key == item.key))
            if row is None:
                row = M.create(server=source_id, rating_key=item.key, kind=item.type, title=item.title)
            elif (row.kind, row.title) != (item.type, item.title):
                M.update(kind=item.type, title=item.title).where(M.id == row.id).execute()
            ids[item.key] = row.id
            if self.fail_after_write:
                raise RuntimeError("host store failed")
        return ids

    def get(self, ids) -> dict[int, Item]:
        M = self.model
        if not ids:
            return {}
        return {
            row.id: Item(row.rating_key, row.kind, title=row.title)
            for row in M.select().where(M.id.in_(list(ids)))
        }


@pytest.fixture
def host(db, clock):
    """A host app with its own ``servers`` and ``host_media`` tables, and the plugin on them."""

    class HostModel(peewee.Model):
        class Meta:
            database = db

    class Server(HostModel):
        slug = peewee.TextField(primary_key=True)
        label = peewee.TextField()

        class Meta:
            table_name = "servers"

    class Media(HostModel):
        id = peewee.AutoField()
        server = peewee.ForeignKeyField(Server, column_name="server_slug", backref="+")
        rating_key = peewee.TextField()
        kind = peewee.TextField()
        title = peewee.TextField(null=True)

        class Meta:
            table_name = "host_media"

    db.create_tables([Server, Media])
    Server.create(slug="den", label="The den server")
    Server.create(slug="attic", label="Attic")
    # Rows of the host's own, which the plugin must never touch.
    Media.create(server="attic", rating_key="1", kind="movie", title="Attic movie")
    Media.create(server="den", rating_key="99", kind="track", title="Host-only track")

    store = HostMediaItems(Media, refuse=["2"])
    plugin = HomeSections(db, source_model=Server, media_items=store, clock=clock)
    plugin.migrate()
    return plugin, store


HOST_TABLES = ("servers", "host_media", "home_sections", "home_section_items")


def test_a_host_registration_creates_only_the_plugins_two_tables(host, db):
    tables = set(db.get_tables())
    assert {"home_sections", "home_section_items", "servers", "host_media"} <= tables
    assert "sources" not in tables and "media_items" not in tables


def test_items_the_host_store_has_no_id_for_are_left_out_and_counted(host, db):
    hs, store = host
    others = snapshot(db, ("servers", "host_media"))

    report = hs.sync("den", page(section("a", "1", "2", "3"), section("b", "3", "4")))

    assert report.added == ("a", "b")
    assert report.items_left_out == 1
    assert hs.load("den") == page(section("a", "1", "3"), section("b", "3", "4"))
    after = snapshot(db, ("servers", "host_media"))
    assert after["servers"] == others["servers"]
    assert after["host_media"][: len(others["host_media"])] == others["host_media"]
    Media = hs.models.MediaItem
    assert sorted(m.rating_key for m in Media.select().where(Media.server == "den")) == [
        "1", "3", "4", "99",
    ]
    assert store.calls == ["den"]


def test_a_host_item_that_gets_an_id_later_joins_its_section(host):
    hs, store = host
    hs.sync("den", page(section("a", "1", "2")))
    store.refuse.clear()

    report = hs.sync("den", page(section("a", "1", "2")))

    assert report.changed == ("a",)
    assert report.items_left_out == 0
    assert hs.load("den") == page(section("a", "1", "2"))


def test_syncing_a_source_the_host_does_not_have_raises_source_error_and_writes_nothing(host, db):
    hs, store = host
    hs.sync("den", page(section("a", "1")))
    before = snapshot(db, HOST_TABLES)

    with pytest.raises(homesections.SourceError, match="nowhere"):
        hs.sync("nowhere", page(section("a", "1", "5")))
    with pytest.raises(homesections.SourceError):
        hs.sync_section("nowhere", section("a", "5"))

    assert snapshot(db, HOST_TABLES) == before
    assert store.calls == ["den"]
    assert hs.load("nowhere") == HomePage()


def test_a_host_store_that_writes_then_fails_leaves_every_table_as_it_was(host, db):
    hs, store = host
    old = page(section("a", "1"), section("b", "3"))
    hs.sync("den", old)
    before = snapshot(db, HOST_TABLES)
    store.fail_after_write = True

    with pytest.raises(RuntimeError, match="host store failed"):
        hs.sync("den", page(section("a", "7", "1")))

    assert snapshot(db, HOST_TABLES) == before
    assert hs.load("den") == old


def test_a_host_registration_keeps_its_own_rows_on_housekeeping_calls(host, db):
    hs, _ = host
    before = snapshot(db, ("servers", "host_media"))

    with pytest.raises(homesections.ConfigurationError):
        hs.prune_media_items()
    with pytest.raises(homesections.ConfigurationError):
        hs.remove_source("den")

    assert snapshot(db, ("servers", "host_media")) == before


def test_a_hand_built_page_with_values_no_column_holds_is_refused_and_writes_nothing(hs, db):
    hs.sync("plex", page(section("home.ondeck", "1")))
    before = snapshot(db)
    huge = HomePage((Section("home.ondeck", "On Deck", items=(movie("1", year=2**70),)),))
    with pytest.raises(homesections.PayloadError, match="cannot store"):
        hs.sync("plex", huge)
    assert snapshot(db) == before


def test_a_host_store_item_whose_values_changed_marks_its_sections_changed(host):
    plugin, store = host
    first = page(section("home.ondeck", "1"), section("home.recent", "3"))
    plugin.sync("den", first)
    retitled = HomePage((
        Section("home.ondeck", first.sections[0].title, items=(movie("1", title="A new title"),)),
        first.sections[1],
    ))
    report = plugin.sync("den", retitled)
    assert report.changed == ("home.ondeck",)
    assert report.unchanged == ("home.recent",)
    assert plugin.load("den").sections[0].items[0].title == "A new title"


BAD_PAGES = {
    "no title": HomePage((Section("home.ondeck", None),)),
    "NUL in an identifier": HomePage((Section("home.\x00ondeck", "On Deck"),)),
    "an identifier over 255 characters": HomePage((Section("h" * 256, "On Deck"),)),
    "a section type that is no SectionType": HomePage((Section("home.ondeck", "x", "on_deck"),)),
    "an item key over 255 characters": page(section("home.ondeck", "k" * 256)),
    "an item with no type": HomePage((Section("home.ondeck", "x", items=(Item("1", None),)),)),
    "a naive datetime": HomePage((Section("home.ondeck", "x", items=(
        movie("1", added_at=datetime.datetime(2025, 1, 1)),)),)),
    "a time that is text": HomePage((Section("home.ondeck", "x", items=(
        movie("1", last_viewed_at="2025-01-01T00:00:00Z"),)),)),
    "a naive start time": HomePage((Section("home.ondeck", "x", items=(
        movie("1", starts_at=datetime.datetime(2025, 1, 1)),)),)),
    "a naive end time": HomePage((Section("home.ondeck", "x", items=(
        movie("1", ends_at=datetime.datetime(2025, 1, 1)),)),)),
    "a release date that is text": HomePage((Section("home.ondeck", "x", items=(
        movie("1", release_date="2025-01-01"),)),)),
    "a release date that is a datetime": HomePage((Section("home.ondeck", "x", items=(
        movie("1", release_date=datetime.datetime(2025, 1, 1, tzinfo=UTC)),)),)),
}


@pytest.mark.parametrize("what", sorted(BAD_PAGES))
def test_a_hand_built_page_that_cannot_be_stored_is_refused_saying_where(hs, db, what):
    hs.sync("plex", page(section("home.ondeck", "1")))
    before = snapshot(db)
    # It names the section, or for an item's own values, the item.
    with pytest.raises(homesections.PayloadError, match=r"page\.sections\[0\]|item '1'"):
        hs.sync("plex", BAD_PAGES[what])
    assert snapshot(db) == before


def test_sync_section_reports_the_other_sections_showing_an_item_it_changed(hs):
    hs.sync("plex", page(section("home.ondeck", "1", "2"), section("home.recent", "3"),
                         section("movie.genre", "2")))
    report = hs.sync_section("plex", Section("home.continue", "Continue",
                                             items=(movie("2", view_offset=60_000),)))
    assert report.added == ("home.continue",)
    assert report.changed == ("home.ondeck", "movie.genre")
    assert hs.load("plex").section("home.ondeck").items[1].view_offset == 60_000


def test_a_host_with_uuid_media_ids_syncs_and_loads_on_both_engines(db):
    import uuid

    class Server(peewee.Model):
        id = peewee.TextField(primary_key=True)

        class Meta:
            database = db
            table_name = "servers"

    class Media(peewee.Model):
        id = peewee.UUIDField(primary_key=True)
        key = peewee.TextField(unique=True)
        title = peewee.TextField(null=True)

        class Meta:
            database = db
            table_name = "host_media"

    class UUIDStore:
        model = Media

        def upsert(self, source_id, items):
            ids = {}
            for item in items:
                row = Media.get_or_none(Media.key == item.key) or Media.create(
                    id=uuid.uuid5(uuid.NAMESPACE_URL, item.key), key=item.key)
                Media.update(title=item.title).where(Media.id == row.id).execute()
                ids[item.key] = row.id
            return ids

        def get(self, ids):
            return {r.id: Item(r.key, "movie", title=r.title) for r in Media.select().where(Media.id.in_(list(ids)))}

    db.create_tables([Server, Media])
    Server.create(id="srv")
    hs = HomeSections(db, source_model=Server, media_items=UUIDStore())
    hs.migrate()
    home = page(section("home.ondeck", "1", "2"))
    assert hs.sync("srv", home).added == ("home.ondeck",)
    assert hs.load("srv") == home
    again = hs.sync("srv", home)
    assert again.unchanged == ("home.ondeck",) and again.rows_written == 0
