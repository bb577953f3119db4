"""What differs between the two engines, and nothing else.

The store and the loader write their SQL once through Peewee's query builder;
this module supplies the few engine-specific pieces: how to pass a whole list
of ids as one parameter, how to run one statement for many rows, and how a
write transaction takes its lock.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from typing import Any, Iterator, Optional, Sequence

import peewee

from .errors import ConfigurationError

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
        the engine can tell them apart); without one, the writer waits for all.
        """
        with self.db.atomic():
            yield

    @contextmanager
    def read_transaction(self) -> Iterator[None]:
        """A transaction whose reads all see one snapshot: old page or new, never a mix."""
        with self.db.atomic():
            yield


class SqliteDialect(Dialect):
    name = "sqlite"

    def id_in(self, column: peewee.Node, ids: Sequence[Any]) -> peewee.Node:
        # json_each() turns one JSON array parameter into a table.
        return column.in_(peewee.SQL("(SELECT value FROM json_each(?))", [json.dumps(list(ids))]))

    @contextmanager
    def write_transaction(self, source_id: Optional[str] = None) -> Iterator[None]:
        # BEGIN IMMEDIATE takes SQLite's one write lock up front, so two writers
        # queue on the busy timeout instead of one failing when it upgrades its
        # read lock. (WAL readers go on reading the last committed page.)
        # (Inside a host's transaction, atomic() makes a savepoint and the
        # lock type does not apply: the host's transaction holds what it holds.)
        with self.db.atomic(lock_type="IMMEDIATE"):
            yield


# Advisory lock namespaces (any fixed 32-bit numbers): "hs" + 1 and "hs" + 2.
_PG_LOCKS, _PG_SOURCE_LOCKS = 0x68730001, 0x68730002


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
        # sources (pruning) takes the global one alone.
        with self.db.atomic():
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
        with self.db.atomic(isolation_level="REPEATABLE READ"):
            yield

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
