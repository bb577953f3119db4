"""The common schema: plain frozen data, value equality, merging (classification: test_classification.py)."""

from __future__ import annotations

import dataclasses
import datetime

import pytest

import homesections
from homesections import HomePage, Item, Section, SectionType, Skipped
from homesections.page import (
    FIRST_FIELDS, ITEM_FIELDS, ITEM_TYPES, LARGEST_FIELDS, NEWEST_FIELDS, PLAY_STATE_FIELDS,
    PLAY_STATE_TYPES, SECTION_FIELDS, merge_items, unify_items,
)

UTC = datetime.timezone.utc


def movie(key: str = "1", **fields: object) -> Item:
    return Item(key=key, type="movie", **fields)


# --- frozen value objects ----------------------------------------------------


@pytest.mark.parametrize(
    "value, attribute",
    [
        (movie(), "title"),
        (Section("home.ondeck", "On Deck"), "title"),
        (HomePage(), "sections"),
        (Skipped("Hub[0]", "why"), "reason"),
    ],
)
def test_schema_objects_are_frozen(value, attribute):
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(value, attribute, "changed")


def test_items_sections_and_pages_compare_and_hash_by_value():
    added = datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)

    def make() -> HomePage:
        item = movie("7", title="Heat", year=1995, added_at=added)
        return HomePage((Section("home.movies.recent", "Recent", SectionType.RECENTLY_ADDED, items=(item,)),))

    first, second = make(), make()
    assert first is not second
    assert first == second
    assert hash(first) == hash(second)
    assert first != HomePage((dataclasses.replace(first.sections[0], title="Other"),))
    assert movie("7", title="Heat") != movie("7", title="Heat", year=1995)


def test_page_skipped_list_is_not_part_of_its_value():
    sections = (Section("home.ondeck", "On Deck"),)
    parsed = HomePage(sections, skipped=(Skipped("Hub[3]", "hub has no identifier"),))
    from_cache = HomePage(sections)
    assert parsed == from_cache
    assert hash(parsed) == hash(from_cache)
    assert parsed.skipped == (Skipped("Hub[3]", "hub has no identifier"),)


def test_page_iterates_and_counts_its_sections_in_order():
    sections = (Section("b", "B"), Section("a", "A"))
    page = HomePage(sections)
    assert list(page) == list(sections)
    assert len(page) == 2
    assert len(HomePage()) == 0


def test_skipped_reads_as_where_and_reason():
    assert str(Skipped("Hub[2].Metadata[5]", "item has no key")) == "Hub[2].Metadata[5]: item has no key"


def test_section_defaults():
    section = Section("home.x", "X")
    assert section.section_type is SectionType.CUSTOM
    assert section.items == ()
    assert section.more is False
    assert (section.context, section.style, section.hub_type, section.size, section.hub_key) == (None,) * 5


def test_item_types_and_field_lists():
    assert ITEM_TYPES == {
        "movie", "episode", "season", "show", "clip", "artist", "album", "track",
        "photo", "playlist", "collection", "program", "channel",
    }
    assert PLAY_STATE_TYPES < ITEM_TYPES
    assert not PLAY_STATE_TYPES & {"photo", "collection", "playlist", "channel"}
    assert ITEM_FIELDS[:2] == ("key", "type")
    assert set(ITEM_FIELDS) == {f.name for f in dataclasses.fields(Item)}
    assert "items" not in SECTION_FIELDS
    assert set(SECTION_FIELDS) | {"items"} == {f.name for f in dataclasses.fields(Section)}


# --- merge_items, Item.merged_with and unify_items ------------------------------

EARLY = datetime.datetime(2024, 5, 1, tzinfo=UTC)
LATE = datetime.datetime(2024, 6, 1, tzinfo=UTC)


def test_merged_with_fills_only_the_empty_fields_first_non_empty_wins():
    first = movie("1", title="Heat", thumb=None, art="", summary=None, year=1995)
    later = movie("1", title="Heat (1995)", thumb="/t", art="/a", summary="A heist.", year=2000,
                  release_date=datetime.date(1995, 12, 15), content_rating="R")
    merged = first.merged_with(later)
    assert merged == movie("1", title="Heat", thumb="/t", art="/a", summary="A heist.", year=1995,
                           release_date=datetime.date(1995, 12, 15), content_rating="R")


def test_merged_with_keeps_zero_as_a_value_of_the_first_copy():
    first = movie("1", year=0, index=0)
    assert first.merged_with(movie("1", year=1999, index=3)) is first


def test_merged_with_returns_the_same_object_when_nothing_changes():
    first = movie("1", title="Heat", thumb="/t", added_at=LATE, view_count=2)
    assert first.merged_with(movie("1")) is first
    assert first.merged_with(movie("1", title="Heat", thumb="/t")) is first
    assert first.merged_with(movie("1", title="Other", added_at=EARLY, view_count=1)) is first


@pytest.mark.parametrize("name", ["added_at", "last_viewed_at"])
def test_moments_keep_the_newest_of_two_copies_in_either_order(name):
    old, new = movie("1", **{name: EARLY}), movie("1", **{name: LATE})
    assert getattr(old.merged_with(new), name) == LATE
    assert getattr(new.merged_with(old), name) == LATE
    assert getattr(movie("1").merged_with(old), name) == EARLY
    assert getattr(old.merged_with(movie("1")), name) == EARLY


def test_a_show_in_two_hubs_keeps_the_added_at_of_its_newest_episode():
    # "Trending" carries the show's own addedAt, "Recently Added" its newest episode's.
    trending = Item("7", "show", title="The Show", added_at=EARLY)
    recent = Item("7", "show", title="The Show", added_at=LATE, thumb="/t")
    (first, second) = unify_items([
        Section("tv.trending", "Trending", items=(trending,)),
        Section("tv.recentlyadded", "Recently Added", items=(recent,)),
    ])
    assert first.items == second.items == (Item("7", "show", title="The Show", added_at=LATE, thumb="/t"),)


def test_view_count_keeps_the_largest_and_zero_is_a_count():
    assert movie("1", view_count=0).merged_with(movie("1", view_count=3)).view_count == 3
    assert movie("1", view_count=3).merged_with(movie("1", view_count=0)).view_count == 3
    assert movie("1").merged_with(movie("1", view_count=0)).view_count == 0


def test_play_state_comes_whole_from_the_copy_played_last():
    watched_on = Item("s", "show", last_viewed_at=EARLY, view_offset=60_000, unplayed_count=4, leaf_count=10)
    # Played since: the episode in progress was finished (no position) and one more is watched.
    played_since = Item("s", "show", last_viewed_at=LATE, view_offset=None, unplayed_count=3, leaf_count=10)
    for merged in (watched_on.merged_with(played_since), played_since.merged_with(watched_on)):
        assert (merged.last_viewed_at, merged.view_offset, merged.unplayed_count, merged.leaf_count) == (
            LATE, None, 3, 10,
        )


def test_a_copy_never_played_gives_way_to_one_that_was():
    never = movie("1", view_offset=5)
    played = movie("1", last_viewed_at=EARLY, view_offset=None)
    assert never.merged_with(played).view_offset is None
    assert played.merged_with(never).view_offset is None


def test_play_state_of_copies_played_at_the_same_moment_is_first_non_empty():
    first = Item("s", "season", last_viewed_at=EARLY, view_offset=None, leaf_count=8)
    other = Item("s", "season", last_viewed_at=EARLY, view_offset=90, unplayed_count=2, leaf_count=9)
    merged = first.merged_with(other)
    assert (merged.view_offset, merged.unplayed_count, merged.leaf_count) == (90, 2, 8)
    never = movie("1", view_offset=None).merged_with(movie("1", view_offset=90))
    assert never.view_offset == 90


def test_merged_with_is_merge_items():
    first, other = movie("1", added_at=EARLY), movie("1", added_at=LATE, title="x")
    assert first.merged_with(other) == merge_items(first, other)


def test_every_item_field_has_exactly_one_merge_rule():
    groups = (FIRST_FIELDS, NEWEST_FIELDS, LARGEST_FIELDS, PLAY_STATE_FIELDS)
    assert sorted(n for group in groups for n in group) == sorted(ITEM_FIELDS)


def test_unify_items_gives_one_value_per_key_across_sections_in_page_order():
    a1 = movie("a", title="A", view_offset=None)
    a2 = movie("a", title="A again", view_offset=10, thumb="/a")
    b = movie("b", title="B")
    sections = [
        Section("home.continue", "Continue", items=(a1, b)),
        Section("home.movies.recent", "Recent", items=(b, a2)),
    ]
    unified = unify_items(sections)
    expected_a = movie("a", title="A", view_offset=10, thumb="/a")
    assert [s.hub_identifier for s in unified] == ["home.continue", "home.movies.recent"]
    assert unified[0].items == (expected_a, b)
    assert unified[1].items == (b, expected_a)
    # the titles and other section fields are untouched
    assert [s.title for s in unified] == ["Continue", "Recent"]


def test_unify_items_leaves_sections_without_shared_keys_as_they_are():
    sections = (Section("x", "X", items=(movie("a"),)), Section("y", "Y", items=(movie("b"),)))
    assert unify_items(sections) == sections
    assert unify_items(iter(sections)) == sections


# --- HomePage.section and merged_with ----------------------------------------


def test_section_finds_a_hub_by_identifier():
    on_deck = Section("tv.ondeck.2", "On Deck")
    page = HomePage((Section("home.continue", "Continue"), on_deck))
    assert page.section("tv.ondeck.2") is on_deck
    assert page.section("tv.ondeck") is None
    assert HomePage().section("anything") is None


def test_merged_with_keeps_a_repeated_hub_once_and_lists_the_later_copy():
    movies = HomePage(
        (Section("home.continue", "Continue", items=(movie("1"),)), Section("movie.recentlyadded.1", "Movies")),
        skipped=(Skipped("Hub[9]", "hub has no identifier"),),
    )
    shows = HomePage(
        (Section("home.continue", "Continue (tv)", items=(movie("2"),)), Section("tv.recentlyadded.2", "Shows")),
        skipped=(Skipped("Hub[4]", "item has no key"),),
    )
    merged = movies.merged_with(shows)
    assert [s.hub_identifier for s in merged] == ["home.continue", "movie.recentlyadded.1", "tv.recentlyadded.2"]
    assert merged.section("home.continue").title == "Continue"
    assert merged.section("home.continue").items == (movie("1"),)
    assert merged.skipped[:2] == (Skipped("Hub[9]", "hub has no identifier"), Skipped("Hub[4]", "item has no key"))
    assert len(merged.skipped) == 3
    assert merged.skipped[2].where == "home.continue"
    assert "already" in merged.skipped[2].reason


def test_merged_with_joins_several_pages_and_unifies_their_items():
    one = HomePage((Section("a", "A", items=(movie("1", title="One"),)),))
    two = HomePage((Section("b", "B", items=(movie("1", thumb="/1"),)),))
    three = HomePage((Section("c", "C", items=(movie("2"),)), Section("a", "A again")))
    merged = one.merged_with(two, three)
    assert [s.hub_identifier for s in merged] == ["a", "b", "c"]
    assert merged.section("a").items == merged.section("b").items == (movie("1", title="One", thumb="/1"),)
    assert [s.where for s in merged.skipped] == ["a"]


def test_merged_with_nothing_is_the_same_page():
    page = HomePage((Section("a", "A", items=(movie("1"),)),), skipped=(Skipped("w", "r"),))
    assert page.merged_with() == page
    assert page.merged_with().skipped == page.skipped


def test_the_schema_is_exported_from_the_package():
    assert homesections.HomePage is HomePage
    assert homesections.Section is Section
    assert homesections.Item is Item
    assert homesections.SectionType is SectionType
    assert homesections.Skipped is Skipped
