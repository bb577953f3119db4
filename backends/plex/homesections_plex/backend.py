"""PlexBackend: the Plex adapter, tying the pure mapping to the registry."""

from __future__ import annotations

from typing import Any, Optional

from homesections import Backend, HomePage

from .parse import parse

__all__ = ["PlexBackend"]


class PlexBackend(Backend):
    """Reads Plex Media Server hub lists.

    ``base_url`` and ``token`` are the server's address and an ``X-Plex-Token``;
    both are optional, so the backend can parse payloads offline. The token is
    kept private: it never appears in the repr, in errors or in a parsed page.
    """

    name = "plex"

    def __init__(self, base_url: Optional[str] = None, token: Optional[str] = None) -> None:
        self.check_settings(base_url=base_url, token=token)
        self.base_url = base_url
        self._token = token

    def parse(self, payload: Any) -> HomePage:
        """Map one Plex hub-list response (dict, JSON or XML) to a :class:`HomePage`.

        See :mod:`homesections_plex.parse` for the mapping and its rules.
        """
        return parse(payload)
