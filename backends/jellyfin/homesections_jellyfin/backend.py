"""The Jellyfin backend: ties the requests (:mod:`.client`) to the pure mapping (:mod:`.parse`)."""

from __future__ import annotations

from typing import Any, Optional

from homesections import (
    ConfigurationError, FailedRequest, HomePage, HomeSectionsError, IncompleteFetchError,
    PayloadError, Section,
)
from homesections.build import PageLimits

from .client import JellyfinClient, decoded
from .parse import LATEST, QUERY_ROWS, Row, latest_rows, parse_envelope, parse_row, row_of, section_order

__all__ = ["JellyfinBackend"]


class JellyfinBackend(JellyfinClient):
    """A Jellyfin server's home page, as jellyfin-web builds it.

    Jellyfin answers each home row from its own endpoint, so :meth:`parse`
    takes one *envelope* holding those answers; every key is optional, and a
    missing key or ``null`` gives no row::

        {
            "views": <GET /UserViews>,                              # names and orders libraries
            "resume": <GET /UserItems/Resume?mediaTypes=Video>,     # Continue Watching
            "resume_audio": <GET /UserItems/Resume?mediaTypes=Audio>,  # Continue Listening
            "resume_book": <GET /UserItems/Resume?mediaTypes=Book>,    # Continue Reading
            "next_up": <GET /Shows/NextUp>,                         # Next Up
            "latest": {"<view id>": <GET /Items/Latest?parentId=<view id>>, ...},
            "display_preferences": <GET /DisplayPreferences/usersettings?client=emby>,
        }

    The envelope may be a ``dict`` or its JSON text (``str`` or ``bytes``).
    Rows follow the user's ``homesection0..9`` preferences, or jellyfin-web's
    defaults without them; the rules are in :mod:`homesections_jellyfin.parse`.

    Constructible with no settings for offline parsing. To fetch, pass
    ``base_url`` (a reverse proxy's path prefix, ``http://host/jellyfin``, is
    kept) and ``token``: a user's access token, or an API key together with
    ``user_id`` (an API key has no user of its own). ``device_id`` is the
    ``DeviceId`` the server sees: Jellyfin lists devices (and their sessions)
    by it, so a host should pass one stable id per installation; without it
    each backend object makes a new one, and each shows up as a new device.
    The other keywords are :class:`~homesections.http.HttpBackend`'s
    (``timeout``, ``retries``, ``max_bytes``, ``verify``, ``count``, ...).
    ``count`` is the items asked per row; ``None`` asks for what jellyfin-web
    shows (:data:`~homesections_jellyfin.client.WEB_LIMITS`). The token never
    appears in a URL, a log record, an error or the repr.

    The user (``/Users/Me``, or ``/Users/{user_id}``, for its
    ``LatestItemsExcludes``) is read once per backend object, with the first
    requests; so is the choice between the routes of Jellyfin 10.9+ and the
    older ones: make a new backend to see a change in either.
    """

    name = "jellyfin"

    def parse(self, payload: Any) -> HomePage:
        """Map one envelope (see the class docstring) to a :class:`~homesections.HomePage`.

        Raises :class:`~homesections.PayloadError`, naming the place, when a
        part has the wrong shape; nothing else escapes.
        """
        return parse_envelope(payload, self.limits)

    def fetch_home(self) -> HomePage:
        """Fetch the home page as jellyfin-web does, in two rounds of concurrent requests.

        First the user (once per backend object), the libraries, the home
        screen settings, the three resume rows and Next Up; then one
        ``/Items/Latest`` per library that gets a "Recently Added" row, when
        the settings show those rows. A failure of the user, libraries or
        settings request raises its error (:class:`~homesections.AuthError`
        for a refused token): no page can be made without them. A row whose
        request failed, or whose answer cannot be read, is left out and the
        rest raised as :class:`~homesections.IncompleteFetchError`, each
        failure claiming that row's hub; a row the settings hide costs nothing
        when it fails.
        """
        rows = [template for _, template in QUERY_ROWS.values()]
        views_result, prefs_result, *results = self.get_home(rows)
        views = decoded(views_result, "views")
        prefs = decoded(prefs_result, "display_preferences")
        shown = section_order(prefs)
        latest = latest_rows(views, self.user) if LATEST in shown else ()
        if latest:
            rows += latest
            results += self.get_rows(latest)
        envelope: dict[str, Any] = {"views": views, "display_preferences": prefs}
        fed: list[tuple[Section, Row]] = []
        failures: list[FailedRequest] = []
        for section, result in zip(rows, results):
            row = row_of(section.hub_identifier)
            try:
                value = decoded(result, row.where)
            except HomeSectionsError as exc:
                if row.kind in shown:
                    failures.append(_failed(section, exc))
                continue
            _put(envelope, row, value)
            fed.append((section, row))
        page = _parse_dropping_bad_rows(envelope, fed, failures, self.limits)
        if failures:
            raise IncompleteFetchError(page, tuple(failures))
        return page

    def fetch_hub(self, section: Section, all: bool = False) -> Section:
        """Fetch one row again from the endpoint behind it; the row keeps its identity, title and type.

        ``section`` is a row this backend made (its ``hub_identifier`` says
        which endpoint; any other raises :class:`~homesections.ConfigurationError`).
        ``all=True`` asks for up to :data:`~homesections_jellyfin.client.MAX_ITEMS`
        items in one request, for a host's "see all" view: ``/Items/Latest``
        cannot page. A failure raises its typed error.
        """
        row = row_of(section.hub_identifier)
        (result,) = self.get_rows([section], all=all)
        return parse_row(section, decoded(result, row.where), self.limits)

    def image_url(self, path: str, width: Optional[int] = None, height: Optional[int] = None) -> str:
        """The URL of an image path the mapping made (``/Items/{id}/Images/Primary?tag=...``).

        ``width`` and ``height`` become Jellyfin's ``maxWidth`` and
        ``maxHeight``: the server scales the image down to fit, keeping its
        shape. Jellyfin serves images without authentication, so the URL
        carries no token.
        """
        self.check_settings({"width": int, "height": int}, path=path, width=width, height=height)
        if not path or not path.startswith("/"):
            raise ConfigurationError(
                f"image_url takes an image path from a parsed item (/Items/...), got {path!r}"
            )
        sizes = {"maxWidth": width, "maxHeight": height}
        for name, size in sizes.items():
            if size is not None and size <= 0:
                raise ConfigurationError(f"image_url: {name} must be more than 0, got {size}")
        return self.url(path, {name: size for name, size in sizes.items() if size is not None})


def _failed(section: Section, error: HomeSectionsError) -> FailedRequest:
    return FailedRequest.for_hubs(section.title, error, section.hub_identifier)


def _put(envelope: dict[str, Any], row: Row, value: Any) -> None:
    if row.view_id is None:
        envelope[row.part] = value
    else:
        envelope.setdefault(row.part, {})[row.view_id] = value


def _parse_dropping_bad_rows(envelope: dict[str, Any], fed: list[tuple[Section, Row]],
                             failures: list[FailedRequest], limits: PageLimits) -> HomePage:
    """The envelope's page; a row whose answer raises PayloadError is dropped and listed in ``failures``.

    An error in the views or the settings (no row owns it) is raised.
    """
    while True:
        try:
            return parse_envelope(envelope, limits)
        except PayloadError as exc:
            culprit = next(((s, r) for s, r in fed if _within(exc.where, r.where)), None)
            if culprit is None:
                raise
            fed.remove(culprit)
            section, row = culprit
            if row.view_id is None:
                del envelope[row.part]
            else:
                del envelope[row.part][row.view_id]
            failures.append(_failed(section, exc))


def _within(where: str, place: str) -> bool:
    """Whether ``where`` (a PayloadError's place) lies inside the answer at ``place``."""
    return where == place or where.startswith((place + ".", place + "["))
