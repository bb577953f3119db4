"""HomeSections: the plugin registration, and the only writer of the home-section tables."""

from __future__ import annotations

import datetime
import functools
from contextlib import nullcontext
from typing import TYPE_CHECKING, Any, Callable, Optional, Sequence, TypeVar

import peewee
from playhouse.migrate import SchemaMigrator

from . import refresh as refreshing
from .backend import Backend
from .build import MAX_IDENTIFIER_LENGTH
from .dialect import Dialect, dialect_for, unwrap
from .errors import (
    ConfigurationError,
    ConnectionLostError,
    HomeSectionsError,
    PayloadError,
    SourceError,
)
from .fields import to_utc
from .load import load_pages
from .media_items import MediaItems, PluginMediaItems
from .migrations import MigrationContext, MigrationRunner, MigrationStatus
from .models import build_models, utc_now
from .page import HomePage, Section
from .report import SectionStatus, SyncReport
from .sync import Keep, SectionWriter
from .validate import check_page, check_section

if TYPE_CHECKING:
    from .refresh import CommitGate

__all__ = ["HomeSections", "SQLITE_PRAGMAS"]

#: The SQLite settings homesections is built for: pass them as
#: ``SqliteDatabase(path, pragmas=SQLITE_PRAGMAS)``. WAL lets readers see the
#: last committed home page while a refresh writes; foreign keys make deletes
#: cascade; the busy timeout makes a second writer wait instead of failing.
#: A sync inside a transaction of the host's own cannot wait like that: if
#: another connection wrote since that transaction first read, SQLite refuses
#: at once ("database is locked"). Sync outside the host's transactions, or
#: open them with ``db.atomic(lock_type="IMMEDIATE")``. The journal size
#: limit (16 MiB) caps the WAL file once readers let go of old snapshots.
#:
#: On a full disk SQLite may roll back a host's whole transaction by itself;
#: a sync inside it then raises :class:`~homesections.DiskFullError` with
#: ``rolled_back_transaction=True`` and opens a new transaction, so the rest of
#: the host's block is still undone by its rollback: leave your ``atomic()``
#: block on this error.
SQLITE_PRAGMAS: dict[str, Any] = {
    "busy_timeout": 10_000,
    "journal_mode": "wal",
    "foreign_keys": 1,
    "synchronous": "normal",
    "journal_size_limit": 16 * 1024 * 1024,
}

Clock = Callable[[], datetime.datetime]
_Method = TypeVar("_Method", bound=Callable[..., Any])


def _store_errors(method: _Method) -> _Method:
    """Raise what the database raises inside ``method`` as a :class:`~homesections.StoreError`.

    Translated when it happens, not checked ahead: another process may roll
    the schema back at any time, and a try block costs nothing until it fires.
    """

    @functools.wraps(method)
    def translated(self: "HomeSections", *args: Any, **kwargs: Any) -> Any:
        try:
            self._dialect().revive()
            return method(self, *args, **kwargs)
        except HomeSectionsError:
            raise
        except Exception as exc:
            error = self._translate(exc)
            if error is None:
                raise
            raise error from exc

    return translated  # type: ignore[return-value]


class HomeSections:
    """The homesections plugin, registered on a host application's database.

    ``HomeSections(db)`` binds the plugin's models to ``db`` (a
    :class:`peewee.Database` or :class:`peewee.DatabaseProxy`) without touching
    any model of the host's. A host that already has source and media-item
    tables passes ``source_model`` (its Peewee model of sources) and
    ``media_items`` (an object implementing :class:`homesections.media_items.MediaItems`);
    the plugin then creates only its two tables, pointing at the host's.
    ``clock`` returns the current aware UTC time (tests pass a fake one).
    """

    def __init__(
        self,
        db: peewee.Database | peewee.DatabaseProxy,
        *,
        source_model: Optional[type[peewee.Model]] = None,
        media_items: Optional[MediaItems] = None,
        clock: Optional[Clock] = None,
    ) -> None:
        if not isinstance(db, (peewee.Database, peewee.DatabaseProxy)):
            # Only the type: the value may be a connection URL with a password.
            raise ConfigurationError(
                f"HomeSections needs a peewee.Database or peewee.DatabaseProxy, got {type(db).__name__}"
            )
        _check_host_tables(source_model, media_items)
        if isinstance(db, peewee.Database):
            dialect_for(db)  # an unsupported engine fails here, not at first use
        self.db = db
        self.owns_sources = source_model is None
        if media_items is None:
            self.models = build_models(db)
            media_items = PluginMediaItems(self.models.MediaItem, self._dialect)
        else:
            self.models = build_models(db, source_model, media_items.model)
        self.media_items: MediaItems = media_items
        self._clock = clock or utc_now
        self._writer: Optional[SectionWriter] = None
        self._dialect_cache: Optional[Dialect] = None

    def __repr__(self) -> str:
        owner = "plugin" if self.owns_sources else "host"
        return f"<HomeSections on {type(self.db).__name__}, {owner}-owned sources>"

    # -- migrations -------------------------------------------------------

    @_store_errors
    def migrate(self) -> list[str]:
        """Apply the pending migrations, in one locked transaction; return their names.

        Safe to call at every start: a second call applies nothing and returns ``[]``,
        and two processes calling it at once apply each migration once.
        """
        return self._runner().migrate()

    @_store_errors
    def rollback(self, steps: int = 1) -> list[str]:
        """Undo the newest ``steps`` migrations; return their names, newest first.

        Asking for more steps than are applied raises
        :class:`~homesections.MigrationError` and changes nothing.
        """
        return self._runner().rollback(steps)

    @_store_errors
    def migrations(self) -> list[MigrationStatus]:
        """Every migration of this registration, in order, applied or pending."""
        return self._runner().status()

    # -- sources ----------------------------------------------------------

    @_store_errors
    def add_source(
        self, source_id: str, name: Optional[str] = None, backend_name: Optional[str] = None
    ) -> None:
        """Add a source the plugin owns (``name`` defaults to the id; ``backend_name`` is, e.g., ``"plex"``)."""
        Source = self._owned_sources("add_source")
        _check_source_id(source_id)
        with self._dialect().write_transaction(source_id):
            if Source.select().where(Source.id == source_id).exists():
                raise SourceError(f"source {source_id!r} already exists")
            Source.insert(id=source_id, name=name or source_id, backend=backend_name,
                          created_at=self._now()).execute()

    @_store_errors
    def sources(self) -> list[peewee.Model]:
        """The sources the plugin owns, ordered by id."""
        Source = self._owned_sources("sources")
        return list(Source.select().order_by(Source.id))

    @_store_errors
    def remove_source(self, source_id: str) -> bool:
        """Remove a source the plugin owns, with its sections, links and media items.

        Returns whether there was such a source.
        """
        Source = self._owned_sources("remove_source")
        _check_source_id(source_id)
        m = self.models
        with self._dialect().write_transaction():
            # Deleted child-first, so the result does not depend on the host
            # having turned SQLite's foreign keys on.
            sections = m.HomeSection.select(m.HomeSection.id).where(m.HomeSection.source == source_id)
            m.HomeSectionItem.delete().where(m.HomeSectionItem.section.in_(sections)).execute()
            m.HomeSection.delete().where(m.HomeSection.source == source_id).execute()
            m.MediaItem.delete().where(m.MediaItem.source == source_id).execute()
            return Source.delete().where(Source.id == source_id).execute() > 0

    # -- sync and load ----------------------------------------------------

    @_store_errors
    def sync(self, source_id: str, page: HomePage, *, backend_name: Optional[str] = None) -> SyncReport:
        """Write ``page`` as the home page of ``source_id``, in one transaction.

        Only what changed is written; sections the page no longer has are
        deleted; every section of the page is stamped fresh. If anything
        fails, the cache is exactly as it was. ``backend_name`` is recorded on
        a source the plugin adds for this sync (an existing source is never
        rewritten).
        """
        return self._sync_page(source_id, page, backend_name=backend_name)

    @_store_errors
    def sync_section(self, source_id: str, section: Section) -> SyncReport:
        """Refresh one section of ``source_id`` (a new one goes last), leaving the others alone.

        The section's items are written as given; another cached section that
        shows one of them whose values changed is listed in the report's
        ``changed`` too, so a UI redraws it.
        """
        return self._sync_one(source_id, section)

    @_store_errors
    def load(self, source_id: str) -> HomePage:
        """The cached home page of ``source_id``; an unknown source gives an empty page.

        No network, and at most three queries whatever the number of sections,
        all in one read transaction, so a sync committing meanwhile is seen
        whole or not at all.
        """
        _check_source_id(source_id)
        with self._dialect().read_transaction():
            pages = load_pages(self.models, self.media_items, source_id)
        return pages.get(source_id, HomePage())

    @_store_errors
    def load_all(self) -> dict[str, HomePage]:
        """``{source id: HomePage}`` for every source, those with nothing cached included.

        The same three queries and one snapshot as :meth:`load`.
        """
        with self._dialect().read_transaction():
            return load_pages(self.models, self.media_items, None)

    # -- refresh from a server (the work is in refresh.py) -------------------

    @_store_errors
    def refresh(self, source_id: str, backend: Backend, *, keep_failed: bool = False) -> SyncReport:
        """Fetch the home page from ``backend`` and sync it; return what changed.

        All or nothing by default: a failed fetch, parse or write raises and
        leaves the cache as it was, and so does a fetch where one of several
        requests failed (:class:`~homesections.IncompleteFetchError`), since
        syncing that page would delete the sections the failed request
        brings. With ``keep_failed=True`` the rest is synced and those
        sections keep their cached rows, marked stale; the report's ``kept``
        lists them.
        """
        return refreshing.refresh(self, source_id, backend, keep_failed=keep_failed)

    @_store_errors
    def refresh_stale(
        self, source_id: str, backend: Backend, max_age: datetime.timedelta, *,
        keep_failed: bool = False,
    ) -> Optional[SyncReport]:
        """:meth:`refresh` when :meth:`needs_refresh` says so (nothing cached, a section
        marked stale, or older than ``max_age``); ``None`` when nothing was needed."""
        return refreshing.refresh_stale(self, source_id, backend, max_age, keep_failed=keep_failed)

    @_store_errors
    def refresh_section(self, source_id: str, backend: Backend, hub_identifier: str) -> SyncReport:
        """Fetch one cached section again (``backend.fetch_hub``) and sync it alone.

        For a row that changes often, such as Continue Watching after
        playback. A hub that is not cached for the source raises
        :class:`~homesections.SectionError`.
        """
        return refreshing.refresh_section(self, source_id, backend, hub_identifier)

    @_store_errors
    def start_background_refresh(
        self,
        source_id: str,
        backend: Backend,
        interval: datetime.timedelta | float,
        *,
        on_change: Optional[Callable[[SyncReport], Any]] = None,
        on_error: Optional[Callable[[Exception], Any]] = None,
        max_backoff: datetime.timedelta | float = refreshing.MAX_BACKOFF,
    ) -> "refreshing.BackgroundRefresh":
        """Keep ``source_id`` fresh from a daemon thread; return its handle.

        See :class:`homesections.refresh.BackgroundRefresh`: the thread calls
        :meth:`refresh_stale` (keeping failed requests' sections) about every
        ``interval`` (a timedelta or seconds), backs off after failures, calls
        ``on_change(report)`` when the page changed and ``on_error(exc)`` when
        a refresh failed, and ``handle.stop()`` ends it within a second.
        """
        return refreshing.BackgroundRefresh(
            self, source_id, backend, interval,
            on_change=on_change, on_error=on_error, max_backoff=max_backoff,
        )

    # -- staleness ------------------------------------------------------------

    @_store_errors
    def mark_stale(self, source_id: str, hub_identifier: Optional[str] = None) -> int:
        """Mark one section (or every section) of a source stale; return how many."""
        _check_source_id(source_id)
        S = self.models.HomeSection
        where = S.source == source_id
        if hub_identifier is not None:
            where &= S.hub_identifier == hub_identifier
        with self._dialect().write_transaction(source_id):
            return S.update({S.is_stale: True}).where(where).execute()

    @_store_errors
    def stale_sections(
        self, source_id: Optional[str] = None, older_than: Optional[datetime.timedelta] = None
    ) -> list[SectionStatus]:
        """Sections marked stale, or (with ``older_than``) last updated longer ago than that."""
        if source_id is not None:
            _check_source_id(source_id)
        self._dialect()  # an uninitialized proxy fails here, with a clear error
        S = self.models.HomeSection
        where = S.is_stale == True  # noqa: E712 (a SQL expression, not a comparison)
        if older_than is not None:
            where |= S.last_updated < to_utc(self._now() - older_than)
        if source_id is not None:
            where &= S.source == source_id
        query = (S.select(S.source, S.hub_identifier, S.title, S.last_updated, S.is_stale)
                 .where(where).order_by(S.source, S.position))
        return [
            SectionStatus(source, hub, title, last_updated, bool(is_stale))
            for source, hub, title, last_updated, is_stale in query.tuples()
        ]

    @_store_errors
    def needs_refresh(self, source_id: str, max_age: datetime.timedelta) -> bool:
        """Whether ``source_id`` should be refreshed: nothing cached, a stale section, or older than ``max_age``."""
        _check_source_id(source_id)
        self._dialect()  # an uninitialized proxy fails here, with a clear error
        S = self.models.HomeSection
        oldest, any_stale, count = (
            S.select(peewee.fn.MIN(S.last_updated), peewee.fn.MAX(S.is_stale.cast("integer")),
                     peewee.fn.COUNT(S.id))
            .where(S.source == source_id).scalar(as_tuple=True)
        )
        if not count or any_stale:
            return True
        return S.last_updated.python_value(oldest) < self._now() - max_age

    # -- housekeeping -----------------------------------------------------

    @_store_errors
    def prune_media_items(self) -> int:
        """Delete the plugin's media items no section links to any more; return how many."""
        MediaItem = self._owned_media_items("prune_media_items")
        L = self.models.HomeSectionItem
        linked = L.select(peewee.SQL("1")).where(L.media_item == MediaItem.id)
        with self._dialect().write_transaction():
            return MediaItem.delete().where(~peewee.fn.EXISTS(linked)).execute()

    # -- internals --------------------------------------------------------

    def _write(
        self, source_id: str, sections: Sequence[Section], whole_page: bool,
        backend_name: Optional[str], keep: Optional[Keep] = None,
        gate: Optional[CommitGate] = None,
    ) -> SyncReport:
        now = self._now()
        dialect = self._dialect()
        if self._writer is None or self._writer.dialect.db is not dialect.db:
            self._writer = SectionWriter(self.models, self.media_items, dialect)
        try:
            with gate if gate is not None else nullcontext():
                with dialect.write_transaction(source_id):
                    self._ensure_source(source_id, backend_name, now)
                    report = self._writer.write(source_id, sections, now, whole_page, keep)
                    if gate is not None:
                        gate.checkpoint()  # held until the commit is done, or raises: roll back
                return report
        except HomeSectionsError:
            raise
        except (OverflowError, ValueError, peewee.DataError) as exc:
            # A page built by hand (not by a backend's PageBuilder) can hold a
            # number or a string the database cannot store; the transaction
            # has rolled back, so say what was wrong with the page.
            raise PayloadError(
                f"the page holds a value the database cannot store ({type(exc).__name__}: {exc})",
                where="page",
            ) from exc

    @_store_errors
    def _sync_page(
        self, source_id: str, page: HomePage, *, backend_name: Optional[str] = None,
        keep: Optional[Keep] = None, gate: Optional[CommitGate] = None,
    ) -> SyncReport:
        """:meth:`sync` with what a refresh adds: sections to keep, and a commit gate."""
        _check_source_id(source_id)
        page = check_page(page)
        return self._write(source_id, page.sections, True, backend_name, keep, gate)

    @_store_errors
    def _sync_one(self, source_id: str, section: Section, gate: Optional[CommitGate] = None) -> SyncReport:
        """:meth:`sync_section`, with a refresh's commit gate."""
        _check_source_id(source_id)
        section = check_section(section, "section")
        return self._write(source_id, (section,), False, None, None, gate)

    def _translate(self, exc: Exception) -> Optional[HomeSectionsError]:
        dialect = self._dialect()
        error = dialect.translate(exc)
        if isinstance(error, ConnectionLostError):
            dialect.revive()  # outside a host's transaction, the next call reconnects
        return error

    def _ensure_source(self, source_id: str, backend_name: Optional[str], now: datetime.datetime) -> None:
        Source = self.models.Source
        if Source.select().where(Source._meta.primary_key == source_id).exists():
            return
        if not self.owns_sources:
            raise SourceError(
                f"source {source_id!r} is not in the host's {Source._meta.table_name!r} table; "
                "add it there before syncing"
            )
        Source.insert(id=source_id, name=source_id, backend=backend_name, created_at=now).execute()

    def _now(self) -> datetime.datetime:
        now = self._clock()
        if not isinstance(now, datetime.datetime) or now.tzinfo is None:
            raise ConfigurationError(f"the clock must return an aware datetime, got {now!r}")
        return now.astimezone(datetime.timezone.utc)

    def _dialect(self) -> Dialect:
        # One per database: a proxy may be pointed at another one later.
        real = unwrap(self.db)
        if self._dialect_cache is None or self._dialect_cache.db is not real:
            self._dialect_cache = dialect_for(real)
        return self._dialect_cache

    def _runner(self) -> MigrationRunner:
        db = unwrap(self.db)
        ctx = MigrationContext(
            db=db,
            migrator=SchemaMigrator.from_database(db),
            source_model=self.models.Source,
            media_item_model=self.models.MediaItem,
            owns_sources=self.owns_sources,
        )
        return MigrationRunner(self._dialect(), ctx)

    def _owned_sources(self, what: str) -> type[peewee.Model]:
        if not self.owns_sources:
            raise ConfigurationError(f"{what}() manages the plugin's own sources; this host owns its sources table")
        return self.models.Source

    def _owned_media_items(self, what: str) -> type[peewee.Model]:
        if not self.owns_sources:
            raise ConfigurationError(f"{what}() manages the plugin's own media items; this host owns its media_items table")
        return self.models.MediaItem


def _check_source_id(source_id: Any) -> None:
    if not isinstance(source_id, str) or not source_id:
        raise ConfigurationError(f"a source id must be a non-empty string, got {source_id!r}")
    if len(source_id) > MAX_IDENTIFIER_LENGTH or "\x00" in source_id:
        raise ConfigurationError(
            f"a source id must be at most {MAX_IDENTIFIER_LENGTH} characters, with no NUL"
        )


def _check_host_tables(source_model: Any, media_items: Any) -> None:
    if (source_model is None) != (media_items is None):
        raise ConfigurationError(
            "a host that owns its tables passes both source_model and media_items; got only "
            + ("source_model" if media_items is None else "media_items")
        )
    if source_model is None:
        return
    if not (isinstance(source_model, type) and issubclass(source_model, peewee.Model)):
        raise ConfigurationError(f"source_model must be a peewee.Model subclass, got {source_model!r}")
    if not isinstance(media_items, MediaItems):
        raise ConfigurationError(
            "media_items must have a `model` (a peewee.Model subclass) and the methods "
            f"upsert(source_id, items) and get(ids); got {type(media_items).__name__}"
        )
    model = media_items.model
    if not (isinstance(model, type) and issubclass(model, peewee.Model)):
        raise ConfigurationError(f"media_items.model must be a peewee.Model subclass, got {model!r}")
