"""The HTTP side of the Jellyfin backend: the requests jellyfin-web makes, and how they travel.

Each home row has its own endpoint, asked with the parameters jellyfin-web's
``components/homesections/sections/*.ts`` send (:class:`Routes`). Every
request carries ``Authorization: MediaBrowser Token="...", Client=...,
Device=..., DeviceId=..., Version=...`` (each value percent-encoded: the
server URL-decodes them); the token never goes into a URL.

Jellyfin 10.9 moved the user id from the path into an optional ``userId=``
(jellyfin/jellyfin#11074) and kept the old routes as obsolete ones. A backend
tries the current routes first; when ``/UserViews`` answers 404 (a server
before 10.9 has no such route) it uses the older ones from then on.
"""

from __future__ import annotations

import datetime
import platform
import uuid
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from types import MappingProxyType
from typing import Any, Callable, Mapping, Optional, Sequence, Union
from urllib.parse import quote

from homesections import ConfigurationError, FetchError, HomeSectionsError, PayloadError, Section
from homesections.decoding import load_json
from homesections.http import HttpBackend, Reply, Request
from homesections.values import text

from .items import segment
from .parse import LATEST, Row, row_of

__all__ = ["JellyfinClient", "Routes", "decoded", "FIELDS", "WEB_LIMITS", "MAX_ITEMS"]

#: The item fields every row asks for beyond those Jellyfin always sends: what the
#: mapping reads (``DateCreated``) and what a card shows (the overview, the items
#: below a show or album, the poster's shape, a program's channel). Never ``Path``:
#: the server's file paths are neither fetched nor stored.
FIELDS = ",".join((
    "DateCreated", "Overview", "ChildCount", "RecursiveItemCount", "PrimaryImageAspectRatio",
    "ChannelInfo",
))

#: Items per row when ``count`` is None: jellyfin-web's own, its home rows scrolling
#: sideways as they always do (``sections/resume.ts`` 12, ``nextUp.ts`` 24,
#: ``recentlyAdded.ts`` 16, or 30 for a music library).
WEB_LIMITS: Mapping[str, int] = MappingProxyType({
    "resume": 12, "resumeaudio": 12, "resumebook": 12, "nextup": 24, LATEST: 16,
})
_MUSIC_LATEST_LIMIT = 30

#: The most items ``fetch_hub(section, all=True)`` asks for, in one request:
#: ``/Items/Latest`` has no paging, and a longer row is no "see all" view.
MAX_ITEMS = 1000

#: jellyfin-web's default ``maxDaysForNextUp``: a show not watched for longer
#: leaves Next Up. The setting lives in the browser, so the server cannot tell us.
NEXT_UP_DAYS = 365

_RESUME_MEDIA_TYPES = MappingProxyType({"resume": "Video", "resumeaudio": "Audio", "resumebook": "Book"})

try:
    VERSION = version("homesections-jellyfin")
except PackageNotFoundError:  # run from a source tree that was never installed
    VERSION = "0"

# Jellyfin names the device after this in its dashboard, and rewrites the
# device's row when it changes: a host name is stable and says which machine.
_DEVICE = platform.node() or HttpBackend.product

Result = Union[Reply, HomeSectionsError]


@dataclass(frozen=True)
class Routes:
    """Where each request goes on one generation of Jellyfin's API.

    ``legacy`` selects the routes before 10.9, which carry the user id in the
    path (and as ``userId=`` on Next Up and the display preferences), so they
    need ``user_id``. On the current routes ``user_id``, when given, goes into
    ``userId=``; without it the server takes the token's user.
    """

    legacy: bool
    user_id: Optional[str]

    def views(self) -> Request:
        """``/UserViews``: the user's libraries, in the user's order."""
        return self._per_user("/UserViews", "/Views", {}, "libraries")

    def display_preferences(self) -> Request:
        """The home screen settings jellyfin-web saves (``client=emby``)."""
        return Request("/DisplayPreferences/usersettings", {**self._user_param(), "client": "emby"},
                       what="home screen settings")

    def row(self, row: Row, limit: int, what: str) -> Request:
        """The request behind one home row, asking for ``limit`` items."""
        params: dict[str, Any] = {"fields": FIELDS, "limit": limit, "imageTypeLimit": 1,
                                  "enableImageTypes": "Primary,Backdrop,Thumb"}
        if row.kind == "nextup":
            cutoff = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=NEXT_UP_DAYS)
            return Request("/Shows/NextUp", {
                **self._user_param(), **params,
                "enableImageTypes": "Primary,Backdrop,Banner,Thumb",
                "nextUpDateCutoff": cutoff.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "enableResumable": "false",  # those are in Continue Watching already
            }, what=what)
        if row.kind == LATEST:
            return self._per_user("/Items/Latest", "/Items/Latest",
                                  {"parentId": row.view_id, **params}, what)
        return self._per_user("/UserItems/Resume", "/Items/Resume",
                              {"mediaTypes": _RESUME_MEDIA_TYPES[row.kind], **params}, what)

    def _per_user(self, path: str, legacy_path: str, params: Mapping[str, Any], what: str) -> Request:
        if self.legacy:
            return Request(f"/Users/{segment(self.user_id or '')}{legacy_path}", params, what=what)
        return Request(path, {**self._user_param(), **params}, what=what)

    def _user_param(self) -> dict[str, str]:
        return {"userId": self.user_id} if self.user_id else {}


class JellyfinClient(HttpBackend):
    """The requests of the Jellyfin backend, sent through :class:`~homesections.http.HttpBackend`.

    Knows the user (asked once per object, with the first requests) and which
    generation of routes the server has (decided once per object, from the
    first ``/UserViews`` answer). :class:`~homesections_jellyfin.JellyfinBackend`
    documents the settings.
    """

    def __init__(
        self,
        base_url: Optional[str] = None,
        token: Optional[str] = None,
        *,
        user_id: Optional[str] = None,
        device_id: Optional[str] = None,
        **settings: Any,
    ) -> None:
        self.check_settings(user_id=user_id, device_id=device_id)
        super().__init__(base_url=base_url, token=token, **settings)
        self.user_id = user_id or None
        self.device_id = device_id or uuid.uuid4().hex
        self._legacy: Optional[bool] = None  # None until the server has told
        self._user: Optional[Mapping[str, Any]] = None

    def headers(self) -> dict[str, str]:
        """Jellyfin's ``Authorization: MediaBrowser ...`` header, besides the shared ones."""
        fields = (("Token", self._token), ("Client", self.product), ("Device", _DEVICE),
                  ("DeviceId", self.device_id), ("Version", VERSION))
        value = ", ".join(f'{name}="{quote(v, safe="")}"' for name, v in fields if v)
        return {**super().headers(), "Authorization": f"MediaBrowser {value}"}

    @property
    def user(self) -> Optional[Mapping[str, Any]]:
        """The user's ``/Users/Me`` (or ``/Users/{user_id}``) answer, once a fetch has asked for it."""
        return self._user

    def get_home(self, rows: Sequence[Section]) -> list[Result]:
        """The views, the display preferences and each row's answer, asked at once, in that order.

        The user is asked with them the first time. Raises the user's error
        when that request fails; any other failure is returned in its place.
        """
        self._require_token()
        return self._probing(lambda routes: [
            routes.views(), routes.display_preferences(), *(self._row(routes, s) for s in rows)
        ])

    def get_rows(self, rows: Sequence[Section], all: bool = False) -> list[Result]:
        """Each row's answer, asked at once; ``all`` asks for up to :data:`MAX_ITEMS` items."""
        self._require_token()
        if self._legacy is None:
            self._probing(lambda routes: [routes.views()])
        return self.get_many([self._row(self._routes(), s, all) for s in rows])

    def _probing(self, build: Callable[[Routes], list[Request]]) -> list[Result]:
        """``build(routes)``'s answers; its first request, the views', tells the generation."""
        ask_user = self._user is None
        results = self.get_many(([self._user_request()] if ask_user else []) + build(self._routes()))
        if ask_user:
            self._keep_user(results.pop(0))
        if self._legacy is None:
            views = results[0]
            if isinstance(views, FetchError) and views.status == 404:
                self._legacy = True  # a server before 10.9: ask again on its routes
                return self.get_many(build(self._routes()))
            if isinstance(views, Reply):
                self._legacy = False
        return results

    def _routes(self) -> Routes:
        if self._legacy:
            # The user was asked in the batch that chose these routes.
            return Routes(True, self.user_id or text((self._user or {}).get("Id")))
        return Routes(False, self.user_id)

    def _row(self, routes: Routes, section: Section, all: bool = False) -> Request:
        row = row_of(section.hub_identifier)
        if all:
            limit = MAX_ITEMS
        elif self.count is not None:
            limit = self.count
        elif row.kind == LATEST and section.hub_type == "music":
            limit = _MUSIC_LATEST_LIMIT
        else:
            limit = WEB_LIMITS[row.kind]
        return routes.row(row, limit, section.title)

    def _user_request(self) -> Request:
        path = f"/Users/{segment(self.user_id)}" if self.user_id else "/Users/Me"
        return Request(path, what="user")

    def _keep_user(self, result: Result) -> None:
        if isinstance(result, FetchError) and result.status == 400 and not self.user_id:
            # Jellyfin answers /Users/Me with 400 for an API key, which has no user.
            raise FetchError(
                f"{result}; an API key has no user of its own: pass user_id= (or use a user's token)",
                host=result.host, path=result.path, status=result.status,
            ) from result
        user = decoded(result, "user")
        if not isinstance(user, dict) or not text(user.get("Id")):
            raise PayloadError("expected the user object, with its Id", where="user",
                               expected="an object with an Id")
        self._user = user

    def _require_token(self) -> None:
        if not self._token:
            raise ConfigurationError(
                f"{type(self).__name__} has no token: pass token= (a user's access token, "
                "or an API key with user_id=) to fetch from the server"
            )


def decoded(result: Result, where: str) -> Any:
    """The JSON value of an answer; raises the request's error, or a PayloadError naming ``where``."""
    if isinstance(result, HomeSectionsError):
        raise result
    return load_json(result.content, "JSON (is base_url the Jellyfin server's address?)", where)
