"""Media items: the protocol a host implements, and the plugin's own implementation.

The cache links sections to media items but does not insist on owning them. A
host with its own media-item table passes an object with this small protocol;
a host without one gets :class:`PluginMediaItems`, which keeps them in the
plugin's ``media_items`` table.
"""

from __future__ import annotations

from typing import Any, Collection, Mapping, Protocol, Sequence, runtime_checkable

import peewee

from .dialect import Dialect, insert_template, update_template
from .errors import ConfigurationError
from .fields import from_db_datetime, to_utc
from .page import Item

__all__ = ["MediaItems", "PluginMediaItems", "IdMap", "media_item_id"]


@runtime_checkable
class MediaItems(Protocol):
    """What the cache needs of a media-item table.

    ``model`` is the Peewee model whose table the link table references.
    ``upsert`` writes the items of one source and returns ``{item key: media item id}``;
    an item it has no row for is simply absent, and the cache leaves it out of
    its section. ``get`` returns ``{id: Item}`` for the ids asked for. Both are
    called inside the sync's transaction.
    """

    model: type[peewee.Model]

    def upsert(self, source_id: str, items: Sequence[Item]) -> Mapping[str, Any]: ...

    def get(self, ids: Collection[Any]) -> Mapping[Any, Item]: ...


def media_item_id(source_id: str, key: str) -> str:
    """The plugin's media item id: the source id, escaped, then ``:`` and the server key.

    Escaping ``%`` and ``:`` in the source id keeps ids of two sources apart
    whatever their names (source ``a:b`` key ``c`` is not source ``a`` key ``b:c``).
    """
    return source_id.replace("%", "%25").replace(":", "%3A") + ":" + key


class DialectSource(Protocol):
    """A callable giving the registration's :class:`Dialect` (resolved late, for proxies)."""

    def __call__(self) -> Dialect: ...


class IdMap(dict):
    """``{item key: media item id}``, with how many rows the upsert wrote."""

    rows_written: int = 0


# Item field -> column, in the order rows are read and written.
_COLUMNS = (
    ("key", "server_key"), ("type", "type"), ("title", "title"),
    ("parent_title", "parent_title"), ("grandparent_title", "grandparent_title"),
    ("index", "item_index"), ("parent_index", "parent_index"), ("year", "year"),
    ("thumb", "thumb"), ("art", "art"), ("grandparent_thumb", "grandparent_thumb"),
    ("duration", "duration"), ("view_offset", "view_offset"), ("view_count", "view_count"),
    ("last_viewed_at", "last_viewed_at"), ("added_at", "added_at"),
)


def row_to_item(row: Sequence[Any]) -> Item:
    """An :class:`Item` from the item columns of a ``media_items`` row, in ``_COLUMNS`` order."""
    last_viewed, added = row[14], row[15]
    return Item(
        *row[:14],
        last_viewed_at=None if last_viewed is None else from_db_datetime(last_viewed),
        added_at=None if added is None else from_db_datetime(added),
    )


def item_to_row(item: Item) -> tuple:
    """The item columns of a ``media_items`` row, in ``_COLUMNS`` order."""
    return (
        item.key, item.type, item.title, item.parent_title, item.grandparent_title,
        item.index, item.parent_index, item.year, item.thumb, item.art,
        item.grandparent_thumb, item.duration, item.view_offset, item.view_count,
        to_utc(item.last_viewed_at), to_utc(item.added_at),
    )


class PluginMediaItems:
    """The plugin's own media items, in its ``media_items`` table.

    ``upsert`` reads the rows it is about to write in one query and writes only
    the new and the changed ones, so an unchanged sync writes no media item row.
    """

    def __init__(self, model: type[peewee.Model], dialect: "DialectSource") -> None:
        self.model = model
        self._dialect = dialect
        fields = [model._meta.fields[column] for _, column in _COLUMNS]
        self._columns = fields
        self._insert = insert_template(model, [model.id, model.source, *fields])
        # Statements built once, run with executemany.
        self._update, updated = update_template(model, fields, model.id)
        if [f.name for f in updated] != [f.name for f in fields]:
            raise ConfigurationError(
                f"{model.__name__} must declare its item columns in this order: "
                + ", ".join(column for _, column in _COLUMNS)
            )

    def upsert(self, source_id: str, items: Sequence[Item]) -> IdMap:
        """Write the items of ``source_id`` and return ``{key: id}`` for all of them."""
        ids = IdMap((item.key, media_item_id(source_id, item.key)) for item in items)
        existing = self.get(list(ids.values()))
        inserts, updates = [], []
        for item in items:
            item_id = ids[item.key]
            current = existing.get(item_id)
            if current is None:
                inserts.append((item_id, source_id, *item_to_row(item)))
            elif current != item:
                updates.append((*item_to_row(item), item_id))
        dialect = self._dialect()
        dialect.execute_many(self._insert, inserts)
        dialect.execute_many(self._update, updates)
        ids.rows_written = len(inserts) + len(updates)
        return ids

    def get(self, ids: Collection[Any]) -> dict[Any, Item]:
        """``{id: Item}`` for the ids that have a row, in one query."""
        if not ids:
            return {}
        model = self.model
        query = model.select(model.id, *self._columns).where(self._dialect().id_in(model.id, list(ids)))
        sql, params = query.sql()
        return {row[0]: row_to_item(row[1:]) for row in model._meta.database.execute_sql(sql, params)}
