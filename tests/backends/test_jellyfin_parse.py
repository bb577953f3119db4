"""The Jellyfin mapping, rule by rule, on payloads in Jellyfin's own format.

Every payload here is written in the shape Jellyfin 10.9+ sends (BaseItemDto,
BaseItemDtoQueryResult, DisplayPreferencesDto); the values are made up.
"""

from __future__ import annotations

import copy
import datetime
import json
from importlib.metadata import entry_points

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import homesections
from homesections import HomePage, PayloadError, SectionType
from homesections_jellyfin import JellyfinBackend
from homesections_jellyfin.parse import DEFAULT_SECTIONS, latest_rows, section_order

UTC = datetime.timezone.utc
SERVER_ID = "6fd928940fcf4c7c8d3ddb4a10bdf863"
MOVIES = "f137a2dd21bbc1b99aa5c0f6bf02a805"
SHOWS = "a656b907eb3a73532e40e44b968d0225"
MUSIC = "7e64e319657a9516ec78490da03edccb"
SERIES_ID = "0ad4c3f4b2f14f3a8d3b8c2b1e0f9a7d"
EPISODE_ID = "8a1f0c5d7e9b4a3c9d2e1f0a6b5c4d3e"
MOVIE_ID = "856ca382f09d9481464c88baca4862f0"


def episode(**changes):
    """A Continue Watching episode, as /UserItems/Resume sends it."""
    dto = {
        "Name": "The Long Night",
        "ServerId": SERVER_ID,
        "Id": EPISODE_ID,
        "DateCreated": "2023-11-05T09:12:44.5812345Z",
        "HasSubtitles": True,
        "Container": "mkv",
        "PremiereDate": "2019-04-28T00:00:00.0000000Z",
        "ChannelId": None,
        "CommunityRating": 7.5,
        "RunTimeTicks": 49_150_000_000,
        "ProductionYear": 2019,
        "IndexNumber": 3,
        "ParentIndexNumber": 8,
        "IsFolder": False,
        "Type": "Episode",
        "ParentBackdropItemId": SERIES_ID,
        "ParentBackdropImageTags": ["c2cecdcca648b650126ba11b439526a0"],
        "UserData": {
            "PlaybackPositionTicks": 18_003_456_789,
            "PlayedPercentage": 36.62,
            "PlayCount": 1,
            "IsFavorite": False,
            "LastPlayedDate": "2024-03-02T20:15:31.1234567Z",
            "Played": False,
            "Key": "121361008003",
            "ItemId": EPISODE_ID,
        },
        "SeriesName": "Game of Thrones",
        "SeriesId": SERIES_ID,
        "SeasonId": "5b2d9f0e6c1a4e8f9b7d3c2a1f0e9d8c",
        "PrimaryImageAspectRatio": 1.7777777777777777,
        "SeriesPrimaryImageTag": "1ee496309341248b884fe1c9e43e8cc0",
        "SeasonName": "Season 8",
        "VideoType": "VideoFile",
        "ImageTags": {"Primary": "59fb5dc303361fbd283a0926fbeaebeb"},
        "BackdropImageTags": [],
        "ImageBlurHashes": {"Primary": {"59fb5dc303361fbd283a0926fbeaebeb": "WB9jZ9"}},
        "LocationType": "FileSystem",
        "MediaType": "Video",
    }
    dto.update(changes)
    return dto


def movie(item_id=MOVIE_ID, name="The 40 Year Old Virgin", **changes):
    """A movie as /Items/Latest sends it."""
    dto = {
        "Name": name,
        "ServerId": SERVER_ID,
        "Id": item_id,
        "DateCreated": "2022-12-28T18:36:20.0000000Z",
        "Container": "mkv",
        "PremiereDate": "2005-08-11T00:00:00.0000000Z",
        "CriticRating": 75,
        "OfficialRating": "R",
        "ChannelId": None,
        "CommunityRating": 6.4,
        "RunTimeTicks": 79_475_200_000,
        "ProductionYear": 2005,
        "IsFolder": False,
        "Type": "Movie",
        "UserData": {
            "PlaybackPositionTicks": 0,
            "PlayCount": 0,
            "IsFavorite": False,
            "Played": False,
            "Key": "6957",
            "ItemId": item_id,
        },
        "PrimaryImageAspectRatio": 0.6666666666666666,
        "VideoType": "VideoFile",
        "ImageTags": {"Primary": "97605396008d64fbe73e44c5a6988b2c"},
        "BackdropImageTags": ["e210de11e2fa217347f23ee9c8a018a9"],
        "LocationType": "FileSystem",
        "MediaType": "Video",
    }
    dto.update(changes)
    return dto


def view(view_id, name, collection_type):
    """One library, as /UserViews lists it."""
    return {
        "Name": name,
        "ServerId": SERVER_ID,
        "Id": view_id,
        "Etag": "b2fa4d4c3b4b5d2e3d6a5b8c9a0e1f2d",
        "DateCreated": "2022-12-01T10:00:00.0000000Z",
        "CanDelete": False,
        "CanDownload": False,
        "SortName": name.lower(),
        "ChannelId": None,
        "IsFolder": True,
        "Type": "CollectionFolder",
        "CollectionType": collection_type,
        "ImageTags": {"Primary": "3f2c1b0a9e8d7c6b5a4f3e2d1c0b9a8f"},
        "BackdropImageTags": [],
        "LocationType": "FileSystem",
        "MediaType": "Unknown",
    }


def query(*items, total=None):
    """A BaseItemDtoQueryResult."""
    return {
        "Items": list(items),
        "TotalRecordCount": len(items) if total is None else total,
        "StartIndex": 0,
    }


VIEWS = query(
    view(SHOWS, "Shows", "tvshows"), view(MOVIES, "Movies", "movies"), view(MUSIC, "Music", "music")
)


def prefs(**slots):
    """A /DisplayPreferences/usersettings?client=emby answer with these homesectionN values."""
    custom = {f"homesection{slot[-1]}": value for slot, value in slots.items()}
    custom.update({"chromecastVersion": "stable", "skipForwardLength": "30000", "tvhome": None})
    return {
        "Id": "3ce5b65d-e116-d731-65d1-efc4a30ec35c",
        "SortBy": "SortName",
        "RememberIndexing": False,
        "PrimaryImageHeight": 250,
        "PrimaryImageWidth": 250,
        "CustomPrefs": custom,
        "ScrollDirection": "Horizontal",
        "ShowBackdrop": True,
        "RememberSorting": False,
        "SortOrder": "Ascending",
        "ShowSidebar": False,
        "Client": "emby",
    }


def full_envelope(**changes):
    envelope = {
        "views": VIEWS,
        "resume": query(episode()),
        "resume_audio": query(),
        "resume_book": query(),
        "next_up": query(episode(Id="c0ffee00c0ffee00c0ffee00c0ffee00", Name="The Iron Throne")),
        "latest": {MOVIES: [movie()], SHOWS: [episode(Id="ab12ab12ab12ab12ab12ab12ab12ab12")]},
    }
    envelope.update(changes)
    return envelope


def parse(envelope):
    return JellyfinBackend().parse(envelope)


def only_item(page):
    (section,) = page.sections
    (item,) = section.items
    return item


def resume_item(dto):
    return only_item(parse({"resume": query(dto)}))


def hubs(page):
    return [section.hub_identifier for section in page.sections]


# -- item types ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "jellyfin_type, expected",
    [
        ("Movie", "movie"), ("Episode", "episode"), ("Season", "season"), ("Series", "show"),
        ("MusicAlbum", "album"), ("Audio", "track"), ("MusicArtist", "artist"),
        ("BoxSet", "collection"), ("Program", "program"), ("TvProgram", "program"),
        ("LiveTvProgram", "program"), ("TvChannel", "channel"), ("Photo", "photo"), ("Playlist", "playlist"),
        ("Video", "clip"), ("Trailer", "clip"), ("MusicVideo", "clip"),
        # anything else keeps Jellyfin's own string
        ("AudioBook", "AudioBook"), ("Book", "Book"), ("PhotoAlbum", "PhotoAlbum"),
        ("Recording", "Recording"),
    ],
)
def test_types_map_into_the_shared_vocabulary(jellyfin_type, expected):
    assert resume_item(movie(Type=jellyfin_type)).type == expected


def test_missing_type_is_empty_so_another_row_can_fill_it():
    dto = movie()
    del dto["Type"]
    assert resume_item(dto).type == ""


# -- fields ----------------------------------------------------------------------------


def test_episode_fields():
    item = resume_item(episode())
    assert item.key == EPISODE_ID
    assert item.title == "The Long Night"
    assert item.parent_title == "Season 8"
    assert item.grandparent_title == "Game of Thrones"
    assert (item.index, item.parent_index, item.year) == (3, 8, 2019)
    assert item.view_count == 1


def test_ticks_become_milliseconds():
    item = resume_item(episode())
    assert item.duration == 4_915_000  # 49_150_000_000 ticks of 100 ns
    assert item.view_offset == 1_800_345  # 18_003_456_789 ticks, the rest of a ms dropped


def test_ticks_as_numeric_text_or_float_still_read():
    dto = episode(RunTimeTicks="600000000")
    dto["UserData"] = {**dto["UserData"], "PlaybackPositionTicks": 300000000.0}
    item = resume_item(dto)
    assert (item.duration, item.view_offset) == (60_000, 30_000)


def test_iso_dates_with_seven_digits_become_aware_utc():
    item = resume_item(episode())
    assert item.last_viewed_at == datetime.datetime(2024, 3, 2, 20, 15, 31, 123456, tzinfo=UTC)
    assert item.added_at == datetime.datetime(2023, 11, 5, 9, 12, 44, 581234, tzinfo=UTC)
    assert item.added_at.utcoffset() == datetime.timedelta(0)


def test_iso_date_with_an_offset_is_moved_to_utc():
    item = resume_item(movie(DateCreated="2024-01-01T01:30:00.0000000+02:00"))
    assert item.added_at == datetime.datetime(2023, 12, 31, 23, 30, tzinfo=UTC)


def test_season_parent_is_its_show():
    item = resume_item(movie(Type="Season", Name="Season 2", SeriesName="Severance", IndexNumber=2))
    assert (item.type, item.title, item.parent_title, item.grandparent_title) == (
        "season", "Season 2", "Severance", None
    )


def test_track_parent_is_its_album_and_grandparent_its_artist():
    dto = movie(Type="Audio", Name="Pyramid Song", Album="Amnesiac", AlbumArtist="Radiohead")
    item = resume_item(dto)
    assert (item.type, item.parent_title, item.grandparent_title) == (
        "track", "Amnesiac", "Radiohead"
    )


def test_album_parent_is_its_artist():
    item = resume_item(movie(Type="MusicAlbum", Name="Amnesiac", AlbumArtist="Radiohead"))
    assert (item.parent_title, item.grandparent_title) == ("Radiohead", None)


def test_primary_image_backdrop_and_series_primary_paths():
    item = resume_item(movie())
    assert item.thumb == f"/Items/{MOVIE_ID}/Images/Primary?tag=97605396008d64fbe73e44c5a6988b2c"
    assert item.art == f"/Items/{MOVIE_ID}/Images/Backdrop/0?tag=e210de11e2fa217347f23ee9c8a018a9"
    assert item.grandparent_thumb is None


def test_episode_inherits_its_series_backdrop_and_series_primary():
    item = resume_item(episode())
    assert item.thumb == f"/Items/{EPISODE_ID}/Images/Primary?tag=59fb5dc303361fbd283a0926fbeaebeb"
    assert item.art == f"/Items/{SERIES_ID}/Images/Backdrop/0?tag=c2cecdcca648b650126ba11b439526a0"
    assert item.grandparent_thumb == (
        f"/Items/{SERIES_ID}/Images/Primary?tag=1ee496309341248b884fe1c9e43e8cc0"
    )


def test_own_backdrop_wins_over_the_inherited_one():
    item = resume_item(episode(BackdropImageTags=["aa11"]))
    assert item.art == f"/Items/{EPISODE_ID}/Images/Backdrop/0?tag=aa11"


def test_no_tag_no_image():
    item = resume_item(episode(ImageTags={"Thumb": "x"}, ParentBackdropImageTags=[""],
                               SeriesPrimaryImageTag=None))
    assert (item.thumb, item.art, item.grandparent_thumb) == (None, None, None)


def test_odd_characters_in_ids_and_tags_are_quoted():
    item = resume_item(movie(item_id="a/b?c", ImageTags={"Primary": "t&x=1"}))
    assert item.thumb == "/Items/a%2Fb%3Fc/Images/Primary?tag=t%26x%3D1"


def test_missing_fields_never_crash():
    item = resume_item({"Id": "1234"})
    assert item == homesections.Item(key="1234", type="")


def test_null_containers_are_missing_fields():
    item = resume_item({"Id": "1234", "UserData": None, "ImageTags": None,
                        "BackdropImageTags": None, "Name": None})
    assert item == homesections.Item(key="1234", type="")


def test_emoji_and_right_to_left_titles_are_kept():
    page = parse({
        "views": query(view(MOVIES, "סרטים", "movies")),
        "latest": {MOVIES: [
            movie(name="🎬 Amélie 🍿"), movie("2" * 32, "مرحبا بالعالم"),
        ]},
    })
    (section,) = page.sections
    assert section.title == "Recently Added in סרטים"
    assert [i.title for i in section.items] == ["🎬 Amélie 🍿", "مرحبا بالعالم"]


def test_nul_characters_are_removed():
    page = parse({
        "views": query(view(SHOWS, "Sh\x00ows", "tvshows")),
        "latest": {SHOWS: [episode(Name="Dune\x00 Part Two", SeriesName="\x00Dune")]},
    })
    (section,) = page.sections
    (item,) = section.items
    assert (section.title, item.title, item.grandparent_title) == (
        "Recently Added in Shows", "Dune Part Two", "Dune"
    )


# -- rows ------------------------------------------------------------------------------


def test_continue_watching_row():
    page = parse({"resume": query(episode(), movie(), total=40)})
    (section,) = page.sections
    assert section.hub_identifier == "jellyfin.resume"
    assert section.title == "Continue Watching"
    assert section.section_type is SectionType.CONTINUE_WATCHING
    assert section.context == "resume"
    assert section.hub_type == "mixed"
    assert section.hub_key == "/UserItems/Resume?mediaTypes=Video"
    assert (section.size, section.more) == (40, True)
    assert [i.key for i in section.items] == [EPISODE_ID, MOVIE_ID]


def test_uncounted_query_result_sizes_by_the_items_sent():
    # enableTotalRecordCount=false, as jellyfin-web asks: the server sends 0.
    (section,) = parse({"resume": query(episode(), movie(), total=0)}).sections
    assert (section.size, section.more) == (2, False)


def test_next_up_row():
    (section,) = parse({"next_up": query(episode())}).sections
    assert (section.hub_identifier, section.title, section.section_type) == (
        "jellyfin.nextup", "Next Up", SectionType.NEXT_UP
    )
    assert (section.hub_type, section.hub_key, section.size, section.more) == (
        "episode", "/Shows/NextUp", 1, False
    )


def test_continue_listening_and_reading_rows():
    page = parse({
        "resume_audio": query(movie(Type="Audio")), "resume_book": query(movie("b" * 32)),
    })
    assert [(s.hub_identifier, s.title, s.hub_key) for s in page.sections] == [
        ("jellyfin.resumeaudio", "Continue Listening", "/UserItems/Resume?mediaTypes=Audio"),
        ("jellyfin.resumebook", "Continue Reading", "/UserItems/Resume?mediaTypes=Book"),
    ]
    assert {s.section_type for s in page.sections} == {SectionType.CONTINUE_WATCHING}


def test_one_recently_added_row_per_library_in_views_order():
    latest = {MUSIC: [movie("3" * 32, Type="MusicAlbum")], MOVIES: [movie()], SHOWS: [episode()]}
    page = parse({"views": VIEWS, "latest": latest})
    assert [(s.hub_identifier, s.title, s.hub_type) for s in page.sections] == [
        (f"jellyfin.latest.{SHOWS}", "Recently Added in Shows", "tvshows"),
        (f"jellyfin.latest.{MOVIES}", "Recently Added in Movies", "movies"),
        (f"jellyfin.latest.{MUSIC}", "Recently Added in Music", "music"),
    ]
    movies = page.section(f"jellyfin.latest.{MOVIES}")
    assert movies.section_type is SectionType.RECENTLY_ADDED
    assert movies.context == "latestmedia"
    assert movies.hub_key == f"/Items/Latest?parentId={MOVIES}"
    assert (movies.size, movies.more) == (1, False)
    assert [i.key for i in movies.items] == [MOVIE_ID]


def test_a_view_id_listed_twice_keeps_its_first_entry():
    # The second copy names another library type, one jellyfin-web shows no latest row for.
    views = query(view(MOVIES, "Movies", "movies"), view(SHOWS, "Shows", "tvshows"),
                  view(MOVIES, "Box sets", "boxsets"))

    page = parse({"views": views, "latest": {MOVIES: [movie()], SHOWS: [episode()]}})

    assert [(s.hub_identifier, s.title, s.hub_type) for s in page.sections] == [
        (f"jellyfin.latest.{MOVIES}", "Recently Added in Movies", "movies"),
        (f"jellyfin.latest.{SHOWS}", "Recently Added in Shows", "tvshows"),
    ]
    assert page.sections[0].items[0].library_title == "Movies"
    assert [(s.hub_identifier, s.title) for s in latest_rows(views)] == [
        (f"jellyfin.latest.{MOVIES}", "Recently Added in Movies"),
        (f"jellyfin.latest.{SHOWS}", "Recently Added in Shows"),
    ]


def test_library_without_name_or_collection_type():
    mixed = {"Id": MOVIES, "Type": "CollectionFolder"}
    (section,) = parse({"views": query(mixed), "latest": {MOVIES: [movie()]}}).sections
    assert (section.title, section.hub_type) == ("Recently Added", None)


def test_latest_for_a_library_not_in_views_is_skipped_and_listed():
    page = parse({"views": VIEWS, "latest": {"deadbeef": [movie()], MOVIES: [movie()]}})
    assert hubs(page) == [f"jellyfin.latest.{MOVIES}"]
    assert [(s.where, s.reason) for s in page.skipped] == [
        ("latest.deadbeef", "library not in views")
    ]


def test_latest_without_views_names_no_row():
    page = parse({"latest": {MOVIES: [movie()]}})
    assert page.sections == ()
    assert [s.where for s in page.skipped] == [f"latest.{MOVIES}"]


def test_empty_answer_gives_an_empty_row():
    (section,) = parse({"next_up": {"Items": [], "TotalRecordCount": 0}}).sections
    assert (section.items, section.size, section.more) == ((), 0, False)


def test_empty_or_missing_id_is_skipped_and_listed():
    missing = movie()
    del missing["Id"]
    page = parse({"resume": query(episode(), movie(item_id=""), missing, movie())})
    (section,) = page.sections
    assert [i.key for i in section.items] == [EPISODE_ID, MOVIE_ID]
    assert [(s.where, s.reason) for s in page.skipped] == [
        ("resume.Items[1]", "item has no key"), ("resume.Items[2]", "item has no key"),
    ]


# -- order and display preferences -----------------------------------------------------


def test_defaults_without_preferences_follow_jellyfin_web():
    page = parse(full_envelope())
    assert hubs(page) == [
        "jellyfin.resume", "jellyfin.resumeaudio", "jellyfin.resumebook", "jellyfin.nextup",
        f"jellyfin.latest.{SHOWS}", f"jellyfin.latest.{MOVIES}",
    ]
    assert page.skipped == ()


def test_default_order_names():
    assert section_order() == (
        "smalllibrarytiles", "resume", "resumeaudio", "resumebook", "livetv", "nextup",
        "latestmedia",
    )
    assert DEFAULT_SECTIONS[-1] == "none"


def test_unsaved_usersettings_give_the_defaults():
    # What Jellyfin answers before any client saved home settings: no homesectionN keys.
    assert hubs(parse(full_envelope(display_preferences=prefs()))) == hubs(parse(full_envelope()))


def test_preferences_order_the_rows():
    chosen = prefs(s0="nextup", s1="latestmedia", s2="resume", s3="none", s4="none", s5="none",
                   s6="none", s7="none")
    page = parse(full_envelope(display_preferences=chosen))
    assert hubs(page) == [
        "jellyfin.nextup", f"jellyfin.latest.{SHOWS}", f"jellyfin.latest.{MOVIES}",
        "jellyfin.resume",
    ]


def test_preferences_hide_rows_and_list_what_they_hid():
    chosen = prefs(s0="smalllibrarytiles", s1="nextup", s2="none", s3="none", s4="none",
                   s5="none", s6="none", s7="none")
    page = parse(full_envelope(display_preferences=chosen))
    assert hubs(page) == ["jellyfin.nextup"]
    assert sorted(s.where for s in page.skipped) == [
        "latest", "resume", "resume_audio", "resume_book"
    ]


def test_unset_slots_take_their_default_and_a_section_shows_once():
    # Slot 0 says latestmedia; slot 6's default latestmedia does not repeat it.
    order = section_order(prefs(s0="latestmedia"))
    assert order == (
        "latestmedia", "resume", "resumeaudio", "resumebook", "livetv", "nextup"
    )


def test_preference_values_are_read_like_jellyfin_web():
    # Any case; "folders" means the slot-0 default; empty or null means the slot default.
    chosen = prefs(s0="NextUp", s1="folders", s2="", s3=None, s4="livetv", s5="none",
                   s6="none", s7="none", s8="Resume", s9="activerecordings")
    assert section_order(chosen) == (
        "nextup", "smalllibrarytiles", "resumeaudio", "resumebook", "livetv", "resume",
        "activerecordings",
    )


def test_sections_without_data_give_no_row():
    chosen = prefs(s0="livetv", s1="librarybuttons", s2="activerecordings", s3="newreleases",
                   s4="resume", s5="none", s6="none", s7="none")
    assert hubs(parse(full_envelope(display_preferences=chosen))) == ["jellyfin.resume"]


# -- the envelope ------------------------------------------------------------------------


def test_empty_envelope_gives_an_empty_page():
    page = parse({})
    assert page == HomePage()
    assert page.skipped == ()


@pytest.mark.parametrize(
    "part, expected",
    [
        ("resume", ["jellyfin.resume"]),
        ("resume_audio", ["jellyfin.resumeaudio"]),
        ("resume_book", ["jellyfin.resumebook"]),
        ("next_up", ["jellyfin.nextup"]),
        ("views", []),
        ("display_preferences", []),
    ],
)
def test_each_part_is_optional(part, expected):
    envelope = full_envelope(display_preferences=prefs())
    assert hubs(parse({part: envelope[part]})) == expected


def test_null_parts_are_missing_parts():
    envelope = dict.fromkeys(
        ["views", "resume", "resume_audio", "resume_book", "next_up", "latest",
         "display_preferences"]
    )
    assert parse(envelope) == HomePage()


def test_unknown_envelope_keys_are_ignored():
    assert hubs(parse({"resume": query(movie()), "live_tv": 5})) == ["jellyfin.resume"]


@pytest.mark.parametrize("encode", [json.dumps, lambda e: json.dumps(e).encode("utf-8")])
def test_json_text_and_bytes_are_accepted(encode):
    envelope = full_envelope(display_preferences=prefs(s0="latestmedia"))
    assert parse(encode(envelope)) == parse(envelope)


def test_the_envelope_is_not_changed():
    envelope = full_envelope(display_preferences=prefs())
    before = copy.deepcopy(envelope)
    parse(envelope)
    assert envelope == before


# -- wrong shapes ------------------------------------------------------------------------


def _with_item(part_item):
    return {"resume": query(episode(), part_item)}


@pytest.mark.parametrize(
    "envelope, where",
    [
        ([], "payload"),
        ("not json at all", "payload"),
        (b"\xff\xfe\x00", "payload"),
        ("[1, 2]", "payload"),
        ({"resume": []}, "resume"),
        ({"resume": {"Items": {"0": movie()}}}, "resume.Items"),
        ({"resume": query(movie(), movie(), movie(), "x")}, "resume.Items[3]"),
        ({"next_up": query(None)}, "next_up.Items[0]"),
        ({"resume_audio": "x"}, "resume_audio"),
        ({"latest": [movie()]}, "latest"),
        ({"views": VIEWS, "latest": {MOVIES: query(movie())}}, f"latest.{MOVIES}"),
        ({"views": VIEWS, "latest": {MOVIES: [movie(), 5]}}, f"latest.{MOVIES}[1]"),
        ({"views": {"Items": [view(MOVIES, "Movies", "movies"), "x"]}}, "views.Items[1]"),
        ({"views": ["x"]}, "views"),
        ({"display_preferences": "x"}, "display_preferences"),
        ({"display_preferences": {"CustomPrefs": []}}, "display_preferences.CustomPrefs"),
        (_with_item(movie(UserData="x")), "resume.Items[1].UserData"),
        (_with_item(movie(ImageTags=["x"])), "resume.Items[1].ImageTags"),
        (_with_item(movie(BackdropImageTags="x")), "resume.Items[1].BackdropImageTags"),
        (
            _with_item(episode(ParentBackdropImageTags={})),
            "resume.Items[1].ParentBackdropImageTags",
        ),
    ],
)
def test_wrong_shapes_raise_payload_error_saying_where(envelope, where):
    with pytest.raises(PayloadError) as caught:
        parse(envelope)
    assert caught.value.where == where
    assert str(caught.value).startswith(f"{where}: ")


def test_payload_error_says_what_was_expected():
    with pytest.raises(PayloadError) as caught:
        parse({"resume": {"Items": "x"}})
    assert caught.value.expected == "a list"
    assert str(caught.value) == "resume.Items: expected a list, got a string"


# -- the backend -------------------------------------------------------------------------


def test_token_never_appears_in_repr_or_str():
    backend = JellyfinBackend("http://jf.local:8096", token="secret-token", user_id="u1")
    assert "secret-token" not in repr(backend)
    assert "secret-token" not in str(backend)
    assert repr(backend) == "<JellyfinBackend name='jellyfin' http://jf.local:8096>"


def test_token_never_appears_in_parse_errors():
    backend = JellyfinBackend(token="secret-token")
    with pytest.raises(PayloadError) as caught:
        backend.parse({"resume": "secret-token"})
    assert "secret-token" not in str(caught.value)


def test_backend_keeps_its_settings():
    backend = JellyfinBackend("http://jf.local:8096", token="t", user_id="u1", device_id="d1")
    assert (backend.base_url, backend.user_id, backend.device_id) == ("http://jf.local:8096", "u1", "d1")


def test_registered_through_the_installed_entry_point():
    (entry,) = [ep for ep in entry_points(group="homesections.backends") if ep.name == "jellyfin"]
    assert entry.value == "homesections_jellyfin:JellyfinBackend"
    assert homesections.get_backend("jellyfin") is JellyfinBackend
    assert JellyfinBackend.name == "jellyfin"


# -- anything at all -----------------------------------------------------------------------

_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
_junk = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)
_ITEM_FIELDS = [
    "Id", "Type", "Name", "SeriesName", "SeasonName", "Album", "AlbumArtist", "IndexNumber",
    "ParentIndexNumber", "ProductionYear", "RunTimeTicks", "DateCreated", "UserData",
    "ImageTags", "BackdropImageTags", "ParentBackdropImageTags", "ParentBackdropItemId",
    "SeriesId", "SeriesPrimaryImageTag", "Overview", "OfficialRating", "PremiereDate",
    "ChildCount", "RecursiveItemCount", "StartDate", "EndDate", "ChannelName",
]
_user_data = st.dictionaries(
    st.sampled_from(["PlaybackPositionTicks", "PlayCount", "LastPlayedDate", "UnplayedItemCount"]), _junk
)
_item = st.dictionaries(st.sampled_from(_ITEM_FIELDS), _junk | _user_data, max_size=10) | _junk
_query = st.fixed_dictionaries({}, optional={"Items": st.lists(_item, max_size=4) | _junk,
                                             "TotalRecordCount": _junk})
_ids = st.sampled_from([MOVIES, SHOWS, "", "x" * 300])
_views = st.fixed_dictionaries({}, optional={
    "Items": st.lists(st.dictionaries(st.sampled_from(["Id", "Name", "CollectionType"]),
                                      _ids | _junk) | _junk, max_size=4) | _junk,
})
_kinds = st.sampled_from(["resume", "nextup", "latestmedia", "none", "folders", "", "LiveTv"])
_prefs = st.fixed_dictionaries({}, optional={
    "CustomPrefs": st.dictionaries(st.sampled_from([f"homesection{i}" for i in range(11)]),
                                   _kinds | _junk) | _junk,
})
_envelope = st.fixed_dictionaries({}, optional={
    "views": _views | _junk,
    "resume": _query | _junk,
    "resume_audio": _query | _junk,
    "next_up": _query | _junk,
    "latest": st.dictionaries(_ids | st.text(max_size=4), st.lists(_item, max_size=3) | _junk)
    | _junk,
    "display_preferences": _prefs | _junk,
})


@settings(max_examples=300, deadline=None)
@given(envelope=_envelope | _junk, as_text=st.booleans())
def test_anything_maps_or_raises_payload_error(envelope, as_text):
    if as_text:
        envelope = json.dumps(envelope)
    try:
        page = parse(envelope)
    except PayloadError as exc:
        assert exc.where
        return
    assert isinstance(page, HomePage)
    identifiers = hubs(page)
    assert len(identifiers) == len(set(identifiers))
    for section in page.sections:
        assert all(item.key and isinstance(item.type, str) for item in section.items)


def test_a_lone_surrogate_in_an_id_or_image_tag_maps_and_stays_storable():
    # json.loads turns "\ud800" into a lone surrogate, which cannot be URL-encoded.
    envelope = json.loads(
        '{"views": {"Items": [{"Id": "v\\ud800", "Name": "Films", "CollectionType": "movies"}]},'
        ' "resume": {"Items": [{"Id": "a\\ud800", "Type": "Movie", "Name": "x\\ud800",'
        ' "ImageTags": {"Primary": "t\\ud800"}}]},'
        ' "latest": {"v\\ud800": [{"Id": "b", "Type": "Movie"}]}}'
    )
    page = parse(envelope)
    (item,) = page.section("jellyfin.resume").items
    assert item.title == "x\ufffd"
    assert item.thumb is not None and "\ud800" not in item.thumb
    assert "\ud800" not in page.sections[-1].hub_key


@pytest.mark.parametrize("setting", ["base_url", "token", "user_id", "device_id"])
def test_a_setting_that_is_not_text_is_refused_without_repeating_it(setting):
    with pytest.raises(homesections.ConfigurationError, match=f"{setting} must be a string") as error:
        JellyfinBackend(**{setting: 123456789})
    assert "123456789" not in str(error.value)
