"""The Jellyfin backend: ties the pure mapping (:mod:`.parse`) to the shared interface."""

from __future__ import annotations

from typing import Any, Optional

from homesections import Backend, HomePage

from .parse import parse_envelope

__all__ = ["JellyfinBackend"]


class JellyfinBackend(Backend):
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

    Constructible with no settings for offline parsing. ``base_url``,
    ``token`` and ``user_id`` are for fetching from a live server; the token
    never appears in the backend's repr.
    """

    name = "jellyfin"

    def __init__(
        self,
        base_url: Optional[str] = None,
        token: Optional[str] = None,
        user_id: Optional[str] = None,
    ) -> None:
        self.check_settings(base_url=base_url, token=token, user_id=user_id)
        self.base_url = base_url
        self.user_id = user_id
        self._token = token

    def parse(self, payload: Any) -> HomePage:
        """Map one envelope (see the class docstring) to a :class:`~homesections.HomePage`.

        Raises :class:`~homesections.PayloadError`, naming the place, when a
        part has the wrong shape; nothing else escapes.
        """
        return parse_envelope(payload)
