"""homesections: an offline-first cache of a media server's home page, as a Peewee plugin.

The public API, re-exported here; see the README for a tour.
"""

from .backend import Backend, available_backends, get_backend, register_backend
from .errors import (
    AuthError,
    BackendLoadError,
    ConnectionLostError,
    DiskFullError,
    BackendNotFoundError,
    ConfigurationError,
    FailedRequest,
    FetchError,
    HomeSectionsError,
    IncompleteFetchError,
    LockTimeoutError,
    MigrationError,
    PayloadError,
    ReadOnlyError,
    SchemaError,
    SectionError,
    SourceError,
    StoreError,
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
    "ConnectionLostError",
    "DiskFullError",
    "FailedRequest",
    "FetchError",
    "HomePage",
    "HomeSections",
    "HomeSectionsError",
    "IncompleteFetchError",
    "Item",
    "LockTimeoutError",
    "MediaItems",
    "MigrationError",
    "MigrationStatus",
    "PayloadError",
    "ReadOnlyError",
    "SchemaError",
    "Section",
    "SectionError",
    "SectionStatus",
    "SectionType",
    "Skipped",
    "SourceError",
    "StoreError",
    "SyncReport",
    "available_backends",
    "get_backend",
    "register_backend",
]
