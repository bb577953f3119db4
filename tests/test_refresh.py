"""refresh, refresh_stale, refresh_section and the background refresher, against a real HTTP server.

The server is a stand-in for a media server with libraries: its home page is
one request per library, as a Plex home is, so a failure of one request can
be told from a failure of all. Every failure must leave the cache exactly as
it was (tables compared row by row), and the token must reach no log line,
error or database file.
"""

from __future__ import annotations

import datetime
import json
import logging
import threading
import time
from typing import Any, Optional

import peewee
import pytest
from werkzeug import Request as WsgiRequest
from werkzeug import Response

import homesections
from homesections import (
    AuthError,
    ConfigurationError,
    FailedRequest,
    FetchError,
    HomePage,
    HomeSections,
    IncompleteFetchError,
    Item,
    PayloadError,
    Section,
    SectionError,
)
from homesections.build import PageBuilder
from homesections.http import HttpBackend, Request

from .host import Hold, LibraryItems, register_host
from .pages import hubs, snapshot

TOKEN = "tok-81d2c0aa5f"
LIBRARIES = ("1", "2", "3")


class StandIn(HttpBackend):
    """A live backend for a stand-in server: GET /home/<library> per library, all at once.

    Each answer is ``{"hubs": [{"id", "title", "items": [[key, title], ...]}]}``;
    a hub's identifier starts with its library's id, which is how a failed
    request claims its cached sections.
    """

    name = "standin"

    def __init__(self, libraries: tuple[str, ...] = LIBRARIES, **settings: Any) -> None:
        super().__init__(token=TOKEN, sleep=lambda seconds: None, **settings)
        self.libraries = libraries

    def headers(self) -> dict[str, str]:
        return {**super().headers(), "X-Token": TOKEN}

    def parse(self, payload: Any) -> HomePage:
        try:
            data = json.loads(payload)
            builder = PageBuilder()
            for n, hub in enumerate(data["hubs"]):
                handle = builder.add_section(
                    Section(hub["id"], hub["title"], hub_key=f"/hub/{hub['id']}"), f"hubs[{n}]")
                for m, (key, title) in enumerate(hub["items"]):
                    builder.add_item(handle, Item(key, "movie", title=title), f"hubs[{n}].items[{m}]")
            return builder.build()
        except (ValueError, KeyError, TypeError) as exc:
            raise PayloadError(f"not a stand-in page ({type(exc).__name__})") from None

    def fetch_home(self) -> HomePage:
        replies = self.get_many([Request(f"/home/{lib}", what=f"library {lib}") for lib in self.libraries])
        pages, failures = [], []
        for lib, reply in zip(self.libraries, replies):
            try:
                if isinstance(reply, Exception):
                    raise reply
                pages.append(self.parse(reply.content))
            except (FetchError, PayloadError) as exc:
                failures.append(FailedRequest(f"library {lib}", exc,
                                              lambda hub, key, lib=lib: hub.startswith(f"{lib}.")))
        if failures and not pages:
            raise failures[0].error
        page = pages[0].merged_with(*pages[1:]) if pages else HomePage()
        if failures:
            raise IncompleteFetchError(page, tuple(failures))
        return page

    def fetch_hub(self, section: Section, all: bool = False) -> Section:
        reply = self.get(section.hub_key or "")
        found = self.parse(reply.content).section(section.hub_identifier)
        if found is None:
            raise PayloadError(f"the answer has no hub {section.hub_identifier!r}")
        return found


def library_page(lib: str, *hubs_items: tuple[str, list[str]]) -> dict:
    return {"hubs": [{"id": f"{lib}.{name}", "title": f"{name.title()} ({lib})",
                      "items": [[key, f"Title {key}"] for key in keys]} for name, keys in hubs_items]}


HOME = {
    "1": library_page("1", ("recent", ["a", "b"]), ("ondeck", ["c"])),
    "2": library_page("2", ("recent", ["d"])),
    "3": library_page("3", ("recent", ["e", "f"]), ("genre", ["a"])),
}


def serve(server, home: dict = HOME) -> None:
    for lib, body in home.items():
        server.expect_request(f"/home/{lib}").respond_with_json(body)
        for hub in body["hubs"]:
            server.expect_request(f"/hub/{hub['id']}").respond_with_json({"hubs": [hub]})


def requests_to(server, path: str) -> int:
    return sum(1 for request, _ in server.log if request.path == path)


@pytest.fixture
def synced(hs, http_server):
    """The stand-in's home page, refreshed into the cache once."""
    serve(http_server)
    report = hs.refresh("srv", StandIn(base_url=http_server.url_for("/")))
    assert report.added == ("1.recent", "1.ondeck", "2.recent", "3.recent", "3.genre")
    return hs.load("srv")


# --- refresh ---------------------------------------------------------------------


def test_refresh_fetches_parses_and_syncs_the_whole_page(hs, http_server, synced):
    assert hubs(synced) == ["1.recent", "1.ondeck", "2.recent", "3.recent", "3.genre"]
    assert [i.title for i in synced.section("3.genre").items] == ["Title a"]
    assert hs.models.Source.get_by_id("srv").backend == "standin"
    assert all(request.headers["X-Token"] == TOKEN for request, _ in http_server.log)


def _hang(server):
    release = threading.Event()

    def handler(request: WsgiRequest) -> Response:
        release.wait(5)
        return Response("{}")

    server.expect_request("/home/2").respond_with_handler(handler)
    return release


FAILURES = {
    "401": lambda s: s.expect_request("/home/2").respond_with_data("no", status=401),
    "403": lambda s: s.expect_request("/home/2").respond_with_data("no", status=403),
    "500 forever": lambda s: s.expect_request("/home/2").respond_with_data("down", status=500),
    "a hang": _hang,
    "an HTML page": lambda s: s.expect_request("/home/2").respond_with_data(
        "<html>login</html>", content_type="text/html"),
    "truncated JSON": lambda s: s.expect_request("/home/2").respond_with_data(
        '{"hubs": [{"id": "2.rec', content_type="application/json"),
    "an oversized body": lambda s: s.expect_request("/home/2").respond_with_handler(
        lambda request: Response((b"x" * 65536 for _ in range(64)), content_type="application/json")),
}


@pytest.mark.parametrize("failure", list(FAILURES))
def test_a_failed_request_leaves_the_cache_exactly_as_it_was(hs, http_server, synced, failure, caplog):
    before = snapshot(hs.db)
    http_server.clear()
    release = FAILURES[failure](http_server)
    serve(http_server, {lib: HOME[lib] for lib in ("1", "3")})
    caplog.set_level(logging.DEBUG, logger="homesections")
    backend = StandIn(base_url=http_server.url_for("/"), timeout=0.2, retries=1, max_bytes=1_000_000)

    try:
        with pytest.raises(IncompleteFetchError) as caught:
            hs.refresh("srv", backend)
    finally:
        if release is not None and hasattr(release, "set"):
            release.set()

    assert snapshot(hs.db) == before
    assert hs.load("srv") == synced
    (failed,) = caught.value.failures
    assert failed.what == "library 2"
    expected = AuthError if failure in ("401", "403") else (PayloadError, FetchError)
    assert isinstance(failed.error, expected)
    assert TOKEN not in str(caught.value) and TOKEN not in caplog.text


def test_a_token_the_server_refuses_everywhere_is_an_auth_error(hs, http_server, synced):
    before = snapshot(hs.db)
    http_server.clear()
    for lib in LIBRARIES:
        http_server.expect_request(f"/home/{lib}").respond_with_data("no", status=401)

    with pytest.raises(AuthError, match="HTTP 401"):
        hs.refresh("srv", StandIn(base_url=http_server.url_for("/")), keep_failed=True)

    assert snapshot(hs.db) == before


def test_a_server_error_then_an_answer_is_retried_and_synced(hs, http_server):
    attempts = []

    def flaky(request: WsgiRequest) -> Response:
        attempts.append(1)
        if len(attempts) == 1:
            return Response("busy", status=500)
        return Response(json.dumps(HOME["2"]), content_type="application/json")

    http_server.expect_request("/home/2").respond_with_handler(flaky)

    report = hs.refresh("srv", StandIn(("2",), base_url=http_server.url_for("/")))

    assert report.added == ("2.recent",) and len(attempts) == 2


def test_keep_failed_syncs_the_rest_and_keeps_the_failed_librarys_rows_in_place_marked_stale(
    hs, http_server, synced, clock,
):
    clock.advance(minutes=10)
    http_server.clear()
    http_server.expect_request("/home/1").respond_with_data("down", status=503)
    changed = {"2": library_page("2", ("recent", ["d", "g"])), "3": library_page("3", ("recent", ["e"]))}
    serve(http_server, changed)

    report = hs.refresh("srv", StandIn(base_url=http_server.url_for("/")), keep_failed=True)

    assert report.kept == ("1.recent", "1.ondeck")
    assert report.changed == ("2.recent", "3.recent") and report.removed == ("3.genre",)
    page = hs.load("srv")
    assert hubs(page) == ["1.recent", "1.ondeck", "2.recent", "3.recent"]
    assert page.section("1.recent") == synced.section("1.recent")  # the cached row, untouched
    assert [i.key for i in page.section("2.recent").items] == ["d", "g"]
    stale = {(s.hub_identifier, s.is_stale) for s in hs.stale_sections("srv")}
    assert stale == {("1.recent", True), ("1.ondeck", True)}
    assert hs.needs_refresh("srv", datetime.timedelta(hours=1))


def test_kept_rows_keep_their_place_between_the_libraries_around_them(hs, http_server, synced):
    http_server.clear()
    http_server.expect_request("/home/2").respond_with_data("down", status=500)
    serve(http_server, {"1": library_page("1", ("new", ["z"]), ("recent", ["a"])), "3": HOME["3"]})

    hs.refresh("srv", StandIn(base_url=http_server.url_for("/")), keep_failed=True)

    assert hubs(hs.load("srv")) == ["1.new", "1.recent", "2.recent", "3.recent", "3.genre"]


def test_without_keep_failed_an_incomplete_page_is_never_synced(hs, http_server, synced):
    before = snapshot(hs.db)
    http_server.clear()
    http_server.expect_request("/home/3").respond_with_data("down", status=500)
    serve(http_server, {lib: HOME[lib] for lib in ("1", "2")})

    with pytest.raises(IncompleteFetchError, match="keep_failed=True") as caught:
        hs.refresh("srv", StandIn(base_url=http_server.url_for("/")))

    assert hubs(caught.value.page) == ["1.recent", "1.ondeck", "2.recent"]
    assert snapshot(hs.db) == before


class ParseOnly(homesections.Backend):
    """A backend that maps payloads and cannot fetch: the interface's defaults."""

    name = "parse-only"

    def parse(self, payload: Any) -> HomePage:
        return HomePage()


def test_a_parse_only_backend_cannot_refresh(hs):
    with pytest.raises(ConfigurationError, match="cannot fetch_home"):
        hs.refresh("srv", ParseOnly())
    hs.sync("srv", HomePage((Section("a", "A"),)))
    with pytest.raises(ConfigurationError, match="cannot fetch_hub"):
        hs.refresh_section("srv", ParseOnly(), "a")
    with pytest.raises(ConfigurationError, match="needs a homesections.Backend"):
        hs.refresh("srv", object())  # type: ignore[arg-type]


# --- refresh_stale and refresh_section ----------------------------------------------


def test_refresh_stale_asks_the_server_only_when_the_cache_needs_it(hs, http_server, synced, clock):
    backend = StandIn(base_url=http_server.url_for("/"))
    http_server.clear()
    serve(http_server)
    max_age = datetime.timedelta(minutes=30)

    assert hs.refresh_stale("srv", backend, max_age) is None
    assert http_server.log == []

    hs.mark_stale("srv", "2.recent")
    report = hs.refresh_stale("srv", backend, max_age)
    assert report is not None and report.unchanged == tuple(hubs(synced))
    assert hs.stale_sections("srv") == []

    clock.advance(minutes=31)
    assert hs.refresh_stale("srv", backend, max_age) is not None
    assert hs.refresh_stale("new", backend, max_age).added == tuple(hubs(synced))


def test_refresh_section_fetches_one_hub_and_leaves_the_others_alone(hs, http_server, synced, clock):
    clock.advance(minutes=5)
    http_server.clear()
    http_server.expect_request("/hub/1.ondeck").respond_with_json(
        library_page("1", ("ondeck", ["c", "h"])))

    report = hs.refresh_section("srv", StandIn(base_url=http_server.url_for("/")), "1.ondeck")

    assert report.changed == ("1.ondeck",)
    assert [request.path for request, _ in http_server.log] == ["/hub/1.ondeck"]
    page = hs.load("srv")
    assert [i.key for i in page.section("1.ondeck").items] == ["c", "h"]
    assert page.section("3.genre") == synced.section("3.genre")


def test_refresh_section_of_an_unknown_hub_raises_and_asks_nothing(hs, http_server, synced):
    http_server.clear()
    with pytest.raises(SectionError, match="no cached section 'nope'"):
        hs.refresh_section("srv", StandIn(base_url=http_server.url_for("/")), "nope")
    assert http_server.log == []


# --- the token ------------------------------------------------------------------


def test_the_token_is_in_no_log_line_error_or_database_file(hs, http_server, engine, db_path, caplog):
    caplog.set_level(logging.DEBUG, logger="homesections")
    serve(http_server)
    backend = StandIn(base_url=http_server.url_for("/"))
    hs.refresh("srv", backend)
    http_server.clear()
    http_server.expect_request("/home/1").respond_with_data("down", status=500)
    serve(http_server, {lib: HOME[lib] for lib in ("2", "3")})
    report = hs.refresh("srv", backend, keep_failed=True)

    assert TOKEN not in caplog.text and TOKEN not in repr(report) and TOKEN not in repr(backend)
    if engine == "sqlite":
        hs.db.close()
        for path in db_path.parent.glob(db_path.name + "*"):  # the database, its WAL and shm
            assert TOKEN.encode() not in path.read_bytes(), path.name


# --- in the background -------------------------------------------------------------
# The background tests use the real clock: the refresher's timer asks
# refresh_stale whether the cache is older than the interval.


@pytest.fixture
def live(db, http_server) -> HomeSections:
    """A registration with the real clock, its cache refreshed once from the stand-in."""
    plugin = HomeSections(db)
    plugin.migrate()
    serve(http_server)
    plugin.refresh("srv", StandIn(base_url=http_server.url_for("/")))
    return plugin


class Events:
    """Callbacks that record what they were called with and let a test wait for them."""

    def __init__(self) -> None:
        self.changes: list[Any] = []
        self.errors: list[Exception] = []
        self.times: list[float] = []
        self._arrived = threading.Condition()

    def on_change(self, report: Any) -> None:
        self._add(self.changes, report)

    def on_error(self, exc: Exception) -> None:
        self._add(self.errors, exc)

    def _add(self, where: list, value: Any) -> None:
        with self._arrived:
            where.append(value)
            self.times.append(time.monotonic())
            self._arrived.notify_all()

    def wait_for(self, condition, timeout: float = 10.0) -> bool:
        with self._arrived:
            return self._arrived.wait_for(condition, timeout)


def test_a_change_on_the_server_reaches_on_change_once(live, http_server):
    events = Events()
    http_server.clear()
    serve(http_server, {**HOME, "2": library_page("2", ("recent", ["d", "new"]))})
    handle = live.start_background_refresh(
        "srv", StandIn(base_url=http_server.url_for("/")), 0.05,
        on_change=events.on_change, on_error=events.on_error)
    try:
        assert events.wait_for(lambda: events.changes)
        assert not events.wait_for(lambda: len(events.changes) > 1, timeout=0.5)
    finally:
        assert handle.stop()
    (report,) = events.changes
    assert report.changed == ("2.recent",) and events.errors == []
    assert requests_to(http_server, "/home/2") >= 2, "it kept checking after the change"


def test_an_unchanged_server_calls_nothing(live, http_server):
    events = Events()
    http_server.clear()
    serve(http_server)
    handle = live.start_background_refresh("srv", StandIn(base_url=http_server.url_for("/")), 0.05,
                                         on_change=events.on_change, on_error=events.on_error)
    try:
        deadline = time.monotonic() + 5
        while requests_to(http_server, "/home/1") < 3 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        handle.stop()
    assert requests_to(http_server, "/home/1") >= 3
    assert events.changes == [] and events.errors == []
    assert handle.last_error is None and handle.last_report.unchanged == tuple(hubs(live.load("srv")))


def test_failures_reach_on_error_and_the_waits_between_attempts_grow(live, http_server):
    events = Events()
    http_server.clear()
    for lib in LIBRARIES:
        http_server.expect_request(f"/home/{lib}").respond_with_data("down", status=500)
    before = live.load("srv")
    backend = StandIn(base_url=http_server.url_for("/"), retries=0)
    handle = live.start_background_refresh("srv", backend, 0.05, on_error=events.on_error)
    try:
        assert events.wait_for(lambda: len(events.errors) >= 4)
    finally:
        handle.stop()
    assert all(isinstance(e, FetchError) for e in events.errors)
    assert handle.failures >= 4 and handle.last_error is events.errors[-1]
    gaps = [b - a for a, b in zip(events.times, events.times[1:])]
    # Doubling waits (±10% jitter): each gap is well over the one before.
    assert gaps[2] > 1.5 * gaps[0], gaps
    assert live.load("srv") == before


def test_stop_returns_within_a_second_during_a_hanging_request_and_nothing_is_written(live, http_server):
    arrived, release = threading.Event(), threading.Event()

    def hang(request: WsgiRequest) -> Response:
        arrived.set()
        release.wait(10)
        return Response(json.dumps(library_page("1", ("late", ["x"]))), content_type="application/json")

    live.mark_stale("srv")
    before = snapshot(live.db)
    http_server.clear()
    http_server.expect_request("/home/1").respond_with_handler(hang)
    serve(http_server, {lib: HOME[lib] for lib in ("2", "3")})
    handle = live.start_background_refresh("srv", StandIn(base_url=http_server.url_for("/"), timeout=30), 60)
    try:
        assert arrived.wait(5)
        started = time.monotonic()
        ended = handle.stop(timeout=1.0)
        took = time.monotonic() - started
    finally:
        release.set()
    assert ended and not handle.running
    assert took < 1.5  # a wide margin; benchmarks measure it
    time.sleep(0.3)  # the server answers now: nothing may come of it
    assert snapshot(live.db) == before


def test_a_sync_that_reaches_its_commit_after_stop_is_rolled_back(db, http_server):
    # The host's media store holds the background sync inside its transaction;
    # stop() returns while it is held, and only then does the sync go on.
    hold = Hold(armed=False, patience=10)
    hs = register_host(db, "srv", store=lambda model: LibraryItems(model, before_upsert=hold))
    serve(http_server)
    hs.refresh("srv", StandIn(base_url=http_server.url_for("/")))
    http_server.clear()
    serve(http_server, {**HOME, "2": library_page("2", ("recent", ["zz"]))})
    hs.mark_stale("srv")
    tables = ("home_sections", "home_section_items", "library_items")
    before = snapshot(db, tables)
    hold.armed = True
    handle = hs.start_background_refresh("srv", StandIn(base_url=http_server.url_for("/")), 60)
    try:
        assert hold.reached.wait(10)
        assert handle.stop(timeout=0) is False  # returns at once; the thread is still in the sync
    finally:
        hold.release()
    assert handle.stop(timeout=5)
    assert snapshot(db, tables) == before


def test_a_section_request_refreshes_that_section_at_once(live, http_server):
    events = Events()
    http_server.clear()
    serve(http_server)
    handle = live.start_background_refresh("srv", StandIn(base_url=http_server.url_for("/")), 3600,
                                         on_change=events.on_change)
    try:
        http_server.clear()
        http_server.expect_request("/hub/3.genre").respond_with_json(library_page("3", ("genre", ["b"])))
        handle.refresh_section("3.genre")
        assert events.wait_for(lambda: events.changes)
    finally:
        handle.stop()
    assert events.changes[0].changed == ("3.genre",)
    assert [i.key for i in live.load("srv").section("3.genre").items] == ["b"]


def test_a_callback_that_raises_does_not_end_the_thread(live, http_server):
    calls = []

    def explode(report: Any) -> None:
        calls.append(report)
        raise RuntimeError("host bug")

    http_server.clear()
    serve(http_server, {**HOME, "1": library_page("1", ("recent", ["q"]))})
    handle = live.start_background_refresh("srv", StandIn(base_url=http_server.url_for("/")), 0.05,
                                         on_change=explode)
    try:
        deadline = time.monotonic() + 5
        while not calls and time.monotonic() < deadline:
            time.sleep(0.02)
        handle.refresh_now()
        time.sleep(0.2)
        assert handle.running
    finally:
        handle.stop()
    assert calls


def test_the_background_refresh_refuses_a_database_only_one_connection_can_see(http_server):
    memory = peewee.SqliteDatabase(":memory:")
    plugin = HomeSections(memory)
    plugin.migrate()
    with pytest.raises(ConfigurationError, match="in-memory SQLite"):
        plugin.start_background_refresh("srv", StandIn(base_url=http_server.url_for("/")), 60)


def test_the_background_refresh_checks_its_settings(hs, http_server):
    backend = StandIn(base_url=http_server.url_for("/"))
    with pytest.raises(ConfigurationError, match="interval must be more than zero"):
        hs.start_background_refresh("srv", backend, 0)
    with pytest.raises(ConfigurationError, match="on_change must be callable"):
        hs.start_background_refresh("srv", backend, 60, on_change="redraw")  # type: ignore[arg-type]
