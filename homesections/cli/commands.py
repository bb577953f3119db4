"""The offline commands: demo, import, show, migrate, rollback, stale, sources, prune."""

from __future__ import annotations

import datetime
import json
from importlib import resources
from typing import IO, Optional

import click

from ..backend import get_backend
from ..errors import PayloadError
from ..page import HomePage
from ..report import SyncReport
from .app import CliError, command, echo_err, stdout_width
from .database import Cache, open_cache
from .params import Duration
from .table import render_pages

__all__ = ["import_payload", "summary", "SOURCES_FORMAT", "DEMO_DB", "DEMO_SOURCE"]

#: The ``"format"`` of ``show --json`` without ``--source``: ``{"format": ..., "sources": {id: page}}``.
SOURCES_FORMAT = "homesections.sources/1"
#: The demo's own cache, so it never writes into a real one.
DEMO_DB = "homesections-demo.db"
DEMO_SOURCE = "demo"


def summary(report: SyncReport) -> str:
    """``demo: added 2, changed 1, removed 0, unchanged 54`` (and what a partial refresh kept)."""
    counts = ", ".join(
        f"{name} {len(getattr(report, name))}" for name in ("added", "changed", "removed", "unchanged")
    )
    kept = f"; kept {len(report.kept)} stale ({', '.join(report.kept)})" if report.kept else ""
    return f"{report.source_id}: {counts}{kept}"


def import_payload(cache: Cache, source_id: str, payload: bytes, backend_name: Optional[str]) -> SyncReport:
    """Parse ``payload`` (a backend's answer, or without a backend the common JSON form) and sync it."""
    if backend_name is None:
        page = _page_from_json(payload)
    else:
        page = get_backend(backend_name)().parse(payload)
    for skipped in page.skipped:
        echo_err(f"left out {skipped}")
    return cache.hs.sync(source_id, page, backend_name=backend_name)


_BACKEND_HINT = "; a server's own answer needs --backend plex or --backend jellyfin"


def _page_from_json(payload: bytes) -> HomePage:
    try:
        data = json.loads(payload)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise CliError(f"payload: not JSON ({exc}){_BACKEND_HINT}") from None
    try:
        return HomePage.from_dict(data)
    except PayloadError as exc:
        if exc.where != "format":
            raise
        raise CliError(f"{exc}{_BACKEND_HINT}") from exc


@command("demo", db_default=DEMO_DB, db_envvar=None)
def demo(db: str) -> None:
    """Load a sample home page into ./homesections-demo.db and show it. No server needed."""
    payload = resources.files("homesections").joinpath("data/demo.json").read_bytes()
    cache = open_cache(db, create=True)
    report = import_payload(cache, DEMO_SOURCE, payload, None)
    echo_err(summary(report))
    click.echo(render_pages({DEMO_SOURCE: cache.hs.load(DEMO_SOURCE)}, stdout_width()), nl=False)
    click.echo(f"\nShow it again, offline: {cache.hint('show')}")


@command("import")
@click.argument("file", type=click.File("rb"))
@click.option("--source", "source_id", required=True, help="The source id to cache the page as.")
@click.option("--backend", "backend_name", metavar="NAME",
              help="The server kind the file comes from (plex, jellyfin); without it, the common JSON form.")
def import_(db: str, file: IO[bytes], source_id: str, backend_name: Optional[str]) -> None:
    """Cache a saved payload: a Plex JSON or XML answer, a Jellyfin envelope, or the JSON form.

    FILE is a path, or - for standard input.
    """
    payload = file.read()
    cache = open_cache(db, create=True)
    click.echo(summary(import_payload(cache, source_id, payload, backend_name)))


@command("show")
@click.option("--source", "source_id", help="Only this source (default: every source).")
@click.option("--json", "as_json", is_flag=True, help="The common JSON form instead of a table.")
@click.option("--items", type=click.IntRange(min=0), metavar="N", help="At most N items per section.")
def show(db: str, source_id: Optional[str], as_json: bool, items: Optional[int]) -> None:
    """Print the cached home page. Offline: never touches the network.

    With --json and --source, the page in the common JSON form; with --json
    alone, {"format": "homesections.sources/1", "sources": {id: page}}.
    """
    cache = open_cache(db)
    if source_id is not None:
        _check_source(cache, source_id)
        pages = {source_id: cache.hs.load(source_id)}
    else:
        pages = cache.hs.load_all()
    if as_json:
        data = (pages[source_id].to_dict() if source_id is not None else
                {"format": SOURCES_FORMAT, "sources": {s: p.to_dict() for s, p in pages.items()}})
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        click.echo(render_pages(pages, stdout_width(), items), nl=False)


def _check_source(cache: Cache, source_id: str) -> None:
    known = [source.id for source in cache.hs.sources()]
    if source_id not in known:
        raise CliError(
            f"no source {source_id!r} in the cache at {cache.shown}; "
            + (f"its sources: {', '.join(known)}" if known else "it has none yet")
        )


@command("migrate")
def migrate(db: str) -> None:
    """Create the cache if needed and apply pending migrations (the writing commands do it too)."""
    cache = open_cache(db, create=True)
    for name in cache.applied:
        click.echo(f"applied {name}")
    if not cache.applied:
        click.echo(f"the cache at {cache.shown} is up to date")


@command("rollback")
@click.option("--steps", type=click.IntRange(min=1), default=1, show_default=True,
              help="How many migrations to undo, newest first.")
def rollback(db: str, steps: int) -> None:
    """Undo the newest migrations (to downgrade homesections)."""
    cache = open_cache(db, write=True, check=False)
    for name in cache.hs.rollback(steps):
        click.echo(f"rolled back {name}")
    click.echo(f"`{cache.hint('migrate')}` applies them again")


@command("stale")
@click.option("--source", "source_id", help="Only this source.")
@click.option("--older-than", type=Duration(), metavar="DURATION",
              help="Also sections last updated longer ago than this (30m, 2h, 1d).")
def stale(db: str, source_id: Optional[str], older_than: Optional[datetime.timedelta]) -> None:
    """List the sections marked stale (or, with --older-than, not refreshed for that long)."""
    cache = open_cache(db)
    rows = cache.hs.stale_sections(source_id, older_than=older_than)
    if not rows:
        click.echo("no stale sections")
    for row in rows:
        updated = row.last_updated.strftime("%Y-%m-%d %H:%M:%SZ")
        marked = "  marked stale" if row.is_stale else ""
        click.echo(f"{row.source_id}  {row.hub_identifier}  {row.title!r}  updated {updated}{marked}")


@command("sources")
def sources(db: str) -> None:
    """List the cached sources: id, backend, name."""
    cache = open_cache(db)
    rows = cache.hs.sources()
    if not rows:
        click.echo("no sources")
    for source in rows:
        click.echo(f"{source.id}  {source.backend or '-'}  {source.name}")


@command("prune")
def prune(db: str) -> None:
    """Delete cached media items that no section shows any more."""
    cache = open_cache(db, write=True)
    click.echo(f"deleted {cache.hs.prune_media_items()} media item(s) no section shows")
