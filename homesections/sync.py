"""The diff writer: brings the cached sections of one source to a new page.

It reads what the cache holds for the source (sections and links, two
queries), compares it with the page in memory, and writes only the
difference: new rows inserted, gone rows deleted, moved links re-positioned,
changed sections updated. Every statement that writes many rows is one
prepared statement run over all of them. The caller wraps a call in one
transaction; nothing here commits.
"""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass, field, replace
from itertools import groupby
import operator
from operator import attrgetter, itemgetter
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence

from .dialect import Dialect, fetch_rows, insert_template, update_template
from .errors import ConfigurationError
from .media_items import IdMap, MediaItems, PluginMediaItems, media_item_id
from .models import Models
from .page import SECTION_FIELDS, Item, Section, unify_items
from .report import SyncReport
from .validate import check_items_to_write

__all__ = ["SectionWriter"]

# Section fields compared and stored, in column order (position comes last).
_FIELDS = tuple(name for name in SECTION_FIELDS if name != "hub_identifier")
# Where hub_key sits in a cached section row (id, *fields, position).
_HUB_KEY = 1 + _FIELDS.index("hub_key")

#: Which cached sections a partial page keeps: ``keep(hub_identifier, hub_key)``.
Keep = Callable[[str, Optional[str]], bool]
# Columns of a cached link row (section id, media item id, link id, position).
_MEDIA_ITEM, _POSITION = itemgetter(1), itemgetter(3)
_KEY = attrgetter("key")


@dataclass
class _Plan:
    """What one section needs written."""

    section: Section
    position: int
    row: Optional[tuple] = None  # the cached (id, *fields, position), None when new
    links: list[Any] = field(default_factory=list)  # media item ids in order


class SectionWriter:
    """Writes sections of one source; one instance per registration, reused by every sync."""

    def __init__(self, models: Models, media_items: MediaItems, dialect: Dialect) -> None:
        self.models = models
        self.media_items = media_items
        self.dialect = dialect
        S, L = models.HomeSection, models.HomeSectionItem
        field_columns = [getattr(S, name) for name in _FIELDS]
        self._section_columns = (S.id, *field_columns, S.position)
        self._insert_section = insert_template(
            S, [S.source, S.hub_identifier, *field_columns, S.position,
                S.last_updated, S.is_stale, S.created_at, S.updated_at],
        )
        self._update_section, updated = update_template(
            S, [*field_columns, S.position, S.updated_at], S.id
        )
        # Where each updated column's value sits in (*fields, position, updated_at).
        given = [*_FIELDS, "position", "updated_at"]
        self._update_order = [given.index(f.name) for f in updated]
        self._insert_link = insert_template(L, [L.section, L.media_item, L.position, L.created_at])
        self._move_link, _ = update_template(L, [L.position], L.id)
        self._keep_section, _ = update_template(S, [S.position, S.is_stale], S.id)
        self._link_id = L.media_item

    def write(
        self, source_id: str, sections: Sequence[Section], now: datetime.datetime,
        whole_page: bool, keep: Optional[Keep] = None,
    ) -> SyncReport:
        """Write ``sections`` for ``source_id``.

        With ``whole_page`` the sections are the whole page: positions are
        their order, cached sections not among them are deleted, except
        those ``keep`` claims (the sections of requests that failed): those
        stay where they were among the others, with their items, marked
        stale; and the page's items are written as they are, the truth.
        Without ``whole_page`` the sections are refreshed in place (a new one
        goes to the end), the rest of the page is left alone, and each item is
        merged with its cached value first (:func:`~homesections.page.merge_items`,
        the incoming copy first), so a section synced alone never puts an older
        value back over a newer one another section brought.
        """
        sections = _unify(sections)
        if not whole_page:
            sections = self._merge_with_cache(source_id, sections)
        stamp = now.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        cached = self._cached_sections(source_id)
        kept: list[str] = []
        if whole_page and keep is not None:
            wanted = {s.hub_identifier for s in sections}
            kept = [hub for hub, row in cached.items()
                    if hub not in wanted and keep(hub, row[_HUB_KEY])]
        plans, kept_positions = self._plan(sections, cached, whole_page, kept)
        cached_links = self._cached_links(plans)
        ids, rows, changed_items = self._upsert_items(source_id, sections, cached_links)
        for plan in plans:
            keys = list(map(_KEY, plan.section.items))
            if all(map(ids.__contains__, keys)):  # the usual case, in C
                plan.links = list(map(ids.__getitem__, keys))
            else:
                plan.links = [ids[key] for key in keys if key in ids]
        # Every section has a plan, so what the links lack was left out.
        left_out = sum(len(s.items) for s in sections) - sum(len(p.links) for p in plans)

        added, changed, unchanged = [], [], []
        links_in, links_moved, links_out = [], [], []
        section_updates = []
        for plan in plans:
            hub = plan.section.hub_identifier
            if plan.row is None:
                added.append(hub)
                continue
            diff = _diff_links(plan.row[0], plan.links, cached_links.get(plan.row[0], []), stamp)
            links_in += diff[0]
            links_moved += diff[1]
            links_out += diff[2]
            values = _section_values(plan)
            if (any(diff) or values != tuple(plan.row[1:])
                    or not changed_items.isdisjoint(plan.links)):
                changed.append(hub)
                given = (*values, stamp)
                section_updates.append((*(given[n] for n in self._update_order), plan.row[0]))
            else:
                unchanged.append(hub)

        staying = {p.section.hub_identifier for p in plans}.union(kept)
        removed = [hub for hub in cached if hub not in staying] if whole_page else []
        if not whole_page and changed_items:
            # The rest of the page shares the media rows just rewritten.
            changed += self._also_showing(source_id, plans, changed_items)
        new_plans = [p for p in plans if p.row is None]
        self._insert_sections(source_id, new_plans, stamp)
        for plan in new_plans:
            links_in += [(plan.row[0], mid, pos, stamp) for pos, mid in enumerate(plan.links)]

        rows += self._delete_sections([cached[hub][0] for hub in removed])
        rows += self._delete_links(links_out)
        self.dialect.execute_many(self._update_section, section_updates)
        self.dialect.execute_many(self._move_link, links_moved)
        self.dialect.execute_many(self._insert_link, links_in)
        self.dialect.execute_many(self._keep_section, [
            (position, True, cached[hub][0]) for hub, position in zip(kept, kept_positions)
        ])
        self._stamp(source_id, plans, stamp, whole_page and not kept)

        return SyncReport(
            source_id=source_id,
            added=tuple(added),
            changed=tuple(changed),
            removed=tuple(removed),
            unchanged=tuple(unchanged),
            rows_written=rows + len(new_plans) + len(section_updates)
            + len(links_in) + len(links_moved),
            items_left_out=left_out,
            kept=tuple(kept),
        )

    def _delete_sections(self, section_ids: list) -> int:
        """Delete sections and their links; return the rows deleted.

        The links go first, explicitly, so the result does not depend on the
        host having turned SQLite's foreign keys on.
        """
        if not section_ids:
            return 0
        L, S = self.models.HomeSectionItem, self.models.HomeSection
        links = L.delete().where(self.dialect.id_in(L.section, section_ids)).execute()
        return links + S.delete().where(self.dialect.id_in(S.id, section_ids)).execute()

    def _delete_links(self, link_ids: list) -> int:
        if not link_ids:
            return 0
        L = self.models.HomeSectionItem
        return L.delete().where(self.dialect.id_in(L.id, link_ids)).execute()

    def _plan(
        self, sections: Sequence[Section], cached: dict, whole_page: bool, kept: Sequence[str] = ()
    ) -> tuple[list[_Plan], list[int]]:
        """A plan per section, and the new positions of the ``kept`` cached sections."""
        if whole_page:
            order = _order_with_kept(sections, cached, kept)
            where = {id(entry): n for n, entry in enumerate(order)}
            plans = [_Plan(s, where[id(s)], cached.get(s.hub_identifier)) for s in sections]
            return plans, [n for n, entry in enumerate(order) if isinstance(entry, str)]
        end = max((row[-1] for row in cached.values()), default=-1) + 1
        plans = []
        for section in sections:
            row = cached.get(section.hub_identifier)
            if row is None:
                plans.append(_Plan(section, end, None))
                end += 1
            else:
                plans.append(_Plan(section, row[-1], row))
        return plans, []

    def _upsert_items(
        self, source_id: str, sections: Sequence[Section], cached_links: dict[int, list[tuple]]
    ) -> tuple[Mapping[str, Any], int, set]:
        """Upsert the page's items: ``({key: stored id}, rows written, stored ids of changed items)``.

        Stored ids are the link column's database values, as the cached link
        rows hold them, so the two compare directly.
        """
        items = list({i.key: i for s in sections for i in s.items}.values())
        if not items:
            return {}, 0, set()
        if getattr(self.media_items, "reports_changes", False):
            ids = self.media_items.upsert(source_id, items)
            if not isinstance(ids, IdMap):
                raise ConfigurationError(
                    f"{type(self.media_items).__name__} sets reports_changes, so its upsert() must "
                    f"return a homesections.media_items.IdMap, not {type(ids).__name__}"
                )
            return ids, ids.rows_written, {ids[key] for key in ids.changed_keys}
        # A host's store may keep fewer fields than an Item has, so compare
        # what it gives back for the cached items before and after the upsert.
        check_items_to_write(items)
        to_db, to_python = self._link_id.db_value, self._link_id.python_value
        cached = list({to_python(row[1]) for rows in cached_links.values() for row in rows})
        before = self.media_items.get(cached) if cached else {}
        ids = {key: to_db(value) for key, value in self.media_items.upsert(source_id, items).items()}
        after = self.media_items.get(cached) if cached else {}
        return ids, 0, {to_db(i) for i in cached if before.get(i) != after.get(i)}

    def _merge_with_cache(self, source_id: str, sections: Sequence[Section]) -> Sequence[Section]:
        """``sections`` with each item merged with its cached value, the incoming copy first."""
        items = [i for s in sections for i in s.items]
        cached = self._cached_items(source_id, list({i.key for i in items})) if items else {}
        if not cached:
            return sections
        check_items_to_write(items)  # a naive time cannot be ordered against a cached one
        return tuple(
            replace(s, items=tuple(i.merged_with(cached[i.key]) if i.key in cached else i for i in s.items))
            for s in sections
        )

    def _cached_items(self, source_id: str, keys: list[str]) -> dict[str, Item]:
        """``{key: Item}`` of the ``keys`` the media store holds for ``source_id``.

        The plugin's store is asked for those ids alone. A host's ids cannot be
        worked out from the keys, so its ``get()`` is asked for every item the
        source's cached sections show (one section synced alone, so once per
        ``sync_section``); an item no cached section shows merges with nothing.
        """
        if isinstance(self.media_items, PluginMediaItems):
            ids: list[Any] = [media_item_id(source_id, key) for key in keys]
        else:
            # A host's ids are its own making: the source's cached links name its items.
            S, L = self.models.HomeSection, self.models.HomeSectionItem
            query = (L.select(L.media_item).distinct().join(S, on=(L.section == S.id))
                     .where(S.source == source_id))
            ids = [self._link_id.python_value(m) for (m,) in fetch_rows(query)]
        wanted = set(keys)
        return {item.key: item for item in self.media_items.get(ids).values() if item.key in wanted}

    def _also_showing(self, source_id: str, plans: list[_Plan], item_ids: set) -> list[str]:
        """Hubs outside ``plans`` that show one of ``item_ids``, in page order."""
        S, L = self.models.HomeSection, self.models.HomeSectionItem
        query = (S.select(S.hub_identifier, S.position).distinct()
                 .join(L, on=(L.section == S.id))
                 .where((S.source == source_id) & self.dialect.id_in(L.media_item, list(item_ids))
                        & ~self.dialect.id_in(S.id, [p.row[0] for p in plans if p.row]))
                 .order_by(S.position))
        return [hub for hub, _ in fetch_rows(query)]

    def _cached_sections(self, source_id: str) -> dict[str, tuple]:
        """``{hub_identifier: (id, *fields, position)}`` of the source, in position order."""
        S = self.models.HomeSection
        query = (S.select(S.hub_identifier, *self._section_columns)
                 .where(S.source == source_id).order_by(S.position, S.id))
        return {row[0]: _normalize(row[1:]) for row in fetch_rows(query)}

    def _cached_links(self, plans: Iterable[_Plan]) -> dict[int, list[tuple]]:
        """``{section id: [(section id, media item id, link id, position), ...]}`` in position order."""
        section_ids = [p.row[0] for p in plans if p.row is not None]
        if not section_ids:
            return {}
        L = self.models.HomeSectionItem
        query = (L.select(L.section, L.media_item, L.id, L.position)
                 .where(self.dialect.id_in(L.section, section_ids))
                 .order_by(L.section, L.position))
        rows = fetch_rows(query)
        if not getattr(self.media_items, "reports_changes", False):
            # A host's ids come back from the driver in its own form (a UUID
            # object, say): put them in the form written, to compare with it.
            to_db, to_python = self._link_id.db_value, self._link_id.python_value
            rows = [(s, to_db(to_python(m)), link, pos) for s, m, link, pos in rows]
        return {section_id: list(group) for section_id, group in groupby(rows, itemgetter(0))}

    def _insert_sections(self, source_id: str, plans: list[_Plan], stamp: datetime.datetime) -> None:
        if not plans:
            return
        self.dialect.execute_many(self._insert_section, [
            (source_id, p.section.hub_identifier, *_section_values(p), stamp, False, stamp, stamp)
            for p in plans
        ])
        S = self.models.HomeSection
        hubs = [p.section.hub_identifier for p in plans]
        query = S.select(S.hub_identifier, S.id).where(
            (S.source == source_id) & self.dialect.id_in(S.hub_identifier, hubs)
        )
        new_ids = dict(fetch_rows(query))
        for plan in plans:
            plan.row = (new_ids[plan.section.hub_identifier],)

    def _stamp(self, source_id: str, plans: list[_Plan], stamp: datetime.datetime, whole_page: bool) -> None:
        """Mark what was synced fresh, in one statement."""
        if not plans:
            return
        S = self.models.HomeSection
        where = S.source == source_id
        if not whole_page:
            where &= self.dialect.id_in(S.id, [p.row[0] for p in plans])
        S.update({S.last_updated: stamp, S.is_stale: False}).where(where).execute()


def _unify(sections: Sequence[Section]) -> tuple[Section, ...]:
    """:func:`unify_items`, skipped when every repeated key is the very same Item.

    Pages from a parse are unified already; comparing each repeat field by
    field again is a measurable part of an unchanged sync, so the check is
    done with map() over C-level identity tests.
    """
    items = [i for s in sections for i in s.items]
    first = {i.key: i for i in reversed(items)}
    if all(map(operator.is_, map(first.__getitem__, map(_KEY, items)), items)):
        return tuple(sections)
    check_items_to_write(items)  # a naive time cannot be ordered against an aware one
    return unify_items(sections)


def _order_with_kept(sections: Sequence[Section], cached: dict, kept: Sequence[str]) -> list:
    """The page's sections with the ``kept`` hub identifiers put back where they stood.

    A kept section goes just before the first synced section that came after
    it in the cache, so the rows of one failed request stay together, between
    the same neighbours; kept sections that came after every synced one go last.
    """
    if not kept:
        return list(sections)
    waiting = sorted(kept, key=lambda hub: cached[hub][-1])
    order: list = []
    for section in sections:
        row = cached.get(section.hub_identifier)
        while row is not None and waiting and cached[waiting[0]][-1] < row[-1]:
            order.append(waiting.pop(0))
        order.append(section)
    return order + waiting


def _section_values(plan: _Plan) -> tuple:
    section = plan.section
    return (*(_column_value(getattr(section, name)) for name in _FIELDS), plan.position)


def _column_value(value: Any) -> Any:
    # SectionType is a str enum: store (and compare) its plain value.
    return value.value if isinstance(value, enum.Enum) else value


def _normalize(row: Sequence[Any]) -> tuple:
    """A cached section row as Python values: SQLite returns ``more`` as 0/1."""
    values = list(row)
    more = 1 + _FIELDS.index("more")
    values[more] = bool(values[more])
    return tuple(values)


def _diff_links(section_id: int, wanted: list, cached_rows: list, stamp: datetime.datetime):
    """(links to insert, (position, link id) moves, link ids to delete).

    ``cached_rows`` are the section's cached links as :meth:`SectionWriter._cached_links` gives them.
    """
    # Most sections of a resync are unchanged: two list comparisons settle those.
    if (list(map(_MEDIA_ITEM, cached_rows)) == wanted
            and list(map(_POSITION, cached_rows)) == list(range(len(wanted)))):
        return [], [], []
    cached = {media_item_id: (link_id, position) for _, media_item_id, link_id, position in cached_rows}
    inserts, moves = [], []
    for position, media_item_id in enumerate(wanted):
        old = cached.get(media_item_id)
        if old is None:
            inserts.append((section_id, media_item_id, position, stamp))
        elif old[1] != position:
            moves.append((position, old[0]))
    keep = set(wanted)
    deletes = [link_id for media_item_id, (link_id, _) in cached.items() if media_item_id not in keep]
    return inserts, moves, deletes
