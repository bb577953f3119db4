"""The installed ``homesections`` command, run as a user runs it: a subprocess in a fresh folder."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
import unicodedata
from importlib import resources
from pathlib import Path
from typing import Optional

import peewee
import pytest

import homesections
from homesections import HomePage, HomeSections

from .engines import pg_settings
from .pages import page, section, snapshot

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
HOMESECTIONS = shutil.which("homesections", path=str(BIN))
DEMO = HomePage.from_dict(json.loads(resources.files("homesections").joinpath("data/demo.json").read_bytes()))

PLEX_JSON = json.dumps({"MediaContainer": {"size": 1, "Hub": [{
    "hubIdentifier": "home.ondeck", "title": "On Deck", "type": "episode", "context": "hub.home.ondeck",
    "hubKey": "/hubs/home/onDeck", "size": 2, "more": True,
    "Metadata": [{"ratingKey": "11", "type": "episode", "title": "Pilot", "grandparentTitle": "Lost",
                  "index": 1, "parentIndex": 1, "duration": 2400000, "viewOffset": 600000,
                  "addedAt": 1736251200}],
}]}}).encode()
PLEX_XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<MediaContainer size="1">
  <Hub hubIdentifier="movie.recentlyadded.1" title="Recently Added Movies" type="movie"
       context="hub.movie.recentlyadded" size="2" more="1">
    <Video ratingKey="7" type="movie" title="Heat" year="1995" duration="10200000" addedAt="1736251200"/>
    <Video ratingKey="8" type="movie" title="Ronin" year="1998"/>
  </Hub>
</MediaContainer>
"""


class Cli:
    """Runs the installed command with HOME and the working directory in a temporary folder."""

    def __init__(self, tmp_path: Path) -> None:
        self.cwd = tmp_path / "work"
        self.cwd.mkdir()
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("HOMESECTIONS_DB", "PLEX_TOKEN", "JELLYFIN_TOKEN")}
        self.env["HOME"] = str(tmp_path)

    def __call__(self, *args: str, stdin: Optional[bytes] = None) -> subprocess.CompletedProcess:
        assert HOMESECTIONS, f"the homesections command is not installed in {BIN}"
        done = subprocess.run([HOMESECTIONS, *args], cwd=self.cwd, env=self.env, input=stdin,
                              capture_output=True, timeout=60)
        done.out, done.err = done.stdout.decode(), done.stderr.decode()
        return done

    def ok(self, *args: str, stdin: Optional[bytes] = None) -> subprocess.CompletedProcess:
        done = self(*args, stdin=stdin)
        assert done.returncode == 0, done.err
        return done


@pytest.fixture
def cli(tmp_path) -> Cli:
    return Cli(tmp_path)


def assert_one_line_error(done: subprocess.CompletedProcess, *fragments: str) -> None:
    assert done.returncode == 1, (done.returncode, done.err)
    assert done.out == ""
    lines = done.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("homesections: error: "), done.err
    for fragment in fragments:
        assert fragment in lines[0]


def columns(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def cached_page(done: subprocess.CompletedProcess) -> HomePage:
    return HomePage.from_dict(json.loads(done.out))


# --- demo and show -------------------------------------------------------------------


def test_demo_in_an_empty_folder_caches_the_sample_and_prints_how_to_show_it_again(cli):
    demo = cli.ok("demo")
    assert (cli.cwd / "homesections-demo.db").is_file()
    table, _, hint = demo.out.rpartition("\nShow it again, offline: ")
    assert hint == "homesections show --db homesections-demo.db\n"
    for sec in DEMO:
        assert f"{sec.title}  [{sec.section_type.value}]" in table
    for marker in ("The Expanse  S1 E2  The Big Empty", "Seven Samurai  1954",
                   "45%", "[recently_added]  +more", "千と千尋の神隠し  2001", "Love ...", "Arte"):
        assert marker in table
    assert max(map(columns, table.splitlines())) == 80  # not a terminal: 80 columns, used to the full

    again = cli.ok(*shlex.split(hint)[1:])
    assert again.out == table  # the same cache prints the same bytes

    limited = cli.ok("show", "--db", "homesections-demo.db", "--items", "1", "--source", "demo").out
    assert "Dune: Part Two  2024" in limited and "Perfect Days" not in limited
    assert "  ... 4 more cached" in limited

    every = json.loads(cli.ok("show", "--json", "--db", "homesections-demo.db").out)
    assert every["format"] == "homesections.sources/1" and list(every["sources"]) == ["demo"]
    assert HomePage.from_dict(every["sources"]["demo"]) == DEMO


def test_a_reader_that_stops_early_ends_the_command_quietly(cli):
    # `homesections demo | head -1`: the pipe closes under the command.
    process = subprocess.Popen([HOMESECTIONS, "demo"], cwd=cli.cwd, env=cli.env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout.readline() == b"demo (14 sections)\n"
    process.stdout.close()
    err = process.stderr.read().decode()
    process.wait(timeout=60)
    assert "error" not in err.lower() and "Traceback" not in err, err


# --- import ------------------------------------------------------------------------------


@pytest.mark.parametrize("backend, payload", [("plex", PLEX_JSON), ("plex", PLEX_XML), (None, None)],
                         ids=["plex-json", "plex-xml", "common-form"])
def test_import_caches_a_saved_payload_exactly(cli, backend, payload):
    if backend is None:
        expected = DEMO
        args, stdin = ["-"], json.dumps(DEMO.to_dict()).encode()  # from standard input
    else:
        expected = homesections.get_backend(backend)().parse(payload)
        (cli.cwd / "saved").write_bytes(payload)
        args, stdin = ["saved", "--backend", backend], None
    done = cli.ok("import", *args, "--source", "home", stdin=stdin)
    assert done.out == f"home: added {len(expected.sections)}, changed 0, removed 0, unchanged 0\n"
    assert cached_page(cli.ok("show", "--json", "--source", "home")) == expected


def test_a_payload_that_is_not_what_it_claims_is_one_line_and_changes_nothing(cli):
    cli.ok("import", "-", "--source", "home", "--backend", "plex", stdin=PLEX_JSON)
    before = (cli.cwd / "homesections.db").read_bytes()
    done = cli("import", "-", "--source", "home", stdin=PLEX_JSON)  # a server's answer, no --backend
    assert_one_line_error(done, 'no "format" key', "--backend plex")
    done = cli("import", "-", "--source", "home", "--backend", "plex", "--debug", stdin=b"<html>")
    assert done.returncode == 1
    assert "Traceback (most recent call last)" in done.err  # --debug: the traceback, then the line
    assert done.err.splitlines()[-1].startswith("homesections: error: payload: ")
    assert (cli.cwd / "homesections.db").read_bytes() == before


def test_usage_errors_exit_2(cli):
    done = cli("show", "--items", "-1")
    assert done.returncode == 2 and "--items" in done.err and "Traceback" not in done.err


# --- reading never creates or changes a database ------------------------------------------


@pytest.mark.parametrize("command", ["show", "stale", "sources"])
def test_a_reading_command_without_a_cache_says_so_and_creates_nothing(cli, command):
    assert_one_line_error(cli(command), "no cache at homesections.db", "homesections sync")
    assert list(cli.cwd.iterdir()) == []


def test_a_schema_behind_says_which_command_brings_it_up_to_date(cli):
    cli.ok("import", "-", "--source", "home", "--backend", "plex", stdin=PLEX_JSON)
    rolled = cli.ok("rollback", "--steps", "1")
    assert rolled.out.startswith("rolled back m20250108_000001_add_hub_key_and_more\n")
    before = (cli.cwd / "homesections.db").read_bytes()
    assert_one_line_error(cli("show"), "behind", "`homesections migrate --db homesections.db`")
    assert (cli.cwd / "homesections.db").read_bytes() == before
    assert cli.ok("migrate").out == "applied m20250108_000001_add_hub_key_and_more\n"
    assert "Pilot" in cli.ok("show").out


def test_sources_stale_and_prune(cli):
    path = cli.cwd / "homesections.db"
    db = peewee.SqliteDatabase(str(path), pragmas=homesections.SQLITE_PRAGMAS)
    hs = HomeSections(db)
    hs.migrate()
    hs.sync("plex-main", page(section("home.ondeck", "1", "2")), backend_name="plex")
    hs.sync("plex-main", page(section("home.ondeck", "2")))  # item 1 is no longer shown
    hs.sync("jf", page(section("jellyfin.nextup", "3", title="Next Up")))
    hs.mark_stale("jf")
    db.close()
    assert cli.ok("sources").out == "jf  -  jf\nplex-main  plex  plex-main\n"
    stale = cli.ok("stale").out.splitlines()
    assert len(stale) == 1 and stale[0].startswith("jf  jellyfin.nextup  'Next Up'  updated ")
    assert stale[0].endswith("marked stale")
    assert cli.ok("prune").out == "deleted 1 media item(s) no section shows\n"


# --- databases named by URL ---------------------------------------------------------------


def test_a_database_url_password_is_never_printed(cli):
    done = cli("show", "--db", "postgresql://someone:s3cr3t-pw@127.0.0.1:9/nowhere", "--debug")
    assert done.returncode == 1
    assert "s3cr3t-pw" not in done.out + done.err
    assert "postgresql://someone:REDACTED@127.0.0.1:9/nowhere" in done.err


def test_a_sqlite_url_is_the_same_as_its_path(cli):
    cli.ok("demo", "--db", "sqlite:///other.db")
    assert (cli.cwd / "other.db").is_file()
    assert "Continue Watching" in cli.ok("show", "--db", "other.db").out


def test_a_postgresql_url_holds_the_cache(cli, db, engine):
    if engine != "postgres":
        pytest.skip("the PostgreSQL run of the suite checks --db postgresql://...")
    settings = pg_settings()
    url = "postgresql://{user}@{host}:{port}/{dbname}".format(**settings)
    cli.env["HOMESECTIONS_DB"] = url  # the environment stands in for --db
    assert_one_line_error(cli("show"), f"no cache at {url}")
    assert db.get_tables() == []  # reading made no table
    cli.ok("import", "-", "--source", "home", "--backend", "plex", stdin=PLEX_JSON)
    assert cached_page(cli.ok("show", "--json", "--source", "home")) == homesections.get_backend(
        "plex")().parse(PLEX_JSON)
    assert list(cli.cwd.iterdir()) == []


def test_python_dash_m_is_the_same_command(cli):
    done = subprocess.run([sys.executable, "-m", "homesections", "show"], cwd=cli.cwd, env=cli.env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and done.stderr.startswith("homesections: error: no cache at")


# --- live servers: local stand-ins ---------------------------------------------------------


def test_sync_caches_a_jellyfin_home_page_as_one_stable_device(cli, http_server):
    from homesections_jellyfin import JellyfinBackend

    from .backends.test_jellyfin_live import TOKEN, FakeJellyfin

    fake = FakeJellyfin(http_server)
    cli.env["JELLYFIN_TOKEN"] = TOKEN
    sync = ("sync", "--backend", "jellyfin", "--url", fake.base_url(http_server), "--source", "jf")
    expected = JellyfinBackend().parse(fake.envelope())
    assert cli.ok(*sync).out == f"jf: added {len(expected)}, changed 0, removed 0, unchanged 0\n"
    assert cached_page(cli.ok("show", "--json", "--source", "jf")) == expected
    assert cli.ok(*sync).out == f"jf: added 0, changed 0, removed 0, unchanged {len(expected)}\n"
    devices = {re.search(r'DeviceId="([^"]+)"', seen.headers["Authorization"])[1] for seen in fake.seen}
    assert len(devices) == 1  # the same machine is the same device on the server, run after run


def rows(path: Path) -> dict:
    db = peewee.SqliteDatabase(str(path))
    try:
        return snapshot(db)
    finally:
        db.close()


def test_a_refused_token_changes_nothing_and_no_token_is_ever_printed_or_stored(cli, http_server):
    from .backends.test_jellyfin_live import TOKEN, FakeJellyfin

    url = FakeJellyfin(http_server).base_url(http_server)
    cli.env["JELLYFIN_TOKEN"] = TOKEN
    synced = cli.ok("sync", "--backend", "jellyfin", "--url", url, "--source", "jf", "--progress", "--debug")
    assert "/UserViews" in synced.err and "  200  " in synced.err  # one progress line per request
    before = rows(cli.cwd / "homesections.db")

    refused = cli("sync", "--backend", "jellyfin", "--url", url, "--source", "jf", "--token-stdin",
                  stdin=b"not-the-token\n")
    assert_one_line_error(refused, "401", "refused the token")
    assert rows(cli.cwd / "homesections.db") == before
    for output in (synced.out, synced.err, refused.out, refused.err):
        assert TOKEN not in output and "not-the-token" not in output
    for file in cli.cwd.iterdir():
        assert TOKEN.encode() not in file.read_bytes()


def test_sync_watch_stops_cleanly_on_ctrl_c(cli, http_server):
    from .backends.test_jellyfin_live import TOKEN, FakeJellyfin

    url = FakeJellyfin(http_server).base_url(http_server)
    cli.env["JELLYFIN_TOKEN"] = TOKEN
    process = subprocess.Popen(
        [HOMESECTIONS, "sync", "--backend", "jellyfin", "--url", url, "--source", "jf", "--watch", "1h"],
        cwd=cli.cwd, env=cli.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = process.stdout.readline()  # the first refresh runs at once
        assert re.search(r"  jf: added \d+, changed 0, removed 0, unchanged 0$", first), process.stderr.read()
        sent = time.monotonic()
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
        assert time.monotonic() - sent < 3  # stop() takes at most a second; the rest is margin
        assert "Traceback" not in process.stderr.read()
    finally:
        process.kill()
        process.wait()


def test_sync_caches_a_plex_home_page_as_one_stable_device(cli, http_server):
    from homesections_plex import PlexBackend

    from .backends.test_plex_live import LIBRARY_HUBS, WATCHING, libraries, serve_home

    serve_home(http_server, sections=libraries((6, "Movies", 0), (7, "TV Shows", 0)))
    cli.env["PLEX_TOKEN"] = "a-plex-token"
    sync = ("sync", "--backend", "plex", "--url", http_server.url_for("/"), "--source", "plex-main")
    plex = PlexBackend()
    expected = plex.parse(WATCHING).merged_with(plex.parse(LIBRARY_HUBS["6"]), plex.parse(LIBRARY_HUBS["7"]))
    assert cli.ok(*sync).out == f"plex-main: added {len(expected)}, changed 0, removed 0, unchanged 0\n"
    assert cached_page(cli.ok("show", "--json", "--source", "plex-main")) == expected
    assert cli.ok(*sync).out == f"plex-main: added 0, changed 0, removed 0, unchanged {len(expected)}\n"
    requests = [request for request, _ in http_server.log]
    assert {r.headers["X-Plex-Token"] for r in requests} == {"a-plex-token"}
    assert len({r.headers["X-Plex-Client-Identifier"] for r in requests}) == 1  # one device, run after run
