"""The Jellyfin backend against a stand-in server on 127.0.0.1, over real HTTP.

:class:`FakeJellyfin` answers the requests jellyfin-web's home page makes, in
the shapes Jellyfin sends (the payload builders of ``test_jellyfin_parse``),
refuses a wrong token as Jellyfin does, and records every request, so the tests
read what the backend asked for: routes, parameters and headers. As a server
before 10.9 it has only the routes with the user id in the path.
"""

from __future__ import annotations

import datetime
import json
import logging
import re
import threading
import time
from typing import Any, NamedTuple, Optional

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from homesections import (
    AuthError, ConfigurationError, FetchError, IncompleteFetchError, PayloadError, Section, SectionType,
)
from homesections_jellyfin import JellyfinBackend

from .test_jellyfin_parse import (
    EPISODE_ID, MOVIES, MUSIC, SERVER_ID, SHOWS, episode, movie, prefs, query, view,
)

TOKEN = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"
USER_ID = "4b1c9ad2e3f04a5b8c7d6e5f4a3b2c1d"
DEVICE_ID = "kitchen-tablet-7f3a"
ALBUM_ID = "3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f"
NEXT_EPISODE_ID = "c0ffee00c0ffee00c0ffee00c0ffee00"
ITEM_FIELDS = {"DateCreated", "Overview", "ChildCount", "RecursiveItemCount",
               "PrimaryImageAspectRatio", "ChannelInfo"}


def album():
    """A music album as /Items/Latest sends it for a music library."""
    return {
        "Name": "Random Access Memories", "ServerId": SERVER_ID, "Id": ALBUM_ID,
        "DateCreated": "2024-01-20T08:00:00.0000000Z", "ChannelId": None, "IsFolder": True,
        "Type": "MusicAlbum", "ProductionYear": 2013, "ChildCount": 13,
        "RunTimeTicks": 44_670_000_000, "AlbumArtist": "Daft Punk",
        "AlbumArtists": [{"Name": "Daft Punk", "Id": "5d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a"}],
        "UserData": {"PlaybackPositionTicks": 0, "PlayCount": 0, "IsFavorite": False,
                     "Played": False, "Key": "Daft Punk-Random Access Memories", "ItemId": ALBUM_ID},
        "PrimaryImageAspectRatio": 1, "ImageTags": {"Primary": "aa11bb22cc33dd44ee55ff6677889900"},
        "BackdropImageTags": [], "LocationType": "FileSystem", "MediaType": "Unknown",
    }


def user(*latest_excludes):
    """A UserDto, as /Users/Me and /Users/{id} send it."""
    return {
        "Name": "alice", "ServerId": SERVER_ID, "Id": USER_ID, "HasPassword": True,
        "HasConfiguredPassword": True, "EnableAutoLogin": False,
        "LastLoginDate": "2024-03-02T19:58:10.1234567Z",
        "Configuration": {
            "PlayDefaultAudioTrack": True, "SubtitleLanguagePreference": "",
            "DisplayMissingEpisodes": False, "GroupedFolders": [], "SubtitleMode": "Default",
            "DisplayCollectionsView": False, "EnableLocalPassword": False, "OrderedViews": [],
            "LatestItemsExcludes": list(latest_excludes), "MyMediaExcludes": [],
            "HidePlayedInLatest": True, "RememberAudioSelections": True,
            "RememberSubtitleSelections": True, "EnableNextEpisodeAutoPlay": True,
        },
        "Policy": {"IsAdministrator": False, "IsDisabled": False, "EnableAllFolders": True},
    }


class Seen(NamedTuple):
    """One request the stand-in received."""

    name: str  # what it asked for: "views", "resume:Video", "latest:<view id>", ...
    path: str
    params: dict[str, str]
    headers: dict[str, str]
    url: str


class FakeJellyfin:
    """A stand-in Jellyfin server mounted at ``prefix``; ``legacy`` plays one before 10.9."""

    def __init__(self, http_server: HTTPServer, prefix: str = "", legacy: bool = False) -> None:
        self.prefix = prefix
        self.legacy = legacy
        self.user = user()
        self.views = query(view(SHOWS, "Shows", "tvshows"), view(MOVIES, "Movies", "movies"),
                           view(MUSIC, "Music", "music"))
        self.prefs = prefs()
        self.resume = {"Video": query(episode()), "Audio": query(), "Book": query()}
        self.next_up = query(episode(Id=NEXT_EPISODE_ID, Name="The Iron Throne", IndexNumber=6))
        self.latest = {MOVIES: [movie()], SHOWS: [episode(Id="ab12ab12ab12ab12ab12ab12ab12ab12")],
                       MUSIC: [album()]}
        self.statuses: dict[str, list[int]] = {}  # name -> statuses to answer first, in turn
        self.bodies: dict[str, tuple[bytes, str]] = {}  # name -> a body to answer instead of the data
        self.delay = 0.0
        self.seen: list[Seen] = []
        self.in_flight = self.most_in_flight = 0
        self._lock = threading.Lock()
        http_server.expect_request(re.compile(".*")).respond_with_handler(self.answer)

    def base_url(self, http_server: HTTPServer) -> str:
        return http_server.url_for(self.prefix or "/").rstrip("/")

    def envelope(self) -> dict[str, Any]:
        """What the backend should have assembled, for JellyfinBackend().parse()."""
        return {"views": self.views, "display_preferences": self.prefs, "resume": self.resume["Video"],
                "resume_audio": self.resume["Audio"], "resume_book": self.resume["Book"],
                "next_up": self.next_up, "latest": self.latest}

    def asked(self, name: str) -> list[Seen]:
        return [seen for seen in self.seen if seen.name == name]

    def names(self) -> list[str]:
        return sorted(seen.name for seen in self.seen)

    def answer(self, request: Request) -> Response:
        params = dict(request.args)
        name = self._name(request.path, params)
        with self._lock:
            self.seen.append(Seen(name, request.path, params, dict(request.headers), request.url))
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            time.sleep(self.delay)
            return self._respond(name, request, params)
        finally:
            with self._lock:
                self.in_flight -= 1

    def _respond(self, name: str, request: Request, params: dict[str, str]) -> Response:
        if name == "no route":
            return Response("", status=404)
        if f'Token="{TOKEN}"' not in request.headers.get("Authorization", ""):
            return Response("", status=401)
        if self.legacy and name == "prefs" and "userId" not in params:
            return _json({"errors": {"userId": ["The userId field is required."]}}, 400)
        statuses = self.statuses.get(name)
        if statuses:
            return Response("", status=statuses.pop(0))
        if name in self.bodies:
            body, content_type = self.bodies[name]
            return Response(body, content_type=content_type)
        kind, _, detail = name.partition(":")
        data = {"user": self.user, "views": self.views, "prefs": self.prefs, "nextup": self.next_up,
                "resume": self.resume.get(detail), "latest": self.latest.get(detail, [])}[kind]
        return _json(data)

    def _name(self, path: str, params: dict[str, str]) -> str:
        if not path.startswith(self.prefix + "/"):
            return "no route"
        route = path[len(self.prefix):]
        old = {f"/Users/{USER_ID}/Views": "views", f"/Users/{USER_ID}/Items/Resume": "resume",
               f"/Users/{USER_ID}/Items/Latest": "latest", f"/Users/{USER_ID}": "user",
               "/Users/Me": "user",  # since 10.7
               "/Shows/NextUp": "nextup", "/DisplayPreferences/usersettings": "prefs"}
        new = {"/UserViews": "views", "/UserItems/Resume": "resume", "/Items/Latest": "latest"}
        name = old.get(route) or (None if self.legacy else new.get(route)) or "no route"
        if name == "resume":
            return f"resume:{params.get('mediaTypes')}"
        if name == "latest":
            return f"latest:{params.get('parentId')}"
        return name


def _json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data), status=status, content_type="application/json; charset=utf-8")


@pytest.fixture
def fake(http_server) -> FakeJellyfin:
    return FakeJellyfin(http_server)


def backend_for(fake: FakeJellyfin, http_server: HTTPServer, **settings: Any) -> JellyfinBackend:
    settings.setdefault("token", TOKEN)
    settings.setdefault("device_id", DEVICE_ID)
    return JellyfinBackend(fake.base_url(http_server), sleep=lambda seconds: None, **settings)


def fields(seen: Seen) -> set[str]:
    return set(seen.params["fields"].split(","))


# -- what it asks for ---------------------------------------------------------------------


def test_the_home_is_what_jellyfin_web_shows_from_the_same_answers(fake, http_server):
    page = backend_for(fake, http_server).fetch_home()
    assert page == JellyfinBackend().parse(fake.envelope())
    assert [s.hub_identifier for s in page.sections] == [
        "jellyfin.resume", "jellyfin.resumeaudio", "jellyfin.resumebook", "jellyfin.nextup",
        f"jellyfin.latest.{SHOWS}", f"jellyfin.latest.{MOVIES}", f"jellyfin.latest.{MUSIC}",
    ]
    assert page.section("jellyfin.resume").items[0].key == EPISODE_ID


def test_it_asks_each_endpoint_jellyfin_web_asks_with_its_row_lengths(fake, http_server):
    backend_for(fake, http_server).fetch_home()
    assert fake.names() == sorted([
        "user", "views", "prefs", "resume:Video", "resume:Audio", "resume:Book", "nextup",
        f"latest:{SHOWS}", f"latest:{MOVIES}", f"latest:{MUSIC}",
    ])
    assert fake.asked("user")[0].path == "/Users/Me"
    assert fake.asked("views")[0].path == "/UserViews"
    assert fake.asked("prefs")[0].params == {"client": "emby"}
    limits = {seen.name: int(seen.params["limit"]) for seen in fake.seen if "limit" in seen.params}
    assert limits == {"resume:Video": 12, "resume:Audio": 12, "resume:Book": 12, "nextup": 24,
                      f"latest:{SHOWS}": 16, f"latest:{MOVIES}": 16, f"latest:{MUSIC}": 30}
    for seen in fake.seen:
        if "limit" in seen.params:
            assert fields(seen) == ITEM_FIELDS  # what the mapping reads; never Path
            assert "userId" not in seen.params  # a user token says who
    assert {seen.path for seen in fake.seen if seen.name.startswith("resume")} == {"/UserItems/Resume"}
    assert {seen.params["parentId"] for seen in fake.seen if seen.name.startswith("latest")} == {
        SHOWS, MOVIES, MUSIC}


def test_next_up_leaves_out_what_continue_watching_shows_and_shows_a_year_back(fake, http_server):
    backend_for(fake, http_server).fetch_home()
    (seen,) = fake.asked("nextup")
    assert seen.params["enableResumable"] == "false"
    cutoff = datetime.datetime.fromisoformat(seen.params["nextUpDateCutoff"].replace("Z", "+00:00"))
    year_ago = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=365)
    assert abs(cutoff - year_ago) < datetime.timedelta(minutes=5)


def test_count_sets_every_row_length(fake, http_server):
    backend_for(fake, http_server, count=5).fetch_home()
    assert {seen.params["limit"] for seen in fake.seen if "limit" in seen.params} == {"5"}


def test_every_request_carries_the_authorization_header_and_no_url_the_token(fake, http_server):
    backend_for(fake, http_server).fetch_home()
    pattern = re.compile(
        r'MediaBrowser Token="([^"]+)", Client="homesections", Device="[^"]+", '
        r'DeviceId="([^"]+)", Version="\d+\.\d+\.\d+[^"]*"'
    )
    for seen in fake.seen:
        assert pattern.fullmatch(seen.headers["Authorization"]).groups() == (TOKEN, DEVICE_ID)
        assert TOKEN not in seen.url
    assert len(fake.seen) == 10


def test_without_a_device_id_each_backend_is_its_own_device(fake, http_server):
    one, two = backend_for(fake, http_server, device_id=None), backend_for(fake, http_server, device_id=None)
    assert one.device_id != two.device_id
    one.fetch_home()
    assert {re.search(r'DeviceId="([^"]+)"', s.headers["Authorization"])[1] for s in fake.seen} == {
        one.device_id}


def test_the_user_is_asked_once_across_two_fetches(fake, http_server):
    backend = backend_for(fake, http_server)
    backend.fetch_home()
    backend.fetch_home()
    assert len(fake.asked("user")) == 1
    assert len(fake.asked("views")) == 2


def test_with_a_user_id_it_asks_that_user_and_names_it_on_every_route(fake, http_server):
    backend = backend_for(fake, http_server, user_id=USER_ID)
    backend.fetch_home()
    backend.fetch_home()
    assert [seen.path for seen in fake.asked("user")] == [f"/Users/{USER_ID}"]
    assert all(seen.params["userId"] == USER_ID for seen in fake.seen if seen.name != "user")


def test_latest_rows_leave_out_excluded_libraries_and_the_types_jellyfin_web_leaves_out(fake, http_server):
    fake.views = query(
        view(SHOWS, "Shows", "tvshows"), view(MOVIES, "Movies", "movies"),
        view("c1" * 16, "Playlists", "playlists"), view("c2" * 16, "Collections", "boxsets"),
        view("c3" * 16, "Live TV", "livetv"), view("c4" * 16, "Channels", "channels"),
        view("c5" * 16, "Folders", "folders"), view("c6" * 16, "Home", None),
    )
    fake.user = user(MOVIES)
    backend_for(fake, http_server).fetch_home()
    # jellyfin-web: no row for those types nor the user's excludes; a mixed library keeps its row
    assert sorted(s.params["parentId"] for s in fake.seen if s.name.startswith("latest")) == sorted(
        [SHOWS, "c6" * 16])


def test_no_latest_request_when_the_home_screen_hides_those_rows(fake, http_server):
    fake.prefs = prefs(slot6="none")
    page = backend_for(fake, http_server).fetch_home()
    assert not [seen for seen in fake.seen if seen.name.startswith("latest")]
    assert not [s for s in page.sections if s.section_type is SectionType.RECENTLY_ADDED]


def test_requests_go_out_together_in_two_rounds(fake, http_server):
    fake.delay = 0.2
    backend_for(fake, http_server).fetch_home()
    # user, views, settings, three resume rows and Next Up at once; then the three latest rows
    assert fake.most_in_flight == 7
    first_latest = min(i for i, seen in enumerate(fake.seen) if seen.name.startswith("latest"))
    assert first_latest == 7
    assert fake.in_flight == 0


def test_a_reverse_proxy_prefix_is_kept(http_server):
    fake = FakeJellyfin(http_server, prefix="/jellyfin")
    backend = backend_for(fake, http_server)
    assert backend.fetch_home() == JellyfinBackend().parse(fake.envelope())
    assert all(seen.path.startswith("/jellyfin/") for seen in fake.seen)
    assert "no route" not in fake.names()
    assert backend.image_url("/Items/ab12/Images/Primary?tag=cd34").startswith(
        http_server.url_for("/jellyfin/Items/ab12/Images/Primary"))


# -- a server before 10.9 -------------------------------------------------------------------------


def test_a_server_before_10_9_gets_the_older_routes_decided_once(http_server):
    fake = FakeJellyfin(http_server, legacy=True)
    backend = backend_for(fake, http_server)
    first = backend.fetch_home()
    asked_first = len(fake.seen)
    second = backend.fetch_home()
    assert first == second == JellyfinBackend().parse(fake.envelope())
    # One 404 from /UserViews switched the backend: nothing after it tries a new route.
    assert sorted(seen.path for seen in fake.seen if seen.name == "no route") == [
        "/UserItems/Resume", "/UserItems/Resume", "/UserItems/Resume", "/UserViews"]
    assert all(seen.name != "no route" for seen in fake.seen[asked_first:])
    legacy = {seen.name: seen for seen in fake.seen[asked_first:]}
    assert legacy["views"].path == f"/Users/{USER_ID}/Views"
    assert legacy["resume:Book"].path == f"/Users/{USER_ID}/Items/Resume"
    assert legacy[f"latest:{MUSIC}"].path == f"/Users/{USER_ID}/Items/Latest"
    assert legacy["nextup"].params["userId"] == USER_ID
    assert legacy["prefs"].params == {"userId": USER_ID, "client": "emby"}


def test_fetch_hub_first_learns_the_routes_of_a_server_before_10_9(http_server):
    fake = FakeJellyfin(http_server, legacy=True)
    backend = backend_for(fake, http_server)
    row = JellyfinBackend().parse(fake.envelope()).section("jellyfin.resume")
    assert backend.fetch_hub(row) == row
    assert [seen.path for seen in fake.asked("resume:Video")] == [f"/Users/{USER_ID}/Items/Resume"]


# -- one row again --------------------------------------------------------------------------


def test_fetch_hub_asks_the_one_endpoint_behind_the_row_and_keeps_the_row(fake, http_server):
    backend = backend_for(fake, http_server, user_id=USER_ID)
    row = backend.fetch_home().section("jellyfin.nextup")
    fake.seen.clear()
    fake.next_up = query(episode(Id="d00dd00dd00dd00dd00dd00dd00dd00d", Name="Winterfell"), total=40)
    again = backend.fetch_hub(row)
    assert [seen.name for seen in fake.seen] == ["nextup"]
    assert (again.hub_identifier, again.title, again.section_type, again.hub_key) == (
        row.hub_identifier, row.title, row.section_type, row.hub_key)
    assert [item.title for item in again.items] == ["Winterfell"]
    assert (again.size, again.more) == (40, True)


def test_fetch_hub_all_asks_for_up_to_a_thousand_items(fake, http_server):
    backend = backend_for(fake, http_server)
    row = backend.fetch_home().section(f"jellyfin.latest.{MUSIC}")
    fake.seen.clear()
    assert backend.fetch_hub(row, all=True).items[0].key == ALBUM_ID
    assert backend.fetch_hub(row).items[0].key == ALBUM_ID
    assert [(s.params["parentId"], s.params["limit"]) for s in fake.seen] == [(MUSIC, "1000"), (MUSIC, "30")]


def test_fetch_hub_refuses_a_row_it_did_not_make(fake, http_server):
    with pytest.raises(ConfigurationError, match="'home.continue' is not a Jellyfin row"):
        backend_for(fake, http_server).fetch_hub(Section("home.continue", "Continue Watching"))
    assert fake.seen == []


# -- failures --------------------------------------------------------------------------------


def test_a_refused_token_is_an_auth_error_and_is_not_retried(fake, http_server):
    backend = backend_for(fake, http_server, token="0000000000000000bad0000000000000")
    with pytest.raises(AuthError) as caught:
        backend.fetch_home()
    assert caught.value.status == 401
    assert len(fake.asked("user")) == len(fake.asked("views")) == 1


def test_a_failure_that_passes_is_retried(fake, http_server):
    fake.statuses["views"] = [500]
    page = backend_for(fake, http_server).fetch_home()
    assert page == JellyfinBackend().parse(fake.envelope())
    assert len(fake.asked("views")) == 2


def test_one_library_failing_raises_with_the_rest_of_the_page(fake, http_server):
    fake.statuses[f"latest:{MUSIC}"] = [500] * 4  # the first try and three retries
    with pytest.raises(IncompleteFetchError) as caught:
        backend_for(fake, http_server).fetch_home()
    expected = JellyfinBackend().parse({**fake.envelope(), "latest": {SHOWS: fake.latest[SHOWS],
                                                                       MOVIES: fake.latest[MOVIES]}})
    assert caught.value.page == expected
    (failure,) = caught.value.failures
    assert isinstance(failure.error, FetchError) and failure.error.status == 500
    assert failure.what == "Recently Added in Music"
    assert failure.claims(f"jellyfin.latest.{MUSIC}", None)
    assert not failure.claims(f"jellyfin.latest.{MOVIES}", None)


def test_a_row_whose_answer_has_the_wrong_shape_is_a_failure_of_that_row(fake, http_server):
    fake.bodies["resume:Audio"] = (b'{"Items": "nothing", "TotalRecordCount": 0}', "application/json")
    with pytest.raises(IncompleteFetchError) as caught:
        backend_for(fake, http_server).fetch_home()
    (failure,) = caught.value.failures
    assert isinstance(failure.error, PayloadError) and failure.error.where == "resume_audio.Items"
    assert failure.claims("jellyfin.resumeaudio", None)
    hubs = [s.hub_identifier for s in caught.value.page.sections]
    assert "jellyfin.resumeaudio" not in hubs and "jellyfin.resume" in hubs and len(hubs) == 6


def test_a_row_the_home_screen_hides_may_fail(fake, http_server):
    fake.prefs = prefs(slot3="none")
    fake.statuses["resume:Book"] = [404]
    page = backend_for(fake, http_server).fetch_home()
    assert page.section("jellyfin.resumebook") is None and len(page.sections) == 6


def test_an_html_page_where_the_libraries_should_be_is_a_payload_error(fake, http_server):
    fake.bodies["views"] = (b"<!doctype html><title>Sign in</title>", "text/html; charset=utf-8")
    with pytest.raises(PayloadError, match="HTML page"):
        backend_for(fake, http_server).fetch_home()


def test_an_html_page_for_one_row_is_a_failure_of_that_row(fake, http_server):
    fake.bodies["nextup"] = (b"<html><body>502 Bad Gateway</body></html>", "text/html")
    with pytest.raises(IncompleteFetchError) as caught:
        backend_for(fake, http_server).fetch_home()
    (failure,) = caught.value.failures
    assert isinstance(failure.error, PayloadError) and failure.claims("jellyfin.nextup", None)


def test_truncated_json_is_a_payload_error_naming_the_answer(fake, http_server):
    fake.bodies["prefs"] = (b'{"CustomPrefs": {"homesection0": "resu', "application/json")
    with pytest.raises(PayloadError) as caught:
        backend_for(fake, http_server).fetch_home()
    assert caught.value.where == "display_preferences"


def test_an_api_key_without_a_user_id_says_to_pass_one(fake, http_server):
    fake.statuses["user"] = [400]
    with pytest.raises(FetchError, match="pass user_id="):
        backend_for(fake, http_server).fetch_home()


def test_without_a_token_nothing_is_asked(fake, http_server):
    with pytest.raises(ConfigurationError, match="has no token"):
        backend_for(fake, http_server, token=None).fetch_home()
    assert fake.seen == []


def test_the_token_is_in_no_log_record_error_or_repr(fake, http_server, caplog):
    caplog.set_level(logging.DEBUG, logger="homesections")
    fake.statuses[f"latest:{MOVIES}"] = [503] * 4
    backend = backend_for(fake, http_server)
    with pytest.raises(IncompleteFetchError) as caught:
        backend.fetch_home()
    assert len([r for r in caplog.records if r.name.startswith("homesections")]) == len(fake.seen) == 13
    texts = [record.getMessage() for record in caplog.records]
    texts += [str(value) for record in caplog.records for value in vars(record).values()]
    texts += [str(caught.value), repr(caught.value.failures), repr(backend)]
    assert all(TOKEN not in text for text in texts)


# -- through the cache -------------------------------------------------------------------------


def test_a_refresh_keeps_a_failed_librarys_row_and_refresh_section_asks_one_endpoint(fake, http_server, hs):
    backend = backend_for(fake, http_server)
    hs.refresh("jf", backend)
    assert hs.load("jf") == JellyfinBackend().parse(fake.envelope())
    fake.statuses[f"latest:{MUSIC}"] = [500] * 4
    fake.latest[MOVIES] = [movie("77" * 16, "Arrival")]

    report = hs.refresh("jf", backend, keep_failed=True)

    assert report.kept == (f"jellyfin.latest.{MUSIC}",)
    assert report.changed == (f"jellyfin.latest.{MOVIES}",)
    assert hs.load("jf").section(f"jellyfin.latest.{MUSIC}").items[0].key == ALBUM_ID
    fake.seen.clear()
    fake.resume["Video"] = query()

    report = hs.refresh_section("jf", backend, "jellyfin.resume")

    assert [seen.name for seen in fake.seen] == ["resume:Video"]
    assert report.changed == ("jellyfin.resume",)
    assert hs.load("jf").section("jellyfin.resume").items == ()


# -- images -------------------------------------------------------------------------------------


def test_image_urls_carry_no_token_and_ask_the_server_to_scale(fake, http_server):
    backend = backend_for(fake, http_server)
    path = JellyfinBackend().parse(fake.envelope()).section("jellyfin.resume").items[0].thumb
    url = backend.image_url(path, width=320, height=180)
    assert url == f"{fake.base_url(http_server)}{path}&maxWidth=320&maxHeight=180"
    assert backend.image_url(path) == f"{fake.base_url(http_server)}{path}"
    assert TOKEN not in url


@pytest.mark.parametrize("path, size", [("http://elsewhere/x.jpg", None), ("", None), ("/Items/a", 0)])
def test_image_url_refuses_what_it_cannot_use(path: str, size: Optional[int]):
    with pytest.raises(ConfigurationError):
        JellyfinBackend("http://jf.local:8096").image_url(path, width=size)
