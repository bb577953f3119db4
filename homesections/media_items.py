"""Media items: the protocol a host implements, and the plugin's own implementation.

The cache links sections to media items but does not insist on owning them. A
host with its own media-item table passes an object with this small protocol;
a host without one gets :class:`PluginMediaItems`, which keeps them in the
plugin's ``media_items`` table.
"""

from __future__ import annotations

from operator import attrgetter, itemgetter
from typing import Any, Callable, Collection, Mapping, NamedTuple, Optional, Protocol, Sequence, runtime_checkable

import peewee

from .dialect import Dialect, fetch_rows, insert_template, update_template
from .fields import from_db_date, from_db_datetime, to_db_date, to_utc
from .page import Item
from .validate import check_items_to_write

__all__ = ["MediaItems", "PluginMediaItems", "IdMap", "media_item_id", "COLUMNS", "Column"]


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


class Column(NamedTuple):
    """One item field as a ``media_items`` column, and how its value is converted.

    ``to_db`` and ``from_db`` are ``None`` for a value both drivers take and
    give back as it is (text, integers).
    """

    field: str
    name: str
    to_db: Optional[Callable[[Any], Any]] = None
    from_db: Optional[Callable[[Any], Any]] = None


#: Every item field as a column, in the order rows are read and written (the
#: order of :data:`~homesections.page.ITEM_FIELDS`, which the model declares too).
COLUMNS: tuple[Column, ...] = (
    Column("key", "server_key"), Column("type", "type"), Column("title", "title"),
    Column("parent_title", "parent_title"), Column("grandparent_title", "grandparent_title"),
    Column("index", "item_index"), Column("parent_index", "parent_index"), Column("year", "year"),
    Column("thumb", "thumb"), Column("art", "art"), Column("grandparent_thumb", "grandparent_thumb"),
    Column("duration", "duration"), Column("view_offset", "view_offset"),
    Column("view_count", "view_count"),
    Column("last_viewed_at", "last_viewed_at", to_utc, from_db_datetime),
    Column("added_at", "added_at", to_utc, from_db_datetime),
    Column("summary", "summary"), Column("content_rating", "content_rating"),
    Column("release_date", "release_date", to_db_date, from_db_date),
    Column("leaf_count", "leaf_count"), Column("unplayed_count", "unplayed_count"),
    Column("library_id", "library_id"), Column("library_title", "library_title"),
    Column("starts_at", "starts_at", to_utc, from_db_datetime),
    Column("ends_at", "ends_at", to_utc, from_db_datetime),
    Column("channel_title", "channel_title"),
)

# The hot paths below turn thousands of items into rows and back. Every value
# is read in C (attrgetter / itemgetter over the column table); only the few
# columns with a conversion go through Python, by their place in COLUMNS, and
# only when they hold a value (most times of a page are None).
_item_values = attrgetter(*(c.field for c in COLUMNS))
_TO_DB = tuple((n, c.to_db) for n, c in enumerate(COLUMNS) if c.to_db is not None)
_FROM_DB = tuple((n, c.from_db) for n, c in enumerate(COLUMNS) if c.from_db is not None)
_PLAIN = [n for n, c in enumerate(COLUMNS) if c.from_db is None]
# Rows of PluginMediaItems._rows are (id, *columns): a column's value is at 1 + its place.
_plain_of_row = itemgetter(*(1 + n for n in _PLAIN))
_plain_of_item = attrgetter(*(COLUMNS[n].field for n in _PLAIN))
_CONVERTED = tuple((1 + n, from_db, attrgetter(COLUMNS[n].field)) for n, from_db in _FROM_DB)


def row_to_item(row: Sequence[Any]) -> Item:
    """An :class:`Item` from an ``(id, *columns)`` row of ``media_items``, columns in :data:`COLUMNS` order."""
    values = list(row)
    for n, from_db in _FROM_DB:
        stored = values[n + 1]
        if stored is not None:
            values[n + 1] = from_db(stored)
    return Item(*values[1:])


def item_to_row(item: Item) -> list[Any]:
    """The item columns of a ``media_items`` row, in :data:`COLUMNS` order."""
    values = list(_item_values(item))
    for n, to_db in _TO_DB:
        value = values[n]
        if value is not None:
            values[n] = to_db(value)
    return values


def _stored_as(row: Sequence[Any], item: Item) -> bool:
    """Whether an ``(id, *columns)`` row holds exactly ``item``.

    The same decision as comparing an Item built from the row, without
    building one: an unchanged sync checks every item of the page.
    """
    if _plain_of_row(row) != _plain_of_item(item):
        return False
    for n, from_db, value_of in _CONVERTED:
        stored, value = row[n], value_of(item)
        if stored is None or value is None:
            if stored is not value:
                return False
        elif from_db(stored) != value:
            return False
    return True


class PluginMediaItems:
    """The plugin's own media items, in its ``media_items`` table.

    ``upsert`` reads the rows it is about to write in one query and writes only
    the new and the changed ones, so an unchanged sync writes no media item row.
    """

    reports_changes = True

    def __init__(self, model: type[peewee.Model], dialect: "DialectSource") -> None:
        self.model = model
        self._dialect = dialect
        fields = [model._meta.fields[column.name] for column in COLUMNS]
        self._columns = fields
        self._insert = insert_template(model, [model.id, model.source, *fields])
        # Statements built once, run with executemany.
        # The model declares the item columns in COLUMNS order, the order
        # update rows are built in (tests/test_schema.py holds it to that).
        self._update, _ = update_template(model, fields, model.id)

    def upsert(self, source_id: str, items: Sequence[Item]) -> IdMap:
        """Write the items of ``source_id`` and return ``{key: id}`` for all of them."""
        dialect = self._dialect()
        prefix = _id_prefix(source_id)  # escaped once, not once per item
        ids = IdMap((item.key, prefix + item.key) for item in items)
        rows = self._rows(dialect, list(ids.values()))
        existing = dict(zip(map(itemgetter(0), rows), rows))
        new, changed = [], []
        for item in items:
            row = existing.get(ids[item.key])
            if row is None:
                new.append(item)
            elif not _stored_as(row, item):
                changed.append(item)
        check_items_to_write(new + changed)  # before converting: it says what cannot be stored
        dialect.execute_many(self._insert, [(ids[i.key], source_id, *item_to_row(i)) for i in new])
        dialect.execute_many(self._update, [(*item_to_row(i), ids[i.key]) for i in changed])
        ids.rows_written = len(new) + len(changed)
        ids.changed_keys = frozenset(i.key for i in changed)
        return ids

    def get(self, ids: Collection[Any]) -> dict[Any, Item]:
        """``{id: Item}`` for the ids that have a row, in one query."""
        return {row[0]: row_to_item(row) for row in self._rows(self._dialect(), list(ids))}

    def _rows(self, dialect: Dialect, ids: list[Any]) -> list[tuple]:
        """The ``(id, *item columns)`` rows of ``ids``, as the driver hands them back."""
        if not ids:
            return []
        model = self.model
        return fetch_rows(model.select(model.id, *self._columns).where(dialect.id_in(model.id, ids)))
