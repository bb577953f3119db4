"""Media items: the protocol a host implements, and the plugin's own implementation.

The cache links sections to media items but does not insist on owning them. A
host with its own media-item table passes an object with this small protocol;
a host without one gets :class:`PluginMediaItems`, which keeps them in the
plugin's ``media_items`` table.
"""

from __future__ import annotations

from operator import attrgetter, itemgetter
from typing import Any, Collection, Mapping, Protocol, Sequence, runtime_checkable

import peewee

from .dialect import Dialect, fetch_rows, insert_template, update_template
from .fields import from_db_datetime, to_utc
from .page import ITEM_FIELDS, Item
from .validate import check_items_to_write

__all__ = ["MediaItems", "PluginMediaItems", "IdMap", "media_item_id"]


@runtime_checkable
class MediaItems(Protocol):
    """What the cache needs of a media-item table.

    ``model`` is the Peewee model whose table the link table references.
    ``upsert`` writes the items of one source and returns ``{item key: media item id}``;
    an item it has no row for is simply absent, and the cache leaves it out of
    its section. ``get`` returns ``{id: Item}`` for the ids asked for. Both are
    called inside the sync's transaction.

    To tell which cached sections show an item whose values changed, the cache
    reads the items with ``get`` before calling ``upsert``. An implementation
    that knows what it wrote can spare that query: set ``reports_changes =
    True`` and return an :class:`IdMap` whose ``changed_keys`` says it.
    """

    model: type[peewee.Model]

    def upsert(self, source_id: str, items: Sequence[Item]) -> Mapping[str, Any]: ...

    def get(self, ids: Collection[Any]) -> Mapping[Any, Item]: ...


def media_item_id(source_id: str, key: str) -> str:
    """The plugin's media item id: the source id, escaped, then ``:`` and the server key.

    Escaping ``%`` and ``:`` in the source id keeps ids of two sources apart
    whatever their names (source ``a:b`` key ``c`` is not source ``a`` key ``b:c``).
    """
    return _id_prefix(source_id) + key


def _id_prefix(source_id: str) -> str:
    return source_id.replace("%", "%25").replace(":", "%3A") + ":"


class DialectSource(Protocol):
    """A callable giving the registration's :class:`Dialect` (resolved late, for proxies)."""

    def __call__(self) -> Dialect: ...


class IdMap(dict):
    """``{item key: media item id}``, with what the upsert wrote.

    ``rows_written`` counts the rows inserted or updated; ``changed_keys``
    holds the keys of the items whose stored values changed (updated rows).
    """

    rows_written: int = 0
    changed_keys: frozenset = frozenset()


# Item field -> column, in the order rows are read and written.
_COLUMNS = (
    ("key", "server_key"), ("type", "type"), ("title", "title"),
    ("parent_title", "parent_title"), ("grandparent_title", "grandparent_title"),
    ("index", "item_index"), ("parent_index", "parent_index"), ("year", "year"),
    ("thumb", "thumb"), ("art", "art"), ("grandparent_thumb", "grandparent_thumb"),
    ("duration", "duration"), ("view_offset", "view_offset"), ("view_count", "view_count"),
    ("last_viewed_at", "last_viewed_at"), ("added_at", "added_at"),
)


# An item's values for the columns before the two times, as one tuple built in C.
_leading_values = attrgetter(*ITEM_FIELDS[:14])


def row_to_item(row: Sequence[Any]) -> Item:
    """An :class:`Item` from the item columns of a ``media_items`` row, in ``_COLUMNS`` order."""
    return Item(*row[:14], from_db_datetime(row[14]), from_db_datetime(row[15]))


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

    reports_changes = True

    def __init__(self, model: type[peewee.Model], dialect: "DialectSource") -> None:
        self.model = model
        self._dialect = dialect
        fields = [model._meta.fields[column] for _, column in _COLUMNS]
        self._columns = fields
        self._insert = insert_template(model, [model.id, model.source, *fields])
        # Statements built once, run with executemany.
        # The model declares the item columns in _COLUMNS order, the order
        # update rows are built in (tests/test_schema.py holds it to that).
        self._update, _ = update_template(model, fields, model.id)

    def upsert(self, source_id: str, items: Sequence[Item]) -> IdMap:
        """Write the items of ``source_id`` and return ``{key: id}`` for all of them."""
        dialect = self._dialect()
        prefix = _id_prefix(source_id)  # escaped once, not once per item
        ids = IdMap((item.key, prefix + item.key) for item in items)
        rows = self._rows(dialect, list(ids.values()))
        existing = dict(zip(map(itemgetter(0), rows), rows))
        inserts, updates, written = [], [], []
        for item in items:
            item_id = ids[item.key]
            row = existing.get(item_id)
            if row is None:
                written.append(item)
                inserts.append((item_id, source_id, *item_to_row(item)))
            # The same decision as comparing an Item built from the row, without
            # building one: an unchanged sync checks every item of the page.
            elif (row[1:15] != _leading_values(item)
                  or from_db_datetime(row[15]) != item.last_viewed_at
                  or from_db_datetime(row[16]) != item.added_at):
                written.append(item)
                updates.append((*item_to_row(item), item_id))
        check_items_to_write(written)
        dialect.execute_many(self._insert, inserts)
        dialect.execute_many(self._update, updates)
        ids.rows_written = len(inserts) + len(updates)
        ids.changed_keys = frozenset(row[0] for row in updates)  # row[0] is the server key
        return ids

    def get(self, ids: Collection[Any]) -> dict[Any, Item]:
        """``{id: Item}`` for the ids that have a row, in one query."""
        return {row[0]: row_to_item(row[1:]) for row in self._rows(self._dialect(), list(ids))}

    def _rows(self, dialect: Dialect, ids: list[Any]) -> list[tuple]:
        """The ``(id, *item columns)`` rows of ``ids``, as the driver hands them back."""
        if not ids:
            return []
        model = self.model
        return fetch_rows(model.select(model.id, *self._columns).where(dialect.id_in(model.id, ids)))
