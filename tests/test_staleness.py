"""Freshness (mark_stale, stale_sections, needs_refresh) and housekeeping (sources, pruning).

Every time here comes from the fake clock, so the boundaries are exact.
"""

from __future__ import annotations

import datetime

import pytest

import homesections
from homesections import HomePage, SectionStatus
from homesections.media_items import media_item_id

from .pages import page, section, snapshot

UTC = datetime.timezone.utc
MINUTES_30 = datetime.timedelta(minutes=30)
SECOND = datetime.timedelta(seconds=1)


def stale_hubs(hs, source_id=None, older_than=None) -> list[tuple[str, str]]:
    return [(s.source_id, s.hub_identifier) for s in hs.stale_sections(source_id, older_than)]


@pytest.fixture
def two_sources(hs, clock):
    """plex (a, b, c) and jelly (x, y), both synced at the clock's start."""
    hs.sync("plex", page(section("a", "1"), section("b", "2"), section("c", "3")))
    hs.sync("jelly", page(section("x", "1"), section("y")))
    return clock.now


# --- mark_stale and stale_sections ---------------------------------------------


def test_a_fresh_sync_has_no_stale_sections(hs, two_sources):
    assert hs.stale_sections() == []
    assert hs.stale_sections("plex") == []
    assert hs.stale_sections(older_than=MINUTES_30) == []


def test_mark_stale_marks_one_section_and_says_how_many(hs, two_sources):
    assert hs.mark_stale("plex", "b") == 1

    assert hs.stale_sections() == [
        SectionStatus("plex", "b", "B", two_sources, True),
    ]
    S = hs.models.HomeSection
    assert {s.hub_identifier: s.is_stale for s in S.select()} == {
        "a": False, "b": True, "c": False, "x": False, "y": False,
    }


def test_mark_stale_without_a_hub_marks_every_section_of_the_source(hs, two_sources):
    assert hs.mark_stale("plex") == 3

    assert stale_hubs(hs) == [("plex", "a"), ("plex", "b"), ("plex", "c")]
    assert stale_hubs(hs, "jelly") == []


def test_mark_stale_of_nothing_marks_nothing(hs, two_sources):
    assert hs.mark_stale("plex", "no-such-hub") == 0
    assert hs.mark_stale("nobody") == 0
    assert hs.mark_stale("jelly", "a") == 0  # a hub of another source
    assert hs.stale_sections() == []


def test_marking_twice_still_counts_the_sections_it_names(hs, two_sources):
    hs.mark_stale("plex", "a")
    assert hs.mark_stale("plex") == 3
    assert len(hs.stale_sections("plex")) == 3


def test_mark_stale_leaves_the_rest_of_the_row_alone(hs, clock, two_sources):
    S = hs.models.HomeSection
    before = {s.id: (s.last_updated, s.updated_at, s.position, s.title) for s in S.select()}
    clock.advance(minutes=5)

    hs.mark_stale("plex")

    assert {s.id: (s.last_updated, s.updated_at, s.position, s.title) for s in S.select()} == before
    assert hs.load("plex") == page(section("a", "1"), section("b", "2"), section("c", "3"))


def test_stale_sections_are_listed_by_source_then_position(hs, two_sources):
    hs.sync("plex", page(section("c", "3"), section("a", "1"), section("b", "2")))
    hs.mark_stale("plex")
    hs.mark_stale("jelly", "y")

    assert stale_hubs(hs) == [
        ("jelly", "y"), ("plex", "c"), ("plex", "a"), ("plex", "b"),
    ]
    assert stale_hubs(hs, "plex") == [("plex", "c"), ("plex", "a"), ("plex", "b")]


def test_stale_sections_reports_the_title_and_the_last_update(hs, clock, two_sources):
    clock.advance(minutes=7)
    hs.sync_section("jelly", section("y", "5", title="Why"))
    hs.mark_stale("jelly")

    assert hs.stale_sections("jelly") == [
        SectionStatus("jelly", "x", "X", two_sources, True),
        SectionStatus("jelly", "y", "Why", clock.now, True),
    ]
    for status in hs.stale_sections("jelly"):
        assert status.last_updated.tzinfo is not None
        assert status.last_updated.utcoffset() == datetime.timedelta(0)
        assert status.is_stale is True


def test_older_than_lists_sections_last_updated_longer_ago_than_that(hs, clock, two_sources):
    clock.advance(minutes=20)
    hs.sync_section("plex", section("b", "2"))  # b is 10 minutes younger than the rest

    clock.advance(minutes=10)  # exactly 30 minutes after the first sync
    assert hs.stale_sections(older_than=MINUTES_30) == []

    clock.advance(seconds=1)
    assert hs.stale_sections(older_than=MINUTES_30) == [
        SectionStatus("jelly", "x", "X", two_sources, False),
        SectionStatus("jelly", "y", "Y", two_sources, False),
        SectionStatus("plex", "a", "A", two_sources, False),
        SectionStatus("plex", "c", "C", two_sources, False),
    ]
    assert stale_hubs(hs, "plex", MINUTES_30) == [("plex", "a"), ("plex", "c")]

    clock.advance(minutes=20)  # b is now 30 minutes and one second old too
    assert stale_hubs(hs, "plex", MINUTES_30) == [("plex", "a"), ("plex", "b"), ("plex", "c")]
    # Without older_than, age alone does not make a section stale.
    assert hs.stale_sections() == []


def test_older_than_and_the_stale_mark_combine_within_one_source(hs, clock, two_sources):
    hs.mark_stale("jelly", "y")
    clock.advance(minutes=31)
    hs.sync("plex", page(section("a", "1"), section("b", "2"), section("c", "3")))
    hs.mark_stale("plex", "c")

    # plex: c is marked; none is old. jelly: y is marked and both are old.
    assert stale_hubs(hs, "plex", MINUTES_30) == [("plex", "c")]
    assert stale_hubs(hs, "plex") == [("plex", "c")]
    assert stale_hubs(hs, "jelly", MINUTES_30) == [("jelly", "x"), ("jelly", "y")]
    assert stale_hubs(hs, "jelly") == [("jelly", "y")]
    assert stale_hubs(hs, "nobody", MINUTES_30) == []


def test_a_sync_clears_the_stale_mark_of_what_it_wrote(hs, clock, two_sources):
    hs.mark_stale("plex")
    hs.mark_stale("jelly")
    clock.advance(minutes=1)

    hs.sync("plex", page(section("a", "1"), section("b", "2", "9"), section("c", "3")))

    assert stale_hubs(hs) == [("jelly", "x"), ("jelly", "y")]
    S = hs.models.HomeSection
    assert {s.last_updated for s in S.select().where(S.source == "plex")} == {clock.now}
    assert {s.last_updated for s in S.select().where(S.source == "jelly")} == {two_sources}


def test_sync_section_clears_only_its_own_stale_mark(hs, clock, two_sources):
    hs.mark_stale("plex")
    clock.advance(minutes=1)

    hs.sync_section("plex", section("b", "2"))

    assert stale_hubs(hs, "plex") == [("plex", "a"), ("plex", "c")]


# --- needs_refresh ------------------------------------------------------------


def test_a_source_with_nothing_cached_needs_a_refresh(hs):
    assert hs.needs_refresh("nobody", MINUTES_30)
    hs.sync("empty", HomePage())
    assert hs.needs_refresh("empty", MINUTES_30)


def test_a_freshly_synced_source_does_not_need_a_refresh(hs, two_sources):
    assert not hs.needs_refresh("plex", MINUTES_30)
    assert not hs.needs_refresh("plex", datetime.timedelta(0))


def test_a_source_needs_a_refresh_once_older_than_max_age(hs, clock, two_sources):
    clock.advance(minutes=30)
    assert not hs.needs_refresh("plex", MINUTES_30)  # exactly max_age old

    clock.advance(seconds=1)
    assert hs.needs_refresh("plex", MINUTES_30)
    assert not hs.needs_refresh("plex", datetime.timedelta(hours=1))

    hs.sync("plex", page(section("a", "1"), section("b", "2"), section("c", "3")))
    assert not hs.needs_refresh("plex", MINUTES_30)
    assert hs.needs_refresh("jelly", MINUTES_30)  # the other source is still old


def test_one_old_section_is_enough_to_need_a_refresh(hs, clock, two_sources):
    clock.advance(minutes=25)
    hs.sync_section("plex", section("a", "1"))
    hs.sync_section("plex", section("c", "3"))

    clock.advance(minutes=5, seconds=1)  # b, never refreshed, is now too old

    assert hs.needs_refresh("plex", MINUTES_30)
    hs.sync_section("plex", section("b", "2"))
    assert not hs.needs_refresh("plex", MINUTES_30)


def test_a_stale_section_means_the_source_needs_a_refresh_whatever_its_age(hs, two_sources):
    hs.mark_stale("plex", "c")

    assert hs.needs_refresh("plex", datetime.timedelta(days=365))
    assert not hs.needs_refresh("jelly", datetime.timedelta(days=365))

    hs.sync("plex", page(section("a", "1"), section("b", "2"), section("c", "3")))
    assert not hs.needs_refresh("plex", datetime.timedelta(days=365))


# --- sources ------------------------------------------------------------------


def test_add_source_and_sources(hs, clock):
    hs.add_source("plex-main", name="Living room", backend_name="plex")
    hs.add_source("jelly")

    assert [(s.id, s.name, s.backend, s.created_at) for s in hs.sources()] == [
        ("jelly", "jelly", None, clock.now),
        ("plex-main", "Living room", "plex", clock.now),
    ]
    with pytest.raises(homesections.SourceError):
        hs.add_source("jelly", name="Again")
    assert hs.models.Source.get_by_id("jelly").name == "jelly"


def test_a_synced_source_added_earlier_keeps_its_name(hs):
    hs.add_source("plex-main", name="Living room", backend_name="plex")
    hs.sync("plex-main", page(section("a", "1")))

    assert [(s.id, s.name, s.backend) for s in hs.sources()] == [("plex-main", "Living room", "plex")]


def test_remove_source_removes_its_sections_links_and_media_items(hs, two_sources):
    other_rows = snapshot(hs.db)
    hs.sync("gone", page(section("a", "1", "2"), section("b", "2")))

    assert hs.remove_source("gone") is True

    assert snapshot(hs.db) == other_rows
    assert hs.load("gone") == HomePage()
    assert "gone" not in hs.load_all()
    assert hs.load("plex") == page(section("a", "1"), section("b", "2"), section("c", "3"))
    assert hs.remove_source("gone") is False


def test_deleting_a_source_row_cascades_to_its_sections_and_links(hs, two_sources):
    S, L, Source = hs.models.HomeSection, hs.models.HomeSectionItem, hs.models.Source
    plex_sections = [s.id for s in S.select().where(S.source == "plex")]
    assert L.select().where(L.section.in_(plex_sections)).count() == 3

    Source.delete().where(Source.id == "plex").execute()

    assert S.select().where(S.source == "plex").count() == 0
    assert L.select().where(L.section.in_(plex_sections)).count() == 0
    assert hs.load("jelly") == page(section("x", "1"), section("y"))


def test_deleting_a_media_item_row_cascades_to_its_links(hs, two_sources):
    M = hs.models.MediaItem
    M.delete().where(M.id == media_item_id("plex", "2")).execute()

    assert hs.load("plex") == page(section("a", "1"), section("b"), section("c", "3"))


# --- prune_media_items ----------------------------------------------------------


def test_prune_deletes_the_media_items_no_section_links_and_counts_them(hs, two_sources):
    hs.sync("plex", page(section("a", "1", "4"), section("b", "4")))  # 2 and 3 are no longer shown
    M = hs.models.MediaItem

    assert hs.prune_media_items() == 2

    assert sorted(m.id for m in M.select()) == sorted([
        media_item_id("plex", "1"), media_item_id("plex", "4"), media_item_id("jelly", "1"),
    ])
    assert hs.prune_media_items() == 0
    assert hs.load("plex") == page(section("a", "1", "4"), section("b", "4"))
    assert hs.load("jelly") == page(section("x", "1"), section("y"))


def test_prune_is_scoped_by_source_through_the_ids(hs, two_sources):
    # "2" is gone from plex's page, and jelly never had it: pruning takes plex's row only.
    hs.sync("jelly", page(section("x", "1", "2")))
    hs.sync("plex", page(section("a", "1")))

    assert hs.prune_media_items() == 2  # plex's 2 and 3
    M = hs.models.MediaItem
    assert M.get_or_none(M.id == media_item_id("jelly", "2")) is not None
    assert M.get_or_none(M.id == media_item_id("plex", "2")) is None


def test_prune_of_a_cache_with_nothing_to_prune_is_zero(hs):
    assert hs.prune_media_items() == 0
    hs.sync("plex", page(section("a", "1")))
    assert hs.prune_media_items() == 0
    assert hs.models.MediaItem.select().count() == 1
