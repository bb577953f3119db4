"""Refreshing the cache from a server: once, when stale, one section, or from a background thread.

The :class:`~homesections.HomeSections` methods ``refresh``, ``refresh_stale``,
``refresh_section`` and ``start_background_refresh`` are thin doors into the
functions here. Fetching is the backend's (``fetch_home``, ``fetch_hub``);
writing is the store's (one atomic diff per sync). This module decides what a
failure means for the cache:

- a fetch that fails, or a page that cannot be parsed or written, leaves the
  cache exactly as it was and raises;
- a home fetch is all or nothing: when one of several requests fails the
  backend raises :class:`~homesections.IncompleteFetchError`, and only with
  ``keep_failed=True`` is the rest synced, the failed requests' sections kept
  (marked stale) instead of deleted.

:class:`BackgroundRefresh` runs those calls on a daemon thread with its own
database connection. Besides its timer it takes requests to refresh one
section now (:meth:`BackgroundRefresh.refresh_section`): that is the door a
push notification (a server's websocket saying "this hub changed") comes in by.
"""

from __future__ import annotations

import datetime
import logging
import random
import threading
import time
from typing import TYPE_CHECKING, Any, Callable, Optional, Union

import peewee

from .backend import Backend
from .dialect import unwrap
from .errors import (
    ConfigurationError,
    FetchError,
    HomeSectionsError,
    IncompleteFetchError,
    PayloadError,
    SectionError,
)
from .page import HomePage, Section
from .report import SyncReport

if TYPE_CHECKING:
    from .store import HomeSections

__all__ = ["BackgroundRefresh", "CommitGate", "MAX_BACKOFF", "refresh", "refresh_stale", "refresh_section"]

logger = logging.getLogger("homesections.refresh")

#: The longest wait between background attempts while they keep failing.
MAX_BACKOFF = datetime.timedelta(hours=1)
#: Each background wait is the nominal one times a random factor within ±10%,
#: so many clients started together do not all ask the server at once.
JITTER = 0.1

Duration = Union[datetime.timedelta, float, int]


class CommitGate:
    """Lets a refresher forbid commits: after :meth:`stop` returns, no sync through the gate commits.

    A sync enters the gate around its transaction and calls :meth:`checkpoint`
    just before committing; the checkpoint holds the gate's lock until the
    commit is done (or raises when the gate is stopped, so the transaction
    rolls back). :meth:`stop` takes the same lock, so it either waits for a
    commit already under way or is seen by every later checkpoint.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stopped = False
        self._holder: Optional[int] = None

    def __enter__(self) -> "CommitGate":
        return self

    def checkpoint(self) -> None:
        """Hold the gate for the commit that follows; raise if the gate is stopped."""
        self._lock.acquire()
        self._holder = threading.get_ident()
        if self._stopped:
            raise _Stopped("the background refresh was stopped; this sync was rolled back")

    def __exit__(self, *exc_info: object) -> None:
        if self._holder == threading.get_ident():
            self._holder = None
            self._lock.release()

    def stop(self) -> None:
        """From now on every checkpoint raises; waits for a commit already past its checkpoint."""
        with self._lock:
            self._stopped = True


class _Stopped(HomeSectionsError):
    """A sync reached its commit after the refresher was stopped; it was rolled back."""


# -- one refresh --------------------------------------------------------------


def refresh(
    hs: "HomeSections", source_id: str, backend: Backend, *, keep_failed: bool = False,
    gate: Optional[CommitGate] = None,
) -> SyncReport:
    """Fetch ``backend``'s home page and sync it; see :meth:`HomeSections.refresh`."""
    return _refresh(hs, source_id, backend, keep_failed, gate)[0]


def _refresh(
    hs: "HomeSections", source_id: str, backend: Backend, keep_failed: bool,
    gate: Optional[CommitGate],
) -> tuple[SyncReport, Optional[IncompleteFetchError]]:
    """The sync's report, and the error of an incomplete fetch that ``keep_failed`` let through."""
    _check_backend(backend)
    try:
        page = _call_backend(backend, "fetch_home", backend.fetch_home)
    except IncompleteFetchError as incomplete:
        if not keep_failed:
            raise
        failures = incomplete.failures

        def claimed(hub_identifier: str, hub_key: Optional[str]) -> bool:
            return any(f.claims(hub_identifier, hub_key) for f in failures)

        report = hs._sync_page(source_id, incomplete.page, backend_name=backend.name,
                               keep=claimed, gate=gate)
        return report, incomplete
    if not isinstance(page, HomePage):
        raise PayloadError(
            f"{type(backend).__name__}.fetch_home() returned {type(page).__name__}, not a HomePage",
            where="fetch_home",
        )
    return hs._sync_page(source_id, page, backend_name=backend.name, gate=gate), None


def refresh_stale(
    hs: "HomeSections", source_id: str, backend: Backend, max_age: Duration, *,
    keep_failed: bool = False, gate: Optional[CommitGate] = None,
) -> Optional[SyncReport]:
    """Refresh when the cache needs it; see :meth:`HomeSections.refresh_stale`."""
    return _refresh_stale(hs, source_id, backend, max_age, keep_failed, gate)[0]


def _refresh_stale(
    hs: "HomeSections", source_id: str, backend: Backend, max_age: Duration, keep_failed: bool,
    gate: Optional[CommitGate],
) -> tuple[Optional[SyncReport], Optional[IncompleteFetchError]]:
    age = datetime.timedelta(seconds=_seconds(max_age, "max_age"))
    if not hs.needs_refresh(source_id, age):
        return None, None
    return _refresh(hs, source_id, backend, keep_failed, gate)


def refresh_section(
    hs: "HomeSections", source_id: str, backend: Backend, hub_identifier: str, *,
    gate: Optional[CommitGate] = None,
) -> SyncReport:
    """Fetch one cached section again and sync it alone; see :meth:`HomeSections.refresh_section`."""
    _check_backend(backend)
    if not isinstance(hub_identifier, str) or not hub_identifier:
        raise ConfigurationError(f"hub_identifier must be a non-empty string, got {hub_identifier!r}")
    cached = hs.load(source_id).section(hub_identifier)
    if cached is None:
        raise SectionError(
            f"source {source_id!r} has no cached section {hub_identifier!r}; refresh the whole "
            "page (refresh()) to learn the server's sections"
        )
    section = _call_backend(backend, "fetch_hub", lambda: backend.fetch_hub(cached))
    if not isinstance(section, Section) or section.hub_identifier != hub_identifier:
        got = section.hub_identifier if isinstance(section, Section) else type(section).__name__
        raise PayloadError(
            f"{type(backend).__name__}.fetch_hub() returned {got!r} for hub {hub_identifier!r}",
            where="fetch_hub",
        )
    return hs._sync_one(source_id, section, gate)


def _check_backend(backend: Any) -> None:
    if not isinstance(backend, Backend):
        raise ConfigurationError(f"a refresh needs a homesections.Backend, got {type(backend).__name__}")


def _call_backend(backend: Backend, method: str, call: Callable[[], Any]) -> Any:
    """``call()``, with whatever a backend raises made a homesections error."""
    try:
        return call()
    except HomeSectionsError:
        raise
    except NotImplementedError as exc:
        raise ConfigurationError(
            f"the {backend.name or type(backend).__name__!r} backend cannot {method}(): {exc}"
        ) from exc
    except Exception as exc:  # a third party's backend: still a typed error, the cause kept
        raise FetchError(
            f"{type(backend).__name__}.{method}() failed: {type(exc).__name__}: {exc}"
        ) from exc


# -- in the background ------------------------------------------------------------


class BackgroundRefresh:
    """A daemon thread that keeps one source's cached home page fresh.

    Made by :meth:`HomeSections.start_background_refresh`. About every
    ``interval`` (jittered by ±10%) the thread calls ``refresh_stale`` with
    ``max_age=interval`` and ``keep_failed=True``, so a library whose request
    failed keeps its cached rows (marked stale) while the rest is refreshed.
    After a failure it waits longer each time (``interval`` doubled per
    consecutive failure, at most ``max_backoff`` or ``interval`` if that is
    longer), and it never dies of a failure.

    ``on_change(report)`` is called, from the thread, when a refresh changed
    the page; ``on_error(exc)`` when one failed (a partial refresh calls both:
    the rest changed, a request failed). A callback that raises is logged on
    ``homesections.refresh`` and the thread goes on.

    The thread opens its own database connection (Peewee keeps one per
    thread) and closes it when it ends; a host calling ``load()`` meanwhile
    always gets a whole page. An in-memory SQLite database is refused: a
    second connection would see another, empty database.
    """

    def __init__(
        self,
        hs: "HomeSections",
        source_id: str,
        backend: Backend,
        interval: Duration,
        *,
        on_change: Optional[Callable[[SyncReport], Any]] = None,
        on_error: Optional[Callable[[Exception], Any]] = None,
        max_backoff: Duration = MAX_BACKOFF,
    ) -> None:
        _check_backend(backend)
        for name, callback in (("on_change", on_change), ("on_error", on_error)):
            if callback is not None and not callable(callback):
                raise ConfigurationError(f"{name} must be callable or None, got {type(callback).__name__}")
        self.interval = _seconds(interval, "interval")
        self.max_backoff = max(self.interval, _seconds(max_backoff, "max_backoff"))
        hs.load(source_id)  # a bad source id or an unusable database fails here, not in the thread
        _check_own_connection(unwrap(hs.db))
        self.source_id = source_id
        self.backend = backend
        self._hs = hs
        self._on_change = on_change
        self._on_error = on_error
        self._gate = CommitGate()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._pending: dict[str, None] = {}  # hubs to refresh one by one, in the order asked
        self._force = False
        self._stopping = False
        self._random = random.Random()
        #: The error of the most recent attempt, or ``None`` when it succeeded.
        self.last_error: Optional[Exception] = None
        #: The report of the most recent refresh that ran (``None`` before one).
        self.last_report: Optional[SyncReport] = None
        #: How many attempts in a row have failed.
        self.failures = 0
        self._thread = threading.Thread(
            target=self._run, name=f"homesections-refresh-{source_id}", daemon=True
        )
        self._thread.start()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<BackgroundRefresh {self.source_id!r} every {self.interval:g} s, {state}>"

    @property
    def running(self) -> bool:
        """Whether the thread is still running."""
        return self._thread.is_alive()

    def refresh_now(self) -> None:
        """Refresh the whole page at once (not waiting for the timer), even if it is fresh."""
        with self._lock:
            self._force = True
        self._wake.set()

    def refresh_section(self, hub_identifier: str) -> None:
        """Refresh one cached section at once, through ``refresh_section``.

        For a push notification saying which hub changed; requests made while
        one is running are done next, each hub once.
        """
        if not isinstance(hub_identifier, str) or not hub_identifier:
            raise ConfigurationError(f"hub_identifier must be a non-empty string, got {hub_identifier!r}")
        with self._lock:
            self._pending[hub_identifier] = None
        self._wake.set()

    def stop(self, timeout: float = 1.0) -> bool:
        """Stop the thread; return whether it ended within ``timeout`` seconds.

        Returns within ``timeout``: the backend is closed, so a request in
        flight ends, and a sync not yet committed is rolled back; nothing is
        written after this returns, whether the thread has ended yet or not.
        """
        with self._lock:
            self._stopping = True
        self._gate.stop()
        self._wake.set()
        try:
            self.backend.close()
        except Exception:  # a third party's close(); stopping must not fail
            logger.exception("closing the backend of %r failed", self)
        if threading.current_thread() is self._thread:
            return False  # stop() called from a callback: the thread ends when it returns
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def __enter__(self) -> "BackgroundRefresh":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- the thread -----------------------------------------------------------------

    def _run(self) -> None:
        db = unwrap(self._hs.db)
        try:
            db.connect(reuse_if_open=True)
            deadline = time.monotonic()  # the first check at once
            while True:
                self._wake.wait(max(0.0, deadline - time.monotonic()))
                with self._lock:
                    if self._stopping:
                        return
                    self._wake.clear()
                    hubs, self._pending = list(self._pending), {}
                    force, self._force = self._force, False
                for hub in hubs:
                    self._attempt(lambda hub=hub: (refresh_section(
                        self._hs, self.source_id, self.backend, hub, gate=self._gate), None))
                if force or time.monotonic() >= deadline:
                    if force:
                        self._attempt(lambda: _refresh(
                            self._hs, self.source_id, self.backend, True, self._gate))
                    else:
                        self._attempt(lambda: _refresh_stale(
                            self._hs, self.source_id, self.backend, self.interval, True, self._gate))
                    deadline = time.monotonic() + self._next_wait()
        except Exception:  # only a bug gets here; the attempts catch everything else
            logger.exception("the background refresh of %r ended on an error", self.source_id)
        finally:
            if not db.is_closed():
                db.close()

    def _attempt(
        self, call: Callable[[], tuple[Optional[SyncReport], Optional[IncompleteFetchError]]]
    ) -> None:
        try:
            report, incomplete = call()
        except Exception as exc:
            if self._stopping:
                return  # the stop closed the backend or the gate: not a failure to report
            self._failed(exc)
            return
        if self._stopping:
            return
        if report is not None:
            self.last_report = report
            if report.has_changes:
                self._callback(self._on_change, report)
        if incomplete is not None:
            self._failed(incomplete)
        else:
            self.failures = 0
            self.last_error = None

    def _failed(self, exc: Exception) -> None:
        self.failures += 1
        self.last_error = exc
        logger.warning("refreshing %r failed (%d in a row): %s", self.source_id, self.failures, exc)
        self._callback(self._on_error, exc)

    def _callback(self, callback: Optional[Callable[[Any], Any]], argument: Any) -> None:
        if callback is None:
            return
        try:
            callback(argument)
        except Exception:
            logger.exception("a background refresh callback for %r raised", self.source_id)

    def _next_wait(self) -> float:
        wait = self.interval if not self.failures else min(
            self.interval * 2 ** min(self.failures, 32), self.max_backoff)
        return wait * self._random.uniform(1 - JITTER, 1 + JITTER)


def _seconds(value: Any, name: str) -> float:
    if isinstance(value, datetime.timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value)
    else:
        raise ConfigurationError(f"{name} must be a datetime.timedelta or a number of seconds, "
                                 f"got {type(value).__name__}")
    if not seconds > 0:
        raise ConfigurationError(f"{name} must be more than zero, got {value!r}")
    return seconds


def _check_own_connection(db: peewee.Database) -> None:
    """Refuse a database a second connection (the thread's own) cannot share."""
    if isinstance(db, peewee.SqliteDatabase):
        name = str(db.database or "")
        if name in ("", ":memory:") or "mode=memory" in name:
            raise ConfigurationError(
                "the background refresh needs its own connection, and a second connection to an "
                "in-memory SQLite database sees another, empty database; use a database file"
            )
    if not getattr(db, "thread_safe", True):
        raise ConfigurationError(
            "the background refresh needs its own connection, but this database was opened with "
            "thread_safe=False (one connection shared by all threads); open it with thread_safe=True"
        )
