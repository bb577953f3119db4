"""load: the cached page back out, equal to what was synced, in a fixed number of queries."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homesections import HomePage, HomeSections, Item, Section, SectionType

from .host import LibraryItems, register_host
from .pages import edits_of, fresh_source_id, home_pages, movie, page, section

UTC = datetime.timezone.utc


def every_field_page() -> HomePage:
    """A page using every column, with awkward text and the int limits of each column."""
    when = datetime.datetime(2024, 2, 29, 23, 59, 59, 999999, tzinfo=UTC)
    episode = Item(
        key="k:1/%", type="episode", title="שלום 👋 عالم", parent_title="", grandparent_title="Show\nName",
        index=-(2**31), parent_index=2**31 - 1, year=1970, thumb="/library/metadata/1/thumb?x=1&y='2'",
        art=None, grandparent_thumb="/gt", duration=2**63 - 1, view_offset=-(2**63), view_count=0,
        last_viewed_at=when, added_at=datetime.datetime(1970, 1, 1, tzinfo=UTC),
        summary="Line one.\nLine two: «quoted» 'and' \"double\"", content_rating="TV-MA",
        release_date=datetime.date(1, 1, 1), leaf_count=2**31 - 1, unplayed_count=-(2**31),
        library_id="f137a2dd21bbc1b99aa5c0f6bf02a805", library_title="Séries 📺",
        starts_at=when, ends_at=datetime.datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC),
        channel_title="BBC One",
    )
    custom = Item(key="9", type="podcast", release_date=datetime.date(9999, 12, 31))
    return page(
        Section("home.continue", "Continue Watching 🍿", SectionType.CONTINUE_WATCHING,
                context="hub.home.continue", style="hero", hub_type="mixed", size=2**31 - 1,
                hub_key="/hubs/home/continueWatching", more=True, items=(episode, custom)),
        Section("home.empty", "", SectionType.CUSTOM),
        Section("مرحبا", "RTL hub", SectionType.GENRE, items=(custom,)),
    )


def test_load_returns_the_synced_page_with_every_field(hs):
    home = every_field_page()
    hs.sync("plex", home)

    loaded = hs.load("plex")

    assert loaded == home
    assert [s.section_type for s in loaded] == [
        SectionType.CONTINUE_WATCHING, SectionType.CUSTOM, SectionType.GENRE,
    ]
    assert all(isinstance(s.section_type, SectionType) for s in loaded)
    assert loaded.sections[0].more is True and loaded.sections[1].more is False


def test_load_keeps_the_order_of_sections_and_of_items(hs):
    home = page(section("z", "3", "1", "2"), section("a", "2", "10", "1"), section("m"))
    hs.sync("plex", home)

    loaded = hs.load("plex")

    assert [s.hub_identifier for s in loaded] == ["z", "a", "m"]
    assert [[i.key for i in s.items] for s in loaded] == [["3", "1", "2"], ["2", "10", "1"], []]


def test_load_of_an_unknown_source_is_an_empty_page_and_writes_nothing(hs, query_log):
    hs.sync("plex", page(section("a", "1")))
    query_log.statements.clear()

    assert hs.load("nobody") == HomePage()
    assert hs.load("nobody").sections == ()

    for table in ("sources", "media_items", "home_sections", "home_section_items"):
        assert query_log.writes(table) == []
    assert [s.id for s in hs.sources()] == ["plex"]


def test_load_of_an_empty_database_is_empty(hs):
    assert hs.load("plex") == HomePage()
    assert hs.load_all() == {}


def test_load_without_a_source_returns_every_sources_page(hs):
    plex = page(section("home.ondeck", "1", "2"), section("home.recent", "2"))
    jelly = page(Section("jellyfin.resume", "Resume", items=(movie("1", title="Other 1"),)))
    hs.sync("plex", plex)
    hs.sync("jelly", jelly)

    pages = hs.load_all()

    assert pages == {"plex": plex, "jelly": jelly}
    assert pages["plex"] == hs.load("plex")


def test_every_source_includes_those_with_nothing_cached_as_empty_pages(hs):
    hs.add_source("new-server")
    hs.sync("emptied", page(section("home.ondeck", "1")))
    hs.sync("emptied", HomePage())
    hs.sync("plex", page(section("home.ondeck", "1")))

    pages = hs.load_all()

    assert pages == {"emptied": HomePage(), "new-server": HomePage(), "plex": hs.load("plex")}
    assert list(pages) == ["emptied", "new-server", "plex"]


def test_load_is_read_only(hs, query_log):
    hs.sync("plex", every_field_page())
    query_log.statements.clear()

    hs.load("plex")
    hs.load_all()

    assert query_log.queries() == query_log.selects()


def test_loading_one_source_reads_none_of_another_sources_rows(hs, query_log):
    home = page(section("x.ondeck", "1", "2"), section("x.empty"))
    hs.sync("x", home)
    query_log.rows_read = 0
    assert hs.load("x") == home
    alone = query_log.rows_read
    assert alone > 0  # the log sees what a load reads
    # Another source with 300 links, over items of the same keys.
    hs.sync("big", page(*(section(f"big.{n}", "1", "2", *(f"{n}.{m}" for m in range(98))) for n in range(3))))

    query_log.rows_read = 0
    assert hs.load("x") == home

    assert query_log.rows_read == alone


def test_a_hosts_store_is_asked_only_for_the_items_of_the_source_loaded(db):
    asked: list[str] = []

    class Recording(LibraryItems):
        def get(self, ids):
            asked.extend(ids)
            return super().get(ids)

    hs = register_host(db, "x", "big", store=Recording)
    hs.sync("x", page(section("x.ondeck", "1", "2")))
    hs.sync("big", page(section("big.ondeck", "1", "3"), section("big.recent", "4")))
    asked.clear()

    assert hs.load("x") == page(section("x.ondeck", "1", "2"))

    assert sorted(asked) == ["x/1", "x/2"]


def test_an_item_the_hosts_store_no_longer_returns_is_left_out_of_its_sections(db):
    # A host may stop returning a row of its own (hidden, soft-deleted) while the cache still links it.
    hidden: set[str] = set()

    class Hiding(LibraryItems):
        def get(self, ids):
            return {i: item for i, item in super().get(ids).items() if item.key not in hidden}

    hs = register_host(db, "srv", store=Hiding)
    home = page(section("a", "1", "2", "3"), section("b", "2"))
    hs.sync("srv", home)
    hidden.add("2")

    # The section keeps its place and its other items, in order; nothing stands in for the missing one.
    assert hs.load("srv") == page(section("a", "1", "3"), section("b"))
    assert hs.load_all() == {"srv": page(section("a", "1", "3"), section("b"))}
    hidden.clear()
    assert hs.load("srv") == home  # left out of the page, not unlinked


def test_a_stored_section_type_this_version_does_not_know_loads_as_custom(hs):
    hs.sync("plex", page(section("home.ondeck", "1", section_type=SectionType.ON_DECK), section("b", "2")))
    # As a later version of the plugin, with a type of its own, would have stored it.
    S = hs.models.HomeSection
    S.update(section_type="spotlight").where(S.hub_identifier == "home.ondeck").execute()

    expected = page(section("home.ondeck", "1", section_type=SectionType.CUSTOM), section("b", "2"))
    assert hs.load("plex") == expected
    assert hs.load_all() == {"plex": expected}


def sync_sections(hs: HomeSections, source_id: str, count: int) -> None:
    """``count`` sections of three items each, neighbours sharing one item."""
    hs.sync(source_id, page(*(section(f"hub.{n}", str(n), str(n + 1), f"x{n}") for n in range(count))))


@pytest.mark.parametrize("whole", [False, True], ids=["one-source", "every-source"])
def test_load_runs_the_same_few_queries_for_one_ten_or_a_hundred_sections(hs, query_log, whole):
    counts = {}
    for n in (1, 10, 100):
        source_id = f"source-{n}"
        sync_sections(hs, source_id, n)
        query_log.statements.clear()

        loaded = hs.load_all() if whole else hs.load(source_id)

        home = loaded[source_id] if whole else loaded
        assert len(home) == n and all(len(s.items) == 3 for s in home)
        counts[n] = len(query_log.queries())
        assert query_log.queries() == query_log.selects()

    assert counts[1] == counts[10] == counts[100] <= 3, counts


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(first=home_pages(), data=st.data())
def test_any_page_round_trips_and_a_resync_replaces_it(hs, first, data):
    source_id = fresh_source_id()

    hs.sync(source_id, first)
    assert hs.load(source_id) == first

    second = data.draw(st.one_of(home_pages(), edits_of(first)), label="second")

    hs.sync(source_id, second)
    assert hs.load(source_id) == second

    # The page read back syncs to itself without a change.
    report = hs.sync(source_id, hs.load(source_id))
    assert not report.has_changes and report.rows_written == 0
    assert report.unchanged == tuple(s.hub_identifier for s in second)


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(home=home_pages())
def test_a_page_synced_one_section_at_a_time_loads_back_equal(hs, home):
    source_id = fresh_source_id("by-section")

    for one in home:
        hs.sync_section(source_id, one)

    assert hs.load(source_id) == home


# --- timestamps ---------------------------------------------------------------


def is_aware_utc(value: datetime.datetime) -> bool:
    return value.tzinfo is not None and value.utcoffset() == datetime.timedelta(0)


def test_item_times_come_back_as_aware_utc_whatever_zone_they_were_given_in(hs):
    paris = datetime.timezone(datetime.timedelta(hours=1), "CET")
    added = datetime.datetime(2025, 1, 7, 13, 0, 0, 250000, tzinfo=paris)
    hs.sync("plex", page(Section("a", "A", items=(movie("1", added_at=added, last_viewed_at=added),))))

    item = hs.load("plex").sections[0].items[0]

    assert item.added_at == added
    assert item.added_at.tzinfo == UTC and item.last_viewed_at.tzinfo == UTC
    assert (item.added_at.hour, item.added_at.microsecond) == (12, 250000)
    row = hs.models.MediaItem.get()
    assert is_aware_utc(row.added_at) and row.added_at == added


def test_stored_timestamps_come_back_as_aware_utc(db, clock):
    tokyo = datetime.timezone(datetime.timedelta(hours=9))
    clock.now = datetime.datetime(2025, 1, 7, 21, 0, 0, 123456, tzinfo=tokyo)
    hs = HomeSections(db, clock=clock)
    hs.migrate()
    hs.sync("plex", page(section("a", "1")))
    hs.mark_stale("plex")

    S, L, Source = hs.models.HomeSection, hs.models.HomeSectionItem, hs.models.Source
    row = S.get()
    stamps = [row.last_updated, row.created_at, row.updated_at, L.get().created_at, Source.get().created_at]
    stamps += [s.last_updated for s in hs.stale_sections()]
    assert len(stamps) == 6
    for stamp in stamps:
        assert is_aware_utc(stamp), stamp
        assert stamp == clock.now
        assert (stamp.hour, stamp.microsecond) == (12, 123456)
