"""What differs between the two engines, and nothing else.

The store and the loader write their SQL once through Peewee's query builder;
this module supplies the few engine-specific pieces: how to pass a whole list
of ids as one parameter, how to run one statement for many rows, how a
transaction begins and takes its lock, whether a transaction is still alive,
and what a driver's error means.
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from typing import Any, Iterator, Optional, Sequence

import peewee

from .errors import (
    ConfigurationError,
    ConnectionLostError,
    DiskFullError,
    LockTimeoutError,
    ReadOnlyError,
    SchemaError,
    StoreError,
)
from .transaction import transaction

__all__ = ["Dialect", "dialect_for", "fetch_rows", "insert_template", "update_template"]


def unwrap(db: peewee.Database | peewee.DatabaseProxy) -> peewee.Database:
    """The real database behind a proxy."""
    if isinstance(db, peewee.DatabaseProxy):
        if db.obj is None:
            raise ConfigurationError(
                "the DatabaseProxy given to HomeSections is not initialized yet; "
                "call proxy.initialize(database) before using the cache"
            )
        return db.obj
    return db


def insert_template(model: type[peewee.Model], fields: Sequence[peewee.Field]) -> peewee.Query:
    """A one-row INSERT of ``fields``, whose SQL :meth:`Dialect.execute_many` reuses."""
    # Placeholder values: only the SQL is used. No RETURNING: ids are not read back.
    return model.insert_many([(None,) * len(fields)], fields=list(fields)).returning()


def update_template(
    model: type[peewee.Model], fields: Sequence[peewee.Field], key: peewee.Field
) -> tuple[peewee.Query, list[peewee.Field]]:
    """An ``UPDATE ... SET fields WHERE key = ?`` for :meth:`Dialect.execute_many`.

    Peewee writes the SET columns in the model's field order, whatever order
    they are given in; the fields come back in that order, so rows of
    parameters can be built to match (followed by the key).
    """
    order = {f.name: n for n, f in enumerate(model._meta.sorted_fields)}
    ordered = sorted(fields, key=lambda f: order[f.name])
    return model.update({f: None for f in ordered}).where(key == 0), ordered


def fetch_rows(query: peewee.Query) -> list[tuple]:
    """The query's rows as plain tuples, skipping Peewee's per-field conversion.

    The hot paths read thousands of rows and convert the few values that need
    it themselves; the SQL is still Peewee's own.
    """
    sql, params = query.sql()
    return query.model._meta.database.execute_sql(sql, params).fetchall()


class Dialect:
    """The engine-specific pieces, for one database."""

    name = ""

    def __init__(self, db: peewee.Database) -> None:
        self.db = db

    def id_in(self, column: peewee.Node, ids: Sequence[Any]) -> peewee.Node:
        """``column IN (ids)`` as one bound parameter, however many ids there are.

        One parameter keeps the query count fixed and stays clear of the
        engines' limits on the number of bound variables.
        """
        raise NotImplementedError

    def execute_many(self, query: peewee.Query, rows: Sequence[Sequence[Any]]) -> None:
        """Run ``query``'s SQL once per row of parameters, in the given column order."""
        if not rows:
            return
        sql, _ = query.sql()
        cursor = self.db.cursor()
        with peewee.__exception_wrapper__:
            cursor.executemany(sql, rows)

    @contextmanager
    def write_transaction(self, source_id: Optional[str] = None) -> Iterator[None]:
        """A transaction that writes the cache (a savepoint inside a host's transaction).

        Writers are serialized before they read anything, so a sync's diff is
        never computed from a state another writer is about to change. With a
        ``source_id`` only writers of that source wait for each other (where
        the engine can tell them apart); without one (pruning, migrations),
        the writer waits for all.
        """
        with transaction(self, writes=True):
            yield

    @contextmanager
    def read_transaction(self) -> Iterator[None]:
        """A transaction whose reads all see one snapshot: old page or new, never a mix."""
        with transaction(self):
            yield

    # -- the state of a transaction, and what an error means ------------------

    def transaction_alive(self) -> bool:
        """Whether the connection still has the transaction Peewee believes open."""
        raise NotImplementedError

    def host_transaction_lost(self, exc: BaseException) -> StoreError:
        """The error for a failure that ended the host's transaction under a savepoint of ours."""
        return self.translate(exc) or StoreError(
            f"the database ended your transaction ({_driver_message(exc)}); leave your atomic() block"
        )

    def after_commit(self) -> None:
        """Housekeeping after a transaction of ours committed (nothing, by default)."""

    def revive(self) -> None:
        """Before a call: drop a connection the server has closed, so the call opens a new one."""

    def translate(self, exc: BaseException) -> Optional[StoreError]:
        """A :class:`StoreError` for a driver's (or Peewee's) database error; ``None`` for anything else."""
        if not isinstance(exc, (peewee.PeeweeException, self.driver_errors())):
            return None
        message = _driver_message(exc)
        error = self._classify(_driver_error(exc), message)
        return error if error is not None else StoreError(f"the database failed: {message}")

    def driver_errors(self) -> tuple[type[BaseException], ...]:
        return ()

    def _classify(self, driver: BaseException, message: str) -> Optional[StoreError]:
        raise NotImplementedError


class SqliteDialect(Dialect):
    name = "sqlite"
    _wal: Optional[str] = None

    def id_in(self, column: peewee.Node, ids: Sequence[Any]) -> peewee.Node:
        # json_each() turns one JSON array parameter into a table.
        return column.in_(peewee.SQL("(SELECT value FROM json_each(?))", [json.dumps(list(ids))]))

    @contextmanager
    def write_transaction(self, source_id: Optional[str] = None) -> Iterator[None]:
        # BEGIN IMMEDIATE takes SQLite's one write lock up front, so two writers
        # queue on the busy timeout instead of one failing when it upgrades its
        # read lock. (WAL readers go on reading the last committed page.)
        # (Inside a host's transaction this is a savepoint and the lock type
        # does not apply: the host's transaction holds what it holds.)
        with transaction(self, writes=True, lock_type="IMMEDIATE"):
            yield

    def transaction_alive(self) -> bool:
        return not self.db.is_closed() and self.db.connection().in_transaction

    def host_transaction_lost(self, exc: BaseException) -> StoreError:
        # SQLite rolled back the host's whole transaction (it may, on a full
        # disk). Open a new one at once, so that what the rest of the host's
        # atomic() block writes is still undone by its rollback, never
        # committed statement by statement.
        try:
            self.db.begin(lock_type="IMMEDIATE")
            reopened = "the rest of your atomic() block runs in a new transaction, but leave the block"
        except peewee.PeeweeException as begin_error:
            reopened = (f"and a new transaction could not be opened ({begin_error}): writes made "
                        "now would commit one by one; leave your atomic() block at once")
        cause = self.translate(exc)
        what = str(cause) if cause is not None else f"the database failed: {_driver_message(exc)}"
        message = (f"{what}; SQLite rolled back your whole transaction, with the writes you made in "
                   f"it before this call; {reopened}")
        if isinstance(cause, DiskFullError):
            return DiskFullError(message, rolled_back_transaction=True)
        return type(cause)(message) if cause is not None else StoreError(message)

    def after_commit(self) -> None:
        # Readers holding old snapshots keep SQLite from resetting the WAL, so
        # it grows; once they let go, truncate it here, never waiting for them
        # (busy_timeout 0: with a reader still there, the checkpoint just gives up).
        path = self._wal_path()
        try:
            if path is None or os.stat(path).st_size <= WAL_SIZE_LIMIT:
                return
        except OSError:
            return
        cursor = self.db.cursor()
        (timeout,) = cursor.execute("PRAGMA busy_timeout").fetchone()
        try:
            cursor.execute("PRAGMA busy_timeout = 0")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            cursor.execute(f"PRAGMA busy_timeout = {int(timeout)}")

    def _wal_path(self) -> Optional[str]:
        if self._wal is None:  # asked once per database: the file does not move
            rows = self.db.execute_sql("PRAGMA database_list").fetchall()
            main = next((file for _, name, file in rows if name == "main"), "")
            self._wal = main + "-wal" if main else ""
        return self._wal or None

    def driver_errors(self) -> tuple[type[BaseException], ...]:
        import sqlite3

        return (sqlite3.Error,)

    def _classify(self, driver: BaseException, message: str) -> Optional[StoreError]:
        text = message.lower()
        if text.startswith(("no such table", "no such column")):
            return SchemaError(f"{message}: the cache's tables are missing or behind this "
                               "version of homesections; run migrate()")
        if "database or disk is full" in text:
            return DiskFullError(f"the database or disk is full ({message}); nothing of this "
                                 "write was kept: free some space (or raise max_page_count)")
        if "database is locked" in text or "database table is locked" in text:
            return LockTimeoutError(f"another connection held the database's write lock past the "
                                    f"busy timeout ({message}); try again, or raise busy_timeout")
        if "readonly database" in text or "read-only" in text:
            return ReadOnlyError(f"the database can only be read ({message}): open it writable "
                                 "to sync")
        if "file is not a database" in text:
            return StoreError(f"{message}: the file is not an SQLite database (or it is "
                              "encrypted); point the cache at another file")
        if "unable to open database file" in text:
            return StoreError(f"{message}: check that the database's folder exists and can be "
                              "written; a WAL database makes its -wal and -shm files beside it, so "
                              "it cannot even be read in a read-only folder or mount")
        return None


#: Past this size, the WAL is truncated after a write once no reader needs it
#: (the same figure as SQLITE_PRAGMAS' journal_size_limit).
WAL_SIZE_LIMIT = 16 * 1024 * 1024


# Advisory lock namespaces (any fixed 32-bit numbers): "hs" + 1 and "hs" + 2.
_PG_LOCKS, _PG_SOURCE_LOCKS = 0x68730001, 0x68730002
# psycopg2.extensions.TRANSACTION_STATUS_IDLE: no transaction open.
_PG_IDLE = 0


class PostgresDialect(Dialect):
    name = "postgres"

    def id_in(self, column: peewee.Node, ids: Sequence[Any]) -> peewee.Node:
        # psycopg sends a Python list as one array parameter.
        return column == peewee.fn.ANY(peewee.Value(list(ids), converter=False, unpack=False))

    @contextmanager
    def write_transaction(self, source_id: Optional[str] = None) -> Iterator[None]:
        # READ COMMITTED takes no lock on what it reads; advisory locks,
        # released at commit, serialize the writers instead: a source's writers
        # take its own lock and share the global one, and a writer across all
        # sources (pruning, migrations) takes the global one alone.
        with transaction(self, writes=True):
            if source_id is None:
                self.db.execute_sql("SELECT pg_advisory_xact_lock(%s, 0)", (_PG_LOCKS,))
            else:
                self.db.execute_sql(
                    "SELECT pg_advisory_xact_lock_shared(%s, 0), pg_advisory_xact_lock(%s, hashtext(%s))",
                    (_PG_LOCKS, _PG_SOURCE_LOCKS, source_id),
                )
            yield

    @contextmanager
    def read_transaction(self) -> Iterator[None]:
        # READ COMMITTED would take a new snapshot for every statement.
        # (Inside a host's transaction this is a savepoint of it, as it stands.)
        with transaction(self, isolation_level="REPEATABLE READ"):
            yield

    def transaction_alive(self) -> bool:
        if self.db.is_closed():
            return False
        conn = self.db.connection()
        # Aborted by an error (INERROR) is still a transaction: ROLLBACK ends it.
        return not conn.closed and conn.get_transaction_status() != _PG_IDLE

    def revive(self) -> None:
        # psycopg2 marks a connection it found dead; Peewee still counts it
        # open, and would hand it to every later call.
        db = self.db
        if not db.is_closed() and not db.in_transaction() and db.connection().closed:
            try:
                db.close()
            except peewee.PeeweeException:  # closing a dead connection may fail; it is reset all the same
                pass

    def host_transaction_lost(self, exc: BaseException) -> StoreError:
        # PostgreSQL ends a transaction only with its connection.
        return ConnectionLostError(
            f"the connection to PostgreSQL was lost ({_driver_message(exc)}), and your transaction "
            "with it: leave your atomic() block, then call again (the next call reconnects)"
        )

    def driver_errors(self) -> tuple[type[BaseException], ...]:
        import psycopg2

        return (psycopg2.Error,)

    def _classify(self, driver: BaseException, message: str) -> Optional[StoreError]:
        code = getattr(driver, "pgcode", None) or ""
        closed = self.db.is_closed() or bool(self.db.connection().closed)
        if closed or code.startswith("08") or code in ("57P01", "57P02", "57P03"):
            return ConnectionLostError(
                f"the connection to PostgreSQL was lost ({message}); call again: the next call "
                "outside a transaction of yours reconnects"
            )
        if code in ("42P01", "42703", "3F000"):  # undefined table, column or schema
            return SchemaError(f"{message}: the cache's tables are missing or behind this version "
                               "of homesections; run migrate()")
        if code in ("53100",):  # disk full
            return DiskFullError(f"the database server's disk is full ({message}); nothing of this "
                                 "write was kept")
        if code in ("55P03", "40P01"):  # lock not available, deadlock
            return LockTimeoutError(f"the database's locks were not granted ({message}); try again")
        if code == "25006":
            return ReadOnlyError(f"the database server only allows reads ({message})")
        return None

    def execute_many(self, query: peewee.Query, rows: Sequence[Sequence[Any]]) -> None:
        # psycopg2's executemany is one round trip per row; send pages of rows
        # instead: one multi-row VALUES for an INSERT, batches for the rest.
        if not rows:
            return
        from psycopg2.extras import execute_batch, execute_values

        sql, _ = query.sql()
        cursor = self.db.cursor()
        marker = " VALUES (" + ", ".join(["%s"] * len(rows[0])) + ")"
        with peewee.__exception_wrapper__:
            if sql.startswith("INSERT") and marker in sql:
                execute_values(cursor, sql.replace(marker, " VALUES %s", 1), rows, page_size=1000)
            else:
                execute_batch(cursor, sql, rows, page_size=500)


def dialect_for(db: peewee.Database | peewee.DatabaseProxy) -> Dialect:
    """The dialect for ``db``; a clear error for an engine homesections does not support."""
    real = unwrap(db)
    if isinstance(real, peewee.SqliteDatabase):
        return SqliteDialect(real)
    if isinstance(real, peewee.PostgresqlDatabase):
        return PostgresDialect(real)
    raise ConfigurationError(
        f"homesections supports SQLite and PostgreSQL databases, not {type(real).__name__}"
    )


def _driver_error(exc: BaseException) -> BaseException:
    """The driver's own exception behind Peewee's wrapper of it."""
    inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else None
    return inner or exc.__cause__ or exc.__context__ or exc


def _driver_message(exc: BaseException) -> str:
    text = " ".join(str(_driver_error(exc)).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."
