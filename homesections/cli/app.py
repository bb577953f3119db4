"""The click group, the options every command shares, and how errors reach the user.

Every command takes ``--db`` and ``--debug``. An error prints one line on
stderr (what failed and what to do) and exits 1; ``--debug`` adds the
traceback. Whatever the command learnt that is secret (a token, a database
URL's password) is scrubbed from anything printed, the traceback included.
"""

from __future__ import annotations

import functools
import os
import shutil
import sys
import traceback
from typing import Any, Callable, Optional

import click
import peewee

from ..errors import HomeSectionsError

__all__ = ["cli", "command", "CliError", "keep_secret", "echo_err", "stdout_width", "DEFAULT_DB", "DB_VARIABLE"]

#: Where the cache lives when neither ``--db`` nor ``HOMESECTIONS_DB`` says.
DEFAULT_DB = "homesections.db"
#: The environment variable ``--db`` falls back to.
DB_VARIABLE = "HOMESECTIONS_DB"


class CliError(click.ClickException):
    """A failure the user can act on: one line on stderr, exit 1."""

    def show(self, file: Any = None) -> None:
        line = " ".join(self.format_message().split())  # one line, whatever the message held
        click.echo(f"homesections: error: {_scrub(line)}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="homesections", prog_name="homesections")
def cli() -> None:
    """An offline-first cache of a Plex or Jellyfin server's home page.

    Start with `homesections demo`: it needs no server.
    """


def command(name: str, *, db_default: str = DEFAULT_DB, db_envvar: Optional[str] = DB_VARIABLE) -> Callable:
    """Register ``fn`` as the subcommand ``name``, with ``--db`` and ``--debug`` and the error policy."""

    def decorate(fn: Callable) -> click.Command:
        @functools.wraps(fn)
        def run(*args: Any, debug: bool, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except (click.ClickException, click.exceptions.Exit, click.Abort):
                raise
            except BrokenPipeError:
                # The reader went away (`homesections show | head`): stop quietly,
                # as command-line tools do, and keep Python from complaining at exit.
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
                sys.exit(141)  # 128 + SIGPIPE, what a shell reports for it
            except HomeSectionsError as exc:
                _fail(debug, str(exc))
            except peewee.DatabaseError as exc:
                _fail(debug, f"the database failed: {_first_line(exc)}")
            except OSError as exc:
                _fail(debug, f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else ""))
            except Exception as exc:  # a bug: still one line, the traceback on request
                hint = "" if debug else " (run again with --debug for the traceback)"
                _fail(debug, f"unexpected {type(exc).__name__}: {_first_line(exc)}{hint}")

        run = click.option("--debug", is_flag=True, help="Print the traceback of an error.")(run)
        run = click.option(
            "--db", default=db_default, envvar=db_envvar, show_default=True, metavar="PATH|URL",
            help="The cache: a SQLite file, or a database URL (sqlite:///PATH, postgresql://...)"
                 + (f"; also ${db_envvar}." if db_envvar else "."),
        )(run)
        return cli.command(name)(run)

    return decorate


def _fail(debug: bool, message: str) -> None:
    if debug:
        click.echo(_scrub(traceback.format_exc()), err=True, nl=False)
    raise CliError(message)


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


# Secrets this process has seen; a single command runs per process.
_secrets: set[str] = set()


def keep_secret(value: Optional[str]) -> None:
    """Never print ``value``: it is replaced by ``REDACTED`` in every message and traceback."""
    if value:
        _secrets.add(value)


def _scrub(text: str) -> str:
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, "REDACTED")
    return text


def echo_err(message: str) -> None:
    """A line on stderr, scrubbed of secrets."""
    click.echo(_scrub(message), err=True)


def stdout_width() -> int:
    """The terminal's width when stdout is one, else 80 (so a pipe or a file always gets the same bytes)."""
    if sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    return 80
