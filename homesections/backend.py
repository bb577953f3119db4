"""The backend interface and the named registry of backends.

A backend turns one kind of server's answers into a :class:`HomePage`. It is
as small as an httpx transport: a ``name``, a pure ``parse(payload)`` and, for
a live server, ``fetch_home()``.

Backends are found by name. The registry is filled lazily from the
entry-point group ``homesections.backends`` (the Plex and Jellyfin adapters
register there exactly as a third party's would) and from
:func:`register_backend`. A backend is imported only when first asked for, so a
broken plugin never breaks the others.
"""

from __future__ import annotations

import abc
import importlib
import threading
from importlib.metadata import entry_points
from typing import Any, ClassVar, Union

from .errors import BackendLoadError, BackendNotFoundError, ConfigurationError
from .page import HomePage

__all__ = [
    "Backend",
    "ENTRY_POINT_GROUP",
    "register_backend",
    "get_backend",
    "available_backends",
]

#: The entry-point group a backend distribution declares itself in.
ENTRY_POINT_GROUP = "homesections.backends"


class Backend(abc.ABC):
    """What every backend implements.

    Subclasses set ``name`` and implement :meth:`parse`. A backend must be
    constructible with no server settings, for offline parsing; a live one
    takes its server's address and credentials as keyword arguments and
    implements :meth:`fetch_home`.
    """

    #: The registry name, such as ``"plex"``.
    name: ClassVar[str] = ""

    @abc.abstractmethod
    def parse(self, payload: Any) -> HomePage:
        """Map one server answer to a :class:`HomePage`.

        Pure: no I/O, no clock. Anything the server may send either maps or
        raises :class:`homesections.PayloadError` saying what and where.
        """

    def fetch_home(self) -> HomePage:
        """Fetch the server's home page and parse it.

        Fetching from live servers is not built yet; this raises
        :class:`NotImplementedError` until a backend implements it.
        """
        raise NotImplementedError(
            f"{type(self).__name__} cannot fetch from a live server yet; "
            "fetch the payload yourself and pass it to parse()"
        )

    def __repr__(self) -> str:
        # Never the constructor's arguments: a token must not reach a log.
        return f"<{type(self).__name__} name={self.name!r}>"

    @classmethod
    def check_settings(cls, **settings: Any) -> None:
        """Raise :class:`~homesections.ConfigurationError` for a setting that is not a string or None.

        For constructors: the message names the setting, never its value,
        which may be a token.
        """
        for name, value in settings.items():
            if value is not None and not isinstance(value, str):
                raise ConfigurationError(
                    f"{cls.__name__}: {name} must be a string or None, not {type(value).__name__}"
                )


BackendTarget = Union[type[Backend], str]


class _Registry:
    """Name -> backend class, filled from entry points on first use."""

    def __init__(self) -> None:
        self._targets: dict[str, BackendTarget] = {}
        self._loaded_entry_points = False
        self._lock = threading.RLock()

    def _load_entry_points(self) -> None:
        if self._loaded_entry_points:
            return
        self._loaded_entry_points = True
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            # A name registered in code wins over an installed plugin's.
            self._targets.setdefault(ep.name, ep.value)

    def register(self, name: str, target: BackendTarget, replace: bool) -> None:
        if not isinstance(name, str) or not name:
            raise ConfigurationError(f"a backend name must be a non-empty string, got {name!r}")
        if not isinstance(target, str) and not (
            isinstance(target, type) and issubclass(target, Backend)
        ):
            raise ConfigurationError(
                f"backend {name!r} must be a Backend subclass or a 'module:Class' string, "
                f"got {target!r}"
            )
        if isinstance(target, str) and ":" not in target:
            raise ConfigurationError(
                f"backend {name!r}: {target!r} is not a 'module:Class' string"
            )
        with self._lock:
            self._load_entry_points()
            if name in self._targets and not replace:
                raise ConfigurationError(
                    f"a backend named {name!r} is already registered "
                    f"({_describe(self._targets[name])}); pass replace=True to replace it"
                )
            self._targets[name] = target

    def get(self, name: str) -> type[Backend]:
        with self._lock:
            self._load_entry_points()
            try:
                target = self._targets[name]
            except KeyError:
                available = ", ".join(sorted(self._targets)) or "none"
                raise BackendNotFoundError(
                    f"no backend named {name!r}; available: {available}"
                ) from None
            if isinstance(target, str):
                target = _import(name, target)
                self._targets[name] = target
            return target

    def names(self) -> list[str]:
        with self._lock:
            self._load_entry_points()
            return sorted(self._targets)


def _describe(target: BackendTarget) -> str:
    return target if isinstance(target, str) else f"{target.__module__}:{target.__qualname__}"


def _import(name: str, target: str) -> type[Backend]:
    module_name, _, attr = target.partition(":")
    attr = attr.partition("[")[0]  # an entry point may name extras: "pkg:Cls [http]"
    try:
        obj: Any = importlib.import_module(module_name.strip())
        for part in attr.strip().split("."):
            obj = getattr(obj, part)
    except Exception as exc:  # any failure of a plugin's import is reported as its own
        raise BackendLoadError(
            f"backend {name!r} ({target}) failed to load: {type(exc).__name__}: {exc}"
        ) from exc
    if not (isinstance(obj, type) and issubclass(obj, Backend)):
        raise BackendLoadError(
            f"backend {name!r} ({target}) is {obj!r}, not a homesections.Backend subclass"
        )
    return obj


_registry = _Registry()


def register_backend(name: str, target: BackendTarget, *, replace: bool = False) -> None:
    """Register a backend under ``name``.

    ``target`` is a :class:`Backend` subclass or a ``"module:Class"`` string,
    imported only when the backend is first asked for. Registering a name that
    is taken raises :class:`~homesections.ConfigurationError` unless
    ``replace=True``.
    """
    _registry.register(name, target, replace)


def get_backend(name: str) -> type[Backend]:
    """The backend class registered under ``name``.

    Raises :class:`~homesections.BackendNotFoundError` (listing the available
    names) for an unknown name, and :class:`~homesections.BackendLoadError`
    (naming the plugin and the cause) when its module fails to import.
    """
    return _registry.get(name)


def available_backends() -> list[str]:
    """The names of every registered backend, sorted; nothing is imported."""
    return _registry.names()
