"""``homesections sync``: refresh the cache from a live Plex or Jellyfin server, once or watching.

The token comes from an environment variable or standard input, never from
an argument (``ps`` and shell history would show it). Plex lists every client
identifier as a device and Jellyfin every device id, so both are derived from
the host name: the same machine is always the same device.
"""

from __future__ import annotations

import datetime
import logging
import os
import signal
import socket
import sys
import threading
import uuid
from typing import Any, Optional

import click

from ..backend import Backend, get_backend
from ..errors import AuthError
from ..report import SyncReport
from .app import CliError, command, echo_err, keep_secret
from .commands import summary
from .database import Cache, open_cache
from .params import Duration

__all__ = ["device_id", "ProgressLines"]

_DEFAULT_TOKEN_VARIABLE = {"plex": "PLEX_TOKEN", "jellyfin": "JELLYFIN_TOKEN"}
# Fixed for ever: changing it would make every installation a new device on its server.
_DEVICE_NAMESPACE = uuid.UUID("5e1f8a52-3c1d-4b7e-9a43-6f0d2c8b9e17")


def device_id(host: Optional[str] = None) -> str:
    """A stable id for this machine (Plex's client identifier, Jellyfin's device id)."""
    return str(uuid.uuid5(_DEVICE_NAMESPACE, host or socket.gethostname()))


class ProgressLines(logging.Handler):
    """One stderr line per HTTP request, from the ``homesections.http`` DEBUG records' fields."""

    def emit(self, record: logging.LogRecord) -> None:
        status = getattr(record, "http_status", None)
        error = getattr(record, "http_error", None)
        outcome = str(status) if status is not None else f"failed ({error})" if error else "-"
        size = getattr(record, "http_bytes", None)
        ms = getattr(record, "http_ms", None)
        parts = [
            getattr(record, "http_method", "GET"), getattr(record, "http_url", "?"), outcome,
            f"{size:,} bytes" if isinstance(size, int) else "",
            f"{ms:.0f} ms" if isinstance(ms, (int, float)) else "",
        ]
        attempt = getattr(record, "http_attempt", 1)
        if isinstance(attempt, int) and attempt > 1:
            parts.append(f"(attempt {attempt})")
        echo_err("  ".join(p for p in parts if p))


@command("sync")
@click.option("--backend", "backend_name", type=click.Choice(sorted(_DEFAULT_TOKEN_VARIABLE)), required=True,
              help="The kind of server.")
@click.option("--url", required=True, help="The server's address, such as http://192.168.1.5:32400.")
@click.option("--source", "source_id", required=True, help="The source id to cache the page as.")
@click.option("--token-env", metavar="VAR",
              help="The environment variable holding the token (default PLEX_TOKEN or JELLYFIN_TOKEN).")
@click.option("--token-stdin", is_flag=True, help="Read the token from the first line of standard input.")
@click.option("--mode", type=click.Choice(["home", "legacy"]), default="home", show_default=True,
              help="Plex: the home as current apps build it, or the single legacy /hubs answer.")
@click.option("--pinned", metavar="IDS", help="Plex: the library ids pinned to Home, in order (1,4,2).")
@click.option("--user-id", help="Jellyfin: the user whose home it is (default: the token's own user).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=10.0, show_default=True,
              help="Seconds to wait for the server.")
@click.option("--insecure", is_flag=True, help="Do not verify the server's TLS certificate (self-signed servers).")
@click.option("--watch", type=Duration(), metavar="INTERVAL",
              help="Keep refreshing about every INTERVAL (15m, 1h) until Ctrl-C.")
@click.option("--progress/--no-progress", default=None,
              help="One line per request on stderr (default: when stderr is a terminal).")
def sync(
    db: str, backend_name: str, url: str, source_id: str, token_env: Optional[str], token_stdin: bool,
    mode: str, pinned: Optional[str], user_id: Optional[str], timeout: float, insecure: bool,
    watch: Optional[datetime.timedelta], progress: Optional[bool],
) -> None:
    """Refresh the cache from a live server, all or nothing: on a failure nothing changes."""
    token = _token(backend_name, token_env, token_stdin)
    backend = _backend(backend_name, url, token, mode, pinned, user_id, timeout, insecure)
    if sys.stderr.isatty() if progress is None else progress:
        _show_progress()
    with backend:
        cache = open_cache(db, create=True)
        if watch is None:
            click.echo(summary(cache.hs.refresh(source_id, backend)))
        else:
            _watch(cache, source_id, backend, watch)


def _token(backend_name: str, variable: Optional[str], from_stdin: bool) -> str:
    if from_stdin:
        if variable:
            raise click.UsageError("give --token-env or --token-stdin, not both")
        token = sys.stdin.readline().strip()
        where = "standard input"
    else:
        variable = variable or _DEFAULT_TOKEN_VARIABLE[backend_name]
        token = os.environ.get(variable, "").strip()
        where = f"${variable}"
    keep_secret(token)
    if not token:
        fix = ("give it as the first line" if from_stdin else
               "set it to the server's token, or pass the token on standard input with --token-stdin")
        raise CliError(f"no token in {where}: {fix}")
    return token


def _backend(
    name: str, url: str, token: str, mode: str, pinned: Optional[str], user_id: Optional[str],
    timeout: float, insecure: bool,
) -> Backend:
    # An option of the other kind of server would be silently ignored: refuse it.
    if name == "plex" and user_id is not None:
        raise click.UsageError("--user-id is for --backend jellyfin")
    if name == "jellyfin" and (mode != "home" or pinned is not None):
        raise click.UsageError("--mode and --pinned are for --backend plex")
    settings: dict[str, Any] = {"base_url": url, "token": token, "timeout": timeout, "verify": not insecure}
    if name == "plex":
        settings.update(client_identifier=device_id(), mode=mode, pinned=_library_ids(pinned))
    else:
        settings.update(user_id=user_id, device_id=device_id())
    return get_backend(name)(**settings)


def _library_ids(text: Optional[str]) -> Optional[list[str]]:
    if text is None:
        return None
    ids = [part.strip() for part in text.split(",") if part.strip()]
    if not ids:
        raise click.BadParameter("name at least one library id, such as 1,4", param_hint="--pinned")
    return ids


def _show_progress() -> None:
    http = logging.getLogger("homesections.http")
    http.addHandler(ProgressLines())
    http.setLevel(logging.DEBUG)


def _watch(cache: Cache, source_id: str, backend: Backend, interval: datetime.timedelta) -> None:
    """Refresh in the background until Ctrl-C (or SIGTERM); a refused token ends it with an error."""
    done = threading.Event()
    refused: list[AuthError] = []

    def changed(report: SyncReport) -> None:
        click.echo(f"{_now()}  {summary(report)}")

    def failed(exc: Exception) -> None:
        echo_err(f"{_now()}  homesections: refresh failed: {exc}")
        if isinstance(exc, AuthError):
            refused.append(exc)  # retrying cannot help: stop rather than ask again every interval
            done.set()

    signal.signal(signal.SIGTERM, lambda *_: done.set())
    handle = cache.hs.start_background_refresh(source_id, backend, interval, on_change=changed, on_error=failed)
    handle.refresh_now()
    echo_err(f"watching {source_id} about every {interval.total_seconds():g} s; Ctrl-C stops")
    try:
        done.wait()
    except KeyboardInterrupt:
        pass
    handle.stop(timeout=1.0)
    if refused:
        raise CliError(f"the server refused the token ({refused[0]}); watching stopped")


def _now() -> str:
    return datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S")
