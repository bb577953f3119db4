"""The conformance tests never skip silently: without their fixtures they skip saying why, and fail under CI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .fixtures import in_ci, shared_fixtures

REPO_ROOT = Path(__file__).resolve().parents[2]
CONFORMANCE_MODULES = sorted(p.name for p in Path(__file__).parent.glob("test_*_conformance.py"))


@pytest.mark.parametrize("value", ["1", "true", "True", "yes", "github-actions"])
def test_ci_is_set_by_any_value_that_does_not_say_no(value):
    assert in_ci({"CI": value})


@pytest.mark.parametrize("environ", [{}, {"CI": ""}, {"CI": "0"}, {"CI": "false"}, {"CI": "no"}])
def test_ci_is_not_set_when_absent_empty_or_no(environ):
    assert not in_ci(environ)


def test_missing_fixtures_skip_saying_where_they_were_looked_for(tmp_path):
    with pytest.raises(pytest.skip.Exception, match=f"no {tmp_path / 'plex' / 'SOURCES.txt'}"):
        shared_fixtures("plex", root=tmp_path, environ={})


def test_missing_fixtures_are_a_failure_under_ci(tmp_path):
    (tmp_path / "plex").mkdir()  # a folder without its SOURCES.txt is missing too

    with pytest.raises(pytest.fail.Exception, match="CI is set") as failed:
        shared_fixtures("plex", root=tmp_path, environ={"CI": "1"})

    assert str(tmp_path / "plex" / "SOURCES.txt") in str(failed.value)


def test_present_fixtures_are_found_under_ci_or_not(tmp_path):
    (tmp_path / "jellyfin").mkdir()
    (tmp_path / "jellyfin" / "SOURCES.txt").write_text("where each file comes from\n")

    for environ in ({}, {"CI": "1"}):
        assert shared_fixtures("jellyfin", root=tmp_path, environ=environ) == tmp_path / "jellyfin"


# The conformance modules themselves, run without their fixtures in a pytest of their own.
HIDE_THE_FIXTURES = (
    "import pathlib, sys, pytest, tests.backends.fixtures as fixtures; "
    "fixtures.SHARED = pathlib.Path(sys.argv[1]); "
    "sys.exit(pytest.main(['-q', '-rs', '-p', 'no:cacheprovider', *sys.argv[2:]]))"
)


def run_without_fixtures(tmp_path: Path, ci: bool) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci:
        environ["CI"] = "1"
    modules = [f"tests/backends/{module}" for module in CONFORMANCE_MODULES]
    return subprocess.run(
        [sys.executable, "-c", HIDE_THE_FIXTURES, str(tmp_path), *modules],
        cwd=REPO_ROOT, env=environ, capture_output=True, text=True, timeout=120,
    )


@pytest.mark.slow
def test_the_conformance_modules_without_their_fixtures_skip_saying_why(tmp_path):
    run = run_without_fixtures(tmp_path, ci=False)

    # Skipped at import, the modules have no test to run: pytest's "no tests collected".
    assert run.returncode == pytest.ExitCode.NO_TESTS_COLLECTED, run.stdout + run.stderr
    assert f"{len(CONFORMANCE_MODULES)} skipped" in run.stdout
    for backend in ("plex", "jellyfin"):
        assert f"the shared {backend} fixtures are missing" in run.stdout


@pytest.mark.slow
def test_the_conformance_modules_without_their_fixtures_fail_under_ci(tmp_path):
    run = run_without_fixtures(tmp_path, ci=True)

    assert run.returncode == pytest.ExitCode.INTERRUPTED, run.stdout + run.stderr  # errors collecting them
    for module in CONFORMANCE_MODULES:
        assert f"ERROR collecting tests/backends/{module}" in run.stdout
    assert "CI is set, so the conformance tests must not skip" in run.stdout
