"""Map a Plex hub-list response to a :class:`~homesections.HomePage`.

Pure: no I/O, no clock. :func:`parse` takes the answer of any hub-list
endpoint (``/hubs``, ``/hubs/promoted``, ``/hubs/continueWatching``,
``/hubs/sections/{id}``, ``/hubs/search``, ``/hubs/sections/{id}/manage``) as
a decoded ``dict``, as JSON text or bytes, or as the XML Plex sends by
default. XML is read with ``defusedxml`` and a document type declaration is
refused outright: Plex never sends one, so one is an attack (billion laughs,
external entities) or not Plex at all.

What is read:

- hub -> :class:`~homesections.Section`: identifier from ``hubIdentifier``,
  else ``identifier`` (the manage listing), else ``key``; ``title``,
  ``context``, ``style``, ``type`` (hub_type), ``size``, ``key`` (hub_key),
  ``more``. Position is payload order; the section type is left for the
  :class:`~homesections.build.PageBuilder` to classify.
- items: JSON ``Metadata`` then ``Directory`` of each hub; XML ``Video``,
  ``Directory``, ``Track``, ``Photo``, ``Playlist`` (and ``Metadata``)
  children, in document order. Only an item's own attributes are read, so
  ``Media``/``Part`` (the server's file paths) are never kept.

Rules where the server is loose (decided here, tested in test_plex_parse.py):

- ``Hub``, ``Metadata`` and ``Directory`` may be missing or ``null`` (none)
  or a single object (a list of one). A container without ``Hub`` is an
  empty page, unless it holds items itself (``/library/onDeck``, say): that
  is an item list, not a hub list, and raises, because syncing it as an
  empty page would wipe the cached one.
- A field with the wrong type maps to ``None`` and the rest of the item is
  kept: text fields take strings and numbers, integer fields take ints,
  finite floats (truncated) and numeric strings, times take epoch seconds
  (number or string), ``more`` takes booleans, ``0``/``1`` and their spellings.
- Fields the schema requires degrade instead: a missing title is ``""``, a
  missing item type is ``""``, ``more`` missing is ``False``. A hub with no
  readable identifier and an item with no readable ``ratingKey`` (a search
  hub's genre tags) are left out and listed in ``skipped``; so are a second
  hub with the same identifier and, in XML, a hub child element that is not
  an item. The items of a left-out hub are not read. The same item twice in
  one hub is kept once.
- A hub or item entry that is not an object at all (a string in ``Hub``, a
  list in ``Metadata``) raises :class:`~homesections.PayloadError`: such a
  payload is not a hub list, and keeping the cached page is better than
  storing a guess. So does a ``Hub``/``Metadata``/``Directory`` value that
  is neither a list nor an object.
- A card needs an image: ``thumb`` falls back to ``parentThumb`` (a season
  shows its show's poster, a track its album's cover) and then to
  ``composite`` (a playlist has no thumb, only its mosaic). ``art`` falls back
  to ``grandparentArt``. ``grandparentThumb`` is kept as its own field so a
  client can show an episode with its show's poster.

Places in errors and in ``skipped`` read ``MediaContainer.Hub[2].Metadata[0]``
in JSON and ``MediaContainer.Hub[2].Video[0]`` in XML (numbered per element
name, as XPath does); ``payload`` means the document as a whole.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Iterator, Mapping, Optional
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree
from homesections import HomePage, Item, PayloadError, Section
from homesections.build import PageBuilder
from homesections.values import boolean, from_epoch, integer, text

__all__ = ["parse"]

#: The JSON keys of a hub that hold items, in the order they are read.
ITEM_KEYS = ("Metadata", "Directory")

#: The XML elements that are items (a ``Video`` is a movie, episode or clip).
ITEM_TAGS = frozenset({"Video", "Directory", "Track", "Photo", "Playlist", "Metadata"})

# Bytes that may come before the first meaningful character: whitespace and
# the byte order marks of UTF-8 and UTF-16. Used only to tell XML from JSON.
_LEADING = b" \t\r\n\xef\xbb\xbf\xff\xfe"

# What defusedxml refused, in words; Plex sends none of these.
_REFUSED = {
    defusedxml.DTDForbidden: "a document type declaration (DTD)",
    defusedxml.EntitiesForbidden: "an entity declaration",
    defusedxml.ExternalReferenceForbidden: "an external reference",
}

_HUB_LIST = 'a Plex hub list ({"MediaContainer": {"Hub": [...]}} or <MediaContainer>)'


def parse(payload: Any) -> HomePage:
    """Map one Plex hub-list response to a :class:`~homesections.HomePage`.

    ``payload`` is a decoded JSON ``dict``, JSON text or bytes, or XML text
    or bytes. Anything that is not a hub list raises
    :class:`~homesections.PayloadError` naming what was expected and where.
    """
    if isinstance(payload, dict):
        return _parse_json(payload)
    if isinstance(payload, (bytes, bytearray)):
        looks_like_xml = payload.lstrip(_LEADING)[:1] == b"<"
    elif isinstance(payload, str):
        payload = payload.lstrip("\ufeff")  # json.loads refuses a BOM in text
        looks_like_xml = payload.lstrip()[:1] == "<"
    else:
        raise PayloadError(
            f"got {_kind(payload)}", where="payload", expected="a dict, JSON or XML text or bytes"
        )
    if looks_like_xml:
        return _parse_xml(_load_xml(payload))
    return _parse_json(_load_json(payload))


def _load_json(payload: str | bytes | bytearray) -> Any:
    try:
        return json.loads(payload)
    except RecursionError:
        raise PayloadError("JSON nested too deeply", where="payload", expected=_HUB_LIST) from None
    except ValueError as exc:  # also invalid UTF-8 (UnicodeDecodeError is a ValueError)
        raise PayloadError(f"not JSON: {exc}", where="payload", expected=_HUB_LIST) from None


def _load_xml(payload: str | bytes | bytearray) -> Element:
    try:
        return defusedxml.ElementTree.fromstring(payload, forbid_dtd=True)
    except defusedxml.DefusedXmlException as exc:
        refused = _REFUSED.get(type(exc), type(exc).__name__)
        raise PayloadError(f"XML refused: {refused}", where="payload", expected=_HUB_LIST) from None
    except (ParseError, ValueError, LookupError) as exc:  # LookupError: an unknown encoding
        raise PayloadError(f"not XML: {exc}", where="payload", expected=_HUB_LIST) from None


# -- JSON ---------------------------------------------------------------------


def _parse_json(data: Any) -> HomePage:
    if not isinstance(data, dict) or "MediaContainer" not in data:
        raise PayloadError(
            f"got {_kind(data)} without MediaContainer", where="payload", expected=_HUB_LIST
        )
    container = data["MediaContainer"]
    if not isinstance(container, dict):
        raise PayloadError(
            f"got {_kind(container)}", where="MediaContainer", expected="an object"
        )
    if container.get("Hub") is None and any(container.get(k) is not None for k in ITEM_KEYS):
        raise _item_list_error()
    builder = PageBuilder()
    for i, hub in enumerate(_entries(container.get("Hub"), "MediaContainer.Hub")):
        where = f"MediaContainer.Hub[{i}]"
        handle = builder.add_section(_section(hub), where)
        if handle is None:
            continue  # left out and listed by the builder; its items are not read
        for key in ITEM_KEYS:
            prefix = f"{where}.{key}"
            for j, entry in enumerate(_entries(hub.get(key), prefix)):
                builder.add_item(handle, _item(entry), f"{prefix}[{j}]")
    return builder.build()


def _entries(value: Any, where: str) -> list[dict]:
    """A JSON list of objects; ``None`` is empty and a lone object a list of one."""
    if value is None:
        return []
    if isinstance(value, dict):
        return [value]
    if not isinstance(value, list):
        raise PayloadError(f"got {_kind(value)}", where=where, expected="a list of objects")
    for i, entry in enumerate(value):
        if not isinstance(entry, dict):
            raise PayloadError(f"got {_kind(entry)}", where=f"{where}[{i}]", expected="an object")
    return value


# -- XML ----------------------------------------------------------------------


def _parse_xml(root: Element) -> HomePage:
    if root.tag != "MediaContainer":
        raise PayloadError(
            f"root element is <{_short(root.tag)}>", where="payload", expected="<MediaContainer>"
        )
    hubs = root.findall("Hub")
    if not hubs and any(child.tag in ITEM_TAGS for child in root):
        raise _item_list_error()
    builder = PageBuilder()
    for i, hub in enumerate(hubs):
        where = f"MediaContainer.Hub[{i}]"
        handle = builder.add_section(_section(hub.attrib), where)
        if handle is None:
            continue
        for child_where, child in _children(hub, where):
            if child.tag in ITEM_TAGS:
                builder.add_item(handle, _item(child.attrib), child_where)
            else:
                builder.skip(child_where, f"<{_short(child.tag)}> is not an item element")
    return builder.build()


def _children(element: Element, where: str) -> Iterator[tuple[str, Element]]:
    """Each child with its place, numbered per tag as in ``Hub[0].Video[2]``."""
    counts: dict[str, int] = {}
    for child in element:
        n = counts.get(child.tag, 0)
        counts[child.tag] = n + 1
        yield f"{where}.{_short(child.tag)}[{n}]", child


# -- the mapping shared by both formats ---------------------------------------


def _section(hub: Mapping[str, Any]) -> Section:
    """A hub's fields as a section; the builder classifies it and checks its identifier."""
    get = hub.get
    return Section(
        hub_identifier=_first_text(get("hubIdentifier"), get("identifier"), get("key")) or "",
        title=text(get("title")) or "",
        context=text(get("context")),
        style=text(get("style")),
        hub_type=text(get("type")),
        size=integer(get("size")),
        hub_key=text(get("key")),
        more=boolean(get("more")) or False,
    )


#: Item fields in :class:`Item` order: the field, its Plex name, the type the
#: value normally arrives as, and the lenient converter for anything else. A
#: value of the expected type is taken as is (the builder removes NUL
#: characters), which keeps the per-item cost low; ``None`` means always
#: convert (epoch seconds become datetimes).
ITEM_FIELDS: tuple[tuple[str, str, Optional[type], Callable[[Any], Any]], ...] = (
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
)
_NAMES = [field for field, *_ in ITEM_FIELDS]
_KEY, _TYPE, _THUMB, _ART = (_NAMES.index(n) for n in ("key", "type", "thumb", "art"))


def _item(fields: Mapping[str, Any]) -> Item:
    """An item's own fields as an :class:`Item`; an unreadable ``ratingKey`` gives ``""``."""
    get = fields.get
    values = [
        value if value is None or type(value) is kind else convert(value)
        for _, name, kind, convert in ITEM_FIELDS
        for value in (get(name),)
    ]
    if not values[_KEY]:
        values[_KEY] = ""  # the builder leaves the item out and lists it
    if not values[_TYPE]:
        values[_TYPE] = ""
    if not values[_THUMB]:
        values[_THUMB] = _first_text(get("parentThumb"), get("composite"))
    if not values[_ART]:
        values[_ART] = _first_text(get("grandparentArt"))
    return Item(*values)  # positional: ITEM_FIELDS follows Item's order (a test checks)


def _first_text(*values: Any) -> Optional[str]:
    """The first value that reads as non-empty text (a fallback chain)."""
    for value in values:
        if value is not None:
            found = text(value)
            if found:
                return found
    return None


def _item_list_error() -> PayloadError:
    return PayloadError(
        "the container holds items, not hubs (an item list such as /library/onDeck?)",
        where="MediaContainer",
        expected="Hub entries",
    )


def _short(name: str) -> str:
    """An element name cut to a length fit for a log line."""
    return name if len(name) <= 40 else name[:37] + "..."


def _kind(value: Any) -> str:
    """A short, safe description of a value's type for an error message."""
    if value is None:
        return "null"
    kinds = {dict: "an object", list: "a list", str: "a string", bool: "a boolean",
             int: "a number", float: "a number"}
    return kinds.get(type(value), f"a {type(value).__name__}")
