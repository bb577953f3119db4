"""The errors homesections raises. Every one is a :class:`HomeSectionsError`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Optional

if TYPE_CHECKING:  # only for the annotations: the page schema does not import this module
    from .page import HomePage

__all__ = [
    "HomeSectionsError",
    "ConfigurationError",
    "PayloadError",
    "BackendNotFoundError",
    "BackendLoadError",
    "MigrationError",
    "SourceError",
    "SectionError",
    "StoreError",
    "SchemaError",
    "DiskFullError",
    "ConnectionLostError",
    "LockTimeoutError",
    "ReadOnlyError",
    "FetchError",
    "AuthError",
    "IncompleteFetchError",
    "FailedRequest",
]


class HomeSectionsError(Exception):
    """Base class of every error this library raises on purpose."""


class ConfigurationError(HomeSectionsError, TypeError):
    """The plugin was registered or called with something it cannot use."""


class PayloadError(HomeSectionsError, ValueError):
    """A server's payload is not what the backend expected.

    ``where`` names the place in the payload (``MediaContainer.Hub[2]``, say)
    and ``expected`` what should have been there. The cache is never touched
    by a payload that raised this.
    """

    def __init__(self, message: str, *, where: str = "payload", expected: str = "") -> None:
        self.where = where
        self.expected = expected
        super().__init__(f"{where}: {message}")


class BackendNotFoundError(HomeSectionsError, LookupError):
    """No backend is registered under that name."""


class BackendLoadError(HomeSectionsError, ImportError):
    """A registered backend could not be imported; the message says which and why."""


class MigrationError(HomeSectionsError):
    """A migration could not be applied or rolled back; nothing was changed."""


class SourceError(HomeSectionsError, LookupError):
    """A source is unknown, or already exists where a new one was asked for."""


class SectionError(HomeSectionsError, LookupError):
    """A section asked for by its hub identifier is not in the cache."""


class StoreError(HomeSectionsError):
    """The database refused or failed a read or a write; the driver's error is the ``__cause__``.

    Whatever was being written was rolled back: the cache is as it was. The
    subclasses name the usual causes; this class itself is any other
    (an integrity error, a file that is not a database, ...).
    """


class SchemaError(StoreError):
    """The plugin's tables are missing or behind this version: run ``HomeSections.migrate()``."""


class DiskFullError(StoreError):
    """The database or its disk is full; nothing of the failed write was kept.

    ``rolled_back_transaction`` says whether the database rolled back the
    host's whole transaction (SQLite may choose to): then the host's own
    writes made in it before the failure are gone too. Either way the rest of
    the host's ``atomic()`` block still runs in a transaction its rollback
    undoes, but the host should leave the block.
    """

    def __init__(self, message: str, *, rolled_back_transaction: bool = False) -> None:
        self.rolled_back_transaction = rolled_back_transaction
        super().__init__(message)


class ConnectionLostError(StoreError):
    """The connection to the database server was lost.

    Outside a transaction of the host's, the next call reconnects. Inside
    one, the transaction is gone: leave the ``atomic()`` block first.
    """


class LockTimeoutError(StoreError):
    """Another connection held the database's write lock for longer than the busy timeout."""


class ReadOnlyError(StoreError):
    """The database can only be read (a read-only file or mount, or a read-only server)."""


class FetchError(HomeSectionsError):
    """A request to a server failed: no connection, a timeout, or a status that is not an answer.

    ``host``, ``path`` and ``status`` (``None`` when no response came) say
    which request; none of them ever holds a token. Raised after the retries
    a backend was configured with, so the cache was not touched.
    """

    def __init__(
        self, message: str, *, host: str = "", path: str = "", status: Optional[int] = None
    ) -> None:
        self.host = host
        self.path = path
        self.status = status
        super().__init__(message)


class AuthError(FetchError):
    """The server refused the credentials (HTTP 401 or 403); retrying cannot help."""


@dataclass(frozen=True)
class FailedRequest:
    """One request of a home fetch that failed, and which cached sections it brings.

    ``what`` describes the request for people (``"library 6"``, ``"Next Up"``);
    ``error`` is what it raised (a :class:`FetchError` or :class:`PayloadError`);
    ``claims(hub_identifier, hub_key)`` says whether a cached section is one
    this request brings. The backend that made the request knows that rule; a
    refresh with ``keep_failed=True`` keeps the sections it claims, marked
    stale, instead of deleting them.
    """

    what: str
    error: HomeSectionsError
    claims: Callable[[str, Optional[str]], bool] = field(repr=False)

    @classmethod
    def for_hubs(cls, what: str, error: HomeSectionsError, *hubs: str) -> "FailedRequest":
        """A failed request that brings exactly these hub identifiers."""
        wanted = frozenset(hubs)
        return cls(what, error, lambda hub, _key: hub in wanted)


class IncompleteFetchError(FetchError):
    """Some requests of a home fetch failed, so the page is incomplete and was not synced.

    Syncing an incomplete page as a whole page would delete the sections the
    failed requests bring. ``page`` holds what the other requests brought and
    ``failures`` the :class:`FailedRequest` of each one that failed;
    ``HomeSections.refresh(..., keep_failed=True)`` syncs ``page`` and keeps
    the cached sections the failures claim.
    """

    def __init__(self, page: "HomePage", failures: tuple[FailedRequest, ...]) -> None:
        self.page = page
        self.failures = failures
        first = failures[0].error
        super().__init__(
            f"{len(failures)} request(s) of the home page failed "
            f"({'; '.join(f'{f.what}: {f.error}' for f in failures)}); "
            "the page is incomplete, so nothing was synced "
            "(refresh with keep_failed=True to sync the rest and keep those sections)",
            host=getattr(first, "host", ""),
            path=getattr(first, "path", ""),
            status=getattr(first, "status", None),
        )
