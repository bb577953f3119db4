"""Built wheels (not only editable installs) carry every module, marker and entry point."""

from __future__ import annotations

import configparser
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def _build_wheel(project: Path, out: Path) -> zipfile.ZipFile:
    # --no-isolation: build with this environment's setuptools, so the test
    # needs no network; the [test] extra pins a setuptools that can.
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(project)],
        check=True, capture_output=True, text=True,
    )
    (wheel,) = out.glob("*.whl")
    return zipfile.ZipFile(wheel)


def _source_modules(package_dir: Path) -> set[str]:
    return {str(p.relative_to(package_dir.parent)) for p in package_dir.rglob("*.py")}


@pytest.fixture(scope="module")
def core_wheel(tmp_path_factory) -> zipfile.ZipFile:
    return _build_wheel(ROOT, tmp_path_factory.mktemp("core"))


def test_the_core_wheel_carries_every_module_and_migration(core_wheel):
    names = set(core_wheel.namelist())
    assert _source_modules(ROOT / "homesections") <= names
    migrations = {n for n in names if n.startswith("homesections/migrations/m")}
    assert len(migrations) == 3, migrations
    assert "homesections/py.typed" in names
    assert {"homesections/cli/__init__.py", "homesections/__main__.py", "homesections/data/demo.json"} <= names


def test_the_core_wheel_installs_the_homesections_command(core_wheel):
    (entry_points,) = [n for n in core_wheel.namelist() if n.endswith(".dist-info/entry_points.txt")]
    parser = configparser.ConfigParser()
    parser.read_string(core_wheel.read(entry_points).decode())
    assert dict(parser["console_scripts"]) == {"homesections": "homesections.cli:main"}


def test_the_core_wheel_holds_no_tests_or_backends(core_wheel):
    tops = {n.split("/")[0] for n in core_wheel.namelist()}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"homesections"}


def test_the_core_wheel_declares_its_dependency_range(core_wheel):
    (metadata,) = [n for n in core_wheel.namelist() if n.endswith(".dist-info/METADATA")]
    text = core_wheel.read(metadata).decode()
    assert "Requires-Dist: peewee<4.6,>=4.5.3" in text
    assert "Requires-Dist: click<9,>=8.1" in text
    assert "Requires-Python: >=3.10" in text


@pytest.mark.parametrize("backend", ["plex", "jellyfin"])
def test_each_backend_wheel_carries_its_modules_marker_and_entry_point(backend, tmp_path):
    project = ROOT / "backends" / backend
    package = f"homesections_{backend}"
    wheel = _build_wheel(project, tmp_path)
    names = set(wheel.namelist())
    assert _source_modules(project / package) <= names
    assert f"{package}/py.typed" in names
    (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
    parser = configparser.ConfigParser()
    parser.read_string(wheel.read(entry_points).decode())
    assert dict(parser["homesections.backends"]) == {backend: f"{package}:{backend.capitalize()}Backend"}


def test_metadata_and_tool_settings_are_not_declared_twice():
    # setup.cfg holds the package metadata; pyproject.toml the build system and tools.
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert "[project]" not in pyproject
    assert "[tool.pytest.ini_options]" in pyproject
    setup = configparser.ConfigParser()
    setup.read(ROOT / "setup.cfg")
    assert setup["metadata"]["name"] == "homesections"
    assert "pytest" not in setup.sections() and "tool:pytest" not in setup.sections()
