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
    Which libraries to ask for is the fetcher's choice (jellyfin-web leaves out
    ``playlists``, ``livetv``, ``boxsets`` and ``channels`` libraries and the
    user's ``LatestItemsExcludes``); every entry given here is mapped.
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

Items: ``Id`` -> key, ``Name`` -> title, ``Type`` -> type (:data:`ITEM_TYPES`;
missing gives ``""``), ``IndexNumber``/``ParentIndexNumber`` -> index and
parent index, ``ProductionYear`` -> year, ``RunTimeTicks`` and
``UserData.PlaybackPositionTicks`` (100 ns ticks) -> milliseconds,
``UserData.PlayCount`` -> view count, ``UserData.LastPlayedDate`` and
``DateCreated`` -> aware UTC datetimes. Parent/grandparent titles are
``SeasonName``/``SeriesName`` (a season: ``SeriesName``/-; a track:
``Album``/``AlbumArtist``; an album: ``AlbumArtist``/-). Images are server
paths, present only when the server sent a tag: thumb
``/Items/{Id}/Images/Primary?tag={ImageTags.Primary}``, art
``/Items/{Id}/Images/Backdrop/0?tag={BackdropImageTags[0]}`` or else the
inherited ``/Items/{ParentBackdropItemId}/Images/Backdrop/0?tag=...``, and
grandparent thumb ``/Items/{SeriesId}/Images/Primary?tag={SeriesPrimaryImageTag}``.
``null`` anywhere means absent; an object, list or item of the wrong kind is a
:class:`~homesections.PayloadError` naming its place (``resume.Items[3].UserData``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import Any, Optional
from urllib.parse import quote

from homesections import HomePage, Item, PayloadError, Section, SectionType
from homesections.build import PageBuilder
from homesections.values import from_iso, integer, text

__all__ = ["parse_envelope", "section_order", "DEFAULT_SECTIONS", "ITEM_TYPES"]

#: Jellyfin ``Type`` -> the shared item vocabulary; other types keep their own string.
#: Plex calls trailers, extras, home videos and music videos "clips", so
#: ``Video``, ``Trailer`` and ``MusicVideo`` map there.
ITEM_TYPES: Mapping[str, str] = MappingProxyType({
    "Movie": "movie", "Episode": "episode", "Season": "season", "Series": "show",
    "MusicAlbum": "album", "Audio": "track", "MusicArtist": "artist",
    "BoxSet": "collection", "Program": "program", "TvProgram": "program",
    "LiveTvProgram": "program", "Photo": "photo", "Playlist": "playlist",
    "Video": "clip", "Trailer": "clip", "MusicVideo": "clip",
})

#: jellyfin-web's default home sections by slot (``types/homeSectionType.ts``,
#: matching the server's defaults). Newer releases put ``newreleases`` in slot 7;
#: it would give no row here either. Slots 8 and 9 default to nothing.
DEFAULT_SECTIONS: tuple[str, ...] = (
    "smalllibrarytiles", "resume", "resumeaudio", "resumebook",
    "livetv", "nextup", "latestmedia", "none",
)
#: jellyfin-web reads ``homesection0`` .. ``homesection9``.
HOME_SECTION_SLOTS = 10
_LATEST = "latestmedia"

#: Jellyfin counts time in ticks of 100 ns.
TICKS_PER_MS = 10_000

# Where the parent and grandparent titles come from, by mapped type, so that
# they mean what they mean on Plex (a track's parent is its album, a season's
# parent is its show). Any other type reads the episode fields.
_TITLE_FIELDS: Mapping[str, tuple[str, Optional[str]]] = MappingProxyType({
    "episode": ("SeasonName", "SeriesName"),
    "season": ("SeriesName", None),
    "track": ("Album", "AlbumArtist"),
    "album": ("AlbumArtist", None),
})
_EPISODE_FIELDS = _TITLE_FIELDS["episode"]

_NOTHING: Mapping[str, Any] = MappingProxyType({})


#: The rows fed by one QueryResult, by jellyfin-web section name (which is also
#: the row's ``context``): (envelope key, the row without its items).
_QUERY_ROWS: dict[str, tuple[str, Section]] = {
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
}
_PARTS = {**{kind: part for kind, (part, _) in _QUERY_ROWS.items()}, _LATEST: "latest"}


def parse_envelope(payload: Any) -> HomePage:
    """Map one envelope (see the module docstring) to a :class:`HomePage`.

    Raises :class:`~homesections.PayloadError` naming the place (``resume.Items[3]``)
    when a part has the wrong shape; missing fields never raise.
    """
    envelope = _load(payload)
    views = _views(envelope.get("views"))
    builder = PageBuilder()
    order = section_order(envelope.get("display_preferences"))
    for kind in order:
        if kind == _LATEST:
            _add_latest(builder, envelope.get("latest"), views)
        elif kind in _QUERY_ROWS:
            _add_query_row(builder, envelope, kind)
    for kind, part in _PARTS.items():
        if kind not in order and envelope.get(part) is not None:
            builder.skip(part, f"hidden by the user's home screen settings ({kind!r} not shown)")
    return builder.build()


def section_order(display_preferences: Any = None) -> tuple[str, ...]:
    """The jellyfin-web home sections shown, in order, for a usersettings answer.

    ``None`` (no answer) gives the defaults. Each name appears once; ``none``
    and empty slots are left out.
    """
    prefs = _object(display_preferences, "display_preferences")
    custom = _object(prefs.get("CustomPrefs"), "display_preferences", ".CustomPrefs")
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


# -- the envelope and its parts ------------------------------------------------


def _load(payload: Any) -> dict:
    if isinstance(payload, (str, bytes, bytearray)):
        try:
            payload = json.loads(payload)
        except (ValueError, RecursionError) as exc:  # bad JSON, bad encoding, too deep
            raise PayloadError(
                f"not JSON text ({type(exc).__name__})", where="payload", expected="a JSON object"
            ) from None
    if not isinstance(payload, dict):
        raise _wrong(payload, "payload", "an object")
    return payload


def _views(value: Any) -> dict[str, Mapping]:
    """View id -> view, in the order of the ``/UserViews`` answer (the first of an id wins)."""
    views: dict[str, Mapping] = {}
    if value is None:
        return views
    items, _ = _query_result(value, "views")
    for i, raw in enumerate(items):
        if not isinstance(raw, dict):
            raise _wrong(raw, f"views.Items[{i}]", "an object")
        view_id = text(raw.get("Id"))
        if view_id:  # a view without an id can own no latest entry
            views.setdefault(view_id, raw)
    return views


def _query_result(value: Any, where: str) -> tuple[list, Optional[int]]:
    """The ``Items`` (missing or null: none) and ``TotalRecordCount`` of a QueryResult."""
    if not isinstance(value, dict):
        raise _wrong(value, where, "an object (a QueryResult)")
    items = value.get("Items")
    if items is None:
        items = []
    elif not isinstance(items, list):
        raise _wrong(items, f"{where}.Items", "a list")
    return items, integer(value.get("TotalRecordCount"))


def _add_query_row(builder: PageBuilder, envelope: dict, kind: str) -> None:
    part, template = _QUERY_ROWS[kind]
    value = envelope.get(part)
    if value is None:
        return
    items, total = _query_result(value, part)
    sent = len(items)
    size = total if total is not None and total >= sent else sent
    handle = builder.add_section(replace(template, size=size, more=size > sent), part)
    _add_items(builder, handle, items, f"{part}.Items")


def _add_latest(builder: PageBuilder, latest: Any, views: dict[str, Mapping]) -> None:
    if latest is None:
        return
    if not isinstance(latest, dict):
        raise _wrong(latest, "latest", "an object of view id -> items")
    for view_id, view in views.items():
        items = latest.get(view_id)
        if items is None:
            continue
        where = f"latest.{view_id}"
        if not isinstance(items, list):
            raise _wrong(items, where, "a list (the /Items/Latest answer)")
        name = text(view.get("Name"))
        section = Section(
            hub_identifier=f"jellyfin.latest.{view_id}",
            title=f"Recently Added in {name}" if name else "Recently Added",
            section_type=SectionType.RECENTLY_ADDED,
            context=_LATEST,
            hub_type=text(view.get("CollectionType")),
            size=len(items),
            hub_key=f"/Items/Latest?parentId={_segment(view_id)}",
        )
        _add_items(builder, builder.add_section(section, where), items, where)
    for view_id, items in latest.items():
        if items is not None and view_id not in views:
            builder.skip(f"latest.{view_id}", "library not in views")


def _add_items(builder: PageBuilder, handle: Any, items: list, where: str) -> None:
    if handle is None:  # the builder left the section out (and listed it)
        return
    for i, raw in enumerate(items):
        place = f"{where}[{i}]"
        builder.add_item(handle, _item(raw, place), place)


# -- one item --------------------------------------------------------------------


def _item(raw: Any, where: str) -> Item:
    """One BaseItemDto as an :class:`Item`; each field is read once."""
    if not isinstance(raw, dict):
        raise _wrong(raw, where, "an object (a BaseItemDto)")
    get = raw.get
    key = text(get("Id")) or ""
    jellyfin_type = text(get("Type")) or ""
    item_type = ITEM_TYPES.get(jellyfin_type, jellyfin_type)
    parent_field, grandparent_field = _TITLE_FIELDS.get(item_type, _EPISODE_FIELDS)
    user_data = _object(get("UserData"), where, ".UserData")
    image_tags = _object(get("ImageTags"), where, ".ImageTags")
    return Item(
        key=key,
        type=item_type,
        title=text(get("Name")),
        parent_title=text(get(parent_field)),
        grandparent_title=text(get(grandparent_field)) if grandparent_field else None,
        index=integer(get("IndexNumber")),
        parent_index=integer(get("ParentIndexNumber")),
        year=integer(get("ProductionYear")),
        thumb=_image(key, "Primary", image_tags.get("Primary")),
        art=_backdrop(raw, key, where),
        grandparent_thumb=_image(text(get("SeriesId")), "Primary", get("SeriesPrimaryImageTag")),
        duration=_ms(get("RunTimeTicks")),
        view_offset=_ms(user_data.get("PlaybackPositionTicks")),
        view_count=integer(user_data.get("PlayCount")),
        last_viewed_at=from_iso(user_data.get("LastPlayedDate")),
        added_at=from_iso(get("DateCreated")),
    )


def _ms(ticks: Any) -> Optional[int]:
    value = integer(ticks)
    return None if value is None else value // TICKS_PER_MS


def _backdrop(raw: dict, key: str, where: str) -> Optional[str]:
    """The item's first backdrop, else the one it inherits (an episode shows its series')."""
    tags = _list(raw.get("BackdropImageTags"), where, ".BackdropImageTags")
    if tags:
        return _image(key, "Backdrop/0", tags[0])
    tags = _list(raw.get("ParentBackdropImageTags"), where, ".ParentBackdropImageTags")
    if tags:
        return _image(text(raw.get("ParentBackdropItemId")), "Backdrop/0", tags[0])
    return None


def _image(item_id: Optional[str], image: str, tag: Any) -> Optional[str]:
    """``/Items/{id}/Images/{image}?tag={tag}``; no id or no tag, no image."""
    tag = text(tag)
    if not item_id or not tag:
        return None
    return f"/Items/{_segment(item_id)}/Images/{image}?tag={_segment(tag)}"


def _segment(value: str) -> str:
    # Ids and tags are hex, so skip quote()'s cost unless a server sends something odd.
    # errors="replace": a lone surrogate (JSON can carry one) cannot be encoded.
    return value if value.isascii() and value.isalnum() else quote(value, safe="", errors="replace")


# -- shapes ------------------------------------------------------------------------


def _object(value: Any, where: str, field: str = "") -> Mapping:
    """``value`` if it is an object, an empty mapping for null, else a PayloadError."""
    if value is None:
        return _NOTHING
    if not isinstance(value, dict):
        raise _wrong(value, where + field, "an object")
    return value


def _list(value: Any, where: str, field: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _wrong(value, where + field, "a list")
    return value


def _wrong(value: Any, where: str, expected: str) -> PayloadError:
    message = f"expected {expected}, got {_describe(value)}"
    return PayloadError(message, where=where, expected=expected)


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__
