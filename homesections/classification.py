"""SectionType: what kind of row a section is, and the rules that classify a hub.

Plain data like :mod:`homesections.page`, which re-exports :class:`SectionType`:
no database, no network.
"""

from __future__ import annotations

import enum
import re
from typing import Optional

__all__ = ["SectionType", "CLASSIFICATION_RULES"]


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
        Only the first :data:`CLASSIFIED_PREFIX` characters of each are read,
        so a server's giant string costs no more than a real one.
        """
        for text in (hub_identifier, context):
            if not text:
                continue
            words = _words(text[:CLASSIFIED_PREFIX])
            for pattern, section_type in CLASSIFICATION_RULES:
                if pattern.search(words):
                    return section_type
        return cls.CUSTOM


#: How much of an identifier or context classification reads; real ones are tens of characters.
CLASSIFIED_PREFIX = 256


def _words(text: str) -> str:
    """``Custom/Collection.23`` -> ``custom.collection.23``: lower-cased, dot-separated words.

    Dots, slashes, colons and tildes separate words (Plex sends contexts such as
    ``hub.custom.collection~68``). Numeric parts (library and collection ids)
    stay, and are ignored all the same: a rule matches whole words, and no
    rule's word is a number.
    """
    return ".".join(p for p in re.split(r"[./:~]", text.lower()) if p)


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
#: ``recentlyreleased|released|newest|recentlyaired``  recently_released      movie.recentlyreleased, tv.recentlyaired
#: ``recentlyplayed|recentlyviewed|played|history``    recently_played        music.recent.played, home.history
#: ``recent|recentlyadded|latest|added``               recently_added         home.movies.recent.23,
#:                                                                            movie.recentlyadded.6, jellyfin.latest.x
#: ``collections?``                                    collection             custom.collection.23.4317132.4317132
#: ``genres?|moreingenre``                             genre                  movie.genre.22.71, tv.moreingenre
#: ``toprated|toppicks|topunwatched|top``              top_rated              movie.topunwatched
#: ``trending|popular|mostplayed|topwatched``          trending               tv.trending
#: ``recommended|recommendations|similar|related|      recommended            movie.similar, home.recommended,
#:  becauseyouwatched|suggested|startwatching|                                tv.startwatching, tv.rediscover,
#:  rediscover|curated|morefromnetwork|unwatched|                             movie.curated, tv.morefromnetwork,
#:  by\.actor\.or\.director|movie\.(?:actor|director)``                       video.unwatched.random, movie.actor,
#:                                                                            movie.director, movie.by.actor.or.director
#: ==================================================  =====================  =========================================
#:
#: Order matters where words overlap: ``recent.library.playlists`` ("Recent
#: Playlists") is a playlists row because ``playlists`` is tried before
#: ``recent``, and ``music.recent.played`` is recently played, not added.
#: A row the server makes itself gets the type that says what the row is:
#: Plex's spotlights on a person, a network or a season (``movie.actor``,
#: ``tv.morefromnetwork``, ``movie.curated``) and its "Start Watching",
#: "Rediscover" and unwatched picks are suggestions, so ``recommended``;
#: ``unwatched`` is a whole word, so ``movie.topunwatched`` stays top rated.
#: ``actor`` and ``director`` alone are Plex's search hubs (``custom``).
#: ``custom`` is for rows a person made that say nothing of what they hold,
#: and for rows no type fits. tests/test_classification.py holds the real
#: identifiers this table is checked against, with where each was seen.
CLASSIFICATION_RULES: tuple[tuple["re.Pattern[str]", SectionType], ...] = (
    (_rule(r"continue|continuewatching|inprogress|resume|resumeaudio|resumebook"), SectionType.CONTINUE_WATCHING),
    (_rule(r"ondeck"), SectionType.ON_DECK),
    (_rule(r"nextup"), SectionType.NEXT_UP),
    (_rule(r"playlists?"), SectionType.PLAYLISTS),
    (_rule(r"recentlyreleased|released|newest|recentlyaired"), SectionType.RECENTLY_RELEASED),
    (_rule(r"recentlyplayed|recentlyviewed|played|history"), SectionType.RECENTLY_PLAYED),
    (_rule(r"recent|recentlyadded|latest|added"), SectionType.RECENTLY_ADDED),
    (_rule(r"collections?"), SectionType.COLLECTION),
    (_rule(r"genres?|moreingenre"), SectionType.GENRE),
    (_rule(r"toprated|toppicks|topunwatched|top"), SectionType.TOP_RATED),
    (_rule(r"trending|popular|mostplayed|topwatched"), SectionType.TRENDING),
    (
        _rule(r"recommended|recommendations|similar|related|becauseyouwatched|suggested"
              r"|startwatching|rediscover|curated|morefromnetwork|unwatched"
              r"|by\.actor\.or\.director|movie\.(?:actor|director)"),
        SectionType.RECOMMENDED,
    ),
)
