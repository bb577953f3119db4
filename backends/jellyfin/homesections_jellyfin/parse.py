"""Map Jellyfin's answers to a :class:`~homesections.HomePage`: pure, no I/O, no clock.

Jellyfin has no single "home page" endpoint: its web client builds the page
from several requests. :func:`parse_envelope` takes their answers together in
one *envelope*, a JSON object (a ``dict``, or its JSON text as ``str`` or
``bytes``) whose keys are all optional; a missing key or ``null`` means "not
fetched" and gives no row:

``views``
    ``GET /UserViews`` (a QueryResult): the user's libraries, in the user's
    order. Used to name and order the "Recently Added" rows.
``resume``
    ``GET /UserItems/Resume?mediaTypes=Video`` (a QueryResult): "Continue Watching".
``resume_audio``
    the same with ``mediaTypes=Audio``: "Continue Listening".
``resume_book``
    the same with ``mediaTypes=Book``: "Continue Reading".
``next_up``
    ``GET /Shows/NextUp`` (a QueryResult): "Next Up".
``latest``
    an object ``{"<view id>": <answer of GET /Items/Latest?parentId=<view id>>}``;
    each answer is a bare array of items. One row per library, titled
    "Recently Added in <library name>", in the order of ``views``. An entry for
    a view id that ``views`` does not hold is left out and listed in
    ``skipped``: jellyfin-web shows no such row, and it has no name to title it.
    Which libraries to ask for is the fetcher's choice (:func:`latest_rows`
    names the ones jellyfin-web shows); every entry given here is mapped.
``display_preferences``
    ``GET /DisplayPreferences/usersettings?client=emby``. Its ``CustomPrefs``
    ``homesection0`` .. ``homesection9`` order the rows, as jellyfin-web does.

Row order follows jellyfin-web's ``getAllSectionsToShow``: slot ``i`` holds
``homesection<i>``, or, when that is unset or empty, the default for slot ``i``
(:data:`DEFAULT_SECTIONS`); ``folders`` means the slot-0 default; ``none``
shows nothing. A section kind in two slots is shown once, at the first. Kinds
we hold no data for (library tiles and buttons, live TV, recordings) give no
row. A part the preferences hide is left out and listed in ``skipped``.

Responses that are QueryResults carry ``Items`` and ``TotalRecordCount``: a
row's ``size`` is ``TotalRecordCount`` when the server counted at least the
items it sent (it sends 0 or the page length when asked not to count), else the
number of items sent, and ``more`` says the server holds more than it sent.

Rows: hub identifiers are ``jellyfin.resume``, ``jellyfin.resumeaudio``,
``jellyfin.resumebook``, ``jellyfin.nextup`` and ``jellyfin.latest.<view id>``;
``context`` is the jellyfin-web section name (``resume``, ``nextup``,
``latestmedia``...); ``hub_type`` is ``mixed`` for resume rows, ``episode`` for
Next Up and the library's ``CollectionType`` (``movies``, ``tvshows``...) for a
latest row; ``hub_key`` is the endpoint that refreshes the row, without user id
or token (``/Items/Latest?parentId=<view id>``).
For one row fetched again, :func:`row_of` says which answer feeds it and
:func:`parse_row` maps that answer into the row.

Items are mapped by :mod:`homesections_jellyfin.items`: ``null`` anywhere means
absent, and an object, list or item of the wrong kind is a
:class:`~homesections.PayloadError` naming its place (``resume.Items[3].UserData``).
An item's library (``library_id``, ``library_title``) is the view of the
"Recently Added" row it comes from (the id alone when :func:`parse_row` maps
that row's answer by itself). Items of the resume and Next Up rows have none:
the only library-like field they carry, ``ParentId``, is their parent (a
season, an album, a folder), not their library.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import Any, NamedTuple, Optional

from homesections import ConfigurationError, HomePage, PayloadError, Section, SectionType
from homesections.build import MAX_IDENTIFIER_LENGTH, PageBuilder, PageLimits
from homesections.decoding import load_json
from homesections.values import integer, text

from .items import ITEM_TYPES, NO_LIBRARY, Library, as_list, as_object, parse_item, segment, wrong

__all__ = [
    "parse_envelope", "parse_row", "section_order", "latest_rows", "row_of", "Row",
    "QUERY_ROWS", "LATEST", "NO_LATEST_TYPES", "DEFAULT_SECTIONS", "ITEM_TYPES",
]

#: jellyfin-web's default home sections by slot (``types/homeSectionType.ts``,
#: matching the server's defaults). Newer releases put ``newreleases`` in slot 7;
#: it would give no row here either. Slots 8 and 9 default to nothing.
DEFAULT_SECTIONS: tuple[str, ...] = (
    "smalllibrarytiles", "resume", "resumeaudio", "resumebook",
    "livetv", "nextup", "latestmedia", "none",
)
#: jellyfin-web reads ``homesection0`` .. ``homesection9``.
HOME_SECTION_SLOTS = 10
#: The jellyfin-web section name of the "Recently Added in <library>" rows.
LATEST = "latestmedia"
_LATEST_HUB = "jellyfin.latest."
#: Library types jellyfin-web shows no "Recently Added" row for
#: (``components/homesections/sections/recentlyAdded.ts``; since 10.9 a library
#: without a type, a mixed one, gets its row, and ``folders`` does not).
NO_LATEST_TYPES = frozenset({"playlists", "livetv", "boxsets", "channels", "folders"})

#: The rows fed by one QueryResult, by jellyfin-web section name (which is also
#: the row's ``context``): (envelope key, the row without its items).
QUERY_ROWS: Mapping[str, tuple[str, Section]] = MappingProxyType({
    kind: (part, Section(hub, title, section_type, context=kind, hub_type=hub_type,
                         hub_key=hub_key))
    for kind, part, hub, title, section_type, hub_type, hub_key in (
        ("resume", "resume", "jellyfin.resume", "Continue Watching",
         SectionType.CONTINUE_WATCHING, "mixed", "/UserItems/Resume?mediaTypes=Video"),
        ("resumeaudio", "resume_audio", "jellyfin.resumeaudio", "Continue Listening",
         SectionType.CONTINUE_WATCHING, "mixed", "/UserItems/Resume?mediaTypes=Audio"),
        ("resumebook", "resume_book", "jellyfin.resumebook", "Continue Reading",
         SectionType.CONTINUE_WATCHING, "mixed", "/UserItems/Resume?mediaTypes=Book"),
        ("nextup", "next_up", "jellyfin.nextup", "Next Up",
         SectionType.NEXT_UP, "episode", "/Shows/NextUp"),
    )
})
_PARTS = {**{kind: part for kind, (part, _) in QUERY_ROWS.items()}, LATEST: "latest"}
_KINDS = {template.hub_identifier: kind for kind, (_, template) in QUERY_ROWS.items()}


class Row(NamedTuple):
    """Which answer feeds a row: its jellyfin-web section name, envelope key and library."""

    kind: str
    """``resume``, ``resumeaudio``, ``resumebook``, ``nextup`` or ``latestmedia``."""
    part: str
    """The envelope key of its answer: ``resume``, ``resume_audio``, ..., ``latest``."""
    view_id: Optional[str] = None
    """The library of a latest row."""

    @property
    def where(self) -> str:
        """The place a :class:`~homesections.PayloadError` about this row's answer names."""
        return self.part if self.view_id is None else f"{self.part}.{self.view_id}"


def row_of(hub_identifier: str) -> Row:
    """The :class:`Row` behind a hub identifier this module makes.

    Raises :class:`~homesections.ConfigurationError` for any other identifier.
    """
    kind = _KINDS.get(hub_identifier)
    if kind is not None:
        return Row(kind, _PARTS[kind])
    view_id = hub_identifier[len(_LATEST_HUB):] if hub_identifier.startswith(_LATEST_HUB) else ""
    if view_id and len(hub_identifier) <= MAX_IDENTIFIER_LENGTH:
        return Row(LATEST, _PARTS[LATEST], view_id)
    raise ConfigurationError(
        f"{hub_identifier[:80]!r} is not a Jellyfin row: the rows are "
        f"{', '.join(_KINDS)} and {_LATEST_HUB}<library id>"
    )


def parse_envelope(payload: Any, limits: Optional[PageLimits] = None) -> HomePage:
    """Map one envelope (see the module docstring) to a :class:`HomePage`.

    Raises :class:`~homesections.PayloadError` naming the place (``resume.Items[3]``)
    when a part has the wrong shape, or when the envelope holds more than
    ``limits`` allow; missing fields never raise.
    """
    envelope = _load(payload)
    views = _views(envelope.get("views"))
    builder = PageBuilder(limits)
    order = section_order(envelope.get("display_preferences"))
    for kind in order:
        if kind == LATEST:
            _add_latest(builder, envelope.get("latest"), views)
        elif kind in QUERY_ROWS:
            part, template = QUERY_ROWS[kind]
            if envelope.get(part) is not None:
                _add_query_row(builder, template, envelope[part], part)
    for kind, part in _PARTS.items():
        if kind not in order and envelope.get(part) is not None:
            builder.skip(part, f"hidden by the user's home screen settings ({kind!r} not shown)")
    return builder.build()


def section_order(display_preferences: Any = None) -> tuple[str, ...]:
    """The jellyfin-web home sections shown, in order, for a usersettings answer.

    ``None`` (no answer) gives the defaults. Each name appears once; ``none``
    and empty slots are left out.
    """
    prefs = as_object(display_preferences, "display_preferences")
    custom = as_object(prefs.get("CustomPrefs"), "display_preferences", ".CustomPrefs")
    order: list[str] = []
    for slot in range(HOME_SECTION_SLOTS):
        value = custom.get(f"homesection{slot}")
        # jellyfin-web: userSettings.get(key) || getDefaultSection(slot)
        kind = value.strip().lower() if isinstance(value, str) else ""
        if not kind:
            kind = DEFAULT_SECTIONS[slot] if slot < len(DEFAULT_SECTIONS) else ""
        if kind == "folders":
            kind = DEFAULT_SECTIONS[0]
        if kind and kind != "none" and kind not in order:
            order.append(kind)
    return tuple(order)


def latest_rows(views: Any, user: Any = None) -> tuple[Section, ...]:
    """The "Recently Added" rows jellyfin-web shows, without their items, in library order.

    ``views`` is the ``/UserViews`` answer and ``user`` the ``/Users/Me`` (or
    ``/Users/{id}``) answer: as jellyfin-web does, a library gets a row unless
    its ``CollectionType`` is one of :data:`NO_LATEST_TYPES` or the user's
    ``Configuration.LatestItemsExcludes`` lists it. Whether the user's home
    shows these rows at all is :func:`section_order`'s to say.
    """
    config = as_object(as_object(user, "user").get("Configuration"), "user", ".Configuration")
    excludes = as_list(config.get("LatestItemsExcludes"), "user.Configuration", ".LatestItemsExcludes")
    excluded = {text(view_id) for view_id in excludes}
    return tuple(
        _latest_section(view_id, view) for view_id, view in _views(views).items()
        if view_id not in excluded and text(view.get("CollectionType")) not in NO_LATEST_TYPES
    )


def parse_row(section: Section, payload: Any, limits: Optional[PageLimits] = None) -> Section:
    """``section`` with the items of one answer of the endpoint behind it.

    The answer is a QueryResult for a resume or Next Up row and ``/Items/Latest``'s
    bare array for a latest row (:func:`row_of` says which), as a value or its
    JSON text. The row keeps its identity, title and type; ``size``, ``more``
    and the items come from the answer, by the rules :func:`parse_envelope`
    applies. Raises :class:`~homesections.PayloadError` naming the place.
    """
    row = row_of(section.hub_identifier)
    payload = _decode(payload, row.where, "JSON")
    builder = PageBuilder(limits)
    if row.view_id is None:
        _add_query_row(builder, section, payload, row.where)
    else:
        # One request names the library by its id only; sync_section keeps the
        # title the cached items got from the whole page's views.
        _add_latest_row(builder, section, payload, row.where, (row.view_id, None))
    (parsed,) = builder.build().sections  # row_of accepts only identifiers a page can hold
    return parsed


# -- the envelope and its parts ------------------------------------------------


def _decode(payload: Any, where: str, expected: str) -> Any:
    """``payload``, decoded first when it is JSON text or bytes."""
    if not isinstance(payload, (str, bytes, bytearray)):
        return payload
    return load_json(payload, expected, where)


def _load(payload: Any) -> dict:
    payload = _decode(payload, "payload", "a JSON object")
    if not isinstance(payload, dict):
        raise wrong(payload, "payload", "an object")
    return payload


def _views(value: Any) -> dict[str, Mapping]:
    """View id -> view, in the order of the ``/UserViews`` answer (the first of an id wins)."""
    views: dict[str, Mapping] = {}
    if value is None:
        return views
    items, _ = _query_result(value, "views")
    for i, raw in enumerate(items):
        if not isinstance(raw, dict):
            raise wrong(raw, f"views.Items[{i}]", "an object")
        view_id = text(raw.get("Id"))
        if view_id:  # a view without an id can own no latest entry
            views.setdefault(view_id, raw)
    return views


def _query_result(value: Any, where: str) -> tuple[list, Optional[int]]:
    """The ``Items`` (missing or null: none) and ``TotalRecordCount`` of a QueryResult."""
    if not isinstance(value, dict):
        raise wrong(value, where, "an object (a QueryResult)")
    items = value.get("Items")
    if items is None:
        items = []
    elif not isinstance(items, list):
        raise wrong(items, f"{where}.Items", "a list")
    return items, integer(value.get("TotalRecordCount"))


def _add_query_row(builder: PageBuilder, template: Section, value: Any, where: str) -> None:
    items, total = _query_result(value, where)
    sent = len(items)
    size = total if total is not None and total >= sent else sent
    handle = builder.add_section(replace(template, size=size, more=size > sent), where)
    _add_items(builder, handle, items, f"{where}.Items")


def _add_latest(builder: PageBuilder, latest: Any, views: dict[str, Mapping]) -> None:
    if latest is None:
        return
    if not isinstance(latest, dict):
        raise wrong(latest, "latest", "an object of view id -> items")
    for view_id, view in views.items():
        items = latest.get(view_id)
        if items is not None:
            _add_latest_row(builder, _latest_section(view_id, view), items, f"latest.{view_id}",
                            (view_id, text(view.get("Name"))))
    for view_id, items in latest.items():
        if items is not None and view_id not in views:
            builder.skip(f"latest.{view_id}", "library not in views")


def _latest_section(view_id: str, view: Mapping) -> Section:
    name = text(view.get("Name"))
    return Section(
        hub_identifier=f"{_LATEST_HUB}{view_id}",
        title=f"Recently Added in {name}" if name else "Recently Added",
        section_type=SectionType.RECENTLY_ADDED,
        context=LATEST,
        hub_type=text(view.get("CollectionType")),
        hub_key=f"/Items/Latest?parentId={segment(view_id)}",
    )


def _add_latest_row(
    builder: PageBuilder, template: Section, items: Any, where: str, library: Library,
) -> None:
    if not isinstance(items, list):
        raise wrong(items, where, "a list (the /Items/Latest answer)")
    handle = builder.add_section(replace(template, size=len(items), more=False), where)
    _add_items(builder, handle, items, where, library)


def _add_items(builder: PageBuilder, handle: Any, items: list, where: str, library: Library = NO_LIBRARY) -> None:
    if handle is None:  # the builder left the section out (and listed it)
        return
    builder.check_room(len(items), where)  # a list past the limit is refused before it is read
    for i, raw in enumerate(items):
        place = f"{where}[{i}]"
        builder.add_item(handle, parse_item(raw, place, library), place)
