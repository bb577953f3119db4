"""Which database engine the suite runs on, chosen by environment variables.

``HOMESECTIONS_TEST_ENGINE``: ``sqlite`` (the default) or ``postgres``.
``HOMESECTIONS_TEST_PG``: libpq-style settings for the PostgreSQL server, by
default the one ``scripts/pg-test-server start`` runs
(``host=127.0.0.1 port=54329 user=postgres dbname=homesections_test``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping, Optional

import peewee

import homesections

ENGINE_VARIABLE = "HOMESECTIONS_TEST_ENGINE"
PG_VARIABLE = "HOMESECTIONS_TEST_PG"
DEFAULT_PG = "host=127.0.0.1 port=54329 user=postgres dbname=homesections_test"
ENGINES = ("sqlite", "postgres")


def engine_name(environ: Mapping[str, str] = os.environ) -> str:
    """The engine named by the environment; a clear error for any other name."""
    name = environ.get(ENGINE_VARIABLE, "sqlite").strip().lower() or "sqlite"
    if name not in ENGINES:
        raise ValueError(
            f"{ENGINE_VARIABLE}={environ.get(ENGINE_VARIABLE)!r} names no engine the suite "
            f"can run on; choose one of: {', '.join(ENGINES)}"
        )
    return name


def pg_settings(environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """``{"host": ..., "port": ..., ...}`` from the libpq-style settings string."""
    text = environ.get(PG_VARIABLE, DEFAULT_PG)
    return dict(part.split("=", 1) for part in text.split())


def connect(
    engine: str, sqlite_path: Path, environ: Mapping[str, str] = os.environ,
    mixin: Optional[type] = None,
) -> peewee.Database:
    """A new connection to the test database of ``engine``.

    With a ``mixin``, the database is of a subclass with the mixin first: a
    host's own database class, overriding what it likes (``begin``, say).
    """
    engine_class = peewee.SqliteDatabase if engine == "sqlite" else peewee.PostgresqlDatabase
    if mixin is not None:
        engine_class = type(mixin.__name__ + engine_class.__name__, (mixin, engine_class), {})
    if engine == "sqlite":
        return engine_class(str(sqlite_path), pragmas=homesections.SQLITE_PRAGMAS)
    settings = pg_settings(environ)
    return engine_class(settings.pop("dbname"), **settings)


def reset(db: peewee.Database) -> None:
    """Drop everything in the test database (PostgreSQL is shared between tests)."""
    if isinstance(db, peewee.PostgresqlDatabase):
        db.execute_sql("DROP SCHEMA public CASCADE")
        db.execute_sql("CREATE SCHEMA public")
