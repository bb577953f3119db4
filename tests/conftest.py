"""Shared fixtures: a real database of the engine the environment chooses (see tests/engines.py)."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Callable, Iterator, Optional

import peewee
import pytest
from hypothesis import settings
from pytest_httpserver import HTTPServer

from homesections import HomeSections

from .engines import connect, engine_name, reset

ENGINE = engine_name()
UTC = datetime.timezone.utc

# The profile every run loads: a fixed number of examples, and no deadline,
# since a 2-core machine running the whole suite is slow now and then and a
# slow example is not a failure. Tests that need fewer or more say so; those
# writing to the database share one schema and empty its tables per example
# (tests/stress/conftest.py: clear_tables) or write each to a source of its own.
settings.register_profile("ci", deadline=None, max_examples=100)
settings.load_profile("ci")


def pytest_report_header(config) -> str:
    return f"homesections database engine: {ENGINE}"


@pytest.fixture
def engine() -> str:
    return ENGINE


@pytest.fixture
def sqlite(engine: str) -> None:
    """Skips the test on PostgreSQL: what it tries is SQLite's own."""
    if engine != "sqlite":
        pytest.skip("a fault of SQLite's")


@pytest.fixture
def postgres(engine: str) -> None:
    """Skips the test on SQLite: what it tries is PostgreSQL's own."""
    if engine != "postgres":
        pytest.skip("a fault of PostgreSQL's")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where the SQLite database lives (unused on PostgreSQL)."""
    return tmp_path / "home.db"


@pytest.fixture
def connect_db(db_path: Path) -> Callable[[], peewee.Database]:
    """Opens further connections to the same test database (for readers, processes)."""
    return lambda: connect(ENGINE, db_path)


@pytest.fixture
def db(connect_db) -> Iterator[peewee.Database]:
    """An empty database of the chosen engine, connected."""
    database = connect_db()
    database.connect()
    reset(database)
    try:
        yield database
    finally:
        if not database.is_closed():
            database.close()


class FakeClock:
    """A controllable clock: ``clock()`` returns the current fake time."""

    def __init__(self, start: datetime.datetime) -> None:
        self.now = start

    def __call__(self) -> datetime.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += datetime.timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime.datetime(2025, 1, 7, 12, 0, tzinfo=UTC))


@pytest.fixture
def hs(db, clock) -> HomeSections:
    """The plugin registered on ``db`` and migrated, with a fake clock."""
    plugin = HomeSections(db, clock=clock)
    plugin.migrate()
    return plugin


class QueryLog:
    """Every SQL statement a database runs while it is attached, and how many rows it read."""

    def __init__(self) -> None:
        self.statements: list[str] = []
        self.rows_read = 0
        self._fault: Optional[tuple[Callable[[str], bool], Exception]] = None

    def fail_before(self, matches: Callable[[str], bool], error: Exception) -> None:
        """Raise ``error`` in place of the next statement ``matches`` accepts, once.

        A fault the database could raise at that point; ``statements`` holds
        those that ran before it.
        """
        self._fault = (matches, error)

    def _about_to_run(self, sql: str) -> None:
        if self._fault is not None and self._fault[0](sql):
            error, self._fault = self._fault[1], None
            raise error

    def writes(self, table: str) -> list[str]:
        """Statements that insert, update or delete rows of ``table``."""
        verbs = ("INSERT", "UPDATE", "DELETE")
        return [
            s for s in self.statements
            if s.lstrip().upper().startswith(verbs) and f'"{table}"' in s.split("WHERE")[0]
        ]

    def selects(self) -> list[str]:
        return [s for s in self.statements if s.lstrip().upper().startswith("SELECT")]

    def queries(self) -> list[str]:
        """Every statement but transaction control (BEGIN, COMMIT, savepoints)."""
        control = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")
        return [s for s in self.statements if not s.lstrip().upper().startswith(control)]


@pytest.fixture
def query_log(db, monkeypatch) -> QueryLog:
    """Records each statement ``db`` runs once, whether through Peewee or a raw cursor.

    Everything Peewee runs goes through ``db.cursor()``, so wrapping the
    cursor alone sees each statement exactly once.
    """
    log = QueryLog()
    cursor = db.cursor

    def logged_cursor(*args, **kwargs):
        return _LoggingCursor(cursor(*args, **kwargs), log)

    monkeypatch.setattr(db, "cursor", logged_cursor)
    return log


class _LoggingCursor:
    def __init__(self, cursor, log: QueryLog) -> None:
        self._cursor = cursor
        self._log = log

    def _record(self, sql) -> None:
        # psycopg2's execute_values() sends bytes.
        text = sql.decode() if isinstance(sql, bytes) else str(sql)
        self._log._about_to_run(text)
        self._log.statements.append(text)

    def execute(self, sql, *args, **kwargs):
        self._record(sql)
        return self._cursor.execute(sql, *args, **kwargs)

    def executemany(self, sql, rows, *args, **kwargs):
        rows = list(rows)
        if rows:
            self._record(sql)
        return self._cursor.executemany(sql, rows, *args, **kwargs)

    def fetchone(self):
        row = self._cursor.fetchone()
        self._log.rows_read += row is not None
        return row

    def fetchmany(self, *args, **kwargs):
        rows = self._cursor.fetchmany(*args, **kwargs)
        self._log.rows_read += len(rows)
        return rows

    def fetchall(self):
        rows = self._cursor.fetchall()
        self._log.rows_read += len(rows)
        return rows

    def __iter__(self):
        for row in self._cursor:
            self._log.rows_read += 1
            yield row

    def __getattr__(self, name):
        return getattr(self._cursor, name)


@pytest.fixture(scope="session")
def _http_server() -> Iterator[HTTPServer]:
    # One threaded server for the session: starting and stopping one per test
    # costs half a second each. Threaded, so concurrent requests really overlap.
    with HTTPServer(threaded=True) as server:
        yield server


@pytest.fixture
def http_server(_http_server: HTTPServer) -> Iterator[HTTPServer]:
    """A real HTTP server on 127.0.0.1, with no handlers and an empty log."""
    _http_server.clear()
    yield _http_server
    _http_server.clear()


@pytest.fixture(params=["orjson", "stdlib"])
def json_path(request, monkeypatch) -> str:
    """Runs a test on both JSON decoders: a result must not depend on which is installed."""
    import homesections.decoding as decoding

    if request.param == "stdlib":
        monkeypatch.setattr(decoding, "orjson", None)
    elif decoding.orjson is None:
        pytest.skip("orjson is not installed (the 'fast' extra)")
    return request.param
