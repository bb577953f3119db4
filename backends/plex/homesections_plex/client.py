"""The HTTP side of the Plex backend: what it asks the server, with which headers, and how it pages.

Nothing here sends a request (:class:`homesections.http.HttpBackend` does) or
reads a payload (:mod:`homesections_plex.parse` does). These functions build
the :class:`~homesections.http.Request` objects :class:`~homesections_plex.PlexBackend`
sends, say which cached sections each home request brings, and walk a row
page by page.

The home is built the way current Plex apps build it: ``GET /hubs/continueWatching``,
then one ``GET /hubs/promoted`` per pinned library. Paging follows Plex's API
documentation: ``X-Plex-Container-Start`` and ``X-Plex-Container-Size`` go
as headers (both, or the server ignores them), and the answer's ``totalSize``
(or its ``X-Plex-Container-Total-Size`` header) says how many the row holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from importlib.metadata import version
from typing import Callable, Optional, Sequence

from homesections import ConfigurationError, Item, Section
from homesections.http import Reply, Request
from homesections.values import integer

from .parse import HubItems

__all__ = [
    "VERSION", "PAGE_SIZE", "ROW_SIZE", "LIBRARIES", "HubRequest",
    "identity_headers", "continue_watching", "promoted", "all_hubs",
    "row_request", "total_size", "first_page", "every_page", "Claims", "FetchPage",
]

#: The version servers see in ``X-Plex-Version``.
VERSION = version("homesections-plex")

#: Items per page when ``fetch_hub(all=True)`` pages through a row (python-plexapi pages by 100 too).
PAGE_SIZE = 100

#: Items asked for one row when neither ``count`` nor the cached row says more (a Plex home row's length).
ROW_SIZE = 12

#: ``GET /library/sections``: the libraries, to pin the shown ones when no ``pinned=`` is given.
LIBRARIES = Request("/library/sections", what="library list")

#: ``claims(hub_identifier, hub_key)``: whether a cached section is one a request brings.
Claims = Callable[[str, Optional[str]], bool]

# The keys Plex gives the Continue Watching hub, in the home and on its own.
_CONTINUE_KEYS = ("/hubs/continueWatching", "/hubs/home/continueWatching")


@dataclass(frozen=True)
class HubRequest:
    """A request that brings hubs of the home page, and the rule for which cached sections it brings."""

    request: Request
    claims: Claims


def identity_headers(token: Optional[str], client_identifier: str, product: str) -> dict[str, str]:
    """The ``X-Plex-*`` headers every request carries: who asks (the token, when there is one)."""
    headers = {
        "X-Plex-Client-Identifier": client_identifier,
        "X-Plex-Product": product,
        "X-Plex-Version": VERSION,
    }
    if token:
        headers["X-Plex-Token"] = token
    return headers


def continue_watching(count: Optional[int]) -> HubRequest:
    """``GET /hubs/continueWatching``: the home's first row."""
    return HubRequest(Request("/hubs/continueWatching", _count(count), what="Continue Watching"),
                      _brings_continue_watching)


def promoted(library: str, pinned: Sequence[str], count: Optional[int]) -> HubRequest:
    """``GET /hubs/promoted`` for one library, as Plex's apps ask it for each library pinned to Home.

    ``pinned`` is every pinned library, in order: Plex merges some rows (its
    "merge recently added" setting) across them and names them after the first.
    """
    params = {
        "contentDirectoryID": library,
        "pinnedContentDirectoryID": ",".join(pinned),
        "excludeContinueWatching": 1,  # the first request brought it
        **_count(count),
    }
    return HubRequest(Request("/hubs/promoted", params, what=f"library {library}"),
                      _brings_library(library))


def all_hubs(count: Optional[int]) -> HubRequest:
    """``GET /hubs``: the whole home in one answer (the older way, ``mode="legacy"``)."""
    return HubRequest(Request("/hubs", _count(count), what="hubs"), lambda _hub, _key: True)


def row_request(section: Section, start: int, size: int) -> Request:
    """``GET`` a section's ``hub_key``, asking for ``size`` items from ``start``."""
    key = section.hub_key
    if not key:
        raise ConfigurationError(
            f"section {section.hub_identifier!r} has no hub_key, so it cannot be fetched on its own; "
            "refresh the whole home page instead"
        )
    if not key.startswith("/") or key.startswith("//"):
        # A hub key is a path on this server; anything else would take the token elsewhere.
        raise ConfigurationError(
            f"section {section.hub_identifier!r}: hub_key {key[:60]!r} is not a path on the server"
        )
    page = {"X-Plex-Container-Start": str(start), "X-Plex-Container-Size": str(size)}
    what = f"hub {section.hub_identifier}" + (f" from item {start}" if start else "")
    return Request(key, headers=page, what=what)


def total_size(reply: Reply) -> Optional[int]:
    """How many items the row holds in all, as the answer's ``X-Plex-Container-Total-Size`` says."""
    return integer(reply.headers.get("X-Plex-Container-Total-Size"))


#: ``fetch(start, size)``: one page of a row, as :func:`~homesections_plex.parse.parse_hub` reads it.
FetchPage = Callable[[int, int], HubItems]


def first_page(section: Section, fetch: FetchPage, size: int) -> Section:
    """``section`` with the items of the row's first ``size``, and the server's ``size`` and ``more``."""
    page = fetch(0, size)
    sent = page.size if page.size is not None else page.sent
    return replace(section, items=page.items, size=sent, more=_has_more(page, 0, size))


def every_page(section: Section, fetch: FetchPage, max_items: int) -> Section:
    """``section`` with every item of the row, paged by :data:`PAGE_SIZE`, at most ``max_items``.

    Pages until the server's total is reached or a page brings nothing new (a
    server that ignores ``X-Plex-Container-Start`` sends the first page again).
    ``more`` is then ``False``, unless ``max_items`` cut the row short.
    """
    items: dict[str, Item] = {}
    start = 0
    while True:
        want = min(PAGE_SIZE, max_items - start)
        page = fetch(start, want)
        new = False
        for item in page.items:  # across pages as within one: the first position wins
            first = items.get(item.key)
            if first is None:
                items[item.key], new = item, True
            else:
                items[item.key] = first.merged_with(item)
        more = _has_more(page, start, want)
        start += page.sent
        if not (more and new):
            more = False  # the row's end, or a server sending the same page again
            break
        if start >= max_items:
            break  # cut short: more stays True
    # A server that ignores X-Plex-Container-Size may send more than was asked.
    kept = tuple(items.values())[:max_items]
    return replace(section, items=kept, size=len(kept), more=more or len(items) > max_items)


def _has_more(page: HubItems, start: int, asked: int) -> bool:
    """Whether the row holds items past this page: by its total, else its ``more``, else a full page."""
    if page.total is not None:
        return start + page.sent < page.total
    if page.more is not None:
        return page.more
    return page.sent >= asked


def _count(count: Optional[int]) -> dict[str, int]:
    return {} if count is None else {"count": count}


def _brings_continue_watching(hub: str, key: Optional[str]) -> bool:
    return hub == "home.continue" or (key is not None and key.startswith(_CONTINUE_KEYS))


def _brings_library(library: str) -> Claims:
    """Library ``library``'s rows: named after it (``tv.ondeck.6``) or reading its section."""
    in_key = re.compile(rf"/sections/{library}(?:[/?]|$)")

    def claims(hub: str, key: Optional[str]) -> bool:
        return _library_of(hub) == library or (key is not None and in_key.search(key) is not None)

    return claims


def _library_of(hub_identifier: str) -> Optional[str]:
    """The library a hub is named after: the first all-digit part (``custom.collection.6.254687`` -> 6)."""
    for part in hub_identifier.split("."):
        if part.isascii() and part.isdigit():
            return part
    return None
