"""Where the conformance tests find real servers' answers, and what happens without them.

The files live outside the project, in ``../shared/fixtures/<backend>`` next to
the repository (each folder has its SOURCES.txt), and are read in place, never
copied here. Without them the conformance tests skip, saying why; when the
environment variable ``CI`` is set, a missing fixture is a failure instead, so
a CI run never passes without having run them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping, NoReturn, Optional

import pytest

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures"


def in_ci(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether ``CI`` is set (to anything but empty, ``0``, ``false`` or ``no``)."""
    return environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def missing(reason: str, environ: Mapping[str, str] = os.environ) -> NoReturn:
    """Skip the test (or the whole module, at import) for ``reason``; under CI, fail with it."""
    if in_ci(environ):
        pytest.fail(f"{reason}; CI is set, so the conformance tests must not skip", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


def shared_fixtures(
    backend: str, root: Optional[Path] = None, environ: Mapping[str, str] = os.environ,
) -> Path:
    """The folder of ``backend``'s fixtures under ``root`` (by default :data:`SHARED`),
    or :func:`missing` when it has no SOURCES.txt."""
    folder = (SHARED if root is None else root) / backend
    if not (folder / "SOURCES.txt").is_file():
        missing(f"the shared {backend} fixtures are missing: no {folder / 'SOURCES.txt'}", environ)
    return folder
