"""What a sync reports, and what the staleness queries return."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

__all__ = ["SyncReport", "SectionStatus"]


@dataclass(frozen=True)
class SyncReport:
    """What one sync did, so a UI can redraw only what changed.

    Each of ``added``, ``changed``, ``removed`` and ``unchanged`` holds hub
    identifiers in page order (``removed`` in the order the cache had them).
    A section is *changed* when its title, position, another field or its
    items changed. ``rows_written`` counts the rows the sync inserted, updated
    or deleted in media items (when the plugin owns them), sections and links,
    not counting the freshness stamp. ``items_left_out`` counts items the
    host's media-item store returned no id for, which were left out of their
    sections. ``kept`` holds the cached sections a refresh with
    ``keep_failed=True`` kept, marked stale, because the request that brings
    them failed; they are in none of the other four.
    """

    source_id: str
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    rows_written: int = 0
    items_left_out: int = 0
    kept: tuple[str, ...] = ()

    @property
    def has_changes(self) -> bool:
        """True when the home page looks different after this sync."""
        return bool(self.added or self.changed or self.removed)


@dataclass(frozen=True)
class SectionStatus:
    """A cached section's freshness, as the staleness queries report it."""

    source_id: str
    hub_identifier: str
    title: str
    last_updated: datetime.datetime
    is_stale: bool
