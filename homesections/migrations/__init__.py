"""The migration runner: our own small one, on top of ``playhouse.migrate``.

Each migration is a module in this package named ``mYYYYMMDD_NNNNNN_what``,
applied in name order, with ``up(ctx)`` and ``down(ctx)`` and, optionally,
``applies(ctx) -> bool`` (the plugin's own ``sources``/``media_items`` migration
applies only when the plugin owns those tables). History is kept in the
``homesections_migrations`` table.

peewee's ``playhouse.migrations.Runner`` only picks up files whose names start
with a digit and takes no lock between processes, so it does not fit: here a
whole ``migrate()`` or ``rollback()`` runs in one transaction holding a
cross-process lock (the writers' own: SQLite's write lock via ``BEGIN
IMMEDIATE``, the PostgreSQL advisory lock every writer takes), and the history
is read only after the lock is held. Two
processes migrating at once therefore apply each migration exactly once, and a
failure leaves the database as it was.
"""

from __future__ import annotations

import datetime
import importlib
import pkgutil
import re
from dataclasses import dataclass
from types import ModuleType
from typing import ContextManager, Optional

import peewee
from playhouse.migrate import SchemaMigrator

from ..dialect import Dialect
from ..errors import MigrationError
from ..fields import UTCDateTimeField

__all__ = ["MigrationRunner", "MigrationStatus", "MigrationContext", "HISTORY_TABLE"]

HISTORY_TABLE = "homesections_migrations"
_NAME = re.compile(r"^m\d{8}_\d{6}_\w+$")


@dataclass(frozen=True)
class MigrationStatus:
    """One migration and when it was applied (``None``: pending)."""

    name: str
    applied_at: Optional[datetime.datetime]

    @property
    def applied(self) -> bool:
        """Whether the migration has been applied."""
        return self.applied_at is not None


@dataclass(frozen=True)
class MigrationContext:
    """What a migration's ``up``/``down`` receives."""

    db: peewee.Database
    migrator: SchemaMigrator
    source_model: type[peewee.Model]
    media_item_model: type[peewee.Model]
    owns_sources: bool

    def refuse_if_referenced(self, tables: list[str]) -> None:
        """Refuse to drop ``tables`` while a table of someone else's has a foreign key to one of them.

        On SQLite, ``DROP TABLE`` first deletes the rows, and ON DELETE
        CASCADE would delete the referencing rows with them: a host's data.
        (PostgreSQL refuses such a drop by itself; this says why, first.)
        """
        dropping = set(tables)
        for table in self.db.get_tables():
            if table in dropping:
                continue
            for key in self.db.get_foreign_keys(table):
                if key.dest_table in dropping:
                    raise MigrationError(
                        f"cannot roll back: the table {table!r} has a foreign key "
                        f"({key.column} -> {key.dest_table}.{key.dest_column}) to a table this "
                        f"migration drops, and dropping {key.dest_table!r} would delete its "
                        f"rows too; drop or change {table!r} first. Nothing was changed"
                    )

    def require_drop_column(self) -> None:
        """Refuse to drop a column on a SQLite too old for ``ALTER TABLE DROP COLUMN``.

        Older SQLite makes playhouse.migrate rebuild the table, and a rebuild
        inside our transaction cascades deletes into the link table.
        """
        version = getattr(self.db, "server_version", None)
        if isinstance(self.db, peewee.SqliteDatabase) and version < (3, 35, 0):
            raise MigrationError(
                f"SQLite {'.'.join(map(str, version))} cannot drop a column in place; "
                "rolling back this migration needs SQLite 3.35 or newer"
            )


def _modules() -> list[tuple[str, ModuleType]]:
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if _NAME.match(m.name))
    return [(name, importlib.import_module(f"{__name__}.{name}")) for name in names]


class MigrationRunner:
    """Applies and rolls back the plugin's migrations on one registration's database."""

    def __init__(self, dialect: Dialect, ctx: MigrationContext) -> None:
        self.dialect = dialect
        self.ctx = ctx

        class History(peewee.Model):
            name = peewee.TextField(primary_key=True)
            applied_at = UTCDateTimeField()

            class Meta:
                database = ctx.db
                table_name = HISTORY_TABLE

        self.History = History

    def _relevant(self) -> list[tuple[str, ModuleType]]:
        return [(n, m) for n, m in _modules() if getattr(m, "applies", lambda ctx: True)(self.ctx)]

    def _applied(self) -> dict[str, datetime.datetime]:
        if not self.History.table_exists():
            return {}
        return {h.name: h.applied_at for h in self.History.select()}

    def status(self) -> list[MigrationStatus]:
        """Every migration of this registration, applied or pending, in order."""
        applied = self._applied()
        return [MigrationStatus(name, applied.get(name)) for name, _ in self._relevant()]

    def migrate(self) -> list[str]:
        """Apply every pending migration; return the names applied (none: ``[]``)."""
        with self._locked():
            self.History.create_table(safe=True)
            applied = self._applied()
            done = []
            for name, module in self._relevant():
                if name in applied:
                    continue
                self._run(name, module.up, "apply")
                now = datetime.datetime.now(datetime.timezone.utc)
                self.History.insert(name=name, applied_at=now).execute()
                done.append(name)
            return done

    def rollback(self, steps: int = 1) -> list[str]:
        """Undo the newest ``steps`` applied migrations; return their names, newest first."""
        if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
            raise MigrationError(f"steps must be a whole number of at least 1, got {steps!r}")
        with self._locked():
            applied = self._applied()
            newest = [(n, m) for n, m in reversed(self._relevant()) if n in applied]
            if steps > len(newest):
                raise MigrationError(
                    f"cannot roll back {steps} migration(s): only {len(newest)} applied"
                    + (f" ({', '.join(n for n, _ in newest)})" if newest else "")
                )
            undone = []
            for name, module in newest[:steps]:
                self._run(name, module.down, "roll back")
                self.History.delete().where(self.History.name == name).execute()
                undone.append(name)
            return undone

    def _run(self, name: str, step, verb: str) -> None:
        try:
            step(self.ctx)
        except MigrationError:
            raise
        except Exception as exc:
            raise MigrationError(
                f"could not {verb} migration {name}: {type(exc).__name__}: {exc}; "
                "nothing was changed"
            ) from exc

    def _locked(self) -> ContextManager[None]:
        # The writers' own lock, taken for all sources: a migration waits for
        # every sync under way, and every sync waits for the migration.
        return self.dialect.write_transaction()
