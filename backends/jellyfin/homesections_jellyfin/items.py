"""One Jellyfin ``BaseItemDto`` as an :class:`~homesections.Item`, and the shape checks every part shares.

Pure, like :mod:`.parse`. ``Id`` -> key, ``Name`` -> title, ``Type`` -> type
(:data:`ITEM_TYPES`; missing gives ``""``), ``IndexNumber``/``ParentIndexNumber``
-> index and parent index, ``ProductionYear`` -> year, ``RunTimeTicks`` and
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

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Optional
from urllib.parse import quote

from homesections import Item, PayloadError
from homesections.values import from_iso, integer, text

__all__ = ["parse_item", "ITEM_TYPES", "TICKS_PER_MS"]

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


def parse_item(raw: Any, where: str) -> Item:
    """One BaseItemDto as an :class:`Item`; each field is read once."""
    if not isinstance(raw, dict):
        raise wrong(raw, where, "an object (a BaseItemDto)")
    get = raw.get
    key = text(get("Id")) or ""
    jellyfin_type = text(get("Type")) or ""
    item_type = ITEM_TYPES.get(jellyfin_type, jellyfin_type)
    parent_field, grandparent_field = _TITLE_FIELDS.get(item_type, _EPISODE_FIELDS)
    user_data = as_object(get("UserData"), where, ".UserData")
    image_tags = as_object(get("ImageTags"), where, ".ImageTags")
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
    tags = as_list(raw.get("BackdropImageTags"), where, ".BackdropImageTags")
    if tags:
        return _image(key, "Backdrop/0", tags[0])
    tags = as_list(raw.get("ParentBackdropImageTags"), where, ".ParentBackdropImageTags")
    if tags:
        return _image(text(raw.get("ParentBackdropItemId")), "Backdrop/0", tags[0])
    return None


def _image(item_id: Optional[str], image: str, tag: Any) -> Optional[str]:
    """``/Items/{id}/Images/{image}?tag={tag}``; no id or no tag, no image."""
    tag = text(tag)
    if not item_id or not tag:
        return None
    return f"/Items/{segment(item_id)}/Images/{image}?tag={segment(tag)}"


def segment(value: str) -> str:
    """``value`` made safe as one path segment or query value."""
    # Ids and tags are hex, so skip quote()'s cost unless a server sends something odd.
    # errors="replace": a lone surrogate (JSON can carry one) cannot be encoded.
    return value if value.isascii() and value.isalnum() else quote(value, safe="", errors="replace")


# -- shapes ------------------------------------------------------------------------


def as_object(value: Any, where: str, field: str = "") -> Mapping:
    """``value`` if it is an object, an empty mapping for null, else a PayloadError."""
    if value is None:
        return _NOTHING
    if not isinstance(value, dict):
        raise wrong(value, where + field, "an object")
    return value


def as_list(value: Any, where: str, field: str) -> list:
    """``value`` if it is a list, an empty list for null, else a PayloadError."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise wrong(value, where + field, "a list")
    return value


def wrong(value: Any, where: str, expected: str) -> PayloadError:
    """The PayloadError for ``value`` found at ``where`` instead of ``expected``."""
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
