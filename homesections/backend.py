"""The backend interface and the named registry of backends.

A backend turns one kind of server's answers into a :class:`HomePage`. It is
as small as an httpx transport: a ``name``, a pure ``parse(payload)`` and, for
a live server, ``fetch_home()`` (with ``fetch_hub()``, ``image_url()`` and
``close()`` where it can).

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
from typing import Any, ClassVar, Mapping, Optional, Union

from .errors import BackendLoadError, BackendNotFoundError, ConfigurationError
from .build import PageLimits
from .page import HomePage, Section

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
    implements :meth:`fetch_home` (and, where the server can answer for one
    row, :meth:`fetch_hub` and :meth:`image_url`). Backends that talk HTTP
    build on :class:`homesections.http.HttpBackend`, which does the requests.

    A backend is a context manager: leaving a ``with`` block calls :meth:`close`.
    """

    #: The registry name, such as ``"plex"``.
    name: ClassVar[str] = ""

    #: How much one payload may hold (:class:`homesections.build.PageLimits`);
    #: a live backend takes it as the ``limits=`` setting.
    limits: PageLimits = PageLimits()

    @abc.abstractmethod
    def parse(self, payload: Any) -> HomePage:
        """Map one server answer to a :class:`HomePage`.

        Pure: no I/O, no clock. Anything the server may send either maps or
        raises :class:`homesections.PayloadError` saying what and where.
        """

    def fetch_home(self) -> HomePage:
        """Fetch the server's whole home page and parse it.

        All or nothing: when one of several requests fails, raise
        :class:`~homesections.IncompleteFetchError` (carrying what the others
        brought) rather than return a page that lacks that request's sections.
        """
        raise NotImplementedError(self._offline("fetch_home"))

    def fetch_hub(self, section: Section, all: bool = False) -> Section:
        """Fetch one row again and return it with its current items.

        ``section`` is the cached row (its ``hub_key`` says where it comes
        from); ``all=True`` asks for every item of a row that has ``more``,
        for a "see all" view.
        """
        raise NotImplementedError(self._offline("fetch_hub"))

    def image_url(self, path: str, width: Optional[int] = None, height: Optional[int] = None) -> str:
        """A URL a host can load the image at ``path`` (an item's ``thumb``, say) from.

        Made on demand and never stored: it may carry a credential.
        """
        raise NotImplementedError(self._offline("image_url"))

    def close(self) -> None:
        """Release what the backend holds (an HTTP client); a parse-only backend holds nothing."""

    def __enter__(self) -> "Backend":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        # Never the constructor's arguments: a token must not reach a log.
        return f"<{type(self).__name__} name={self.name!r}>"

    def _offline(self, method: str) -> str:
        return (
            f"{type(self).__name__} cannot {method.replace('_', ' ')} from a live server: it "
            "only parses; fetch the payload yourself and pass it to parse(), or use a "
            "backend built on homesections.http.HttpBackend"
        )

    @classmethod
    def check_settings(
        cls, types: Optional[Mapping[str, Union[type, tuple[type, ...]]]] = None, /, **settings: Any
    ) -> None:
        """Raise :class:`~homesections.ConfigurationError` for a setting of the wrong type.

        Each setting must be ``None`` or of its type in ``types`` (a type or a
        tuple of types); a setting not named there must be a string. ``bool``
        is refused where a number is asked for. For constructors: the message
        names the setting and the type, never the value, which may be a token.
        """
        for name, value in settings.items():
            if value is None:
                continue
            expected = (types or {}).get(name, str)
            allowed = expected if isinstance(expected, tuple) else (expected,)
            if isinstance(value, bool) and bool not in allowed:
                ok = False
            else:
                ok = isinstance(value, allowed)
            if not ok:
                names = " or ".join(_TYPE_NAMES.get(t, f"a {t.__qualname__}") for t in allowed)
                raise ConfigurationError(
                    f"{cls.__name__}: {name} must be {names} or None, not {type(value).__name__}"
                )


_TYPE_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "a boolean"}


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
