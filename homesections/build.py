"""PageBuilder: the rules every backend's parse shares, in one place.

A backend walks its payload and hands each hub and item to a builder; the
builder applies the quirk rules of the common schema so that no two backends
disagree on them:

- a hub with no identifier, or one longer than :data:`MAX_IDENTIFIER_LENGTH`
  (it must fit a unique index on PostgreSQL), is left out and listed;
- the second hub with an identifier already on the page is left out and listed;
- the same item twice in one hub is kept once at its first position, the two
  copies combined by :func:`~homesections.page.merge_items`;
- an item with no key, or a key longer than :data:`MAX_IDENTIFIER_LENGTH`, is
  left out and listed;
- an item key repeated across hubs gets one value (:func:`unify_items`);
- NUL characters are removed from every string, lone surrogates become U+FFFD,
  and an integer outside its column's range becomes None.

It also bounds the work a payload can cause (:class:`PageLimits`): a payload
with more hubs or items than a home page ever has is refused with a
:class:`~homesections.PayloadError`, counted as the server sent them, kept or
not, and at most ``skipped`` entries are listed, the rest only counted
(``page.more_skipped``). The limits bound what a server sends; a page a host
builds itself and syncs is never capped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Optional, TypeVar

from .errors import ConfigurationError, PayloadError
from .page import MAX_SKIPPED, HomePage, Item, Section, SectionType, Skipped, unify_items

__all__ = ["PageBuilder", "PageLimits", "MAX_IDENTIFIER_LENGTH"]

#: The longest hub identifier kept. PostgreSQL's btree index entries are
#: limited in size; 255 characters is far below that and above any real hub.
MAX_IDENTIFIER_LENGTH = 255


@dataclass(frozen=True)
class PageLimits:
    """How much one payload may hold before its parse refuses it.

    ``hubs`` and ``items`` count every hub and item entry handed to the
    builder, whether it is kept or left out; a real home page has dozens of
    hubs and hundreds of items. ``skipped`` is how many left-out things are
    listed one by one in ``page.skipped``. Backends take a ``limits=`` setting.
    """

    hubs: int = 10_000
    items: int = 100_000
    skipped: int = MAX_SKIPPED

    def __post_init__(self) -> None:
        for name in ("hubs", "items", "skipped"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigurationError(f"PageLimits.{name} must be a whole number of at least 1")


class SectionHandle:
    """A section being built: what :meth:`PageBuilder.add_section` returns, for ``add_item``."""

    __slots__ = ("section", "positions", "items")

    def __init__(self, section: Section) -> None:
        self.section = section
        self.positions: dict[str, int] = {}  # item key -> index in items
        self.items: list[Item] = []


class PageBuilder:
    """Collects sections and items in payload order and builds a :class:`HomePage`.

    ``where`` arguments name the place in the payload (``Hub[3].Metadata[2]``);
    they go into the page's ``skipped`` list when something is left out.
    """

    def __init__(self, limits: Optional[PageLimits] = None) -> None:
        self.limits = limits or PageLimits()
        self._sections: list[SectionHandle] = []
        self._identifiers: set[str] = set()
        self._skipped: list[Skipped] = []
        self._more_skipped = 0
        self._hubs = self._items = 0

    def skip(self, where: str, reason: str) -> None:
        """Record that something at ``where`` was left out, and why (past the limit, only count it)."""
        if len(self._skipped) < self.limits.skipped:
            self._skipped.append(Skipped(where, reason))
        else:
            self._more_skipped += 1

    def add_section(self, section: Section, where: str) -> Optional[SectionHandle]:
        """Add a section (its ``items`` are ignored: add them with :meth:`add_item`).

        Returns a handle to add items to, or ``None`` when the section was left out.
        A section whose ``section_type`` is ``CUSTOM`` is classified from its
        identifier and context. Raises :class:`~homesections.PayloadError` past
        ``limits.hubs``.
        """
        self._hubs += 1
        if self._hubs > self.limits.hubs:
            raise _too_many("hubs", self.limits.hubs, where)
        section = _clean(section)
        identifier = section.hub_identifier
        if not identifier:
            self.skip(where, "hub has no identifier")
            return None
        if len(identifier) > MAX_IDENTIFIER_LENGTH:
            self.skip(where, f"hub identifier is {len(identifier)} characters, over {MAX_IDENTIFIER_LENGTH}")
            return None
        if identifier in self._identifiers:
            self.skip(where, f"hub {identifier!r} already on the page")
            return None
        # A plain string ("on_deck") becomes the enum; an unknown one raises ValueError.
        section_type = SectionType(section.section_type)
        if section_type is SectionType.CUSTOM:
            section_type = SectionType.classify(identifier, section.context)
        if section_type is not section.section_type:
            section = replace(section, section_type=section_type)
        self._identifiers.add(identifier)
        handle = SectionHandle(replace(section, items=()))
        self._sections.append(handle)
        return handle

    def check_room(self, items: int, where: str) -> None:
        """Refuse at once a list of ``items`` entries that would pass ``limits.items``.

        For a backend about to read a list of entries: the payload is refused
        before any of them is built, not after ``limits.items`` have been.
        The entries still count one by one as they are added.
        """
        if self._items + items > self.limits.items:
            raise _too_many("items", self.limits.items, where)

    def add_item(self, handle: SectionHandle, item: Item, where: str) -> None:
        """Add an item to a section, unless it has no key or is already there.

        Raises :class:`~homesections.PayloadError` past ``limits.items``.
        """
        self._items += 1
        if self._items > self.limits.items:
            raise _too_many("items", self.limits.items, where)
        item = _clean(item)
        if not item.key:
            self.skip(where, "item has no key")
            return
        if len(item.key) > MAX_IDENTIFIER_LENGTH:
            # Item keys are part of an indexed id, as hub identifiers are.
            self.skip(where, f"item key is {len(item.key)} characters, over {MAX_IDENTIFIER_LENGTH}")
            return
        position = handle.positions.get(item.key)
        if position is None:
            handle.positions[item.key] = len(handle.items)
            handle.items.append(item)
        else:  # the same item twice in one hub: the first position wins, the values combine
            handle.items[position] = handle.items[position].merged_with(item)

    def build(self) -> HomePage:
        """The finished page, each item key with one value."""
        sections = (replace(h.section, items=tuple(h.items)) for h in self._sections)
        return HomePage(unify_items(sections), tuple(self._skipped), self._more_skipped)


def _too_many(what: str, limit: int, where: str) -> PayloadError:
    return PayloadError(
        f"more than {limit:,} {what} in one payload, more than any home page holds: refused "
        "(raise the backend's limits= if this server's answers are really that large)",
        where=where, expected=f"at most {limit:,} {what}",
    )


_Data = TypeVar("_Data", Section, Item)


def _clean(value: _Data) -> _Data:
    """The dataclass with every field made storable on both engines.

    NUL characters are removed and lone surrogates (which JSON can encode)
    become U+FFFD; an integer outside its column's range becomes ``None``.
    """
    # vars() rather than dataclasses.fields(): this runs once per item, and
    # reading the instance dict is about three times faster.
    changes = {}
    for name, field in vars(value).items():
        if isinstance(field, str):
            if "\x00" in field or not field.isascii() and _SURROGATE.search(field):
                changes[name] = _SURROGATE.sub("\ufffd", field.replace("\x00", ""))
        elif type(field) is int:
            low, high = _INT_RANGE.get(name, _INT32)
            if not low <= field <= high:
                changes[name] = None
    return replace(value, **changes) if changes else value


_SURROGATE = re.compile("[\ud800-\udfff]")
_INT32 = (-(2**31), 2**31 - 1)
# Milliseconds overflow 32 bits after 24 days: these columns are 64-bit.
_INT_RANGE = {"duration": (-(2**63), 2**63 - 1), "view_offset": (-(2**63), 2**63 - 1)}
