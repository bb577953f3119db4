"""One Plex item (a JSON ``Metadata``/``Directory`` entry or an item element) as an :class:`~homesections.Item`.

Pure, like :mod:`.parse`, which walks the payload and hands each item here
with the attributes of its first ``Media`` element and its container's library.

What is read, beyond the table :data:`ITEM_FIELDS` (a field with the wrong
type maps to ``None``, the rest of the item is kept):

- the key is ``ratingKey``; an item with none (a Plex Station, a ``Directory``
  child, a channel-like item) is keyed by its ``key`` as ``key:<key>``, which
  no ``ratingKey`` (all digits) can equal; a ``key`` too long for an item key
  is cut and followed by a hash of the whole, so the key stays stable and
  within :data:`~homesections.build.MAX_IDENTIFIER_LENGTH`;
- a card needs an image: ``thumb`` falls back to ``parentThumb`` (a season
  shows its show's poster, a track its album's cover) and then to
  ``composite`` (a playlist has no thumb, only its mosaic); ``art`` falls back
  to ``grandparentArt``;
- play state has the meaning :func:`homesections.values.play_state` gives it
  (Plex omits ``viewCount`` for an unplayed item: that is 0 plays);
- ``unplayed_count`` is ``leafCount - viewedLeafCount`` when Plex sends both;
- ``library_id``/``library_title`` are the item's ``librarySectionID`` and
  ``librarySectionTitle``, or its container's when the item names no other library;
- ``starts_at``/``ends_at`` (live TV and recordings) are ``beginsAt`` and
  ``endsAt`` of the item's own first ``Media`` element, and ``channel_title``
  is the item's ``channelTitle``, else that element's ``channelTitle`` or
  ``channelCallSign`` (what Plex's live TV answers carry). Nothing else of
  ``Media`` is read, and never its ``Part`` children: they hold the server's
  file paths.
"""

from __future__ import annotations

import hashlib
from typing import Any, Callable, Mapping, NamedTuple, Optional

from homesections import Item
from homesections.build import MAX_IDENTIFIER_LENGTH
from homesections.values import from_epoch, integer, iso_date, play_state, text

__all__ = ["parse_item", "key_from_path", "library_of", "first_text", "Library", "NO_LIBRARY", "ITEM_FIELDS", "KEY_PREFIX"]

#: What keys an item that has no ``ratingKey``, before its ``key``.
KEY_PREFIX = "key:"


class Library(NamedTuple):
    """The library a container names (``librarySectionID``, ``librarySectionTitle``)."""

    id: Optional[str] = None
    title: Optional[str] = None


NO_LIBRARY = Library()

#: Item fields in :class:`Item` order: the field, its Plex name, the type the
#: value normally arrives as, and the lenient converter for anything else. A
#: value of the expected type is taken as is (the builder removes NUL
#: characters), which keeps the per-item cost low; ``None`` as the type means
#: always convert (epoch seconds become datetimes). A field with no Plex name
#: is worked out from others by :func:`parse_item`.
ITEM_FIELDS: tuple[tuple[str, Optional[str], Optional[type], Optional[Callable[[Any], Any]]], ...] = (
    ("key", "ratingKey", str, text),
    ("type", "type", str, text),
    ("title", "title", str, text),
    ("parent_title", "parentTitle", str, text),
    ("grandparent_title", "grandparentTitle", str, text),
    ("index", "index", int, integer),
    ("parent_index", "parentIndex", int, integer),
    ("year", "year", int, integer),
    ("thumb", "thumb", str, text),
    ("art", "art", str, text),
    ("grandparent_thumb", "grandparentThumb", str, text),
    ("duration", "duration", int, integer),  # milliseconds, as Item wants them
    ("view_offset", "viewOffset", int, integer),  # milliseconds
    ("view_count", "viewCount", int, integer),
    ("last_viewed_at", "lastViewedAt", None, from_epoch),
    ("added_at", "addedAt", None, from_epoch),
    ("summary", "summary", str, text),
    ("content_rating", "contentRating", str, text),
    ("release_date", "originallyAvailableAt", None, iso_date),
    ("leaf_count", "leafCount", int, integer),
    ("unplayed_count", None, None, None),
    ("library_id", "librarySectionID", str, text),  # Plex's JSON sends a number
    ("library_title", "librarySectionTitle", str, text),
    ("starts_at", None, None, None),
    ("ends_at", None, None, None),
    ("channel_title", None, None, None),
)
_NAMES = [field for field, *_ in ITEM_FIELDS]
(_KEY, _TYPE, _THUMB, _ART, _OFFSET, _COUNT, _LEAVES, _UNPLAYED, _LIBRARY_ID, _LIBRARY_TITLE,
 _STARTS, _ENDS, _CHANNEL) = (_NAMES.index(n) for n in (
    "key", "type", "thumb", "art", "view_offset", "view_count", "leaf_count", "unplayed_count",
    "library_id", "library_title", "starts_at", "ends_at", "channel_title",
))
# The table's own conversions, for the fields read straight from the item.
_READ = [(name, kind, convert) for _, name, kind, convert in ITEM_FIELDS]


def parse_item(
    fields: Mapping[str, Any], media: Optional[Mapping[str, Any]] = None, library: Library = NO_LIBRARY,
) -> Item:
    """An item's own fields as an :class:`Item` (see the module docstring).

    ``media`` holds the attributes of the item's first ``Media`` element, if
    any, and ``library`` its container's library. An item with neither a
    readable ``ratingKey`` nor a ``key`` gets the key ``""``, which the
    builder leaves out and lists.
    """
    get = fields.get
    # A field with no Plex name reads the key None (no payload has one: JSON
    # keys and XML names are strings); each is set below from other fields.
    values = [
        value if value is None or type(value) is kind else convert(value)
        for name, kind, convert in _READ
        for value in (get(name),)
    ]
    if not values[_KEY]:
        values[_KEY] = key_from_path(get("key"))
    if not values[_TYPE]:
        values[_TYPE] = ""
    if not values[_THUMB]:
        values[_THUMB] = first_text(get("parentThumb"), get("composite"))
    if not values[_ART]:
        values[_ART] = first_text(get("grandparentArt"))
    values[_OFFSET], values[_COUNT] = play_state(values[_TYPE], values[_OFFSET], values[_COUNT])
    leaves = values[_LEAVES]
    watched = None if leaves is None else integer(get("viewedLeafCount"))
    values[_UNPLAYED] = leaves - watched if watched is not None and 0 <= watched <= leaves else None
    if values[_LIBRARY_ID] in (None, library.id):
        values[_LIBRARY_ID] = values[_LIBRARY_ID] or library.id
        values[_LIBRARY_TITLE] = values[_LIBRARY_TITLE] or library.title
    channel = get("channelTitle")
    if media:
        values[_STARTS] = from_epoch(media.get("beginsAt"))
        values[_ENDS] = from_epoch(media.get("endsAt"))
        values[_CHANNEL] = first_text(channel, media.get("channelTitle"), media.get("channelCallSign"))
    else:
        values[_STARTS] = values[_ENDS] = None
        values[_CHANNEL] = None if channel is None else first_text(channel)
    return Item(*values)  # positional: ITEM_FIELDS follows Item's order (a test checks)


def key_from_path(key: Any) -> str:
    """The item key of an item without a ``ratingKey``: ``key:<key>`` within the limit, or ``""``."""
    path = text(key)
    if not path:
        return ""
    derived = KEY_PREFIX + path
    if len(derived) <= MAX_IDENTIFIER_LENGTH:
        return derived
    # Too long to index: keep the start (readable) and a hash of the whole (unique, stable).
    digest = hashlib.sha256(path.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return derived[: MAX_IDENTIFIER_LENGTH - len(digest) - 1] + "#" + digest


def library_of(container: Mapping[str, Any]) -> Library:
    """The library a container's ``librarySectionID``/``librarySectionTitle`` name."""
    return Library(text(container.get("librarySectionID")), text(container.get("librarySectionTitle")))


def first_text(*values: Any) -> Optional[str]:
    """The first value that reads as non-empty text (a fallback chain)."""
    for value in values:
        if value is not None:
            found = text(value)
            if found:
                return found
    return None
