"""A host application that owns its sources and media items, as the README's "A host that owns its tables".

Its media-item store implements the public ``MediaItems`` protocol, which also
makes it the public way to hold a sync at a known point inside its transaction.
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Collection, Optional, Sequence

import peewee

from homesections import HomeSections, Item


def host_models(db: peewee.Database) -> tuple[type[peewee.Model], type[peewee.Model]]:
    """The host's ``servers`` and ``library_items`` models, bound to ``db`` (tables not created)."""

    class Server(peewee.Model):
        id = peewee.TextField(primary_key=True)
        label = peewee.TextField()

        class Meta:
            database = db
            table_name = "servers"

    class LibraryItem(peewee.Model):
        id = peewee.TextField(primary_key=True)
        server = peewee.ForeignKeyField(Server, on_delete="CASCADE")
        key = peewee.TextField()
        kind = peewee.TextField()
        title = peewee.TextField(null=True)

        class Meta:
            database = db
            table_name = "library_items"

    return Server, LibraryItem


class LibraryItems:
    """The host's media-item store, in plain Peewee; keeps an item's key, type and title.

    ``before_upsert``, when set, is called inside the sync's transaction before
    anything is written: a known point at which to hold a sync.
    """

    def __init__(self, model: type[peewee.Model],
                 before_upsert: Optional[Callable[[], None]] = None) -> None:
        self.model = model
        self.before_upsert = before_upsert

    def upsert(self, source_id: str, items: Sequence[Item]) -> dict[str, Any]:
        if self.before_upsert is not None:
            self.before_upsert()
        M = self.model
        rows = [{"id": f"{source_id}/{i.key}", "server": source_id, "key": i.key, "kind": i.type,
                 "title": i.title} for i in items]
        M.insert_many(rows).on_conflict(conflict_target=[M.id], preserve=[M.kind, M.title]).execute()
        return {row["key"]: row["id"] for row in rows}

    def get(self, ids: Collection[Any]) -> dict[Any, Item]:
        M = self.model
        return {row.id: Item(row.key, row.kind, title=row.title)
                for row in M.select().where(M.id.in_(list(ids)))}


class Hold:
    """A ``before_upsert`` that holds the first sync reaching it while armed, until released.

    ``reached`` is set once a sync waits there: inside its transaction, after
    it read the cached page and before it wrote anything.
    """

    def __init__(self, armed: bool = True, patience: float = 20.0) -> None:
        self.armed = armed
        self.patience = patience
        self.reached = threading.Event()
        self._released = threading.Event()

    def __call__(self) -> None:
        if not self.armed:
            return
        self.armed = False
        self.reached.set()
        if not self._released.wait(self.patience):
            raise TimeoutError("the test never released the held sync")

    def release(self) -> None:
        self._released.set()


def register_host(
    db: peewee.Database, *source_ids: str,
    store: Callable[[type[peewee.Model]], Any] = LibraryItems,
) -> HomeSections:
    """The plugin registered on the host's tables in ``db``, migrated; ``store(model)`` is its media store.

    The host's tables and a server row per source id are created when missing,
    so another connection to the same database registers the same way.
    """
    Server, LibraryItem = host_models(db)
    db.create_tables([Server, LibraryItem])
    for source_id in source_ids:
        Server.insert(id=source_id, label=source_id).on_conflict_ignore().execute()
    hs = HomeSections(db, source_model=Server, media_items=store(LibraryItem))
    hs.migrate()
    return hs
