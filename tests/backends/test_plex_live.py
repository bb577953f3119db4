"""The Plex backend against a real HTTP server (conftest's http_server), serving answers in Plex's format.

Each test checks what the server received (paths, parameters, headers) as
well as what the backend made of the answers. The payloads are written here,
shaped as a Plex Media Server sends them.
"""

from __future__ import annotations

import json
import logging
import threading
from importlib.metadata import version
from typing import Any, Callable, Iterator, Optional
from urllib.parse import parse_qs, urlsplit

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from homesections import (
    AuthError, ConfigurationError, FetchError, IncompleteFetchError, PayloadError, Section, SectionType,
)
from homesections_plex import PlexBackend

TOKEN = "tok-Zq8s1c2E3f"
CLIENT = "5f3c-homesections-test-device"
BASE_TIME = 1_700_000_000


# -- payloads, as Plex sends them ------------------------------------------------------------


def movie(key: int, title: str, library: int = 6, **fields: Any) -> dict:
    return {
        "ratingKey": str(key), "key": f"/library/metadata/{key}",
        "guid": f"plex://movie/5d7768{key:018d}", "type": "movie", "title": title,
        "librarySectionTitle": "Movies", "librarySectionID": library,
        "librarySectionKey": f"/library/sections/{library}", "year": 2012,
        "thumb": f"/library/metadata/{key}/thumb/{BASE_TIME}",
        "art": f"/library/metadata/{key}/art/{BASE_TIME}", "duration": 7_117_736,
        "addedAt": BASE_TIME + key, "updatedAt": BASE_TIME + key,
        "Media": [{"id": key, "Part": [{"id": key, "file": f"/data/movies/{title}.mkv"}]}],
        **fields,
    }


def episode(key: int, title: str, show: str, library: int = 7, **fields: Any) -> dict:
    return {
        **movie(key, title, library), "type": "episode", "librarySectionTitle": "TV Shows",
        "grandparentTitle": show, "parentTitle": "Season 1", "index": 3, "parentIndex": 1,
        "grandparentThumb": f"/library/metadata/{key - 100}/thumb/{BASE_TIME}", **fields,
    }


def hub(identifier: str, title: str, items: list[dict], key: str, *, context: str = "",
        hub_type: str = "movie", style: str = "shelf", more: bool = False) -> dict:
    entry = {
        "key": key, "title": title, "type": hub_type, "hubIdentifier": identifier,
        "context": context or "hub." + identifier.split(".", 1)[-1].rstrip(".0123456789"),
        "size": len(items), "more": more, "style": style, "promoted": True, "Metadata": items,
    }
    if items:
        entry["hubKey"] = "/library/metadata/" + ",".join(i["ratingKey"] for i in items)
    return entry


def hubs(*entries: dict) -> dict:
    return {"MediaContainer": {"size": len(entries), "allowSync": True,
                               "identifier": "com.plexapp.plugins.library", "Hub": list(entries)}}


def item_list(items: list[dict], *, offset: int = 0, total: Optional[int] = None) -> dict:
    container: dict[str, Any] = {"size": len(items), "offset": offset, "allowSync": True,
                                 "identifier": "com.plexapp.plugins.library", "Metadata": items}
    if total is not None:
        container["totalSize"] = total
    return {"MediaContainer": container}


def libraries(*entries: tuple[int, str, Optional[int]]) -> dict:
    """``/library/sections``: (id, title, hidden); a hidden of None is left out, as older servers do."""
    directories = []
    for key, title, hidden in entries:
        entry = {"allowSync": True, "art": "/:/resources/movie-fanart.jpg", "key": str(key),
                 "type": "movie", "title": title, "agent": "tv.plex.agents.movie",
                 "scanner": "Plex Movie", "language": "en-US", "uuid": f"c0ffee-{key}",
                 "updatedAt": BASE_TIME, "Location": [{"id": key, "path": f"/data/{title}"}]}
        if hidden is not None:
            entry["hidden"] = hidden
        directories.append(entry)
    return {"MediaContainer": {"size": len(directories), "allowSync": False,
                               "title1": "Plex Library", "Directory": directories}}


WATCHING = hubs(hub("home.continue", "Continue Watching",
                    [episode(5001, "Keepy Uppy", "Bluey", viewOffset=461_000), movie(6001, "Wadjda")],
                    "/hubs/home/continueWatching", context="hub.home.continue", hub_type="mixed",
                    style="hero"))

LIBRARY_HUBS = {
    "6": hubs(
        hub("home.movies.recent.6", "Recently Added Movies", [movie(101, "Looper"), movie(102, "Heat")],
            "/hubs/home/recentlyAdded?type=1&pinnedContentDirectoryID=7,6"),
        hub("custom.collection.6.254687.254687", "Trending", [movie(103, "Arrival")],
            "/library/collections/254687/children", context="hub.custom.collection"),
        hub("movie.recentlyreleased", "New Releases", [movie(104, "Dune")],
            "/hubs/sections/6/newest"),
    ),
    "7": hubs(
        hub("tv.ondeck.7", "On Deck", [episode(201, "Pilot", "Severance")], "/hubs/sections/7/onDeck",
            hub_type="episode"),
        hub("home.television.recent.7", "Recently Added TV", [episode(202, "Sleepy", "Bluey")],
            "/hubs/home/recentlyAdded?type=2&pinnedContentDirectoryID=7,6", hub_type="episode"),
    ),
}


# -- the server and the backend ----------------------------------------------------------------


@pytest.fixture
def sleeps() -> list[float]:
    """The backoff waits the backend asked for (none is really waited)."""
    return []


@pytest.fixture
def connect(http_server: HTTPServer, sleeps: list[float]) -> Iterator[Callable[..., PlexBackend]]:
    """Makes backends for the server (closed after the test)."""
    made: list[PlexBackend] = []

    def make(**settings: Any) -> PlexBackend:
        settings = {"token": TOKEN, "client_identifier": CLIENT, "sleep": sleeps.append, **settings}
        made.append(PlexBackend(http_server.url_for("/").rstrip("/"), **settings))
        return made[-1]

    yield make
    for backend in made:
        backend.close()


def serve_home(http_server: HTTPServer, pages: dict[str, dict] = LIBRARY_HUBS, *,
               watching: dict = WATCHING, sections: Optional[dict] = None) -> None:
    http_server.expect_request("/hubs/continueWatching").respond_with_json(watching)
    if sections is not None:
        http_server.expect_request("/library/sections").respond_with_json(sections)

    def promoted(request: Request) -> Response:
        page = pages.get(request.args["contentDirectoryID"])
        if page is None:
            return Response("Internal Server Error", status=500)
        return Response(json.dumps(page), content_type="application/json")

    http_server.expect_request("/hubs/promoted").respond_with_handler(promoted)


def received(http_server: HTTPServer, path: Optional[str] = None) -> list[Request]:
    return [request for request, _ in http_server.log if path is None or request.path == path]


def identifiers(page) -> list[str]:
    return [section.hub_identifier for section in page]


# -- the home page -----------------------------------------------------------------------------


def test_every_request_carries_the_plex_headers_and_the_token_only_in_a_header(http_server, connect):
    serve_home(http_server, sections=libraries((6, "Movies", 0), (7, "TV Shows", 0)))

    connect().fetch_home()

    requests = received(http_server)
    assert {r.path for r in requests} == {"/hubs/continueWatching", "/library/sections", "/hubs/promoted"}
    for request in requests:
        assert request.headers["Accept"] == "application/json"
        assert request.headers["X-Plex-Token"] == TOKEN
        assert request.headers["X-Plex-Client-Identifier"] == CLIENT
        assert request.headers["X-Plex-Product"] == "homesections"
        assert request.headers["X-Plex-Version"] == version("homesections-plex")
        assert TOKEN.encode() not in request.query_string
        assert TOKEN not in request.url


def test_the_home_is_continue_watching_then_each_pinned_library_in_order(http_server, connect):
    serve_home(http_server)

    page = connect(pinned=[7, "6"]).fetch_home()

    assert identifiers(page) == [
        "home.continue", "tv.ondeck.7", "home.television.recent.7",
        "home.movies.recent.6", "custom.collection.6.254687.254687", "movie.recentlyreleased",
    ]
    assert page.section("home.continue").section_type is SectionType.CONTINUE_WATCHING
    assert [i.title for i in page.section("home.movies.recent.6").items] == ["Looper", "Heat"]
    assert received(http_server, "/library/sections") == []  # pins were given: nothing to ask
    asked = sorted(received(http_server, "/hubs/promoted"), key=lambda r: r.args["contentDirectoryID"])
    assert [r.args.to_dict() for r in asked] == [
        {"contentDirectoryID": lib, "pinnedContentDirectoryID": "7,6", "excludeContinueWatching": "1"}
        for lib in ("6", "7")
    ]
    assert received(http_server, "/hubs/continueWatching")[0].args.to_dict() == {}


def test_a_hub_that_comes_twice_is_kept_once_at_its_first_position(http_server, connect):
    first = hub("home.movies.recent.7", "Recently Added", [movie(302, "Sunshine")], "/hubs/home/recentlyAdded")
    later = hub("home.movies.recent.7", "Recently Added", [movie(301, "Moon")], "/hubs/home/recentlyAdded")
    serve_home(http_server, {
        "7": hubs(later, hub("tv.ondeck.7", "On Deck", [], "/hubs/sections/7/onDeck")),
        "6": hubs(hub("movie.genre.6.71", "Thrillers", [movie(303, "Heat")], "/hubs/sections/6/genre/71"),
                  later),
    }, watching=hubs(WATCHING["MediaContainer"]["Hub"][0], first))

    page = connect(pinned=[7, 6]).fetch_home()

    assert identifiers(page) == ["home.continue", "home.movies.recent.7", "tv.ondeck.7", "movie.genre.6.71"]
    assert [i.title for i in page.section("home.movies.recent.7").items] == ["Sunshine"]


def test_without_pinned_the_libraries_shown_on_home_are_pinned_in_the_servers_order(http_server, connect):
    serve_home(http_server, {"7": LIBRARY_HUBS["7"], "2": hubs(), "6": LIBRARY_HUBS["6"]},
               sections=libraries((7, "TV Shows", 0), (3, "Home Videos", 1), (2, "Music", None),
                                  (9, "Private", 2), (6, "Movies", 0)))

    page = connect().fetch_home()

    asked = received(http_server, "/hubs/promoted")
    assert sorted(r.args["contentDirectoryID"] for r in asked) == ["2", "6", "7"]
    assert {r.args["pinnedContentDirectoryID"] for r in asked} == {"7,2,6"}
    assert identifiers(page) == ["home.continue", *identifiers(PlexBackend().parse(LIBRARY_HUBS["7"])),
                                 *identifiers(PlexBackend().parse(LIBRARY_HUBS["6"]))]


def test_count_is_asked_of_every_hub_request_and_only_of_them(http_server, connect):
    serve_home(http_server, sections=libraries((6, "Movies", 0)))

    connect(count=10).fetch_home()

    assert received(http_server, "/hubs/continueWatching")[0].args["count"] == "10"
    assert received(http_server, "/hubs/promoted")[0].args["count"] == "10"
    assert "count" not in received(http_server, "/library/sections")[0].args


def test_legacy_mode_asks_the_single_hubs_request(http_server, connect):
    http_server.expect_request("/hubs").respond_with_json(LIBRARY_HUBS["7"])

    page = connect(mode="legacy").fetch_home()

    assert [r.path for r in received(http_server)] == ["/hubs"]
    assert page == PlexBackend().parse(LIBRARY_HUBS["7"])


def test_requests_that_do_not_depend_on_each_other_are_in_flight_together(http_server, connect):
    # Each handler waits until all its batch is at the server: sent one by one, the wait times out.
    first, promoted = threading.Barrier(2, timeout=5), threading.Barrier(3, timeout=5)

    def answer(barrier: threading.Barrier, page: dict) -> Callable[[Request], Response]:
        def handler(request: Request) -> Response:
            barrier.wait()
            return Response(json.dumps(page), content_type="application/json")
        return handler

    http_server.expect_request("/hubs/continueWatching").respond_with_handler(answer(first, WATCHING))
    http_server.expect_request("/library/sections").respond_with_handler(
        answer(first, libraries((6, "Movies", 0), (7, "TV", 0), (8, "Music", 0))))
    http_server.expect_request("/hubs/promoted").respond_with_handler(answer(promoted, hubs()))

    page = connect(retries=0).fetch_home()

    assert identifiers(page) == ["home.continue"]
    assert len(received(http_server, "/hubs/promoted")) == 3


# -- failures ----------------------------------------------------------------------------------


def test_a_refused_token_is_an_auth_error_and_is_not_retried(http_server, connect, sleeps):
    http_server.expect_request("/hubs").respond_with_data("Unauthorized", status=401, content_type="text/html")

    with pytest.raises(AuthError) as raised:
        connect(mode="legacy").fetch_home()

    assert raised.value.status == 401
    assert (len(received(http_server)), sleeps) == (1, [])


def test_a_server_error_is_retried_once_then_the_answer_is_read(http_server, connect, sleeps):
    http_server.expect_oneshot_request("/hubs").respond_with_data("busy", status=500)
    http_server.expect_request("/hubs").respond_with_json(LIBRARY_HUBS["6"])

    page = connect(mode="legacy").fetch_home()

    assert identifiers(page)[0] == "home.movies.recent.6"
    assert (len(received(http_server)), len(sleeps)) == (2, 1)


def test_a_server_failing_every_time_is_a_fetch_error_after_the_retries(http_server, connect, sleeps):
    http_server.expect_request("/hubs").respond_with_data("broken", status=500)

    with pytest.raises(FetchError) as raised:
        connect(mode="legacy", retries=2).fetch_home()

    assert not isinstance(raised.value, AuthError)
    assert raised.value.status == 500 and "/hubs" in str(raised.value)
    assert (len(received(http_server)), len(sleeps)) == (3, 2)


def test_one_librarys_failure_gives_an_incomplete_fetch_with_the_others_and_its_claims(http_server, connect):
    serve_home(http_server, {"7": LIBRARY_HUBS["7"]})  # no page for library 6: it answers 500

    with pytest.raises(IncompleteFetchError) as raised:
        connect(pinned=[7, 6], retries=0).fetch_home()

    error = raised.value
    assert identifiers(error.page) == ["home.continue", "tv.ondeck.7", "home.television.recent.7"]
    (failure,) = error.failures
    assert failure.what == "library 6"
    assert isinstance(failure.error, FetchError) and failure.error.status == 500
    library_6 = [(h["hubIdentifier"], h["key"]) for h in LIBRARY_HUBS["6"]["MediaContainer"]["Hub"]]
    others = [(h["hubIdentifier"], h["key"]) for page in (WATCHING, LIBRARY_HUBS["7"])
              for h in page["MediaContainer"]["Hub"]]
    assert all(failure.claims(*hub) for hub in library_6 + [("movie.inprogress.6", None), ("tv.ondeck.6", None)])
    assert not any(failure.claims(*hub) for hub in others + [("movie.inprogress.16", "/hubs/sections/16/x")])


def test_a_failed_continue_watching_claims_the_continue_watching_rows(http_server, connect):
    serve_home(http_server, watching={"MediaContainer": "not a container"})

    with pytest.raises(IncompleteFetchError) as raised:
        connect(pinned=[7]).fetch_home()

    (failure,) = raised.value.failures
    assert isinstance(failure.error, PayloadError)  # an answer parse() refuses is a failed request
    assert failure.claims("home.continue", "/hubs/home/continueWatching")
    assert failure.claims("continueWatching", "/hubs/continueWatching?count=12")
    assert not failure.claims("tv.ondeck.7", "/hubs/sections/7/onDeck")


def test_a_failed_library_list_raises_its_error(http_server, connect):
    http_server.expect_request("/hubs/continueWatching").respond_with_json(WATCHING)
    http_server.expect_request("/library/sections").respond_with_data("Forbidden", status=403)

    with pytest.raises(AuthError):
        connect().fetch_home()
    assert received(http_server, "/hubs/promoted") == []


def test_when_every_request_fails_the_first_error_is_raised_as_is(http_server, connect):
    http_server.expect_request("/hubs/continueWatching").respond_with_data("", status=401)
    http_server.expect_request("/hubs/promoted").respond_with_data("", status=401)

    with pytest.raises(AuthError) as raised:
        connect(pinned=[6, 7]).fetch_home()

    assert not isinstance(raised.value, IncompleteFetchError)
    assert raised.value.path == "/hubs/continueWatching"


def test_an_html_page_with_status_200_is_a_payload_error(http_server, connect):
    http_server.expect_request("/hubs").respond_with_data("<html><body>Sign in</body></html>",
                                                     content_type="text/html")

    with pytest.raises(PayloadError, match="HTML"):
        connect(mode="legacy").fetch_home()


def test_truncated_json_is_a_payload_error_naming_the_request(http_server, connect):
    http_server.expect_request("/hubs").respond_with_data(json.dumps(LIBRARY_HUBS["6"])[:-40],
                                                     content_type="application/json")

    with pytest.raises(PayloadError, match="not JSON") as raised:
        connect(mode="legacy").fetch_home()

    assert "/hubs" in str(raised.value)


def test_the_token_reaches_no_log_record_error_or_repr(http_server, connect, caplog):
    serve_home(http_server, {"7": LIBRARY_HUBS["7"]}, sections=libraries((7, "TV", 0), (6, "Movies", 0)))
    http_server.expect_request("/hubs").respond_with_data("", status=401)
    http_server.expect_request("/hubs/home/recentlyAdded").respond_with_data("{", content_type="application/json")
    backend = connect(retries=1)
    errors: list[BaseException] = []

    with caplog.at_level(logging.DEBUG, logger="homesections"):
        for attempt in (backend.fetch_home, connect(mode="legacy").fetch_home, lambda: backend.fetch_hub(CACHED)):
            with pytest.raises(Exception) as raised:
                attempt()
            errors.append(raised.value)
        backend.image_url("/library/metadata/1/thumb/2")

    assert [type(e) for e in errors] == [IncompleteFetchError, AuthError, PayloadError]
    assert len(caplog.records) >= 6  # one per request and attempt
    for record in caplog.records:
        assert TOKEN not in record.getMessage() and TOKEN not in repr(vars(record))
    for error in errors + [f.error for f in errors[0].failures]:
        assert TOKEN not in str(error) and TOKEN not in repr(error)
    assert TOKEN not in repr(backend) and TOKEN not in str(backend)


# -- through the cache ----------------------------------------------------------------------------


def test_a_refresh_keeping_failed_rows_keeps_the_cached_rows_of_the_failed_library(http_server, connect, hs):
    serve_home(http_server)
    backend = connect(pinned=[7, 6], retries=0)
    before = hs.refresh("plex-main", backend)
    http_server.clear()
    serve_home(http_server, {"7": LIBRARY_HUBS["7"]})

    report = hs.refresh("plex-main", backend, keep_failed=True)

    library_6 = ("home.movies.recent.6", "custom.collection.6.254687.254687", "movie.recentlyreleased")
    assert set(report.kept) == set(library_6)
    assert identifiers(hs.load("plex-main")) == list(before.added)
    assert {s.hub_identifier for s in hs.stale_sections("plex-main")} == set(library_6)


def test_refresh_section_takes_the_rows_current_items_from_its_hub_key(http_server, connect, hs):
    serve_home(http_server)
    backend = connect(pinned=[7, 6])
    hs.refresh("plex-main", backend)
    http_server.expect_request("/hubs/home/recentlyAdded").respond_with_json(
        item_list([episode(601, "Flat Pack", "Bluey"), episode(202, "Sleepy", "Bluey")], total=2))

    hs.refresh_section("plex-main", backend, "home.television.recent.7")

    row = hs.load("plex-main").section("home.television.recent.7")
    assert [i.key for i in row.items] == ["601", "202"]
    assert (row.size, row.more, row.title) == (2, False, "Recently Added TV")
    assert received(http_server, "/hubs/home/recentlyAdded")[0].args["type"] == "2"


# -- settings ------------------------------------------------------------------------------------


@pytest.mark.parametrize("settings, words", [
    ({"mode": "promoted"}, "mode"),
    ({"mode": None}, "mode"),
    ({"pinned": "6,7"}, "pinned must be a list"),
    ({"pinned": [6, "six"]}, "pinned[1]"),
    ({"pinned": [True]}, "pinned[0]"),
    ({"pinned": [-6]}, "pinned[0]"),
    ({"pinned": [6, "6"]}, "twice"),
    ({"pinned": [6], "mode": "legacy"}, "mode='home' only"),
    ({"max_items": 0}, "max_items"),
    ({"max_items": 2.5}, "max_items"),
    ({"client_identifier": ""}, "client_identifier"),
    ({"client_identifier": 7}, "client_identifier"),
])
def test_unusable_settings_are_refused_without_echoing_the_token(settings, words):
    with pytest.raises(ConfigurationError) as raised:
        PlexBackend("http://plex.local:32400", TOKEN, **settings)

    assert words in str(raised.value)
    assert TOKEN not in str(raised.value)


def test_without_a_client_identifier_each_backend_keeps_one_of_its_own(http_server, connect):
    http_server.expect_request("/hubs").respond_with_json(hubs())
    first, second = connect(client_identifier=None, mode="legacy"), connect(client_identifier=None, mode="legacy")

    first.fetch_home(), first.fetch_home(), second.fetch_home()

    sent = [r.headers["X-Plex-Client-Identifier"] for r in received(http_server)]
    assert sent[0] == sent[1] == first.client_identifier != second.client_identifier == sent[2]


# -- one row -----------------------------------------------------------------------------------


CACHED = Section(
    hub_identifier="home.television.recent.7", title="Recently Added TV",
    section_type=SectionType.RECENTLY_ADDED, context="hub.home.television.recent", style="shelf",
    hub_type="episode", size=2, hub_key="/hubs/home/recentlyAdded?type=2", more=True,
)


def test_a_hub_key_answering_with_items_gives_the_row_with_its_current_items(http_server, connect):
    http_server.expect_request("/hubs/home/recentlyAdded").respond_with_json(
        item_list([episode(401, "Sleepy", "Bluey"), episode(402, "Camping", "Bluey")], total=40))

    row = connect().fetch_hub(CACHED)

    (request,) = received(http_server)
    assert request.args["type"] == "2"  # the hub key's own query is kept
    assert request.headers["X-Plex-Container-Start"] == "0"
    assert request.headers["X-Plex-Container-Size"] == "12"  # the cached row held 2: at least 12
    assert [i.key for i in row.items] == ["401", "402"]
    assert (row.size, row.more) == (2, True)  # 2 sent of the 40 the server holds
    assert (row.hub_identifier, row.title, row.section_type, row.context, row.style, row.hub_key) == (
        CACHED.hub_identifier, CACHED.title, CACHED.section_type, CACHED.context, CACHED.style,
        CACHED.hub_key)


def test_a_hub_key_answering_with_hubs_gives_the_hub_with_the_rows_identifier(http_server, connect):
    other = hub("home.ondeck", "On Deck", [episode(501, "Pilot", "Severance")], "/hubs/home/onDeck")
    ours = hub("home.television.recent.7", "Recently Added TV", [episode(502, "Bath", "Bluey")],
               "/hubs/home/recentlyAdded?type=2", more=False)
    http_server.expect_request("/hubs/home/recentlyAdded").respond_with_json(hubs(other, ours))

    row = connect().fetch_hub(CACHED)

    assert [i.key for i in row.items] == ["502"]
    assert (row.size, row.more, row.title) == (1, False, "Recently Added TV")


def test_a_hub_key_answering_with_a_single_hub_of_another_name_gives_that_hub(http_server, connect):
    http_server.expect_request("/hubs/continueWatching").respond_with_json(WATCHING)
    cached = Section("home.continue.legacy", "Continue Watching", hub_key="/hubs/continueWatching")

    row = connect().fetch_hub(cached)

    assert [i.key for i in row.items] == ["5001", "6001"]
    assert row.hub_identifier == "home.continue.legacy"


def test_answers_in_xml_are_read_as_well(http_server, connect):
    # Plex's default format, for a server or proxy that does not honour Accept.
    http_server.expect_request("/hubs/continueWatching").respond_with_data(
        '<MediaContainer size="0"></MediaContainer>', content_type="application/xml")
    http_server.expect_request("/library/sections").respond_with_data(
        '<MediaContainer size="2"><Directory key="6" title="Movies" hidden="1"/>'
        '<Directory key="7" title="TV Shows" hidden="0"/></MediaContainer>', content_type="application/xml")
    http_server.expect_request("/hubs/promoted").respond_with_json(hubs())
    http_server.expect_request("/hubs/home/recentlyAdded").respond_with_data(
        '<MediaContainer size="2"><Hub hubIdentifier="home.ondeck" size="1"><Video ratingKey="9" type="episode"/>'
        '</Hub><Hub hubIdentifier="home.television.recent.7" size="1" more="1">'
        '<Video ratingKey="701" type="episode" title="Bath"/></Hub></MediaContainer>',
        content_type="application/xml")
    backend = connect()

    backend.fetch_home()
    row = backend.fetch_hub(CACHED)

    assert [r.args["contentDirectoryID"] for r in received(http_server, "/hubs/promoted")] == ["7"]
    assert ([i.key for i in row.items], row.size, row.more) == (["701"], 1, True)


def test_several_hubs_none_of_them_the_row_is_a_payload_error(http_server, connect):
    http_server.expect_request("/hubs/home/recentlyAdded").respond_with_json(
        hubs(hub("home.ondeck", "On Deck", [], "/hubs/home/onDeck"), hub("home.continue", "Continue", [], "/x")))

    with pytest.raises(PayloadError, match="home.television.recent.7"):
        connect().fetch_hub(CACHED)


def test_one_row_asks_for_count_items_when_the_backend_has_a_count(http_server, connect):
    http_server.expect_request("/hubs/home/recentlyAdded").respond_with_json(item_list([]))

    row = connect(count=5).fetch_hub(CACHED)

    assert received(http_server)[0].headers["X-Plex-Container-Size"] == "5"
    assert (row.items, row.size, row.more) == ((), 0, False)


def serve_row(http_server: HTTPServer, count: int, *, total: bool = True) -> None:
    """A row of ``count`` movies, paged by the X-Plex-Container-* headers."""
    everything = [movie(1000 + n, f"Movie {n}") for n in range(count)]

    def page(request: Request) -> Response:
        start = int(request.headers["X-Plex-Container-Start"])
        size = int(request.headers["X-Plex-Container-Size"])
        body = item_list(everything[start:start + size], offset=start, total=count if total else None)
        return Response(json.dumps(body), content_type="application/json")

    http_server.expect_request("/library/collections/254687/children").respond_with_handler(page)


COLLECTION = Section("custom.collection.6.254687.254687", "Trending", hub_key="/library/collections/254687/children",
                     more=True)


def test_all_pages_through_the_row_until_the_servers_total(http_server, connect):
    serve_row(http_server, 250)

    row = connect().fetch_hub(COLLECTION, all=True)

    pages = [(r.headers["X-Plex-Container-Start"], r.headers["X-Plex-Container-Size"]) for r in received(http_server)]
    assert pages == [("0", "100"), ("100", "100"), ("200", "100")]
    assert [i.title for i in row.items] == [f"Movie {n}" for n in range(250)]
    assert (row.size, row.more) == (250, False)


def test_all_stops_at_max_items_and_says_the_row_has_more(http_server, connect):
    serve_row(http_server, 250)

    row = connect(max_items=150).fetch_hub(COLLECTION, all=True)

    assert [r.headers["X-Plex-Container-Size"] for r in received(http_server)] == ["100", "50"]
    assert (len(row.items), row.size, row.more) == (150, 150, True)


def test_all_stops_when_the_server_sends_the_same_page_again(http_server, connect):
    first = [movie(1000 + n, f"Movie {n}") for n in range(100)]
    http_server.expect_request("/library/collections/254687/children").respond_with_json(item_list(first))

    row = connect().fetch_hub(COLLECTION, all=True)

    assert len(received(http_server)) == 2  # a full page without a total may have more; the second brought nothing new
    assert (len(row.items), row.more) == (100, False)


def test_a_row_without_a_total_ends_with_a_short_page(http_server, connect):
    serve_row(http_server, 130, total=False)

    row = connect().fetch_hub(COLLECTION, all=True)

    assert len(received(http_server)) == 2
    assert (len(row.items), row.more) == (130, False)


@pytest.mark.parametrize("key", [None, "", "https://elsewhere.example/hubs", "//elsewhere.example/hubs"])
def test_a_row_without_a_hub_key_on_the_server_is_refused_before_any_request(http_server, connect, key):
    with pytest.raises(ConfigurationError, match="home.continue"):
        connect().fetch_hub(Section("home.continue", "Continue Watching", hub_key=key))
    assert received(http_server) == []


# -- images ------------------------------------------------------------------------------------


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_an_image_url_is_the_servers_path_with_the_token(connect, http_server):
    url = connect().image_url("/library/metadata/101/thumb/1700000000")

    assert url.split("?")[0] == http_server.url_for("/library/metadata/101/thumb/1700000000")
    assert query(url) == {"X-Plex-Token": [TOKEN]}


def test_a_sized_image_url_asks_the_server_to_transcode(connect, http_server):
    url = connect().image_url("/library/metadata/101/thumb/1700000000", width=300, height=450)

    assert url.split("?")[0] == http_server.url_for("/photo/:/transcode")
    assert query(url) == {"width": ["300"], "height": ["450"], "minSize": ["1"], "upscale": ["1"],
                          "url": ["/library/metadata/101/thumb/1700000000"], "X-Plex-Token": [TOKEN]}


def test_a_size_given_on_one_side_is_a_square_box(connect):
    url = connect().image_url("/library/metadata/101/art/1", height=200)

    assert (query(url)["width"], query(url)["height"]) == (["200"], ["200"])


def test_an_image_elsewhere_is_returned_without_the_token(connect):
    assert connect().image_url("https://metadata-static.plex.tv/a/b.jpg") == "https://metadata-static.plex.tv/a/b.jpg"


def test_an_image_url_needs_the_servers_address():
    with pytest.raises(ConfigurationError, match="base_url"):
        PlexBackend(token=TOKEN).image_url("/library/metadata/101/thumb/1")


@pytest.mark.parametrize("sizes", [{"width": 0}, {"height": -1}, {"width": "300"}])
def test_an_image_size_must_be_a_positive_integer(connect, sizes):
    with pytest.raises(ConfigurationError):
        connect().image_url("/library/metadata/101/thumb/1", **sizes)


# -- item lists, offline -----------------------------------------------------------------------


def test_parse_items_applies_the_item_rules_of_parse():
    body = item_list([movie(1, "Looper"), {"type": "movie", "title": "No key"}, movie(1, "Looper", viewCount=2),
                      movie(2, "Heat\x00")])

    items = PlexBackend().parse_items(json.dumps(body).encode())

    assert [(i.key, i.title) for i in items] == [("1", "Looper"), ("2", "Heat")]
    assert items[0].view_count == 2  # the later copy fills what the first left empty


def test_parse_items_refuses_a_hub_list():
    with pytest.raises(PayloadError, match="hubs, not items"):
        PlexBackend().parse_items(WATCHING)
