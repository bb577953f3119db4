"""One item, several copies: the merge rules in a synced page, and a section synced alone.

A page sent by a server holds one item in several hubs, each copy as fresh as
its hub; ``sync`` stores them combined by ``merge_items``. ``sync_section``
merges each incoming item with the cached value (the incoming copy first), so
refreshing one section never puts an older value back over a newer one that
another section brought, in the plugin's media store or a host's.
"""

from __future__ import annotations

import datetime
from typing import Any, Collection, Mapping, Sequence

import peewee
import pytest

from homesections import HomePage, HomeSections, Item, PayloadError, Section
from homesections.fields import UTCDateTimeField

from .pages import page, snapshot

UTC = datetime.timezone.utc
EARLY = datetime.datetime(2024, 5, 1, 20, 0, tzinfo=UTC)
LATE = datetime.datetime(2024, 6, 1, 21, 30, tzinfo=UTC)


def show(**fields: Any) -> Item:
    return Item("7", "show", title=fields.pop("title", "The Show"), **fields)


def hub(identifier: str, *items: Item) -> Section:
    return Section(identifier, identifier.title(), items=items)


# --- a host's media store that keeps the fields the rules are about ---------------------


class HostStore:
    """A host's media items with ids of its own making, keeping titles, times and play state."""

    FIELDS = ("title", "added_at", "last_viewed_at", "view_offset", "view_count")

    def __init__(self, model: type[peewee.Model]) -> None:
        self.model = model

    def upsert(self, source_id: str, items: Sequence[Item]) -> Mapping[str, int]:
        M, ids = self.model, {}
        for item in items:
            values = {name: getattr(item, name) for name in self.FIELDS}
            row = M.get_or_none((M.server == source_id) & (M.rating_key == item.key))
            if row is None:
                row = M.create(server=source_id, rating_key=item.key, kind=item.type, **values)
            elif (row.kind, *(getattr(row, name) for name in self.FIELDS)) != (item.type, *values.values()):
                M.update(kind=item.type, **values).where(M.id == row.id).execute()
            ids[item.key] = row.id
        return ids

    def get(self, ids: Collection[Any]) -> dict[int, Item]:
        M = self.model
        return {
            row.id: Item(row.rating_key, row.kind, **{name: getattr(row, name) for name in self.FIELDS})
            for row in M.select().where(M.id.in_(list(ids)))
        }


def _host_registration(db, clock) -> HomeSections:
    class Server(peewee.Model):
        slug = peewee.TextField(primary_key=True)

        class Meta:
            database = db
            table_name = "servers"

    class Media(peewee.Model):
        id = peewee.AutoField()
        server = peewee.ForeignKeyField(Server, column_name="server_slug", backref="+")
        rating_key = peewee.TextField()
        kind = peewee.TextField()
        title = peewee.TextField(null=True)
        added_at = UTCDateTimeField(null=True)
        last_viewed_at = UTCDateTimeField(null=True)
        view_offset = peewee.BigIntegerField(null=True)
        view_count = peewee.IntegerField(null=True)

        class Meta:
            database = db
            table_name = "host_media"

    db.create_tables([Server, Media])
    Server.create(slug="plex")
    plugin = HomeSections(db, source_model=Server, media_items=HostStore(Media), clock=clock)
    plugin.migrate()
    return plugin


@pytest.fixture(params=["plugin store", "host store"])
def cache(request, db, clock) -> HomeSections:
    """The plugin on ``db``, migrated, keeping media items in its own table or a host's."""
    if request.param == "plugin store":
        plugin = HomeSections(db, clock=clock)
        plugin.migrate()
        return plugin
    return _host_registration(db, clock)


def cached(hs: HomeSections, hub_identifier: str = "tv.recentlyadded") -> Item:
    """The one cached copy of the show, as the section shows it."""
    (item,) = hs.load("plex").section(hub_identifier).items
    return item


# --- a whole page ----------------------------------------------------------------------------


def test_a_show_in_two_hubs_is_cached_with_the_added_at_of_its_newest_episode(cache):
    # Trending carries the show's own addedAt, Recently Added the date of its newest episode.
    cache.sync("plex", page(hub("tv.trending", show(added_at=EARLY)),
                            hub("tv.recentlyadded", show(added_at=LATE))))

    loaded = cache.load("plex")
    assert [s.items for s in loaded] == [(show(added_at=LATE),)] * 2


def test_a_page_keeps_the_play_state_of_the_copy_played_last_and_the_most_plays(cache):
    cache.sync("plex", page(
        hub("tv.recentlyadded", show(last_viewed_at=EARLY, view_offset=60_000, view_count=2)),
        hub("home.continue", show(last_viewed_at=LATE, view_offset=None, view_count=1)),
    ))

    assert cached(cache) == show(last_viewed_at=LATE, view_offset=None, view_count=2)


def test_a_whole_page_is_written_as_the_truth_older_values_included(cache):
    cache.sync("plex", page(hub("tv.recentlyadded", show(added_at=LATE, view_count=5))))

    cache.sync("plex", page(hub("tv.recentlyadded", show(added_at=EARLY, view_count=0))))

    assert cached(cache) == show(added_at=EARLY, view_count=0)


# --- one section synced alone ----------------------------------------------------------------


def test_a_section_synced_alone_never_puts_an_older_added_at_back(cache, query_log):
    cache.sync("plex", page(hub("tv.recentlyadded", show(added_at=LATE)),
                            hub("tv.trending", show(added_at=LATE))))
    query_log.statements.clear()

    report = cache.sync_section("plex", hub("tv.trending", show(added_at=EARLY)))

    assert report.unchanged == ("tv.trending",) and report.rows_written == 0
    assert query_log.writes("media_items") == [] and query_log.writes("host_media") == []
    assert cached(cache) == cached(cache, "tv.trending") == show(added_at=LATE)


def test_a_section_synced_alone_keeps_the_newer_play_state_another_section_brought(cache):
    cache.sync("plex", page(
        hub("home.continue", show(last_viewed_at=LATE, view_offset=90_000, view_count=3)),
        hub("tv.recentlyadded", show(last_viewed_at=LATE, view_offset=90_000, view_count=3)),
    ))

    cache.sync_section("plex", hub("tv.recentlyadded",
                                   show(last_viewed_at=EARLY, view_offset=10_000, view_count=1)))

    assert cached(cache) == show(last_viewed_at=LATE, view_offset=90_000, view_count=3)


def test_a_section_synced_alone_brings_newer_play_state_to_every_section_showing_it(cache):
    cache.sync("plex", page(hub("tv.recentlyadded", show(last_viewed_at=EARLY, view_offset=10_000)),
                            hub("home.continue", show(last_viewed_at=EARLY, view_offset=10_000))))

    report = cache.sync_section("plex", hub("home.continue", show(last_viewed_at=LATE, view_offset=None)))

    assert report.changed == ("home.continue", "tv.recentlyadded")
    assert cached(cache) == show(last_viewed_at=LATE, view_offset=None)


def test_a_section_synced_alone_fills_what_it_lacks_from_the_cache_and_its_own_values_win(cache):
    cache.sync("plex", page(hub("tv.recentlyadded", show(title="Old title", view_count=1))))

    cache.sync_section("plex", hub("tv.recentlyadded", show(title="New title")))
    assert cached(cache) == show(title="New title", view_count=1)

    cache.sync_section("plex", hub("tv.recentlyadded", show(title=None)))
    assert cached(cache) == show(title="New title", view_count=1)


def test_an_item_the_cache_does_not_hold_is_written_as_it_comes(cache):
    cache.sync("plex", page(hub("tv.recentlyadded", show(added_at=LATE))))

    report = cache.sync_section("plex", hub("movie.recentlyadded", Item("9", "movie", added_at=EARLY)))

    assert report.added == ("movie.recentlyadded",)
    assert cache.load("plex").section("movie.recentlyadded").items == (Item("9", "movie", added_at=EARLY),)


# --- times that cannot be ordered ---------------------------------------------------------


NAIVE = datetime.datetime(2024, 6, 1, 21, 30)


def test_a_section_with_a_naive_time_for_a_cached_item_is_refused_and_writes_nothing(cache, db):
    cache.sync("plex", page(hub("tv.recentlyadded", show(added_at=LATE))))
    before = snapshot(db, ("home_sections", "home_section_items"))

    with pytest.raises(PayloadError, match="added_at must be a timezone-aware datetime"):
        cache.sync_section("plex", hub("tv.recentlyadded", show(added_at=NAIVE)))

    assert snapshot(db, ("home_sections", "home_section_items")) == before
    assert cached(cache) == show(added_at=LATE)


def test_a_page_with_two_copies_one_with_a_naive_time_is_refused_saying_which_item(hs):
    two_copies = HomePage((hub("tv.trending", show(added_at=LATE)),
                           hub("tv.recentlyadded", show(added_at=NAIVE))))

    with pytest.raises(PayloadError, match="item '7'.*added_at"):
        hs.sync("plex", two_copies)

    assert hs.load("plex") == HomePage()
