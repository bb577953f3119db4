"""Jellyfin: everything a home-page card draws, on BaseItemDtos written here in Jellyfin's format.

The items are what Jellyfin 10.9+ sends for the home rows jellyfin-web asks
for (``/UserItems/Resume``, ``/Shows/NextUp``, ``/Items/Latest``) with the
``Fields`` the client names; the values are made up.
"""

from __future__ import annotations

import datetime

import pytest

from homesections import Item, Section
from homesections_jellyfin import JellyfinBackend
from homesections_jellyfin.parse import parse_row

UTC = datetime.timezone.utc
SERVER_ID = "6fd928940fcf4c7c8d3ddb4a10bdf863"
SHOWS = "a656b907eb3a73532e40e44b968d0225"
MUSIC = "7e64e319657a9516ec78490da03edccb"


def dto(item_id: str, jellyfin_type: str, name: str, user_data: dict | None = None, **fields) -> dict:
    """A BaseItemDto with the fields every item carries, and ``fields``."""
    return {
        "Name": name, "ServerId": SERVER_ID, "Id": item_id, "Type": jellyfin_type,
        "IsFolder": jellyfin_type in ("Series", "Season", "MusicAlbum", "BoxSet", "Playlist"),
        "DateCreated": "2024-01-05T10:00:00.0000000Z", "ImageTags": {}, "BackdropImageTags": [],
        "UserData": {"PlaybackPositionTicks": 0, "PlayCount": 0, "IsFavorite": False, "Played": False,
                     "Key": item_id, "ItemId": item_id, **(user_data or {})},
        **fields,
    }


SERIES = dto(
    "5eb1e5", "Series", "Severance", {"UnplayedItemCount": 12, "PlayedPercentage": 36.8},
    Overview="Mark leads a team of office workers.", OfficialRating="TV-MA",
    PremiereDate="2022-02-18T00:00:00.0000000Z", EndDate="2025-03-21T00:00:00.0000000Z",
    ChildCount=2, RecursiveItemCount=19, ProductionYear=2022, Status="Continuing",
)
SEASON = dto("5ea501", "Season", "Season 1", {"UnplayedItemCount": 0}, ChildCount=9, SeriesName="Severance")
SERIES_NO_RECURSIVE = dto("5eb1e6", "Series", "Andor", ChildCount=2)
ALBUM = dto("a1b0", "MusicAlbum", "Spirits", {"UnplayedItemCount": 5}, RecursiveItemCount=11,
            ChildCount=3, PremiereDate="2016-01-01T00:00:00.0000000Z")
EPISODE = dto(
    "e915", "Episode", "Good News About Hell",
    {"PlaybackPositionTicks": 18_000_000_000, "PlayCount": 1, "LastPlayedDate": "2024-03-02T20:15:31.1234567Z"},
    Overview="A new hire.", OfficialRating="TV-MA", PremiereDate="2022-02-18T05:00:00.0000000Z",
    SeriesName="Severance", SeasonName="Season 1", ParentId="5ea501", IndexNumber=1, ParentIndexNumber=1,
)
PROGRAM = dto(
    "9a0e", "Program", "Evening News", ChannelName="BBC One", ChannelId="c0", ChannelNumber="101",
    StartDate="2024-03-02T18:00:00.0000000Z", EndDate="2024-03-02T18:30:00.0000000Z",
    OfficialRating="TV-G",
)
CHANNEL = dto("c0", "TvChannel", "BBC One", ChannelNumber="101", ChannelName=None)
PHOTO = dto("f0", "Photo", "Sunset", {"PlayCount": 3})
BOXSET = dto("b0", "BoxSet", "Heist films", ChildCount=4)


def query(*items: dict) -> dict:
    return {"Items": list(items), "TotalRecordCount": len(items), "StartIndex": 0}


VIEWS = query(
    {"Name": "Shows", "Id": SHOWS, "CollectionType": "tvshows", "Type": "CollectionFolder", "IsFolder": True},
    {"Name": "Music", "Id": MUSIC, "CollectionType": "music", "Type": "CollectionFolder", "IsFolder": True},
)

ENVELOPE = {
    "views": VIEWS,
    "resume": query(EPISODE, PROGRAM),
    "next_up": query(EPISODE),
    "latest": {SHOWS: [SERIES, SEASON, SERIES_NO_RECURSIVE, CHANNEL], MUSIC: [ALBUM, PHOTO, BOXSET]},
}


def items() -> dict[str, Item]:
    """The page's items by key (each key has one value on a page)."""
    return {item.key: item for section in JellyfinBackend().parse(ENVELOPE) for item in section.items}


def test_summary_rating_and_release_date():
    series = items()["5eb1e5"]

    assert series.summary == "Mark leads a team of office workers."
    assert series.content_rating == "TV-MA"
    assert series.release_date == datetime.date(2022, 2, 18)
    # The day as written, not moved to another zone.
    assert items()["e915"].release_date == datetime.date(2022, 2, 18)
    assert items()["c0"].release_date is None


def test_leaf_count_is_the_playable_items_below_and_unplayed_their_unplayed():
    page = items()

    assert (page["5eb1e5"].leaf_count, page["5eb1e5"].unplayed_count) == (19, 12)  # episodes, not seasons
    assert (page["5ea501"].leaf_count, page["5ea501"].unplayed_count) == (9, 0)  # a season's children
    assert page["5eb1e6"].leaf_count is None  # a show's ChildCount counts seasons
    assert (page["a1b0"].leaf_count, page["a1b0"].unplayed_count) == (11, 5)
    assert page["b0"].leaf_count == 4  # a collection's children are its films
    assert (page["e915"].leaf_count, page["e915"].unplayed_count) == (None, None)


def test_items_of_a_recently_added_row_belong_to_its_library():
    page = items()

    assert (page["5eb1e5"].library_id, page["5eb1e5"].library_title) == (SHOWS, "Shows")
    assert (page["a1b0"].library_id, page["a1b0"].library_title) == (MUSIC, "Music")


def test_resume_and_next_up_items_name_no_library():
    # Their ParentId is the season, not the library.
    page = JellyfinBackend().parse({"resume": query(EPISODE), "next_up": query(EPISODE)})

    (episode,) = {i for s in page for i in s.items}
    assert (episode.library_id, episode.library_title) == (None, None)


def test_a_recently_added_row_fetched_alone_names_its_library_by_id():
    row = Section(f"jellyfin.latest.{SHOWS}", "Recently Added in Shows", hub_key=f"/Items/Latest?parentId={SHOWS}")

    (series, *_) = parse_row(row, [SERIES]).items
    assert (series.library_id, series.library_title) == (SHOWS, None)


def test_a_listing_has_its_times_and_channel():
    program = items()["9a0e"]

    assert program.type == "program"
    assert (program.starts_at, program.ends_at) == (
        datetime.datetime(2024, 3, 2, 18, 0, tzinfo=UTC), datetime.datetime(2024, 3, 2, 18, 30, tzinfo=UTC),
    )
    assert (program.channel_title, program.content_rating) == ("BBC One", "TV-G")


def test_a_shows_end_date_is_the_end_of_its_run_not_of_a_broadcast():
    series = items()["5eb1e5"]

    assert (series.starts_at, series.ends_at) == (None, None)


def test_a_tv_channel_is_a_channel_without_play_state():
    channel = items()["c0"]

    assert (channel.type, channel.title, channel.channel_title) == ("channel", "BBC One", None)
    assert (channel.view_offset, channel.view_count) == (None, None)


@pytest.mark.parametrize("key, offset, count", [
    ("e915", 1_800_000, 1),  # partly played: 18e9 ticks of 100 ns
    ("5eb1e5", None, 0),  # PlayCount 0, position 0: never played, no position
    ("a1b0", None, 0),
    ("f0", None, None),  # a photo has no play state, whatever the server counts
    ("b0", None, None),  # nor has a collection
    ("9a0e", None, None),  # nor a listing
])
def test_play_state_has_one_meaning(key, offset, count):
    item = items()[key]

    assert (item.view_offset, item.view_count) == (offset, count)


def test_null_card_fields_are_absent():
    nulls = dto("n0", "Series", "Nothing", {"UnplayedItemCount": None}, Overview=None, OfficialRating=None,
                PremiereDate=None, RecursiveItemCount=None, ChildCount=None, ChannelName=None,
                StartDate=None, EndDate=None)

    (item,) = JellyfinBackend().parse({"resume": query(nulls)}).sections[0].items
    assert (item.summary, item.content_rating, item.release_date, item.leaf_count, item.unplayed_count,
            item.channel_title, item.starts_at, item.ends_at) == (None,) * 8
