"""The common schema: a home page as plain, frozen data.

Every backend maps its server's answer into these classes, and the cache stores
and returns them. Nothing here touches a database or the network, so a page can
be built, compared and inspected anywhere.
"""

from __future__ import annotations

import datetime
import enum
import re
from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Iterator, Mapping, Optional

__all__ = [
    "HomePage", "Section", "Item", "Skipped", "SectionType", "ITEM_TYPES", "unify_items",
]

#: The item types every backend maps into. Anything else keeps the server's
#: own type string.
ITEM_TYPES = frozenset(
    {
        "movie", "episode", "season", "show", "clip", "artist", "album",
        "track", "photo", "playlist", "collection", "program",
    }
)


class SectionType(str, enum.Enum):
    """What kind of row a section is. A closed set: adding one is deliberate.

    The values are stable lower-case strings; they are what the cache stores.
    Use :meth:`classify` to derive one from a hub's identifier and context.
    """

    CONTINUE_WATCHING = "continue_watching"
    ON_DECK = "on_deck"
    NEXT_UP = "next_up"
    RECENTLY_ADDED = "recently_added"
    RECENTLY_RELEASED = "recently_released"
    RECENTLY_PLAYED = "recently_played"
    PLAYLISTS = "playlists"
    COLLECTION = "collection"
    GENRE = "genre"
    TOP_RATED = "top_rated"
    TRENDING = "trending"
    RECOMMENDED = "recommended"
    CUSTOM = "custom"

    def __str__(self) -> str:
        return self.value

    @classmethod
    def classify(cls, hub_identifier: str, context: Optional[str] = None) -> "SectionType":
        """Classify a hub by rule; an unknown hub is ``CUSTOM``, never an error.

        Trailing numeric parts of the identifier (library and collection ids,
        as in ``tv.ondeck.2``) are ignored, and so is case. The identifier is
        tried first, then the context (Plex sends ``hub.custom.collection``).
        """
        for text in (hub_identifier, context):
            if not text:
                continue
            words = _words(text)
            for pattern, section_type in CLASSIFICATION_RULES:
                if pattern.search(words):
                    return section_type
        return cls.CUSTOM


def _words(text: str) -> str:
    """``Custom/Collection.23`` -> ``custom.collection.23``: lower-cased, dot-separated words.

    Numeric parts (library and collection ids) stay, and are ignored all the
    same: a rule matches whole words, and no rule's word is a number.
    """
    return ".".join(p for p in re.split(r"[./:]", text.lower()) if p)


def _rule(pattern: str) -> "re.Pattern[str]":
    # A rule matches whole dot-separated words: "ondeck" must not match "nondeck".
    return re.compile(r"(?:^|\.)(?:%s)(?:\.|$)" % pattern)


#: The classification table, tried top to bottom; the first match wins.
#: A pattern is matched against the identifier's lower-cased, dot-separated
#: words; numeric parts such as ``23`` in ``home.movies.recent.23`` never match.
#:
#: ==================================================  =====================  =========================================
#: words (regular expression, whole words)             section type           examples
#: ==================================================  =====================  =========================================
#: ``continue|continuewatching|inprogress|resume|      continue_watching      home.continue, continueWatching,
#:  resumeaudio|resumebook``                                                  movie.inprogress.6, jellyfin.resume,
#:                                                                            jellyfin.resumeaudio
#: ``ondeck``                                          on_deck                home.ondeck, tv.ondeck.2
#: ``nextup``                                          next_up                jellyfin.nextup
#: ``playlists?``                                      playlists              home.playlists, recent.library.playlists
#: ``recentlyreleased|released|newest``                recently_released      movie.recentlyreleased
#: ``recentlyplayed|recentlyviewed|played|history``    recently_played        music.recent.played, home.history
#: ``recent|recentlyadded|latest|added``               recently_added         home.movies.recent.23,
#:                                                                            movie.recentlyadded.6, jellyfin.latest.x
#: ``collections?``                                    collection             custom.collection.23.4317132.4317132
#: ``genres?``                                         genre                  movie.genre.22.71
#: ``toprated|toppicks|topunwatched|top``              top_rated              movie.topunwatched
#: ``trending|popular|mostplayed|topwatched``          trending               tv.trending
#: ``recommended|recommendations|similar|related|      recommended            movie.similar, home.recommended
#:  becauseyouwatched|suggested``
#: ==================================================  =====================  =========================================
#:
#: Order matters where words overlap: ``recent.library.playlists`` ("Recent
#: Playlists") is a playlists row because ``playlists`` is tried before
#: ``recent``, and ``music.recent.played`` is recently played, not added.
CLASSIFICATION_RULES: tuple[tuple["re.Pattern[str]", SectionType], ...] = (
    (_rule(r"continue|continuewatching|inprogress|resume|resumeaudio|resumebook"), SectionType.CONTINUE_WATCHING),
    (_rule(r"ondeck"), SectionType.ON_DECK),
    (_rule(r"nextup"), SectionType.NEXT_UP),
    (_rule(r"playlists?"), SectionType.PLAYLISTS),
    (_rule(r"recentlyreleased|released|newest"), SectionType.RECENTLY_RELEASED),
    (_rule(r"recentlyplayed|recentlyviewed|played|history"), SectionType.RECENTLY_PLAYED),
    (_rule(r"recent|recentlyadded|latest|added"), SectionType.RECENTLY_ADDED),
    (_rule(r"collections?"), SectionType.COLLECTION),
    (_rule(r"genres?"), SectionType.GENRE),
    (_rule(r"toprated|toppicks|topunwatched|top"), SectionType.TOP_RATED),
    (_rule(r"trending|popular|mostplayed|topwatched"), SectionType.TRENDING),
    (
        _rule(r"recommended|recommendations|similar|related|becauseyouwatched|suggested"),
        SectionType.RECOMMENDED,
    ),
)


@dataclass(frozen=True)
class Item:
    """One card on the home page: a movie, an episode, an album, ...

    ``key`` is the server's own id for the item (Plex ``ratingKey``, Jellyfin
    ``Id``). ``type`` is one of :data:`ITEM_TYPES`, or the server's own type
    string when it is none of them. Durations are milliseconds; times are
    timezone-aware UTC datetimes. Image fields are server-relative paths.
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

    def merged_with(self, other: "Item") -> "Item":
        """This item with each empty field filled from ``other`` (first non-empty wins)."""
        if other == self:
            return self
        changes = {
            name: getattr(other, name)
            for name in ITEM_FIELDS
            if _is_empty(getattr(self, name)) and not _is_empty(getattr(other, name))
        }
        return self.__class__(**{**self.__dict__, **changes}) if changes else self


#: Item field names in declaration order (the columns the cache stores).
ITEM_FIELDS: tuple[str, ...] = tuple(Item.__dataclass_fields__)


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

    ``skipped`` lists what the parse left out and why; it is not part of the
    page's value, so a parsed page equals the page read back from the cache.
    """

    sections: tuple[Section, ...] = ()
    skipped: tuple[Skipped, ...] = field(default=(), compare=False)

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
        for other in others:
            skipped.extend(other.skipped)
            for section in other.sections:
                if section.hub_identifier in seen:
                    skipped.append(Skipped(section.hub_identifier, "hub already on the page"))
                    continue
                seen.add(section.hub_identifier)
                sections.append(section)
        return HomePage(unify_items(sections), tuple(skipped))


def unify_items(sections: "Iterable[Section]") -> tuple[Section, ...]:
    """Give every item key one value across the sections.

    A server may send the same item in several hubs with different fields
    (one hub omits the view offset, another the art). The cache stores one row
    per item, so a page holds one value per key: for each field, the first
    non-empty value in page order wins.
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
