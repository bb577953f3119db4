"""The token reaches no log line, error, repr, report or database file, and no server file path is stored.

Whole refreshes with the Plex and the Jellyfin backend against stand-in
servers on 127.0.0.1, with the root logger at DEBUG (every library's
records, httpx's and the stand-in server's included): a good refresh, one
with a library failing (refused, then kept with ``keep_failed``), a garbled
answer, a server error retried, a refused token answered by a server that
repeats the token back in its error page, a server that is not there, one
section refreshed alone, and a background refresh. Then the token is looked
for everywhere it could have gone: each log record (message, fields and
traceback), each error (``str``, ``repr``, the traceback with its causes),
the reprs of what the host holds, the reports, and the database itself
(SQLite: the file, its ``-wal`` and ``-shm``; PostgreSQL: every column of
every table as text). The servers' answers carry file paths (Plex's
``Media``/``Part`` ``file``, Jellyfin's ``Path``), which must not be stored.
"""

from __future__ import annotations

import json
import logging
import re
import socket
import threading
import traceback
from pathlib import Path
from typing import Any, Callable, Optional

import peewee
import pytest
from werkzeug import Request, Response

from homesections import (
    AuthError, FetchError, HomeSections, HomeSectionsError, IncompleteFetchError, PayloadError,
)
from homesections_jellyfin import JellyfinBackend
from homesections_plex import PlexBackend

from .payloads import FILE_PATHS, SHOWS_VIEW, jellyfin_envelope, plex_hubs
from .processes import PATIENCE

pytestmark = pytest.mark.stress

TOKEN = "tokSECRET7c41d9e2b5"
# A library's folder on the server, as Plex's library list names it.
LIBRARY_FOLDER = "/srv/media/library-folder"


class StandIn:
    """A media server on the test's HTTP server: answers by route name, and fails as told.

    ``refusing`` answers 401 with a page that repeats the token it was sent,
    as a careless proxy might; a route in ``failing`` answers 500 every time,
    one in ``garbled`` truncated JSON, one in ``flaky`` 503 once.
    """

    def __init__(self, http_server) -> None:
        self.refusing = False
        self.failing: set[str] = set()
        self.garbled: set[str] = set()
        self.flaky: set[str] = set()
        http_server.expect_request(re.compile(".*")).respond_with_handler(self.answer)

    def answer(self, request: Request) -> Response:
        name = self.route(request)
        if name is None:
            return Response("no such route", status=404)
        if self.refusing or not self.authorized(request):
            return Response(f"<p>Unauthorized: {request.headers}</p>", status=401, content_type="text/html")
        if name in self.failing:
            return Response("Internal Server Error", status=500)
        if name in self.flaky:
            self.flaky.discard(name)
            return Response("Service Unavailable", status=503)
        body = json.dumps(self.data(name))
        if name in self.garbled:
            body = body[: len(body) // 2]
        return Response(body, content_type="application/json")

    def route(self, request: Request) -> Optional[str]:
        raise NotImplementedError

    def authorized(self, request: Request) -> bool:
        raise NotImplementedError

    def data(self, name: str) -> Any:
        raise NotImplementedError


class PlexStandIn(StandIn):
    """Continue Watching, the library list, and each library's promoted hubs (the Plex apps' home)."""

    def __init__(self, http_server) -> None:
        super().__init__(http_server)
        watching, films, music, playlists = plex_hubs()["MediaContainer"]["Hub"]
        self.hubs = {"watching": [watching], "library:1": [films], "library:3": [music, playlists],
                     "films": [films]}

    def route(self, request: Request) -> Optional[str]:
        if request.path == "/hubs/promoted":
            return f"library:{request.args.get('contentDirectoryID')}"
        return {"/hubs/continueWatching": "watching", "/library/sections": "libraries",
                "/hubs/sections/1/recentlyAdded": "films"}.get(request.path)

    def authorized(self, request: Request) -> bool:
        return request.headers.get("X-Plex-Token") == TOKEN

    def data(self, name: str) -> Any:
        if name == "libraries":
            return {"MediaContainer": {"size": 2, "Directory": [
                {"key": key, "type": kind, "title": title, "hidden": 0,
                 "Location": [{"id": int(key), "path": f"{LIBRARY_FOLDER}/{key}"}]}
                for key, kind, title in (("1", "movie", "Films"), ("3", "artist", "Music"))]}}
        return {"MediaContainer": {"size": len(self.hubs[name]), "Hub": self.hubs[name]}}


class JellyfinStandIn(StandIn):
    """The answers jellyfin-web's home is built from, on Jellyfin 10.9's routes."""

    USER = {"Name": "alice", "Id": "4b1c9ad2e3f04a5b8c7d6e5f4a3b2c1d", "HasPassword": True,
            "Configuration": {"LatestItemsExcludes": [], "HidePlayedInLatest": True},
            "Policy": {"IsAdministrator": False}}

    def __init__(self, http_server) -> None:
        super().__init__(http_server)
        self.envelope = jellyfin_envelope()

    def route(self, request: Request) -> Optional[str]:
        if request.path == "/UserItems/Resume":
            return f"resume:{request.args.get('mediaTypes')}"
        if request.path == "/Items/Latest":
            return f"latest:{request.args.get('parentId')}"
        return {"/Users/Me": "user", "/UserViews": "views", "/Shows/NextUp": "next_up",
                "/DisplayPreferences/usersettings": "display_preferences"}.get(request.path)

    def authorized(self, request: Request) -> bool:
        return f'Token="{TOKEN}"' in request.headers.get("Authorization", "")

    def data(self, name: str) -> Any:
        kind, _, detail = name.partition(":")
        if kind == "user":
            return self.USER
        if kind == "resume":
            return self.envelope.get({"Video": "resume", "Audio": "resume_audio"}.get(detail, ""),
                                     {"Items": [], "TotalRecordCount": 0})
        if kind == "latest":
            return self.envelope["latest"].get(detail, [])
        return self.envelope[kind]


def plex(base_url: str) -> PlexBackend:
    return PlexBackend(base_url, TOKEN, client_identifier="secrets-test", sleep=lambda seconds: None)


def jellyfin(base_url: str) -> JellyfinBackend:
    return JellyfinBackend(base_url, TOKEN, device_id="secrets-test", sleep=lambda seconds: None)


# (stand-in, backend, the route of one library's rows, the route of the section refreshed alone, its hub)
SERVERS = {
    "plex": (PlexStandIn, plex, "library:3", "films", "movie.recentlyadded.1"),
    "jellyfin": (JellyfinStandIn, jellyfin, f"latest:{SHOWS_VIEW}", "resume:Video", "jellyfin.resume"),
}


def a_closed_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


class Refreshes:
    """Runs refreshes, keeping what each returned and each error it raised, as a host would see them."""

    def __init__(self) -> None:
        self.results: list[Any] = []
        self.errors: list[HomeSectionsError] = []

    def expect(self, error: type[HomeSectionsError], call: Callable[[], Any]) -> None:
        with pytest.raises(error) as caught:
            call()
        self.errors.append(caught.value)

    def run(self, call: Callable[[], Any]) -> None:
        self.results.append(call())


def refresh_every_way(hs: HomeSections, server: str, http_server) -> Refreshes:
    make_stand_in, make_backend, library, row, hub = SERVERS[server]
    stand_in = make_stand_in(http_server)
    backend = make_backend(http_server.url_for("/").rstrip("/"))
    source = f"{server}-home"
    done = Refreshes()

    done.run(lambda: hs.refresh(source, backend))
    stand_in.failing.add(library)
    done.expect(IncompleteFetchError, lambda: hs.refresh(source, backend))
    done.run(lambda: hs.refresh(source, backend, keep_failed=True))
    stand_in.failing.clear()
    stand_in.garbled = {library, row}
    done.expect(IncompleteFetchError, lambda: hs.refresh(source, backend))
    done.expect(PayloadError, lambda: hs.refresh_section(source, backend, hub))
    stand_in.garbled.clear()
    stand_in.flaky = {library, row}
    done.run(lambda: hs.refresh(source, backend))  # retried after the 503
    done.run(lambda: hs.refresh_section(source, backend, hub))
    stand_in.refusing = True
    done.expect(AuthError, lambda: hs.refresh(source, make_backend(http_server.url_for("/").rstrip("/"))))
    stand_in.refusing = False
    done.expect(FetchError, lambda: hs.refresh(source, make_backend(a_closed_port())))

    # A background refresh that fails, on its own thread, and says so through its log and on_error.
    failed, errors = threading.Event(), []
    stand_in.refusing = True
    hs.mark_stale(source)
    handle = hs.start_background_refresh(
        source, backend, 60, on_error=lambda error: (errors.append(error), failed.set()))
    try:
        assert failed.wait(PATIENCE), "the background refresh did not fail"
    finally:
        handle.stop()
    done.results += [handle, backend, hs, hs.load(source), *hs.stale_sections()]
    done.errors += errors
    backend.close()
    return done


def database_text(db: peewee.Database, engine: str, db_path: Path) -> bytes:
    """What the database holds, as bytes: SQLite's files, or every column of every PostgreSQL table."""
    if engine == "sqlite":
        files = [Path(f"{db_path}{suffix}") for suffix in ("", "-wal", "-shm")]
        return b"".join(path.read_bytes() for path in files if path.exists())
    dump = []
    for table in db.get_tables():
        cursor = db.execute_sql(f'SELECT t::text FROM "{table}" AS t')  # a row as text: every column
        dump += [row for (row,) in cursor.fetchall()]
    return "\n".join(dump).encode()


@pytest.mark.parametrize("server", sorted(SERVERS))
def test_the_token_is_nowhere_and_no_file_path_is_stored(server, hs, db, db_path, engine, http_server, caplog):
    caplog.set_level(logging.DEBUG)  # the root logger: every logger's records

    done = refresh_every_way(hs, server, http_server)

    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    assert any(r.name == "homesections.http" and r.levelno == logging.DEBUG for r in caplog.records)
    for record in caplog.records:
        assert TOKEN not in formatter.format(record), record.name  # with its traceback, if any
        assert TOKEN not in repr(vars(record)), record.name
    for error in done.errors:
        assert TOKEN not in str(error) and TOKEN not in repr(error)
        assert TOKEN not in "".join(traceback.format_exception(error))  # the causes too
    for result in done.results:
        assert TOKEN not in repr(result) and TOKEN not in str(result)

    stored = database_text(db, engine, db_path)
    assert b"Arrival" in stored, "nothing was stored: no test"
    assert TOKEN.encode() not in stored
    for path in (*FILE_PATHS, LIBRARY_FOLDER):
        assert path.encode() not in stored, path
