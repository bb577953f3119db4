"""PlexBackend: the Plex adapter, tying the pure mapping to the HTTP requests and the registry."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any, Callable, Optional, Sequence, TypeVar, Union
from urllib.parse import urlsplit

from homesections import ConfigurationError, HomePage, HomeSectionsError, Item, PayloadError, Section
from homesections.errors import FailedRequest, IncompleteFetchError
from homesections.http import HttpBackend, Reply

from .client import (
    LIBRARIES, ROW_SIZE, FetchPage, HubRequest, all_hubs, continue_watching, every_page,
    first_page, identity_headers, promoted, row_request, total_size,
)
from .parse import HubItems, parse, parse_hub, parse_items, parse_libraries

__all__ = ["PlexBackend"]

#: The ways :meth:`PlexBackend.fetch_home` builds the home.
MODES = ("home", "legacy")

_Read = TypeVar("_Read")


class PlexBackend(HttpBackend):
    """A Plex Media Server's home page: fetched live, or parsed from payloads you already have.

    Constructible with no arguments, to :meth:`parse` offline. To fetch, pass
    ``base_url`` (``http://192.168.1.20:32400``) and ``token`` (an
    ``X-Plex-Token``); the token travels in a header only and never appears
    in a URL, a repr, an error or a parsed page (:meth:`image_url` aside).
    Every setting of :class:`~homesections.http.HttpBackend` (``timeout``,
    ``retries``, ``max_bytes``, ``verify``, ``count``, ``transport``...) is
    taken as a keyword too.

    ``client_identifier`` is the ``X-Plex-Client-Identifier`` every request
    carries. Plex lists each identifier it sees as a device in the account's
    Authorized Devices, so a host should pass one stable id of its own (made
    once, stored with its settings); without one, each backend object makes a
    new UUID, and every start of the host adds a device there.

    ``mode="home"`` (the default) builds the home the way current Plex apps
    do (see :meth:`fetch_home`); ``mode="legacy"`` asks the single ``GET /hubs``.
    ``pinned`` lists the library ids pinned to Home, in order (``[6, 2]``).
    Pins are kept by Plex's apps, not by the server, so the server cannot tell
    them; without ``pinned``, the libraries ``GET /library/sections`` lists
    with ``hidden`` 0 (a missing ``hidden`` counts as 0) are pinned, in the
    server's order. ``max_items`` (default 1,000) bounds a row read whole by
    ``fetch_hub(section, all=True)``.
    """

    name = "plex"

    def __init__(
        self,
        base_url: Optional[str] = None,
        token: Optional[str] = None,
        *,
        client_identifier: Optional[str] = None,
        mode: str = "home",
        pinned: Optional[Sequence[Union[str, int]]] = None,
        max_items: int = 1000,
        **settings: Any,
    ) -> None:
        self.check_settings({"max_items": int}, client_identifier=client_identifier, mode=mode,
                            max_items=max_items)
        if mode not in MODES:
            raise ConfigurationError(f"PlexBackend: mode must be 'home' or 'legacy', not {mode!r}")
        if pinned is not None and mode != "home":
            raise ConfigurationError("PlexBackend: pinned applies to mode='home' only")
        if max_items is None or max_items < 1:
            raise ConfigurationError("PlexBackend: max_items must be 1 or more")
        if client_identifier == "":
            raise ConfigurationError(
                "PlexBackend: client_identifier must not be empty (pass None to make one)"
            )
        super().__init__(base_url=base_url, token=token, **settings)
        self.mode = mode
        self.pinned = _pinned(pinned)
        self.max_items = max_items
        self.client_identifier = client_identifier or str(uuid.uuid4())

    def headers(self) -> dict[str, str]:
        """``Accept: application/json`` and the ``X-Plex-*`` identity and token headers."""
        return {**super().headers(), **identity_headers(self._token, self.client_identifier, self.product)}

    # -- the pure mapping ----------------------------------------------------

    def parse(self, payload: Any) -> HomePage:
        """Map one Plex hub-list response (dict, JSON or XML) to a :class:`HomePage`.

        See :mod:`homesections_plex.parse` for the mapping and its rules.
        """
        return parse(payload, self.limits)

    def parse_items(self, payload: Any) -> tuple[Item, ...]:
        """Map one Plex item-list response (``MediaContainer.Metadata``) to its items.

        See :func:`homesections_plex.parse.parse_items`.
        """
        return parse_items(payload, self.limits)

    # -- the live server -----------------------------------------------------

    def fetch_home(self) -> HomePage:
        """Fetch the home page from the server and parse it.

        ``mode="home"``: ``GET /hubs/continueWatching`` (with ``GET
        /library/sections`` when no ``pinned`` is given, at the same time),
        then, all at once, one ``GET /hubs/promoted`` per pinned library.
        The pages are merged in that order, and a hub that comes twice is kept
        once, at its first position. ``mode="legacy"``: ``GET /hubs`` alone.
        Some rows (``movie.genre.<lib>.<genre>``, ``movie.by.actor.or.director``)
        are picked anew by the server on every request.

        A failed library list raises its error, and so does a fetch whose every
        request failed. When only some failed,
        :class:`~homesections.errors.IncompleteFetchError` carries the page the
        others brought, and for each failure which cached sections it brings.
        An answer :meth:`parse` refuses counts as a failed request.
        """
        if self.mode == "legacy":
            return self._home([all_hubs(self.count)])
        first = continue_watching(self.count)
        if self.pinned is not None:
            return self._home([first, *self._promoted(self.pinned)])
        watching, libraries = self.get_many([first.request, LIBRARIES])
        if isinstance(libraries, HomeSectionsError):
            raise libraries  # without the libraries nothing else can be asked
        rest = self._promoted(self._parsed(libraries, parse_libraries))
        return self._assemble([first, *rest], [watching, *self.get_many([r.request for r in rest])])

    def fetch_hub(self, section: Section, all: bool = False) -> Section:
        """Fetch one row again through its ``hub_key`` and return it with its current items.

        The answer may be a hub list (the hub with the section's identifier is
        read, or the only one) or a bare item list. The section keeps its
        identity and fields and takes the new items, and the ``size`` and
        ``more`` the answer says (``size`` counts the items the server sent,
        as a hub's own ``size`` does).

        ``all=False`` asks for one row's worth, so the cached row stays the
        server's row: ``count`` items when the backend has a ``count``, else as
        many as the cached row holds, and at least 12 (a row that held 3 may
        hold 5 now). ``all=True`` pages through the row (``X-Plex-Container-Start``
        / ``-Size``) until the server's total is reached or ``max_items`` items
        were read; ``more`` is then ``False`` unless ``max_items`` cut it.

        A section without a ``hub_key``, or whose ``hub_key`` is not a path on
        the server, raises :class:`~homesections.ConfigurationError` before any request.
        """
        fetch = self._pages(section)
        if all:
            return every_page(section, fetch, self.max_items)
        return first_page(section, fetch, self.count or max(len(section.items), ROW_SIZE))

    def image_url(self, path: str, width: Optional[int] = None, height: Optional[int] = None) -> str:
        """A URL a host can load the image at ``path`` (an item's ``thumb``, say) from.

        It carries the token as ``X-Plex-Token`` (an image loader cannot send
        headers): make it when the image is loaded, and never store or log it.
        With a size, the server scales the image (``/photo/:/transcode``) to
        cover ``width`` x ``height``, keeping its proportions; given one of
        the two, the box is square. An image elsewhere than on the server (an
        ``https://`` path) is returned unchanged, without the token, when no
        size is asked.
        """
        self.check_settings({"width": int, "height": int}, path=path, width=width, height=height)
        if not path:
            raise ConfigurationError("PlexBackend.image_url: path is empty (pass an item's thumb or art)")
        for side in (width, height):
            if side is not None and side < 1:
                raise ConfigurationError("PlexBackend.image_url: width and height must be 1 or more")
        token = {"X-Plex-Token": self._token} if self._token else {}
        if width is None and height is None:
            if urlsplit(path).scheme:
                return path  # never hand the token to another host
            return self.url(path, token)
        box = {"width": width or height, "height": height or width, "minSize": 1, "upscale": 1}
        return self.url("/photo/:/transcode", {**box, "url": path, **token})

    # -- helpers ---------------------------------------------------------------

    def _promoted(self, pinned: Sequence[str]) -> list[HubRequest]:
        return [promoted(library, pinned, self.count) for library in pinned]

    def _home(self, requests: list[HubRequest]) -> HomePage:
        return self._assemble(requests, self.get_many([r.request for r in requests]))

    def _assemble(self, requests: list[HubRequest], replies: list[Union[Reply, HomeSectionsError]]) -> HomePage:
        """The pages of the replies merged in order; all or nothing (see :meth:`fetch_home`)."""
        pages: list[HomePage] = []
        failures: list[FailedRequest] = []
        for hub_request, reply in zip(requests, replies):
            try:
                if isinstance(reply, HomeSectionsError):
                    raise reply
                pages.append(self._parsed(reply, self.parse))
            except HomeSectionsError as error:
                failures.append(FailedRequest(hub_request.request.what, error, hub_request.claims))
        if not pages:
            raise failures[0].error
        # merged_with() of one page would only unify its items again.
        page = pages[0].merged_with(*pages[1:]) if len(pages) > 1 else pages[0]
        if failures:
            raise IncompleteFetchError(page, tuple(failures))
        return page

    def _pages(self, section: Section) -> FetchPage:
        """``fetch(start, size)`` for ``section``'s row."""
        def fetch(start: int, size: int) -> HubItems:
            request = row_request(section, start, size)
            reply = self.get(request.path, request.params, headers=request.headers, what=request.what)
            page = self._parsed(
                reply, lambda content: parse_hub(content, section.hub_identifier, self.limits))
            return page if page.total is not None else replace(page, total=total_size(reply))
        return fetch

    def _parsed(self, reply: Reply, read: Callable[[bytes], _Read]) -> _Read:
        """``read(reply.content)``; a payload error names the request it came from."""
        try:
            return read(reply.content)
        except PayloadError as exc:
            raise PayloadError(str(exc), where=f"GET {reply.url}", expected=exc.expected) from exc


def _pinned(pinned: Optional[Sequence[Union[str, int]]]) -> Optional[tuple[str, ...]]:
    """``pinned`` as library id strings, in order; refused unless it is a list of ids."""
    if pinned is None:
        return None
    if isinstance(pinned, (str, bytes)) or not isinstance(pinned, Sequence):
        raise ConfigurationError(
            f"PlexBackend: pinned must be a list of library ids such as [6, 2], "
            f"not {type(pinned).__name__}"
        )
    ids: list[str] = []
    for n, library in enumerate(pinned):
        value = str(library) if isinstance(library, (str, int)) and not isinstance(library, bool) else ""
        if not (value.isascii() and value.isdigit()):
            raise ConfigurationError(
                f"PlexBackend: pinned[{n}] is not a library id (a number such as 6 or '6'): {library!r:.40}"
            )
        if value in ids:
            raise ConfigurationError(f"PlexBackend: pinned lists library {value} twice")
        ids.append(value)
    return tuple(ids)
