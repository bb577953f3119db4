"""A host application that owns its sources and media items, as the README's "A host that owns its tables"."""

from __future__ import annotations

from typing import Any, Callable, Collection, Optional, Sequence

import peewee

from homesections import Item


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
