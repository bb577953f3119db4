"""Checks of a page handed to sync: a clear PayloadError before anything is written.

A page from a backend's :class:`~homesections.build.PageBuilder` always passes;
these checks are for pages built by hand. Every sync runs them over every item,
so the common, valid case is settled in bulk and the slow loops run only to
say exactly where a bad page goes wrong.
"""

from __future__ import annotations

import datetime
from functools import partial
from itertools import chain
from operator import attrgetter, is_not
from typing import Any, Sequence

from .build import MAX_IDENTIFIER_LENGTH
from .errors import PayloadError
from .page import HomePage, Item, Section, SectionType

__all__ = ["check_page", "check_section", "check_items_to_write"]

_KEY = attrgetter("key")


def check_page(page: Any) -> HomePage:
    """The page, or a PayloadError saying where it cannot be synced."""
    if not isinstance(page, HomePage):
        raise PayloadError(f"expected a HomePage, got {type(page).__name__}", where="page")
    seen = set()
    for n, section in enumerate(page.sections):
        check_section(section, f"page.sections[{n}]")
        if section.hub_identifier in seen:
            raise PayloadError(
                f"hub {section.hub_identifier!r} comes twice", where=f"page.sections[{n}]"
            )
        seen.add(section.hub_identifier)
    return page


def check_section(section: Any, where: str) -> Section:
    """The section, or a PayloadError saying what is wrong with it and where."""
    if not isinstance(section, Section):
        raise PayloadError(f"expected a Section, got {type(section).__name__}", where=where)
    _check_text(section.hub_identifier, "hub_identifier", where, limit=MAX_IDENTIFIER_LENGTH)
    _check_text(section.title, "title", where, empty=True)
    if not isinstance(section.section_type, SectionType):
        raise PayloadError(
            f"section_type must be a SectionType, got {section.section_type!r}", where=where
        )
    items = section.items
    if not _items_valid(items):
        _find_bad_item(items, where)
    return section


def _items_valid(items: tuple) -> bool:
    # map() and set() keep the per-item work in C: this runs on every sync.
    if set(map(type, items)) - {Item}:
        return False
    keys = list(map(_KEY, items))
    if set(map(type, keys)) - {str} or len(set(keys)) != len(keys):
        return False
    return not keys or (min(map(len, keys)) > 0 and max(map(len, keys)) <= MAX_IDENTIFIER_LENGTH)


def _find_bad_item(items: tuple, where: str) -> None:
    seen = set()
    for n, item in enumerate(items):
        here = f"{where}.items[{n}]"
        if not isinstance(item, Item):
            raise PayloadError(f"expected an Item, got {type(item).__name__}", where=here)
        _check_text(item.key, "key", here, limit=MAX_IDENTIFIER_LENGTH)
        if item.key in seen:
            raise PayloadError(f"item {item.key!r} comes twice in one section", where=here)
        seen.add(item.key)


#: The item fields that hold a time (an aware datetime).
TIME_FIELDS = ("last_viewed_at", "added_at", "starts_at", "ends_at")

_TYPE, _RELEASE_DATE, _TZINFO = attrgetter("type"), attrgetter("release_date"), attrgetter("tzinfo")
_TIMES = attrgetter(*TIME_FIELDS)
_IS_VALUE = partial(is_not, None)


def check_items_to_write(items: Sequence[Item]) -> None:
    """A PayloadError for an item that cannot be stored: a type that is not text,
    a time that is not an aware datetime, or a ``release_date`` that is not a date.

    Run on the items a sync is about to write or merge (all of them when it
    cannot tell which), not on every item it merely compares.
    """
    if not _writable(items):
        _find_unwritable(items)


def _writable(items: Sequence[Item]) -> bool:
    # map(), filter() and set() keep the per-item work in C: a cold sync writes every item.
    types = list(map(_TYPE, items))
    if set(map(type, types)) - {str} or "\x00" in "".join(types):
        return False
    times = list(filter(_IS_VALUE, chain.from_iterable(map(_TIMES, items))))
    if set(map(type, times)) - {datetime.datetime} or None in set(map(_TZINFO, times)):
        return False
    return not set(map(type, filter(_IS_VALUE, map(_RELEASE_DATE, items)))) - {datetime.date}


def _find_unwritable(items: Sequence[Item]) -> None:
    for item in items:
        where = f"item {item.key!r}"
        _check_text(item.type, "type", where, empty=True)
        for name in TIME_FIELDS:
            value = getattr(item, name)
            if value is not None and not (isinstance(value, datetime.datetime) and value.tzinfo):
                raise PayloadError(f"{name} must be a timezone-aware datetime, got {value!r:.40}",
                                   where=where, expected="a timezone-aware datetime")
        released = item.release_date
        if released is not None and type(released) is not datetime.date:
            raise PayloadError(f"release_date must be a datetime.date, got {released!r:.40}",
                               where=where, expected="a datetime.date")


def _check_text(value: Any, name: str, where: str, limit: int = 0, empty: bool = False) -> None:
    if not isinstance(value, str) or (not value and not empty):
        kind = "a string" if empty else "a non-empty string"
        raise PayloadError(f"{name} must be {kind}, got {value!r:.40}", where=where)
    if limit and len(value) > limit:
        raise PayloadError(f"{name} is {len(value)} characters, over {limit}", where=where)
    if "\x00" in value:
        raise PayloadError(f"{name} holds a NUL character, which PostgreSQL cannot store", where=where)
