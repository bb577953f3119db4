"""Checks of a page handed to sync: a clear PayloadError before anything is written.

A page from a backend's :class:`~homesections.build.PageBuilder` always passes;
these checks are for pages built by hand. Every sync runs them over every item,
so the common, valid case is settled in bulk and the slow loops run only to
say exactly where a bad page goes wrong.
"""

from __future__ import annotations

import datetime
from typing import Any

from .build import MAX_IDENTIFIER_LENGTH
from .errors import PayloadError
from .page import HomePage, Item, Section, SectionType

__all__ = ["check_page", "check_section"]


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
    if not all(type(i) is Item for i in items):
        return False
    keys = [i.key for i in items]
    return (
        len(set(keys)) == len(keys)
        and all(type(k) is str and 0 < len(k) <= MAX_IDENTIFIER_LENGTH for k in keys)
        and all(type(i.type) is str for i in items)
        and not any(_naive(i.last_viewed_at) or _naive(i.added_at) for i in items)
    )


def _find_bad_item(items: tuple, where: str) -> None:
    seen = set()
    for n, item in enumerate(items):
        here = f"{where}.items[{n}]"
        if not isinstance(item, Item):
            raise PayloadError(f"expected an Item, got {type(item).__name__}", where=here)
        _check_text(item.key, "key", here, limit=MAX_IDENTIFIER_LENGTH)
        _check_text(item.type, "type", here, empty=True)
        if item.key in seen:
            raise PayloadError(f"item {item.key!r} comes twice in one section", where=here)
        seen.add(item.key)
        for name in ("last_viewed_at", "added_at"):
            if _naive(getattr(item, name)):
                raise PayloadError(f"{name} must be a timezone-aware datetime", where=here)


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
