"""How fast are the cache's sync and load, next to hand-written SQL and naive Peewee?

Builds a synthetic home page (by default 60 sections x 100 items over 4,000
distinct items, with the fields a real server sends: titles, thumbs, years,
durations, play state, aware UTC ``added_at``/``last_viewed_at``, and the card
fields: content ratings, release dates, leaf counts, libraries, broadcast times
and channels; no summaries, as Plex Web asks home hubs with
``excludeFields=summary``) and times it
on a real SQLite file (WAL, ``homesections.SQLITE_PRAGMAS``) in a temporary
directory. Each measurement runs ``--repeat`` times and the median is kept;
every cold measurement gets a fresh, freshly migrated database file. The runs
are interleaved (one of each measurement per round), so noise on a busy
machine shifts all of them alike and the ratios hold.

Measured, with the library:

- ``cold_sync``: ``hs.sync()`` into an empty cache;
- ``resync_unchanged``: ``hs.sync()`` of the same page again;
- ``resync_10pct``: ``hs.sync()`` of a page with 10% of its links replaced
  (half by items new to the cache, half by other cached items), a few sections
  moved and a few items' view offsets changed;
- ``load``: ``hs.load()`` of the cached page.

And, in the same run, two baselines doing the same work:

- ``raw_sqlite3``: the schema made by the plugin's migrations, then the
  ``sqlite3`` module alone: one transaction of ``executemany`` upserts (the
  source row, media items and sections with all their columns, links), and
  for load one join query building the same ``HomePage`` objects;
- ``naive_peewee``: row-by-row ``Model.create`` with ``hs.models`` in one
  transaction, and a load of one query per section.

Before timing, the benchmark proves the baselines honest: each one's sync
must leave exactly the rows the library's cold sync leaves (every column but
row ids and timestamps), and each one's load must return a page equal to the
one synced; if not, it stops. It also observes that an unchanged resync writes
nothing but the freshness stamp (``SyncReport.rows_written == 0`` and SQLite's
change counter moving by exactly one row per section).

Targets (ratios within one run): ``cold_sync <= 1.5 x raw_sqlite3_sync``;
``load <= 1.5 x raw_sqlite3_load``; ``resync_unchanged <= 0.5 x cold_sync``;
``cold_sync`` at least 3x faster than ``naive_peewee_sync``. With ``--scale``,
cold sync and load also run at 1k, 10k and 100k links, and the time per link at
100k must stay within 2x of that at 1k.

Prints one JSON object: medians in seconds, the ratios, what the checks
observed, and for each target whether it is met.

    python benchmarks/bench_sync.py [--repeat 7] [--scale]
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Optional

import peewee

import homesections
from homesections import HomePage, HomeSections, Item, Section, SectionType
from homesections.media_items import media_item_id
from homesections.page import PLAY_STATE_TYPES

UTC = datetime.timezone.utc
SOURCE = "plex-main"
BASE_TIME = datetime.datetime(2023, 3, 1, 18, 30, tzinfo=UTC)

# -- the synthetic page ------------------------------------------------------

# (hub identifier stem, title, context, style, hub type): the rows a Plex home shows.
HUBS = (
    ("home.continue", "Continue Watching", "hub.home.continue", "hero", "mixed"),
    ("home.ondeck", "On Deck", "hub.home.ondeck", "shelf", "mixed"),
    ("home.movies.recent", "Recently Added in Movies", "hub.movie.recentlyadded", "shelf", "movie"),
    ("home.television.recent", "Recently Added in TV Shows", "hub.home.recentlyadded", "shelf", "mixed"),
    ("movie.recentlyreleased", "Recently Released Movies", "hub.movie.recentlyreleased", "shelf", "movie"),
    ("music.recent.played", "Recently Played Music", "hub.music.recent.played", "shelf", "track"),
    ("home.playlists", "Recent Playlists", "hub.home.playlists", "shelf", "playlist"),
    ("custom.collection", "Collection", "hub.custom.collection", "shelf", "mixed"),
    ("movie.genre", "Genre", "hub.movie.genre", "shelf", "movie"),
    ("movie.topunwatched", "Top Unwatched", "hub.movie.topunwatched", "shelf", "movie"),
    ("tv.trending", "Trending on Your Server", "hub.tv.trending", "shelf", "show"),
    ("movie.similar", "Because You Watched", "hub.movie.similar", "shelf", "movie"),
)
TYPES = ("movie", "episode", "movie", "episode", "show", "season", "album", "track", "clip", "collection")
SHOWS = ("The Expanse", "Severance", "Andor", "Slow Horses", "Fargo", "Dark", "Halt and Catch Fire")
ARTISTS = ("Nils Frahm", "Khruangbin", "Bonobo", "Ólafur Arnalds", "Caribou")
RATINGS = ("PG", "PG-13", "R", "TV-14", "TV-MA")
CHANNELS = ("BBC One", "Arte", "NHK World", "PBS")
# The library each type lives in: (id, title).
LIBRARIES = {"episode": ("2", "TV Shows"), "show": ("2", "TV Shows"), "season": ("2", "TV Shows"),
             "album": ("3", "Music"), "track": ("3", "Music")}
MOVIES = ("1", "Movies")


def make_item(n: int) -> Item:
    """Item ``n`` with the fields a server sends for its type."""
    kind = TYPES[n % len(TYPES)]
    key = str(100_000 + n)
    added = BASE_TIME + datetime.timedelta(seconds=3607 * n)
    if n % 4 == 0:  # Jellyfin sends fractions of a second
        added += datetime.timedelta(microseconds=123_457 + n)
    fields: dict[str, Any] = dict(
        title=f"Title number {n}: caf\u00e9 au lait",
        year=1970 + n % 55,
        thumb=f"/library/metadata/{key}/thumb/1674785266",
        art=f"/library/metadata/{key}/art/1674785266",
        added_at=added,
        release_date=(added - datetime.timedelta(days=400 + n % 9000)).date(),
    )
    fields["library_id"], fields["library_title"] = LIBRARIES.get(kind, MOVIES)
    if kind in ("movie", "episode", "show", "clip"):
        fields["content_rating"] = RATINGS[n % len(RATINGS)]
    if kind in ("show", "season", "album", "collection"):
        fields["leaf_count"] = 1 + n % 24
        fields["unplayed_count"] = fields["leaf_count"] - n % (fields["leaf_count"] + 1)
    if kind in ("movie", "episode", "clip", "track"):
        fields["duration"] = 180_000 + 97 * n if kind == "track" else 1_200_000 + 7_919 * n % 6_000_000
    if kind in ("episode", "season"):
        show = SHOWS[n % len(SHOWS)]
        fields.update(parent_title=f"Season {1 + n % 5}", parent_index=1 + n % 5,
                      grandparent_title=show, grandparent_thumb=f"/library/metadata/{n % 97}/thumb/1")
        fields["title"] = f"Episode {1 + n % 12}" if kind == "episode" else f"Season {1 + n % 5}"
        fields["index"] = 1 + n % 12
    if kind in ("album", "track"):
        fields.update(parent_title=f"Album {n % 41}", grandparent_title=ARTISTS[n % len(ARTISTS)],
                      index=1 + n % 14)
    if kind == "episode" and n % 20 == 1:  # a recording of a broadcast
        fields.update(starts_at=added - datetime.timedelta(hours=2), ends_at=added - datetime.timedelta(hours=1),
                      channel_title=CHANNELS[n % len(CHANNELS)])
    if kind in PLAY_STATE_TYPES:
        fields["view_count"] = 0
    if n % 3 == 0 and kind in PLAY_STATE_TYPES:
        fields.update(view_offset=61_000 + 13 * n, view_count=n % 4,
                      last_viewed_at=added + datetime.timedelta(days=30, seconds=n))
    return Item(key, kind, **fields)


def make_section(h: int, items: tuple[Item, ...], more: bool) -> Section:
    stem, title, context, style, hub_type = HUBS[h % len(HUBS)]
    library = 1 + h // len(HUBS)
    hub = f"{stem}.{library}"
    return Section(
        hub_identifier=hub,
        title=f"{title} ({library})" if library > 1 else title,
        section_type=SectionType.classify(hub, context),
        context=context,
        style=style,
        hub_type=hub_type,
        size=len(items),
        hub_key=f"/hubs/sections/{library}/{stem.replace('.', '/')}",
        more=more,
        items=items,
    )


def make_page(links: int, per_section: int = 100, distinct: Optional[int] = None, seed: int = 7) -> HomePage:
    """``links // per_section`` sections of ``per_section`` items each, over ``distinct`` items.

    Section ``s`` holds items ``s * per_section ...`` wrapped round the pool, in
    a shuffled order: every pool item is on the page and none twice in one section.
    """
    sections = links // per_section
    distinct = distinct or links * 2 // 3
    if per_section > distinct:
        raise ValueError("a section cannot hold more items than there are")
    rng = random.Random(seed)
    pool = [make_item(n) for n in range(distinct)]
    result = []
    for s in range(sections):
        picks = [pool[(s * per_section + i) % distinct] for i in range(per_section)]
        rng.shuffle(picks)
        result.append(make_section(s, tuple(picks), more=s % 2 == 0))
    return HomePage(tuple(result))


def make_changed_page(page: HomePage, seed: int = 11) -> HomePage:
    """``page`` with 10% of each section's links replaced, 4 sections moved, 1% of items changed.

    Half the replacements are items new to the cache, half are other items of
    the page; changed items get a new view offset (the usual change).
    """
    rng = random.Random(seed)
    pool = {i.key: i for s in page.sections for i in s.items}
    keys = list(pool)
    touched = {k: replace(pool[k], view_offset=(pool[k].view_offset or 0) + 60_000)
               for k in rng.sample(keys, max(1, len(keys) // 100))}
    fresh = 1_000_000
    sections = []
    for section in page.sections:
        items = [touched.get(i.key, i) for i in section.items]
        present = {i.key for i in items}
        count = max(1, len(items) // 10)
        for slot in rng.sample(range(len(items)), count):
            if slot % 2:
                item = make_item(fresh)
                fresh += 1
            else:
                key = rng.choice(keys)
                while key in present:
                    key = rng.choice(keys)
                item = touched.get(key, pool[key])
            present.discard(items[slot].key)
            present.add(item.key)
            items[slot] = item
        sections.append(replace(section, items=tuple(items)))
    for a, b in ((1, 7), (20, 3)):  # move four sections
        if max(a, b) < len(sections):
            sections[a], sections[b] = sections[b], sections[a]
    return HomePage(tuple(sections))


# -- timing ------------------------------------------------------------------


@dataclass
class Case:
    """One measurement: ``run(setup())`` is timed; setup and teardown are not."""

    run: Callable[[Any], Any]
    setup: Callable[[], Any] = lambda: None
    teardown: Callable[[Any], None] = lambda state: None


def measure(cases: dict[str, Case], repeat: int) -> dict[str, float]:
    """``{name: median seconds}`` over ``repeat`` rounds.

    Each round runs every case once, so a burst of noise on a busy machine
    hits all of them alike and the ratios stay comparable.
    """
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(repeat):
        for name, case in cases.items():
            state = case.setup()
            gc.collect()
            start = time.perf_counter()
            case.run(state)
            times[name].append(time.perf_counter() - start)
            case.teardown(state)
    return {name: statistics.median(values) for name, values in times.items()}


class Files:
    """Fresh SQLite files in one temporary directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.count = 0

    def fresh(self) -> Path:
        self.count += 1
        return self.directory / f"home{self.count}.db"


def open_cache(path: Path) -> tuple[peewee.SqliteDatabase, HomeSections]:
    """A connected, migrated registration on a new database file."""
    db = peewee.SqliteDatabase(str(path), pragmas=homesections.SQLITE_PRAGMAS)
    db.connect()
    hs = HomeSections(db)
    hs.migrate()
    return db, hs


def close(state: tuple) -> None:
    """Close a cache that served its measurement and delete its files."""
    db = state[0]
    db.close()
    remove(Path(db.database))


def remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def synced_cache(files: Files, page: HomePage) -> tuple[peewee.SqliteDatabase, HomeSections]:
    db, hs = open_cache(files.fresh())
    hs.sync(SOURCE, page)
    return db, hs


# -- baseline: the sqlite3 module, by hand ------------------------------------

# The media_items columns after id and source_id, restated here: the baseline
# writes the schema by hand and does not use the library's column table.
ITEM_COLUMNS = (
    "server_key", "type", "title", "parent_title", "grandparent_title", "item_index",
    "parent_index", "year", "thumb", "art", "grandparent_thumb", "duration", "view_offset",
    "view_count", "last_viewed_at", "added_at", "summary", "content_rating", "release_date",
    "leaf_count", "unplayed_count", "library_id", "library_title", "starts_at", "ends_at",
    "channel_title",
)
SECTION_COLUMNS = (
    "source_id, hub_identifier, title, section_type, position, context, style, hub_type, "
    "size, hub_key, more, last_updated, is_stale, created_at, updated_at"
)
RAW_ITEM_UPSERT = (
    f"INSERT INTO media_items (id, source_id, {', '.join(ITEM_COLUMNS)}) "
    f"VALUES ({', '.join('?' * (2 + len(ITEM_COLUMNS)))}) ON CONFLICT (id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in ITEM_COLUMNS)
)
RAW_SECTION_UPSERT = (
    f"INSERT INTO home_sections ({SECTION_COLUMNS}) VALUES ({', '.join('?' * 15)}) "
    "ON CONFLICT (source_id, hub_identifier) DO UPDATE SET title = excluded.title, "
    "section_type = excluded.section_type, position = excluded.position, "
    "context = excluded.context, style = excluded.style, hub_type = excluded.hub_type, "
    "size = excluded.size, hub_key = excluded.hub_key, more = excluded.more, "
    "last_updated = excluded.last_updated, is_stale = excluded.is_stale, "
    "updated_at = excluded.updated_at"
)
RAW_LINK_UPSERT = (
    "INSERT INTO home_section_items (section_id, media_item_id, position, created_at) "
    "VALUES (?, ?, ?, ?) ON CONFLICT (section_id, media_item_id) DO UPDATE SET position = excluded.position"
)
RAW_LOAD = (
    "SELECT s.id, s.hub_identifier, s.title, s.section_type, s.context, s.style, s.hub_type, "
    f"s.size, s.hub_key, s.more, m.id, {', '.join('m.' + c for c in ITEM_COLUMNS)} "
    "FROM home_sections s "
    "LEFT JOIN home_section_items l ON l.section_id = s.id "
    "LEFT JOIN media_items m ON m.id = l.media_item_id "
    "WHERE s.source_id = ? ORDER BY s.position, s.id, l.position"
)
SECTION_TYPES = {t.value: t for t in SectionType}


def raw_connect(path: Path) -> sqlite3.Connection:
    """A plain sqlite3 connection with the same settings, on a file migrated by the plugin."""
    db, _ = open_cache(path)
    db.close()
    conn = sqlite3.connect(str(path), isolation_level=None)
    for name, value in homesections.SQLITE_PRAGMAS.items():
        conn.execute(f"PRAGMA {name} = {value}")
    return conn


def stored(value: Optional[datetime.datetime]) -> Optional[str]:
    """The text the cache stores for a time: naive UTC, as sqlite3's adapter writes it."""
    return None if value is None else value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")


def read_time(text: Optional[str]) -> Optional[datetime.datetime]:
    return None if text is None else datetime.datetime.fromisoformat(text).replace(tzinfo=UTC)


def read_date(text: Optional[str]) -> Optional[datetime.date]:
    return None if text is None else datetime.date.fromisoformat(text)


def raw_sync(conn: sqlite3.Connection, page: HomePage) -> None:
    """The cold sync's writes, by hand: source, items, sections, links, in one transaction."""
    now = stored(datetime.datetime.now(UTC))
    items = {i.key: i for s in page.sections for i in s.items}  # one row per key
    ids = {key: media_item_id(SOURCE, key) for key in items}
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("INSERT INTO sources (id, name, backend, created_at) VALUES (?, ?, NULL, ?) "
                     "ON CONFLICT (id) DO NOTHING", (SOURCE, SOURCE, now))
        conn.executemany(RAW_ITEM_UPSERT, [
            (ids[i.key], SOURCE, i.key, i.type, i.title, i.parent_title, i.grandparent_title,
             i.index, i.parent_index, i.year, i.thumb, i.art, i.grandparent_thumb, i.duration,
             i.view_offset, i.view_count, stored(i.last_viewed_at), stored(i.added_at),
             i.summary, i.content_rating, i.release_date and i.release_date.isoformat(),
             i.leaf_count, i.unplayed_count, i.library_id, i.library_title,
             stored(i.starts_at), stored(i.ends_at), i.channel_title)
            for i in items.values()
        ])
        conn.executemany(RAW_SECTION_UPSERT, [
            (SOURCE, s.hub_identifier, s.title, s.section_type.value, n, s.context, s.style,
             s.hub_type, s.size, s.hub_key, s.more, now, False, now, now)
            for n, s in enumerate(page.sections)
        ])
        section_ids = dict(conn.execute(
            "SELECT hub_identifier, id FROM home_sections WHERE source_id = ?", (SOURCE,)))
        conn.executemany(RAW_LINK_UPSERT, [
            (section_ids[s.hub_identifier], ids[i.key], n, now)
            for s in page.sections for n, i in enumerate(s.items)
        ])
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def raw_load(conn: sqlite3.Connection) -> HomePage:
    """The cached page in one join query, each media item turned into an ``Item`` once."""
    sections: list[Section] = []
    items: dict[str, Item] = {}
    current, header, members = None, None, []
    for row in conn.execute(RAW_LOAD, (SOURCE,)):
        if row[0] != current:
            if header is not None:
                sections.append(Section(*header, items=tuple(members)))
            current, members = row[0], []
            hub, title, kind, context, style, hub_type, size, hub_key, more = row[1:10]
            header = (hub, title, SECTION_TYPES.get(kind, SectionType.CUSTOM), context, style,
                      hub_type, size, hub_key, bool(more))
        if row[10] is None:  # a section without links
            continue
        item = items.get(row[10])
        if item is None:
            v = row[11:]  # the item columns, in ITEM_COLUMNS order
            item = items[row[10]] = Item(
                *v[:14], read_time(v[14]), read_time(v[15]), v[16], v[17], read_date(v[18]),
                *v[19:23], read_time(v[23]), read_time(v[24]), v[25],
            )
        members.append(item)
    if header is not None:
        sections.append(Section(*header, items=tuple(members)))
    return HomePage(tuple(sections))


# -- baseline: naive Peewee, row by row -----------------------------------------


def naive_sync(hs: HomeSections, page: HomePage) -> None:
    """The cold sync's rows through ``Model.create``, one at a time, in one transaction."""
    m = hs.models
    now = datetime.datetime.now(UTC)
    with hs.db.atomic():
        source = m.Source.create(id=SOURCE, name=SOURCE, created_at=now)
        rows = {}
        for section in page.sections:
            for i in section.items:
                if i.key in rows:
                    continue
                rows[i.key] = m.MediaItem.create(
                    id=media_item_id(SOURCE, i.key), source=source, server_key=i.key, type=i.type,
                    title=i.title, parent_title=i.parent_title, grandparent_title=i.grandparent_title,
                    item_index=i.index, parent_index=i.parent_index, year=i.year, thumb=i.thumb,
                    art=i.art, grandparent_thumb=i.grandparent_thumb, duration=i.duration,
                    view_offset=i.view_offset, view_count=i.view_count,
                    last_viewed_at=i.last_viewed_at, added_at=i.added_at, summary=i.summary,
                    content_rating=i.content_rating, release_date=i.release_date,
                    leaf_count=i.leaf_count, unplayed_count=i.unplayed_count,
                    library_id=i.library_id, library_title=i.library_title,
                    starts_at=i.starts_at, ends_at=i.ends_at, channel_title=i.channel_title,
                )
        for n, s in enumerate(page.sections):
            row = m.HomeSection.create(
                source=source, hub_identifier=s.hub_identifier, title=s.title,
                section_type=s.section_type.value, position=n, context=s.context, style=s.style,
                hub_type=s.hub_type, size=s.size, hub_key=s.hub_key, more=s.more,
                last_updated=now, is_stale=False, created_at=now, updated_at=now,
            )
            for p, i in enumerate(s.items):
                m.HomeSectionItem.create(section=row, media_item=rows[i.key], position=p, created_at=now)


def naive_load(hs: HomeSections) -> HomePage:
    """The cached page the obvious way: the sections, then one query per section."""
    m = hs.models
    sections = []
    for row in m.HomeSection.select().where(m.HomeSection.source == SOURCE).order_by(m.HomeSection.position):
        links = (m.HomeSectionItem.select(m.HomeSectionItem, m.MediaItem).join(m.MediaItem)
                 .where(m.HomeSectionItem.section == row).order_by(m.HomeSectionItem.position))
        items = tuple(
            Item(mi.server_key, mi.type, mi.title, mi.parent_title, mi.grandparent_title,
                 mi.item_index, mi.parent_index, mi.year, mi.thumb, mi.art, mi.grandparent_thumb,
                 mi.duration, mi.view_offset, mi.view_count, mi.last_viewed_at, mi.added_at,
                 mi.summary, mi.content_rating, mi.release_date, mi.leaf_count, mi.unplayed_count,
                 mi.library_id, mi.library_title, mi.starts_at, mi.ends_at, mi.channel_title)
            for mi in (link.media_item for link in links)
        )
        sections.append(Section(
            row.hub_identifier, row.title, SECTION_TYPES.get(row.section_type, SectionType.CUSTOM),
            row.context, row.style, row.hub_type, row.size, row.hub_key, row.more, items,
        ))
    return HomePage(tuple(sections))


# -- the run -------------------------------------------------------------------


def check(condition: bool, what: str) -> None:
    if not condition:
        sys.exit(f"bench_sync: check failed: {what}")


def stored_rows(path: Path) -> tuple[list, ...]:
    """Every row a sync writes, less row ids and timestamps, to compare two caches by value."""
    conn = sqlite3.connect(str(path))
    try:
        return (
            conn.execute("SELECT id, name, backend FROM sources ORDER BY id").fetchall(),
            conn.execute("SELECT * FROM media_items ORDER BY id").fetchall(),
            conn.execute(
                "SELECT source_id, hub_identifier, title, section_type, position, context, style, "
                "hub_type, size, hub_key, more, is_stale FROM home_sections ORDER BY position"
            ).fetchall(),
            conn.execute(
                "SELECT s.hub_identifier, l.media_item_id, l.position FROM home_section_items l "
                "JOIN home_sections s ON s.id = l.section_id ORDER BY s.position, l.position"
            ).fetchall(),
        )
    finally:
        conn.close()


def verify(files: Files, page: HomePage, changed: HomePage) -> dict[str, Any]:
    """Prove, once, that every contender does the same work; observe what an unchanged resync writes.

    A contender that does not do the same work ends the run: its timings would mean nothing.
    """
    path = files.fresh()
    db, hs = open_cache(path)
    hs.sync(SOURCE, page)
    check(hs.load(SOURCE) == page, "the library loads back the page it synced")
    db.close()
    expected = stored_rows(path)

    path = files.fresh()
    conn = raw_connect(path)
    raw_sync(conn, page)
    check(raw_load(conn) == page, "raw_sqlite3 load builds the page the library synced")
    conn.close()
    check(stored_rows(path) == expected, "raw_sqlite3 sync writes the rows the library writes")

    path = files.fresh()
    db, hs = open_cache(path)
    naive_sync(hs, page)
    check(naive_load(hs) == page, "naive_peewee load builds the page the library synced")
    db.close()
    check(stored_rows(path) == expected, "naive_peewee sync writes the rows the library writes")

    db, hs = synced_cache(files, page)
    conn = db.connection()
    before = conn.total_changes
    report = hs.sync(SOURCE, page)
    changes = conn.total_changes - before
    changed_report = hs.sync(SOURCE, changed)
    check(hs.load(SOURCE) == changed and changed_report.rows_written > 0, "the 10% resync lands")
    db.close()
    return {
        "contenders_write_and_load_the_same": True,
        "unchanged_resync_rows_written": report.rows_written,
        # SQLite's count of rows inserted, updated or deleted: only the sections' stamps.
        "unchanged_resync_rows_changed": changes,
        "sections": len(page.sections),
        "resync_10pct_rows_written": changed_report.rows_written,
    }


def bench_main(files: Files, page: HomePage, changed: HomePage, repeat: int) -> dict[str, float]:
    def cold() -> tuple:
        return open_cache(files.fresh())

    def synced() -> tuple:
        return synced_cache(files, page)

    def raw_cold() -> tuple[sqlite3.Connection, Path]:
        path = files.fresh()
        return raw_connect(path), path

    def raw_close(state: tuple[sqlite3.Connection, Path]) -> None:
        state[0].close()
        remove(state[1])

    cached = synced_cache(files, page)  # read and resynced in place by several cases
    conn = raw_connect(files.fresh())
    raw_sync(conn, page)
    try:
        return measure({
            "cold_sync": Case(lambda s: s[1].sync(SOURCE, page), cold, close),
            "resync_unchanged": Case(lambda s: s[1].sync(SOURCE, page), lambda: cached),
            "resync_10pct": Case(lambda s: s[1].sync(SOURCE, changed), synced, close),
            "load": Case(lambda s: s[1].load(SOURCE), lambda: cached),
            "raw_sqlite3_sync": Case(lambda s: raw_sync(s[0], page), raw_cold, raw_close),
            "raw_sqlite3_load": Case(raw_load, lambda: conn),
            "naive_peewee_sync": Case(lambda s: naive_sync(s[1], page), cold, close),
            "naive_peewee_load": Case(lambda s: naive_load(s[1]), lambda: cached),
        }, repeat)
    finally:
        close(cached)
        conn.close()


def bench_scale(files: Files, repeat: int) -> dict[str, dict[str, float]]:
    result = {}
    for links in (1_000, 10_000, 100_000):
        page = make_page(links)
        cached = synced_cache(files, page)
        check(cached[1].load(SOURCE) == page, f"the {links}-link page loads back")
        t = measure({
            "cold_sync": Case(lambda s: s[1].sync(SOURCE, page), lambda: open_cache(files.fresh()), close),
            "load": Case(lambda s: s[1].load(SOURCE), lambda: cached),
        }, repeat)
        close(cached)
        result[str(links)] = {
            **t, "cold_sync_per_link_us": t["cold_sync"] / links * 1e6,
            "load_per_link_us": t["load"] / links * 1e6,
        }
    return result


def main(argv: Optional[list[str]] = None) -> None:
    parser = argparse.ArgumentParser(
        description="Time homesections' sync and load against raw sqlite3 and naive Peewee; print JSON.",
    )
    parser.add_argument("--repeat", type=int, default=7,
                        help="runs per measurement; the median is kept (default 7)")
    parser.add_argument("--sections", type=int, default=60, help="sections on the page (default 60)")
    parser.add_argument("--items", type=int, default=100, help="items per section (default 100)")
    parser.add_argument("--distinct", type=int, default=4000,
                        help="distinct items over the page (default 4000)")
    parser.add_argument("--scale", action="store_true",
                        help="also time cold sync and load at 1k, 10k and 100k links, per link")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if not args.items <= args.distinct <= args.sections * args.items:
        parser.error("--distinct must lie between --items and the number of links (--sections x --items)")

    page = make_page(args.sections * args.items, args.items, args.distinct)
    changed = make_changed_page(page)
    with tempfile.TemporaryDirectory(prefix="bench_sync-") as tmp:
        files = Files(Path(tmp))
        checks = verify(files, page, changed)
        t = bench_main(files, page, changed, args.repeat)
        scale = bench_scale(files, args.repeat) if args.scale else None

    ratios = {
        "cold_sync / raw_sqlite3_sync": t["cold_sync"] / t["raw_sqlite3_sync"],
        "load / raw_sqlite3_load": t["load"] / t["raw_sqlite3_load"],
        "resync_unchanged / cold_sync": t["resync_unchanged"] / t["cold_sync"],
        "naive_peewee_sync / cold_sync": t["naive_peewee_sync"] / t["cold_sync"],
    }
    targets = {
        "cold_sync <= 1.5 x raw_sqlite3_sync": ratios["cold_sync / raw_sqlite3_sync"] <= 1.5,
        "load <= 1.5 x raw_sqlite3_load": ratios["load / raw_sqlite3_load"] <= 1.5,
        "resync_unchanged <= 0.5 x cold_sync": ratios["resync_unchanged / cold_sync"] <= 0.5,
        "resync_unchanged writes only the freshness stamp": (
            checks["unchanged_resync_rows_written"] == 0
            and checks["unchanged_resync_rows_changed"] == checks["sections"]
        ),
        "cold_sync >= 3x faster than naive_peewee_sync": ratios["naive_peewee_sync / cold_sync"] >= 3,
    }
    result: dict[str, Any] = {
        "config": {
            "sections": args.sections, "items_per_section": args.items, "distinct_items": args.distinct,
            "links": args.sections * args.items, "repeat": args.repeat,
            "python": sys.version.split()[0], "sqlite": sqlite3.sqlite_version, "peewee": peewee.__version__,
        },
        "medians_s": t,
        "ratios": ratios,
        "checks": checks,
    }
    if scale is not None:
        for what in ("cold_sync", "load"):
            ratio = scale["100000"][f"{what}_per_link_us"] / scale["1000"][f"{what}_per_link_us"]
            ratios[f"{what} per link, 100k / 1k"] = ratio
            targets[f"{what} per link at 100k within 2x of 1k"] = ratio <= 2
        result["scale"] = scale
    result["targets"] = targets
    result["all_targets_met"] = all(targets.values())
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
