"""Opening the cache a command's ``--db`` names: a SQLite path or a database URL.

Commands that write a page (``demo``, ``sync``, ``import``) and ``migrate``
create the database and apply pending migrations. Commands that only read (``show``,
``stale``, ``sources``) never create or change one: SQLite is opened read-only
(``mode=ro``), PostgreSQL in read-only transactions; a missing cache and a
schema that is behind are errors saying what to run.
"""

from __future__ import annotations

import os
import shlex
import urllib.parse
from dataclasses import dataclass

import click
import peewee
from playhouse import db_url

from ..store import SQLITE_PRAGMAS, HomeSections
from .app import CliError, keep_secret

__all__ = ["Cache", "open_cache"]

# Query parameters of a database URL that hold a password.
_PASSWORD_KEYS = frozenset({"password", "passwd"})
# Settings that make a change on a read-only SQLite connection: left out there.
_WRITING_PRAGMAS = ("journal_mode", "synchronous")


@dataclass(frozen=True)
class Cache:
    """An open cache: the plugin registered on the database, and how to name it to the user."""

    hs: HomeSections
    db: peewee.Database
    #: The ``--db`` value as it can be shown: a URL's password redacted.
    shown: str
    #: The migrations opening it applied (only when it was opened with ``create``).
    applied: tuple[str, ...] = ()

    def hint(self, command: str) -> str:
        """The shell command ``homesections COMMAND --db ...`` for this cache."""
        return f"homesections {command} --db {shlex.quote(self.shown)}"


def open_cache(target: str, *, write: bool = False, create: bool = False, check: bool = True) -> Cache:
    """The cache at ``target`` (a file path or a database URL).

    By default read-only: nothing is created or changed. ``write`` opens an
    existing cache to change it; ``create`` (for the commands that write a
    page) also creates the database if needed and applies pending
    migrations. Unless it creates, a missing cache raises :class:`CliError`,
    and so (with ``check``) does a schema that is behind, saying which command
    brings it up to date.
    """
    if not target:
        raise CliError("--db is empty: give a file path or a database URL")
    write = write or create
    shown = _shown(target)
    path = _sqlite_path(target)
    if path is not None:
        if not create and not os.path.isfile(path):
            raise CliError(_no_cache(shown))
        db = _sqlite(path, read_only=not write)
    else:
        db = _from_url(target, shown, read_only=not write)
    try:
        hs = HomeSections(db)
        applied = tuple(hs.migrate()) if create else ()
        cache = Cache(hs, db, shown, applied)
        if check and not create:
            _check_current(cache)
    except BaseException:
        db.close()
        raise
    # Closed when the command ends: SQLite then folds its write-ahead log back into the file.
    click.get_current_context().call_on_close(db.close)
    return cache


def _no_cache(shown: str) -> str:
    return (f"no cache at {shown}: `homesections sync` or `homesections import` makes one "
            "(`homesections demo` makes a sample)")


def _shown(target: str) -> str:
    """The target as it may be printed: a URL's password (in the authority or the query) redacted."""
    if "://" not in target:
        return target
    parts = urllib.parse.urlsplit(target)
    pairs = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    secrets = [v for k, v in pairs if k.lower() in _PASSWORD_KEYS]
    if parts.password is not None:
        secrets.append(parts.password)
    if not secrets:
        return target
    for secret in secrets:
        keep_secret(secret)
        keep_secret(urllib.parse.unquote(secret))
    netloc = parts.netloc
    if parts.password is not None:
        netloc = netloc.replace(f":{parts.password}@", ":REDACTED@", 1)
    query = urllib.parse.urlencode(
        [(k, "REDACTED" if k.lower() in _PASSWORD_KEYS else v) for k, v in pairs], safe="/:")
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc, query=query))


def _sqlite_path(target: str) -> str | None:
    """The file a SQLite target names, or None for another engine's URL."""
    if "://" not in target:
        return target
    if urllib.parse.urlsplit(target).scheme == "sqlite":
        return db_url.parse(target)["database"]
    return None


def _sqlite(path: str, *, read_only: bool) -> peewee.Database:
    if not read_only:
        return peewee.SqliteDatabase(path, pragmas=SQLITE_PRAGMAS)
    pragmas = {k: v for k, v in SQLITE_PRAGMAS.items() if k not in _WRITING_PRAGMAS}
    uri = "file:" + urllib.parse.quote(os.path.abspath(path)) + "?mode=ro"
    return peewee.SqliteDatabase(uri, uri=True, pragmas=pragmas)


def _from_url(target: str, shown: str, *, read_only: bool) -> peewee.Database:
    options = {}
    if read_only and urllib.parse.urlsplit(target).scheme.startswith("postgres"):
        # Every transaction of a reading command is read-only, so a bug cannot write.
        options["options"] = "-c default_transaction_read_only=on"
    try:
        db = db_url.connect(target, **options)
    except RuntimeError:  # playhouse's word for a scheme it does not know
        raise CliError(
            f"--db {shown}: not a database URL homesections can open; "
            "give a file path, sqlite:///PATH or postgresql://USER@HOST/DB"
        ) from None
    try:
        db.connect()
    except peewee.OperationalError as exc:
        raise CliError(f"cannot connect to {shown}: {str(exc).strip().splitlines()[0]}") from exc
    return db


def _check_current(cache: Cache) -> None:
    statuses = cache.hs.migrations()
    if not any(s.applied for s in statuses):
        raise CliError(_no_cache(cache.shown))
    pending = [s.name for s in statuses if not s.applied]
    if pending:
        raise CliError(
            f"the cache at {cache.shown} is behind this homesections "
            f"({len(pending)} migration(s) pending: {', '.join(pending)}); "
            f"bring it up to date with `{cache.hint('migrate')}`"
        )
