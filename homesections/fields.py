"""Field types shared by the models and the migrations."""

from __future__ import annotations

import datetime
from typing import Any, Optional

import peewee

__all__ = ["UTCDateTimeField", "ISODateField", "to_utc", "from_db_datetime", "to_db_date", "from_db_date"]

UTC = datetime.timezone.utc
_fromisoformat = datetime.datetime.fromisoformat


def to_utc(value: Optional[datetime.datetime]) -> Optional[datetime.datetime]:
    """A naive UTC datetime for storage; a naive input is taken to be UTC already."""
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def from_db_datetime(value: Any) -> Optional[datetime.datetime]:
    """An aware UTC datetime from what either driver returns.

    SQLite hands back the text we stored (``2025-01-07 10:00:00.123456``);
    psycopg2 hands back a naive ``datetime`` for a ``timestamp`` column.
    """
    if value is None:
        return None
    if value.__class__ is str:
        # The exact shape we store, ``YYYY-MM-DD HH:MM:SS[.ffffff]`` in UTC:
        # appending the offset lets the C parser build the aware datetime in
        # one step. Loads and syncs read thousands of these.
        if len(value) in (19, 26) and value[10] == " ":
            try:
                return _fromisoformat(value + "+00:00")
            except ValueError:
                pass  # not a valid time after all: the general path says why
        value = _fromisoformat(value)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


class UTCDateTimeField(peewee.DateTimeField):
    """A datetime stored as naive UTC and read back as an aware UTC datetime.

    Both engines store the same thing (a ``timestamp`` without zone on
    PostgreSQL), so the value never depends on the server's or the session's
    time zone.
    """

    def db_value(self, value: Any) -> Any:
        if isinstance(value, datetime.datetime):
            value = to_utc(value)
        return super().db_value(value)

    def python_value(self, value: Any) -> Any:
        return from_db_datetime(super().python_value(value))


def to_db_date(value: Optional[datetime.date]) -> Optional[str]:
    """A date as the ISO text the cache stores (``YYYY-MM-DD``)."""
    return None if value is None else value.isoformat()


def from_db_date(value: Optional[str]) -> Optional[datetime.date]:
    """The date held by stored ISO text (``YYYY-MM-DD``)."""
    return None if value is None else datetime.date.fromisoformat(value)


class ISODateField(peewee.TextField):
    """A date stored as ISO text, ``YYYY-MM-DD``, and read back as a :class:`datetime.date`.

    Text rather than each engine's own date type, so both engines store and
    compare the same thing, and the text sorts as the dates do.
    """

    def db_value(self, value: Any) -> Any:
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            value = to_db_date(value)
        return super().db_value(value)

    def python_value(self, value: Any) -> Any:
        return from_db_date(super().python_value(value))
