"""Plex: everything a home-page card draws, on payloads written here in Plex's JSON and XML.

Each answer is written in both forms Plex sends (JSON with ``Accept:
application/json``, XML by default), and both must give the same page.
"""

from __future__ import annotations

import datetime

import pytest

from homesections import Item
from homesections.build import MAX_IDENTIFIER_LENGTH
from homesections_plex import PlexBackend

UTC = datetime.timezone.utc
parse = PlexBackend().parse


def at(seconds: int) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(seconds, UTC)


# A TV library's hubs: a show in progress, a season, an album, a movie never
# played, one played twice, a photo, and a movie of another library.
TV = {
    "MediaContainer": {
        "size": 2, "librarySectionID": 2, "librarySectionTitle": "TV Shows",
        "Hub": [
            {
                "hubIdentifier": "tv.recentlyadded.2", "title": "Recently Added TV", "type": "mixed", "size": 4,
                "Metadata": [
                    {"ratingKey": "4999", "type": "show", "title": "Bluey", "summary": "A blue heeler puppy.",
                     "contentRating": "TV-Y", "originallyAvailableAt": "2018-10-01", "leafCount": 10,
                     "viewedLeafCount": 3, "viewCount": 4, "lastViewedAt": 1700000000,
                     "librarySectionID": 2, "librarySectionTitle": "TV Shows"},
                    {"ratingKey": "5000", "type": "season", "title": "Season 1", "leafCount": 5,
                     "viewedLeafCount": 9},
                    {"ratingKey": "8002", "type": "album", "title": "An album", "leafCount": 12},
                    {"ratingKey": "6001", "type": "movie", "title": "Wadjda", "librarySectionID": "1",
                     "librarySectionTitle": "Movies", "originallyAvailableAt": "not a date"},
                ],
            },
            {
                "hubIdentifier": "home.continue", "title": "Continue Watching", "type": "mixed", "size": 3,
                "Metadata": [
                    {"ratingKey": "7001", "type": "movie", "title": "Never played", "viewOffset": 0},
                    {"ratingKey": "7002", "type": "movie", "title": "Twice", "viewCount": 2,
                     "viewOffset": 61000, "lastViewedAt": 1700000000},
                    {"ratingKey": "9201", "type": "photo", "title": "Sunset", "viewCount": 1, "viewOffset": 5},
                ],
            },
        ],
    }
}

TV_XML = """<?xml version="1.0" encoding="UTF-8"?>
<MediaContainer size="2" librarySectionID="2" librarySectionTitle="TV Shows">
<Hub hubIdentifier="tv.recentlyadded.2" title="Recently Added TV" type="mixed" size="4">
<Directory ratingKey="4999" type="show" title="Bluey" summary="A blue heeler puppy." contentRating="TV-Y" originallyAvailableAt="2018-10-01" leafCount="10" viewedLeafCount="3" viewCount="4" lastViewedAt="1700000000" librarySectionID="2" librarySectionTitle="TV Shows" />
<Directory ratingKey="5000" type="season" title="Season 1" leafCount="5" viewedLeafCount="9" />
<Directory ratingKey="8002" type="album" title="An album" leafCount="12" />
<Video ratingKey="6001" type="movie" title="Wadjda" librarySectionID="1" librarySectionTitle="Movies" originallyAvailableAt="not a date" />
</Hub>
<Hub hubIdentifier="home.continue" title="Continue Watching" type="mixed" size="3">
<Video ratingKey="7001" type="movie" title="Never played" viewOffset="0" />
<Video ratingKey="7002" type="movie" title="Twice" viewCount="2" viewOffset="61000" lastViewedAt="1700000000" />
<Photo ratingKey="9201" type="photo" title="Sunset" viewCount="1" viewOffset="5" />
</Hub>
</MediaContainer>
"""

# Live TV: a recording and a listing carry their times on their Media element,
# never on its Part (which holds the file path).
LIVE = {
    "MediaContainer": {
        "size": 1,
        "Hub": [{
            "hubIdentifier": "tv.inprogress.4", "title": "Recordings", "type": "mixed", "size": 2,
            "Metadata": [
                {"ratingKey": "9901", "type": "episode", "title": "The News", "grandparentTitle": "News at Six",
                 "beginsAt": 1, "endsAt": 2, "librarySectionID": 4, "librarySectionTitle": "DVR",
                 "Media": [
                     {"id": 1, "beginsAt": 1700000000, "endsAt": 1700003600, "channelCallSign": "KGW",
                      "channelTitle": "8.1 NBC", "Part": [{"file": "/data/dvr/News.ts", "beginsAt": 5}]},
                     {"id": 2, "beginsAt": 1800000000, "endsAt": 1800003600},
                 ]},
                {"ratingKey": "9902", "type": "movie", "title": "Late film",
                 "Media": [{"id": 3, "beginsAt": "1700010000", "endsAt": "1700017200",
                            "channelCallSign": "PBS", "Part": [{"file": "/data/dvr/Film.ts"}]}]},
            ],
        }],
    }
}

LIVE_XML = """<MediaContainer size="1">
<Hub hubIdentifier="tv.inprogress.4" title="Recordings" type="mixed" size="2">
<Video ratingKey="9901" type="episode" title="The News" grandparentTitle="News at Six" beginsAt="1" endsAt="2" librarySectionID="4" librarySectionTitle="DVR">
<Media id="1" beginsAt="1700000000" endsAt="1700003600" channelCallSign="KGW" channelTitle="8.1 NBC"><Part file="/data/dvr/News.ts" beginsAt="5" /></Media>
<Media id="2" beginsAt="1800000000" endsAt="1800003600" />
</Video>
<Video ratingKey="9902" type="movie" title="Late film">
<Media id="3" beginsAt="1700010000" endsAt="1700017200" channelCallSign="PBS"><Part file="/data/dvr/Film.ts" /></Media>
</Video>
</Hub>
</MediaContainer>
"""

# A music library's Stations carry a key and no ratingKey.
STATIONS = {
    "MediaContainer": {
        "size": 2,
        "Hub": [
            {"hubIdentifier": "music.stations.3", "title": "Stations", "type": "station", "size": 3,
             "Directory": [
                 {"key": "/library/sections/3/stations/1", "type": "station", "title": "Library Radio"},
                 {"key": "/library/sections/3/stations/2", "type": "station", "title": "Deep Cuts Radio"},
                 {"key": "/library/sections/3/stations/1", "type": "station", "title": "Library Radio"},
             ]},
            {"hubIdentifier": "music.tags.3", "title": "Moods", "type": "mood", "size": 2,
             "Directory": [{"type": "mood", "title": "Calm"}, {"type": "mood", "title": "Upbeat"}]},
        ],
    }
}

STATIONS_XML = """<MediaContainer size="2">
<Hub hubIdentifier="music.stations.3" title="Stations" type="station" size="3">
<Directory key="/library/sections/3/stations/1" type="station" title="Library Radio" />
<Directory key="/library/sections/3/stations/2" type="station" title="Deep Cuts Radio" />
<Directory key="/library/sections/3/stations/1" type="station" title="Library Radio" />
</Hub>
<Hub hubIdentifier="music.tags.3" title="Moods" type="mood" size="2">
<Directory type="mood" title="Calm" /><Directory type="mood" title="Upbeat" />
</Hub>
</MediaContainer>
"""

both = pytest.mark.parametrize("form", ["json", "xml"])


def page_of(name: str, form: str):
    payloads = {"tv": (TV, TV_XML), "live": (LIVE, LIVE_XML), "stations": (STATIONS, STATIONS_XML)}
    return parse(payloads[name][form == "xml"])


def items_of(name: str, form: str) -> dict[str, Item]:
    return {item.key: item for section in page_of(name, form) for item in section.items}


@pytest.mark.parametrize("name", ["tv", "live", "stations"])
def test_json_and_xml_of_each_answer_give_the_same_page(name):
    assert page_of(name, "json") == page_of(name, "xml")
    assert page_of(name, "json").skipped == page_of(name, "xml").skipped


# -- the card fields ------------------------------------------------------------------------


@both
def test_summary_rating_and_release_date_are_read(form):
    show = items_of("tv", form)["4999"]

    assert (show.summary, show.content_rating, show.release_date) == (
        "A blue heeler puppy.", "TV-Y", datetime.date(2018, 10, 1),
    )
    assert items_of("tv", form)["6001"].release_date is None  # "not a date"


@both
def test_leaf_and_unplayed_counts(form):
    items = items_of("tv", form)

    assert (items["4999"].leaf_count, items["4999"].unplayed_count) == (10, 7)
    # More watched than there are is no count; an album without viewedLeafCount has none either.
    assert (items["5000"].leaf_count, items["5000"].unplayed_count) == (5, None)
    assert (items["8002"].leaf_count, items["8002"].unplayed_count) == (12, None)


@both
def test_the_library_is_the_items_own_else_its_containers(form):
    items = items_of("tv", form)

    assert (items["4999"].library_id, items["4999"].library_title) == ("2", "TV Shows")
    assert (items["5000"].library_id, items["5000"].library_title) == ("2", "TV Shows")
    # An item of another library keeps its own, never the container's title.
    assert (items["6001"].library_id, items["6001"].library_title) == ("1", "Movies")
    live = items_of("live", form)
    assert (live["9902"].library_id, live["9902"].library_title) == (None, None)


@both
def test_broadcast_times_and_channel_come_from_the_items_first_media_element(form):
    items = items_of("live", form)

    news, film = items["9901"], items["9902"]
    # Not the item's own beginsAt (1), not the second Media, not the Part's.
    assert (news.starts_at, news.ends_at) == (at(1700000000), at(1700003600))
    assert news.channel_title == "8.1 NBC"
    assert (film.starts_at, film.ends_at, film.channel_title) == (at(1700010000), at(1700017200), "PBS")


@both
def test_no_file_path_of_a_part_reaches_the_page(form):
    text = repr(page_of("live", form))

    assert "/data/dvr" not in text


@both
def test_items_without_media_have_no_times_or_channel(form):
    show = items_of("tv", form)["4999"]

    assert (show.starts_at, show.ends_at, show.channel_title) == (None, None, None)


# -- play state -----------------------------------------------------------------------------


@both
def test_play_state_has_one_meaning(form):
    items = items_of("tv", form)

    never = items["7001"]  # no viewCount, position 0
    assert (never.view_offset, never.view_count) == (None, 0)
    twice = items["7002"]
    assert (twice.view_offset, twice.view_count, twice.last_viewed_at) == (61000, 2, at(1700000000))
    assert (items["4999"].view_offset, items["4999"].view_count) == (None, 4)
    assert items["8002"].view_count == 0  # an album counts its plays too
    photo = items["9201"]  # photos have no play state, whatever is sent
    assert (photo.view_offset, photo.view_count) == (None, None)


# -- items without a ratingKey ----------------------------------------------------------------


@both
def test_stations_are_kept_keyed_by_their_key_once_each(form):
    stations = page_of("stations", form).section("music.stations.3")

    assert [(i.key, i.type, i.title) for i in stations.items] == [
        ("key:/library/sections/3/stations/1", "station", "Library Radio"),
        ("key:/library/sections/3/stations/2", "station", "Deep Cuts Radio"),
    ]
    assert stations.size == 3


@both
def test_a_hub_whose_items_were_all_left_out_keeps_its_size_and_says_why(form):
    page = page_of("stations", form)

    moods = page.section("music.tags.3")
    assert (moods.items, moods.size) == ((), 2)
    assert [(s.where.rsplit(".", 1)[1], s.reason) for s in page.skipped] == [
        ("Directory[0]", "item has no key"), ("Directory[1]", "item has no key"),
    ]


def test_a_key_never_collides_with_a_rating_key():
    page = parse({"MediaContainer": {"Hub": [{"hubIdentifier": "h", "Metadata": [
        {"ratingKey": "12", "type": "movie"}, {"key": "12", "type": "clip"},
    ]}]}})

    assert [i.key for i in page.sections[0].items] == ["12", "key:12"]


def test_a_key_too_long_to_index_is_shortened_stably_and_stays_unique():
    base = "/library/sections/3/all?" + "genre=1&" * 40
    payload = {"MediaContainer": {"Hub": [{"hubIdentifier": "h", "Directory": [
        {"key": base + "a", "type": "tag"}, {"key": base + "b", "type": "tag"},
    ]}]}}

    first, second = parse(payload).sections[0].items
    assert len(first.key) == len(second.key) == MAX_IDENTIFIER_LENGTH
    assert first.key != second.key and first.key.startswith("key:/library/sections/3/all?")
    assert [i.key for i in parse(payload).sections[0].items] == [first.key, second.key]
