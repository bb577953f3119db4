"""Map Plex responses to the common schema: hub lists, item lists, the library list.

Pure: no I/O, no clock. :func:`parse` takes the answer of any hub-list
endpoint (``/hubs``, ``/hubs/promoted``, ``/hubs/continueWatching``,
``/hubs/sections/{id}``, ``/hubs/search``, ``/hubs/sections/{id}/manage``);
:func:`parse_items` the answer of an item list (``/hubs/home/recentlyAdded?type=2``,
``/hubs/sections/{id}/continueWatching/items``, ``/library/collections/{id}/children``);
:func:`parse_hub` either, as the ``key`` of one hub answers it; and
:func:`parse_libraries` the answer of ``/library/sections``. Each takes
a decoded ``dict``, JSON text or bytes, or the XML Plex sends by default, read
as :mod:`homesections_plex.payload` says (a document type declaration, which
Plex never sends, is refused outright).

What is read:

- hub -> :class:`~homesections.Section`: identifier from ``hubIdentifier``,
  else ``identifier`` (the manage listing), else ``key``; ``title``,
  ``context``, ``style``, ``type`` (hub_type), ``size``, ``key`` (hub_key),
  ``more``. Position is payload order; the section type is left for the
  :class:`~homesections.build.PageBuilder` to classify.
- items: JSON ``Metadata`` then ``Directory`` of each hub; XML ``Video``,
  ``Directory``, ``Track``, ``Photo``, ``Playlist`` (and ``Metadata``)
  children, in document order, each mapped by :mod:`homesections_plex.items`
  from its own attributes, the ``beginsAt``/``endsAt`` and channel of its
  first ``Media`` element and its container's library. Nothing else of
  ``Media`` is read, and never ``Part``: the server's file paths are never kept.

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
  missing item type is ``""``, ``more`` missing is ``False``. An item with no
  readable ``ratingKey`` (a Station, a search hub's genre tag) is keyed by its
  ``key`` (``key:/library/...``). A hub with no readable identifier and an
  item with neither are left out and listed in ``skipped``; so are a second
  hub with the same identifier and, in XML, a hub child element that is not
  an item. The items of a left-out hub are not read; a hub whose items were
  all left out keeps the ``size`` it was sent with. The same item twice in
  one hub is kept once.
- A hub or item entry that is not an object at all (a string in ``Hub``, a
  list in ``Metadata``) raises :class:`~homesections.PayloadError`: such a
  payload is not a hub list, and keeping the cached page is better than
  storing a guess. So does a ``Hub``/``Metadata``/``Directory`` value that
  is neither a list nor an object.

Items of an item list follow the same rules (the builder's key rules and
cleaning), and so do the items of one hub in :func:`parse_hub`.

Places in errors and in ``skipped`` read ``MediaContainer.Hub[2].Metadata[0]``
in JSON and ``MediaContainer.Hub[2].Video[0]`` in XML (numbered per element
name, as XPath does); ``payload`` means the document as a whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Optional, Sequence
from xml.etree.ElementTree import Element

from homesections import HomePage, Item, PayloadError, Section
from homesections.build import PageBuilder, PageLimits, SectionHandle
from homesections.values import boolean, integer, text

from .items import Library, first_text, library_of, parse_item
from .payload import decode, json_container, json_entries, short, xml_children, xml_root

__all__ = ["parse", "parse_items", "parse_hub", "parse_libraries", "HubItems"]

#: The JSON keys of a hub that hold items, in the order they are read.
ITEM_KEYS = ("Metadata", "Directory")

#: The XML elements that are items (a ``Video`` is a movie, episode or clip).
ITEM_TAGS = frozenset({"Video", "Directory", "Track", "Photo", "Playlist", "Metadata"})

_HUB_LIST = 'a Plex hub list ({"MediaContainer": {"Hub": [...]}} or <MediaContainer>)'
_ITEM_LIST = 'a Plex item list ({"MediaContainer": {"Metadata": [...]}} or <MediaContainer>)'
_ANY_LIST = "a Plex hub or item list (a MediaContainer)"
_LIBRARIES = 'the Plex library list ({"MediaContainer": {"Directory": [...]}})'

# The one section the items of an item list are gathered in, for the builder's rules.
_ROW = Section(hub_identifier="items", title="")


def parse(payload: Any, limits: Optional[PageLimits] = None) -> HomePage:
    """Map one Plex hub-list response to a :class:`~homesections.HomePage`.

    ``payload`` is a decoded JSON ``dict``, JSON text or bytes, or XML text
    or bytes. Anything that is not a hub list raises
    :class:`~homesections.PayloadError` naming what was expected and where,
    and so does a payload past ``limits`` (by default :class:`PageLimits`'s).
    """
    data = decode(payload, _HUB_LIST)
    return _parse_xml(data, limits) if isinstance(data, Element) else _parse_json(data, limits)


def parse_items(payload: Any, limits: Optional[PageLimits] = None) -> tuple[Item, ...]:
    """Map one Plex item-list response to its items, in order.

    The answer of a hub's ``key`` when it is a bare list
    (``MediaContainer.Metadata``/``Directory``), in any form :func:`parse`
    takes. An item without a key is left out; the same item twice is kept
    once. A hub list raises :class:`~homesections.PayloadError` (use
    :func:`parse`), as does anything else that is not an item list.
    """
    data = decode(payload, _ITEM_LIST)
    builder, handle = _row(limits)
    if isinstance(data, Element):
        root = xml_root(data)
        if root.find("Hub") is not None and not any(child.tag in ITEM_TAGS for child in root):
            raise _hub_list_error()
        _add_xml_items(builder, handle, root, "MediaContainer", library_of(root.attrib))
    else:
        container = json_container(data, _ITEM_LIST)
        if container.get("Hub") is not None and all(container.get(k) is None for k in ITEM_KEYS):
            raise _hub_list_error()
        _add_json_items(builder, handle, container, "MediaContainer", library_of(container))
    return builder.build().sections[0].items


@dataclass(frozen=True)
class HubItems:
    """One answer of a hub's ``key``: its items, and what it says about the rest of the row.

    ``sent`` counts the item entries of the answer, read or left out: the next
    page starts there. ``size`` is the answer's own ``size`` (the hub's, or the
    container's for an item list), ``total`` its ``totalSize`` (how many the
    row holds in all), ``more`` the hub's ``more`` flag; each is ``None`` when
    the answer does not say it (an item list has no ``more``).
    """

    items: tuple[Item, ...]
    sent: int
    size: Optional[int] = None
    total: Optional[int] = None
    more: Optional[bool] = None


def parse_hub(payload: Any, hub_identifier: str, limits: Optional[PageLimits] = None) -> HubItems:
    """Map the answer of one hub's ``key`` (a hub list or an item list) to its items.

    From a hub list, the hub whose identifier is ``hub_identifier`` is read,
    or the only hub when no identifier matches; several hubs and none of them
    that one raise :class:`~homesections.PayloadError`. Items follow the rules
    of :func:`parse_items`.
    """
    data = decode(payload, _ANY_LIST)
    builder, handle = _row(limits)
    if isinstance(data, Element):
        root = xml_root(data)
        hubs = root.findall("Hub")
        container: Mapping[str, Any] = root.attrib
        library = library_of(container)
        if hubs:
            n = _pick([hub.attrib for hub in hubs], hub_identifier)
            hub: Optional[Mapping[str, Any]] = hubs[n].attrib
            sent = _add_xml_items(builder, handle, hubs[n], f"MediaContainer.Hub[{n}]", library)
        else:
            hub, sent = None, _add_xml_items(builder, handle, root, "MediaContainer", library)
    else:
        container = json_container(data, _ANY_LIST)
        library = library_of(container)
        hub_entries = json_entries(container.get("Hub"), "MediaContainer.Hub")
        if hub_entries:
            n = _pick(hub_entries, hub_identifier)
            hub = hub_entries[n]
            sent = _add_json_items(builder, handle, hub, f"MediaContainer.Hub[{n}]", library)
        else:
            hub, sent = None, _add_json_items(builder, handle, container, "MediaContainer", library)
    items = builder.build().sections[0].items
    if hub is None:
        return HubItems(items, sent, integer(container.get("size")), integer(container.get("totalSize")))
    total = integer(hub.get("totalSize"))
    return HubItems(items, sent, integer(hub.get("size")), total, boolean(hub.get("more")) or False)


def parse_libraries(payload: Any) -> tuple[str, ...]:
    """The ids of the libraries a ``/library/sections`` answer lists as shown, in its order.

    A library is shown when its ``hidden`` is 0; a missing or unreadable
    ``hidden`` counts as 0. An entry whose ``key`` is not a library id (all
    digits) cannot be asked for, and is left out.
    """
    data = decode(payload, _LIBRARIES)
    if isinstance(data, Element):
        root = xml_root(data)
        entries: Sequence[Mapping[str, Any]] = [child.attrib for child in root.findall("Directory")]
    else:
        container = json_container(data, _LIBRARIES)
        entries = json_entries(container.get("Directory"), "MediaContainer.Directory")
    ids = []
    for entry in entries:
        key = text(entry.get("key"))
        if key and key.isascii() and key.isdigit() and not integer(entry.get("hidden")):
            ids.append(key)
    return tuple(ids)


def _row(limits: Optional[PageLimits]) -> tuple[PageBuilder, SectionHandle]:
    """A builder holding the one section an item list's items are gathered in."""
    builder = PageBuilder(limits)
    handle = builder.add_section(_ROW, "MediaContainer")
    assert handle is not None  # _ROW has a valid identifier
    return builder, handle


def _pick(hubs: Sequence[Mapping[str, Any]], hub_identifier: str) -> int:
    """The index of the hub with this identifier, or of the only hub."""
    for n, hub in enumerate(hubs):
        if _hub_identifier(hub) == hub_identifier:
            return n
    if len(hubs) == 1:
        return 0
    raise PayloadError(
        f"none of the {len(hubs)} hubs is {hub_identifier!r}", where="MediaContainer.Hub",
        expected=f"the hub {hub_identifier!r}, or a single hub",
    )


# -- JSON ---------------------------------------------------------------------


def _parse_json(data: Any, limits: Optional[PageLimits]) -> HomePage:
    container = json_container(data, _HUB_LIST)
    if not container.get("Hub") and any(container.get(k) is not None for k in ITEM_KEYS):
        raise _item_list_error()
    builder = PageBuilder(limits)
    library = library_of(container)
    for i, hub in enumerate(json_entries(container.get("Hub"), "MediaContainer.Hub")):
        where = f"MediaContainer.Hub[{i}]"
        handle = builder.add_section(_section(hub), where)
        if handle is not None:  # else left out and listed by the builder; its items are not read
            _add_json_items(builder, handle, hub, where, library)
    return builder.build()


def _add_json_items(
    builder: PageBuilder, handle: SectionHandle, node: Mapping[str, Any], where: str, library: Library,
) -> int:
    """Add the items of a hub or container to ``handle``; the number of entries read."""
    sent = 0
    for key in ITEM_KEYS:
        prefix = f"{where}.{key}"
        entries = json_entries(node.get(key), prefix)
        builder.check_room(len(entries), prefix)  # a list past the limit is refused before it is read
        for j, entry in enumerate(entries):
            builder.add_item(handle, parse_item(entry, _json_media(entry.get("Media")), library),
                             f"{prefix}[{j}]")
        sent += len(entries)
    return sent


def _json_media(media: Any) -> Optional[Mapping[str, Any]]:
    """The first ``Media`` object of an item (a list, or a lone object), or ``None``."""
    if isinstance(media, list):
        media = media[0] if media else None
    return media if isinstance(media, dict) else None


# -- XML ----------------------------------------------------------------------


def _parse_xml(data: Element, limits: Optional[PageLimits]) -> HomePage:
    root = xml_root(data)
    hubs = root.findall("Hub")
    if not hubs and any(child.tag in ITEM_TAGS for child in root):
        raise _item_list_error()
    builder = PageBuilder(limits)
    library = library_of(root.attrib)
    for i, hub in enumerate(hubs):
        where = f"MediaContainer.Hub[{i}]"
        handle = builder.add_section(_section(hub.attrib), where)
        if handle is not None:
            _add_xml_items(builder, handle, hub, where, library)
    return builder.build()


def _add_xml_items(
    builder: PageBuilder, handle: SectionHandle, element: Element, where: str, library: Library,
) -> int:
    """Add the item children of ``element`` to ``handle``, listing the others; the items read."""
    sent = 0
    builder.check_room(sum(1 for child in element if child.tag in ITEM_TAGS), where)
    for child_where, child in xml_children(element, where):
        if child.tag in ITEM_TAGS:
            media = child.find("Media")
            builder.add_item(handle, parse_item(child.attrib, None if media is None else media.attrib,
                                                library), child_where)
            sent += 1
        else:
            builder.skip(child_where, f"<{short(child.tag)}> is not an item element")
    return sent


# -- the mapping shared by both formats ---------------------------------------


def _section(hub: Mapping[str, Any]) -> Section:
    """A hub's fields as a section; the builder classifies it and checks its identifier."""
    get = hub.get
    return Section(
        hub_identifier=_hub_identifier(hub),
        title=text(get("title")) or "",
        context=text(get("context")),
        style=text(get("style")),
        hub_type=text(get("type")),
        size=integer(get("size")),
        hub_key=text(get("key")),
        more=boolean(get("more")) or False,
    )


def _hub_identifier(hub: Mapping[str, Any]) -> str:
    """``hubIdentifier``, else ``identifier`` (the manage listing), else ``key``; or ``""``."""
    return first_text(hub.get("hubIdentifier"), hub.get("identifier"), hub.get("key")) or ""


def _hub_list_error() -> PayloadError:
    return PayloadError(
        "the container holds hubs, not items (a hub list: read it with parse())",
        where="MediaContainer",
        expected="Metadata or Directory entries",
    )


def _item_list_error() -> PayloadError:
    return PayloadError(
        "the container holds items, not hubs (an item list such as /library/onDeck?)",
        where="MediaContainer",
        expected="Hub entries",
    )
