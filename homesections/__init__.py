"""homesections: an offline-first cache of a media server's home page, as a Peewee plugin.

The public API, re-exported here; see the README for a tour.
"""

from .backend import Backend, available_backends, get_backend, register_backend
from .errors import (
    BackendLoadError,
    BackendNotFoundError,
    ConfigurationError,
    HomeSectionsError,
    MigrationError,
    PayloadError,
)
from .page import HomePage, Item, Section, SectionType, Skipped

__all__ = [
    "Backend",
    "BackendLoadError",
    "BackendNotFoundError",
    "ConfigurationError",
    "HomePage",
    "HomeSectionsError",
    "Item",
    "MigrationError",
    "PayloadError",
    "Section",
    "SectionType",
    "Skipped",
    "available_backends",
    "get_backend",
    "register_backend",
]
