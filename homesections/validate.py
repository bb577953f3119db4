"""Checks of a page handed to sync: a clear PayloadError before anything is written.

A page from a backend's :class:`~homesections.build.PageBuilder` always passes;
these checks are for pages built by hand. Every sync runs them over every item,
so the common, valid case is settled in bulk and the slow loops run only to
say exactly where a bad page goes wrong.
"""

from __future__ import annotations

import datetime
from operator import attrgetter
from typing import Any, Iterable

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


def check_items_to_write(items: Iterable[Item]) -> None:
    """A PayloadError for an item that cannot be stored: no type, or a naive datetime.

    Run on the items a sync is about to write (all of them when it cannot
    tell which), not on every item it merely compares.
    """
    for item in items:
        where = f"item {item.key!r}"
        _check_text(item.type, "type", where, empty=True)
        for name in ("last_viewed_at", "added_at"):
            if _naive(getattr(item, name)):
                raise PayloadError(f"{name} must be a timezone-aware datetime", where=where)


def _naive(value: Any) -> bool:
    return isinstance(value, datetime.datetime) and value.tzinfo is None


def _check_text(value: Any, name: str, where: str, limit: int = 0, empty: bool = False) -> None:
    if not isinstance(value, str) or (not value and not empty):
        kind = "a string" if empty else "a non-empty string"
        raise PayloadError(f"{name} must be {kind}, got {value!r:.40}", where=where)
    if limit and len(value) > limit:
        raise PayloadError(f"{name} is {len(value)} characters, over {limit}", where=where)
    if "\x00" in value:
        raise PayloadError(f"{name} holds a NUL character, which PostgreSQL cannot store", where=where)
