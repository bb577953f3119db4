"""The ``homesections`` command (also ``python -m homesections``), built on click.

``main`` is the console script's entry point. The commands live in
:mod:`.commands` (offline: demo, import, show, migrate, rollback, stale,
sources, prune) and :mod:`.live` (sync from a server); :mod:`.database` opens
the cache ``--db`` names and :mod:`.table` draws a page as text.
"""

from __future__ import annotations

import logging

from . import commands, live  # noqa: F401  (importing them registers the commands)
from .app import cli

__all__ = ["cli", "main"]


def main() -> None:
    """Run the command line; exits with 0, 1 for a failure, 2 for a usage error."""
    # The commands report failures themselves, as one line each; without a
    # handler, the library's warnings (a failed background refresh) would be
    # printed a second time by logging's last-resort handler.
    logging.getLogger("homesections").addHandler(logging.NullHandler())
    cli(prog_name="homesections")
