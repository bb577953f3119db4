"""homesections: an offline-first cache of a media server's home page, as a Peewee plugin.

The public API, re-exported here; see the README for a tour.
"""

from .backend import Backend, available_backends, get_backend, register_backend
from .errors import (
    AuthError,
    BackendLoadError,
    BackendNotFoundError,
    ConfigurationError,
    FailedRequest,
    FetchError,
    HomeSectionsError,
    IncompleteFetchError,
    MigrationError,
    PayloadError,
    SectionError,
    SourceError,
)
from .media_items import MediaItems
from .migrations import MigrationStatus
from .page import HomePage, Item, Section, SectionType, Skipped
from .refresh import BackgroundRefresh
from .report import SectionStatus, SyncReport
from .store import SQLITE_PRAGMAS, HomeSections

__all__ = [
    "SQLITE_PRAGMAS",
    "AuthError",
    "Backend",
    "BackgroundRefresh",
    "BackendLoadError",
    "BackendNotFoundError",
    "ConfigurationError",
    "FailedRequest",
    "FetchError",
    "HomePage",
    "HomeSections",
    "HomeSectionsError",
    "IncompleteFetchError",
    "Item",
    "MediaItems",
    "MigrationError",
    "MigrationStatus",
    "PayloadError",
    "Section",
    "SectionError",
    "SectionStatus",
    "SectionType",
    "Skipped",
    "SourceError",
    "SyncReport",
    "available_backends",
    "get_backend",
    "register_backend",
]
