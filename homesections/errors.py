"""The errors homesections raises. Every one is a :class:`HomeSectionsError`."""

from __future__ import annotations

__all__ = [
    "HomeSectionsError",
    "ConfigurationError",
    "PayloadError",
    "BackendNotFoundError",
    "BackendLoadError",
    "MigrationError",
    "SourceError",
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
