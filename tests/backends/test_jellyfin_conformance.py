"""The Jellyfin backend against real Jellyfin answers.

The files live outside the project, in ``../shared/fixtures/jellyfin`` next to
the repository (see its SOURCES.txt): the polyfin files are the exact key sets
Jellyfin 12.1 answers jellyfin-web's home requests with (values scrubbed to
placeholders), the tunarr file a real movie with real values. They are read in
place, never copied here (tests/backends/fixtures.py says what happens without
them). The ``/UserViews`` answer is ours: the recordings hold none, and the
latest rows need their library.
"""

from __future__ import annotations

import datetime
import json

import pytest

from homesections import HomePage, PayloadError, SectionType
from homesections_jellyfin import JellyfinBackend

from .fixtures import missing, shared_fixtures

FIXTURES = shared_fixtures("jellyfin")  # skips the module when missing; fails it under CI
RESUME = "polyfin__jellyfin-12.1__resume-items.json"
NEXT_UP = "polyfin__jellyfin-12.1__next-up.json"
LATEST = "polyfin__jellyfin-12.1__latest.json"
LIVE_TV = "polyfin__jellyfin-12.1__livetv_guided-recommended.json"
PREFS_SAVED = "polyfin__jellyfin-12.1__displaypreferences_saved.json"
PREFS_UNSAVED = "polyfin__jellyfin-12.1__displaypreferences_usersettings_unsaved.json"
MOVIE = "tunarr__jellyfin_item_movie.json"
ALL_FILES = [RESUME, NEXT_UP, LATEST, LIVE_TV, PREFS_SAVED, PREFS_UNSAVED, MOVIE]

MOVIES_VIEW = "f137a2dd21bbc1b99aa5c0f6bf02a805"
USER_VIEWS = {
    "Items": [
        {
            "Name": "Movies",
            "ServerId": "6fd928940fcf4c7c8d3ddb4a10bdf863",
            "Id": MOVIES_VIEW,
            "IsFolder": True,
            "Type": "CollectionFolder",
            "CollectionType": "movies",
            "ImageTags": {"Primary": "3f2c1b0a9e8d7c6b5a4f3e2d1c0b9a8f"},
            "BackdropImageTags": [],
            "LocationType": "FileSystem",
            "MediaType": "Unknown",
        }
    ],
    "TotalRecordCount": 1,
    "StartIndex": 0,
}


def raw(name: str) -> bytes:
    path = FIXTURES / name
    if not path.is_file():
        missing(f"the Jellyfin fixture {name} is not in {FIXTURES}")
    return path.read_bytes()


def load(name: str):
    return json.loads(raw(name))


def home_envelope(prefs_file: str) -> dict:
    return {
        "views": USER_VIEWS,
        "resume": load(RESUME),
        "next_up": load(NEXT_UP),
        "latest": {MOVIES_VIEW: load(LATEST)},
        "display_preferences": load(prefs_file),
    }


def check_rows(page: HomePage, envelope: dict) -> None:
    """Every item with an Id comes out, in order, in its row; every other one is listed."""
    sources = {
        "jellyfin.resume": ("resume.Items", envelope["resume"]["Items"]),
        "jellyfin.nextup": ("next_up.Items", envelope["next_up"]["Items"]),
        f"jellyfin.latest.{MOVIES_VIEW}": (
            f"latest.{MOVIES_VIEW}", envelope["latest"][MOVIES_VIEW]
        ),
    }
    skipped = {s.where for s in page.skipped}
    for section in page.sections:
        where, items = sources[section.hub_identifier]
        assert [i.key for i in section.items] == [d["Id"] for d in items if d.get("Id")]
        assert section.size == len(items)
        for index, dto in enumerate(items):
            if not dto.get("Id"):
                assert f"{where}[{index}]" in skipped


def test_rows_follow_saved_preferences():
    # Saved: homesection0 resume, homesection1 latestmedia; slot 5 keeps its default, nextup.
    envelope = home_envelope(PREFS_SAVED)
    page = JellyfinBackend().parse(envelope)
    assert [s.hub_identifier for s in page.sections] == [
        "jellyfin.resume", f"jellyfin.latest.{MOVIES_VIEW}", "jellyfin.nextup"
    ]
    assert page.section(f"jellyfin.latest.{MOVIES_VIEW}").title == "Recently Added in Movies"
    check_rows(page, envelope)


def test_rows_follow_the_defaults_when_nothing_was_saved():
    envelope = home_envelope(PREFS_UNSAVED)
    page = JellyfinBackend().parse(envelope)
    assert [(s.hub_identifier, s.section_type) for s in page.sections] == [
        ("jellyfin.resume", SectionType.CONTINUE_WATCHING),
        ("jellyfin.nextup", SectionType.NEXT_UP),
        (f"jellyfin.latest.{MOVIES_VIEW}", SectionType.RECENTLY_ADDED),
    ]
    check_rows(page, envelope)


def test_the_same_envelope_as_json_bytes():
    envelope = home_envelope(PREFS_SAVED)
    backend = JellyfinBackend()
    assert backend.parse(json.dumps(envelope).encode()) == backend.parse(envelope)


def test_real_movie_in_a_resume_answer():
    # The file's own bytes, placed in a resume answer, exercise the bytes path on real text.
    payload = b'{"resume": {"Items": [' + raw(MOVIE) + b'], "TotalRecordCount": 1}}'
    page = JellyfinBackend().parse(payload)
    (section,) = page.sections
    (item,) = section.items
    movie_id = "856ca382f09d9481464c88baca4862f0"
    assert (item.key, item.type, item.title, item.year) == (
        movie_id, "movie", "The 40 Year Old Virgin", 2005
    )
    assert item.duration == 7_947_520  # RunTimeTicks 79475200000
    assert (item.view_offset, item.view_count, item.last_viewed_at) == (None, 0, None)  # never played
    assert item.summary.startswith("Andy Stitzer has a pleasant life")
    assert (item.content_rating, item.release_date) == ("R", datetime.date(2005, 8, 11))
    assert (item.library_id, item.library_title) == (None, None)  # a resume row names no library
    assert "/data/media" not in repr(item)  # its Path is never read
    utc = datetime.timezone.utc
    assert item.added_at == datetime.datetime(2022, 12, 28, 18, 36, 20, tzinfo=utc)
    assert item.thumb == f"/Items/{movie_id}/Images/Primary?tag=97605396008d64fbe73e44c5a6988b2c"
    assert item.art == f"/Items/{movie_id}/Images/Backdrop/0?tag=e210de11e2fa217347f23ee9c8a018a9"
    assert (item.parent_title, item.grandparent_title, item.grandparent_thumb) == (None, None, None)
    assert (item.index, item.parent_index) == (None, None)


def test_real_live_tv_program():
    # Not a home row we build, but a real Program item with real values.
    page = JellyfinBackend().parse({"next_up": load(LIVE_TV)})
    (item,) = page.sections[0].items
    assert (item.key, item.type, item.title, item.duration) == (
        "313af13d6d1f394f23a447b2a15c9726", "program", "Fixture News", 7_200_000
    )
    utc = datetime.timezone.utc
    assert (item.starts_at, item.ends_at, item.channel_title) == (
        datetime.datetime(2026, 10, 3, 22, 51, 15, tzinfo=utc),
        datetime.datetime(2026, 10, 4, 0, 51, 15, tzinfo=utc),
        "Fixture One",
    )
    assert (item.view_offset, item.view_count) == (None, None)  # a listing has no play state


@pytest.mark.parametrize("name", ALL_FILES)
@pytest.mark.parametrize(
    "place", [None, "views", "resume", "resume_audio", "next_up", "latest", "display_preferences"]
)
def test_any_file_anywhere_maps_or_raises_payload_error(name, place):
    payload = raw(name) if place is None else {place: load(name)}
    try:
        page = JellyfinBackend().parse(payload)
    except PayloadError as exc:
        assert exc.where
    else:
        assert isinstance(page, HomePage)
