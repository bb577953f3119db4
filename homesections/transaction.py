"""The transactions the cache reads and writes in, safe when the database ends one by itself.

Peewee's ``atomic()`` takes for granted that a transaction it began is still
open when it ends it. The databases do not promise that: on a full disk (and
a few other errors) SQLite may roll back the whole transaction by itself, and
a PostgreSQL transaction is gone with its connection. Peewee's ``ROLLBACK``
then fails (``cannot rollback - no transaction is active``, ``no such
savepoint``, ``connection already closed``) and hides the cause; worse, inside
a host's own transaction, the host's later writes would each commit on their
own, out of reach of its rollback.

:func:`transaction` does what ``atomic()`` does, on Peewee's own transaction
stack, but asks the connection whether the transaction is still there before
ending it. When a host's transaction was ended under it, it reopens one where
the engine can (so the rest of the host's block is still undone by its
rollback) and raises a :class:`~homesections.StoreError` saying what happened.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Iterator

if TYPE_CHECKING:
    from .dialect import Dialect

__all__ = ["transaction"]


@contextmanager
def transaction(dialect: "Dialect", *, writes: bool = False, **begin: Any) -> Iterator[None]:
    """A transaction, or a savepoint inside one already open (a host's); ``begin`` goes to BEGIN.

    After a transaction that ``writes`` commits, the dialect does its housekeeping.
    """
    db = dialect.db
    if db.in_transaction():
        with _savepoint(dialect):
            yield
        return
    txn = db.transaction(**begin)
    txn.__enter__()  # BEGIN, and the transaction on Peewee's stack
    try:
        yield
    except BaseException:
        db.pop_transaction()
        if dialect.transaction_alive():
            txn.rollback(begin=False)
        # else the database rolled it back already: nothing was written.
        raise
    db.pop_transaction()
    try:
        txn.commit(begin=False)
    except BaseException:
        if dialect.transaction_alive():
            txn.rollback(begin=False)
        raise
    if writes:
        dialect.after_commit()


@contextmanager
def _savepoint(dialect: "Dialect") -> Iterator[None]:
    savepoint = dialect.db.savepoint()
    savepoint.__enter__()  # SAVEPOINT
    try:
        yield
    except BaseException as exc:
        if dialect.transaction_alive():
            savepoint.rollback(begin=False)  # ROLLBACK TO: the host's transaction goes on
            savepoint.commit(begin=False)  # RELEASE: and no savepoint is left behind
            raise
        # The database ended the host's whole transaction under us.
        raise dialect.host_transaction_lost(exc) from exc
    savepoint.commit(begin=False)
