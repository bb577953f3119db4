"""The common schema: a home page as plain, frozen data.

Every backend maps its server's answer into these classes, and the cache stores
and returns them. Nothing here touches a database or the network, so a page can
be built, compared and inspected anywhere. :class:`SectionType` and the rules
that classify a hub live in :mod:`homesections.classification`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Iterator, Mapping, Optional

from .classification import SectionType

__all__ = [
    "HomePage", "Section", "Item", "Skipped", "SectionType", "ITEM_TYPES", "PLAY_STATE_TYPES",
    "merge_items", "unify_items",
]

#: The most left-out things a page lists one by one in ``skipped``; it counts the rest.
MAX_SKIPPED = 1_000

#: The item types every backend maps into. Anything else keeps the server's
#: own type string.
ITEM_TYPES = frozenset(
    {
        "movie", "episode", "season", "show", "clip", "artist", "album",
        "track", "photo", "playlist", "collection", "program", "channel",
    }
)

#: The item types that have play state: the server counts their plays (a
#: season, show, album or artist counts the plays of what is below it) and may
#: hold a position in them. Every backend maps ``view_count`` and
#: ``view_offset`` by this one set (see :class:`Item`). Photos, playlists and
#: collections have none, and neither have live TV channels and listings
#: (``channel``, ``program``): the server keeps no play history for them.
PLAY_STATE_TYPES = frozenset(
    {"movie", "episode", "season", "show", "clip", "artist", "album", "track"}
)


@dataclass(frozen=True)
class Item:
    """One card on the home page: a movie, an episode, an album, ...

    ``key`` is the server's own id for the item (Plex ``ratingKey``, Jellyfin
    ``Id``). ``type`` is one of :data:`ITEM_TYPES`, or the server's own type
    string when it is none of them. Durations and positions are milliseconds;
    times are timezone-aware UTC datetimes. Image fields are server-relative
    paths, with the server's cache-busting part (Plex's ``/thumb/<timestamp>``,
    Jellyfin's ``tag``), so a host can tell when a poster changed.

    Play state has one meaning on every server:

    - ``view_offset`` is the position in a partly played item, and ``None``
      unless the item is partly played (a position of 0 is ``None``);
    - ``view_count`` is the number of plays: ``0`` for an item of a
      :data:`PLAY_STATE_TYPES` type the server reports unplayed, ``None`` only
      for the types without play state (photos, collections, ...);
    - ``last_viewed_at`` is when it was last played.

    The card fields, each ``None`` where the server does not say:

    - ``summary``: the description text;
    - ``content_rating``: the age rating (``PG-13``, ``TV-MA``);
    - ``release_date``: the day it first came out, a :class:`datetime.date`;
    - ``leaf_count``: the playable items below it (episodes of a show or
      season, tracks of an album, items of a playlist);
    - ``unplayed_count``: how many of those are unplayed;
    - ``library_id``, ``library_title``: the server library (Plex section,
      Jellyfin view) it belongs to;
    - ``starts_at``, ``ends_at``: when a live TV listing or a recording
      begins and ends;
    - ``channel_title``: the TV channel it airs on (for a channel, its name
      is the ``title``).

    When one item comes twice (in two hubs, or a section synced alone next to
    the cached row), :func:`merge_items` decides what each field keeps.
    """

    key: str
    type: str
    title: Optional[str] = None
    parent_title: Optional[str] = None
    grandparent_title: Optional[str] = None
    index: Optional[int] = None
    parent_index: Optional[int] = None
    year: Optional[int] = None
    thumb: Optional[str] = None
    art: Optional[str] = None
    grandparent_thumb: Optional[str] = None
    duration: Optional[int] = None
    view_offset: Optional[int] = None
    view_count: Optional[int] = None
    last_viewed_at: Optional[datetime.datetime] = None
    added_at: Optional[datetime.datetime] = None
    summary: Optional[str] = None
    content_rating: Optional[str] = None
    release_date: Optional[datetime.date] = None
    leaf_count: Optional[int] = None
    unplayed_count: Optional[int] = None
    library_id: Optional[str] = None
    library_title: Optional[str] = None
    starts_at: Optional[datetime.datetime] = None
    ends_at: Optional[datetime.datetime] = None
    channel_title: Optional[str] = None

    def merged_with(self, other: "Item") -> "Item":
        """This item combined with another copy of it, by :func:`merge_items` (this copy first)."""
        return merge_items(self, other)


#: Item field names in declaration order (the columns the cache stores).
ITEM_FIELDS: tuple[str, ...] = tuple(Item.__dataclass_fields__)

#: Moments that only move forward: two copies keep the newest.
NEWEST_FIELDS: tuple[str, ...] = ("added_at", "last_viewed_at")
#: Counts that only grow: two copies keep the largest.
LARGEST_FIELDS: tuple[str, ...] = ("view_count",)
#: Play state that goes down as the user watches: taken together from the
#: copy with the newest ``last_viewed_at``.
PLAY_STATE_FIELDS: tuple[str, ...] = ("view_offset", "unplayed_count", "leaf_count")
#: Everything else: the first non-empty value.
FIRST_FIELDS: tuple[str, ...] = tuple(
    name for name in ITEM_FIELDS if name not in NEWEST_FIELDS + LARGEST_FIELDS + PLAY_STATE_FIELDS
)


def merge_items(first: Item, other: Item) -> Item:
    """Two copies of one item (the same key) combined into one, field by field.

    A server sends one item in several hubs, each copy as fresh as that hub:
    a show's ``added_at`` is its own in "Trending" and its newest episode's in
    "Recently Added"; a hub fetched after playback has the new position. So:

    - ``added_at`` and ``last_viewed_at`` keep the newest of the two;
    - ``view_count`` keeps the largest;
    - ``view_offset``, ``unplayed_count`` and ``leaf_count`` come together,
      as they are (``None`` included: a finished item has no position), from
      the copy with the newest ``last_viewed_at``; when neither is newer
      (equal, or neither played), each keeps the first non-empty value;
    - every other field keeps the first non-empty value (``None`` and ``""``
      are empty; ``0`` is a value).

    Returns ``first`` itself when nothing changes. Times must be aware (as
    every :class:`Item`'s are): a naive one cannot be ordered against them.
    """
    if other == first:
        return first
    changes: dict[str, object] = {}
    for name in FIRST_FIELDS:
        if _is_empty(getattr(first, name)):
            theirs = getattr(other, name)
            if not _is_empty(theirs):
                changes[name] = theirs
    for name in NEWEST_FIELDS + LARGEST_FIELDS:
        mine, theirs = getattr(first, name), getattr(other, name)
        if theirs is not None and (mine is None or theirs > mine):
            changes[name] = theirs
    seen, seen_later = first.last_viewed_at, other.last_viewed_at
    if seen_later is not None and (seen is None or seen_later > seen):
        for name in PLAY_STATE_FIELDS:
            if getattr(other, name) != getattr(first, name):
                changes[name] = getattr(other, name)
    elif seen_later == seen:
        for name in PLAY_STATE_FIELDS:
            if getattr(first, name) is None and getattr(other, name) is not None:
                changes[name] = getattr(other, name)
    return replace(first, **changes) if changes else first


def _is_empty(value: object) -> bool:
    return value is None or value == ""


@dataclass(frozen=True)
class Section:
    """One row of the home page (a Plex hub, a Jellyfin home section).

    ``hub_identifier`` is the server's own identifier, unchanged; it is the
    section's identity within a source. ``hub_key`` is the URL of the whole hub
    and ``more`` says the server holds more items than it sent.
    """

    hub_identifier: str
    title: str
    section_type: SectionType = SectionType.CUSTOM
    context: Optional[str] = None
    style: Optional[str] = None
    hub_type: Optional[str] = None
    size: Optional[int] = None
    hub_key: Optional[str] = None
    more: bool = False
    items: tuple[Item, ...] = ()


#: Section field names that the cache stores as columns (everything but items).
SECTION_FIELDS: tuple[str, ...] = tuple(n for n in Section.__dataclass_fields__ if n != "items")


@dataclass(frozen=True)
class Skipped:
    """Something a parse left out: where it was in the payload and why."""

    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


@dataclass(frozen=True)
class HomePage:
    """A whole home page: sections in display order.

    ``skipped`` lists what the parse left out and why (at most
    :data:`MAX_SKIPPED` entries; ``more_skipped`` counts the rest). Neither is
    part of the page's value, so a parsed page equals the page read back from
    the cache, and neither is in the page's JSON form.
    """

    sections: tuple[Section, ...] = ()
    skipped: tuple[Skipped, ...] = field(default=(), compare=False)
    more_skipped: int = field(default=0, compare=False)

    def __iter__(self) -> Iterator[Section]:
        return iter(self.sections)

    def __len__(self) -> int:
        return len(self.sections)

    def to_dict(self) -> dict[str, Any]:
        """The page in the common JSON form (``"format": "homesections.page/1"``), ready for ``json.dumps``.

        Times are ISO 8601 in UTC; ``skipped`` is left out. The form is
        described in :mod:`homesections.page_json`.
        """
        from .page_json import page_to_dict  # imported here: page_json builds on this module

        return page_to_dict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "HomePage":
        """The page held by ``data`` (the JSON form, as ``json.loads`` returns it).

        Unknown keys are ignored and a missing optional field is ``None``;
        anything that does not fit raises :class:`~homesections.PayloadError`
        naming the place (``sections[2].items[0].added_at``).
        """
        from .page_json import page_from_dict  # imported here: page_json builds on this module

        return page_from_dict(data)

    def section(self, hub_identifier: str) -> Optional[Section]:
        """The section with this hub identifier, or ``None``."""
        for section in self.sections:
            if section.hub_identifier == hub_identifier:
                return section
        return None

    def merged_with(self, *others: "HomePage") -> "HomePage":
        """This page followed by the sections of ``others`` it does not already have.

        A hub that comes twice is kept once (the first wins), and the later copy
        is listed in ``skipped``. Use it to join the pages of several requests.
        """
        seen = {s.hub_identifier for s in self.sections}
        sections = list(self.sections)
        skipped = list(self.skipped)
        more = self.more_skipped
        for other in others:
            skipped.extend(other.skipped)
            more += other.more_skipped
            for section in other.sections:
                if section.hub_identifier in seen:
                    skipped.append(Skipped(section.hub_identifier, "hub already on the page"))
                    continue
                seen.add(section.hub_identifier)
                sections.append(section)
        more += max(0, len(skipped) - MAX_SKIPPED)
        return HomePage(unify_items(sections), tuple(skipped[:MAX_SKIPPED]), more)


def unify_items(sections: "Iterable[Section]") -> tuple[Section, ...]:
    """Give every item key one value across the sections.

    A server may send the same item in several hubs with different fields
    (one hub omits the view offset, another the art, a third has a newer
    ``added_at``). The cache stores one row per item, so a page holds one
    value per key: the copies are combined in page order by :func:`merge_items`.
    """
    sections = tuple(sections)
    merged: dict[str, Item] = {}
    for section in sections:
        for item in section.items:
            first = merged.get(item.key)
            merged[item.key] = item if first is None else first.merged_with(item)
    return tuple(
        section
        if all(merged[i.key] is i for i in section.items)
        else replace(section, items=tuple(merged[i.key] for i in section.items))
        for section in sections
    )
