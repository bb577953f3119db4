"""The README's examples run, so the README cannot drift from the code.

Every fenced ``sh`` and ``python`` block runs, except one marked just above
with ``<!-- not run: why -->`` or ``<!-- run by .ci/run -->`` (whose lines
must then be in .ci/run). The first two blocks are the newcomer's two
commands: set up and run the demo, then run the suite; their set-up and test
commands must be the very ones .ci/run runs. The live examples run against
local stand-ins of the servers, their URLs substituted. A ``text`` block marked
``<!-- output of the block above -->`` is what that block prints.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
CI = (ROOT / ".ci" / "run").read_text()
pytestmark = pytest.mark.slow

_FENCE = re.compile(r"(?:^<!-- (?P<marker>.+?) -->\n)?^```(?P<lang>\w*)\n(?P<code>.*?)^```$", re.M | re.S)
_OUTPUT = "output of the block above"
_CI = "run by .ci/run"


@dataclass(frozen=True)
class Block:
    lang: str
    code: str
    line: int
    marker: Optional[str]
    output: Optional[str] = None  # what the README says the block prints

    def __str__(self) -> str:
        return f"README.md line {self.line} ({self.lang})"


def _blocks() -> list[Block]:
    found = []
    for match in _FENCE.finditer(README):
        line = README.count("\n", 0, match.start("code"))
        block = Block(match["lang"], match["code"], line, match["marker"])
        if block.marker == _OUTPUT:
            assert found and block.lang == "text", f"{block}: an output block must follow a code block"
            found[-1] = Block(**{**found[-1].__dict__, "output": block.code})
        else:
            found.append(block)
    return found


BLOCKS = _blocks()
SETUP, TESTS = BLOCKS[0], BLOCKS[1]
CODE = [b for b in BLOCKS[2:] if b.lang in ("sh", "python") and b.marker is None]


def _ci_line(start: str) -> str:
    (line,) = [line.strip() for line in CI.splitlines() if line.strip().startswith(start)]
    return line


@pytest.fixture
def sandbox(tmp_path, monkeypatch) -> Path:
    """An empty folder whose ``.venv`` is this test run's environment, as after the set-up line."""
    (tmp_path / ".venv").symlink_to(sys.prefix, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _sh(code: str, cwd: Path, where: object) -> str:
    env = {k: v for k, v in os.environ.items() if k != "HOMESECTIONS_DB"}
    env["HOME"] = str(cwd)
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", code], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{where} failed:\n{done.stderr}"
    return done.stdout


def test_every_block_is_run_or_says_why_not():
    for block in BLOCKS:
        if block.marker is not None:
            assert block.marker == _CI or re.fullmatch(r"not run: \S.*", block.marker), block
    assert [b.lang for b in (SETUP, TESTS)] == ["sh", "sh"]
    assert any(b.lang == "python" for b in CODE) and any(b.lang == "sh" for b in CODE)


@pytest.fixture
def servers(http_server, monkeypatch) -> dict[str, str]:
    """Local stand-ins for the README's servers: {README URL: stand-in URL}, tokens in the environment.

    One HTTP server holds both: Plex's and Jellyfin's paths do not overlap.
    """
    from .backends.test_jellyfin_live import TOKEN, FakeJellyfin
    from .backends.test_plex_live import libraries, serve_home

    serve_home(http_server, sections=libraries((6, "Movies", 0), (7, "TV Shows", 0)))
    jellyfin = FakeJellyfin(http_server)
    monkeypatch.setenv("PLEX_TOKEN", "a-plex-token")
    monkeypatch.setenv("JELLYFIN_TOKEN", TOKEN)
    return {"http://plex.local:32400": http_server.url_for("/").rstrip("/"),
            "http://jellyfin.local:8096": jellyfin.base_url(http_server)}


def _with_stand_ins(code: str, servers: dict[str, str]) -> str:
    for readme_url, stand_in in servers.items():
        code = code.replace(readme_url, stand_in)
    return code


def test_the_first_command_sets_up_as_ci_does_then_the_demo_and_the_shell_examples_run(
    sandbox, servers
):
    (line,) = SETUP.code.splitlines()
    setup = _ci_line("python3 -m venv .venv")
    assert line.startswith(setup + " && "), f"{SETUP} must start with .ci/run's set-up line: {setup}"
    out = _sh(line[len(setup + " && "):], sandbox, SETUP)
    assert "Continue Watching  [continue_watching]" in out
    assert out.endswith("Show it again, offline: homesections show --db homesections-demo.db\n")
    for block in CODE:  # in order, in the same folder: later examples build on earlier ones
        if block.lang == "sh":
            out = _sh(_with_stand_ins(block.code, servers), sandbox, block)
            if block.output is not None:
                assert out == block.output, block


def test_the_second_command_is_the_test_command_ci_runs():
    (line,) = TESTS.code.splitlines()
    assert line == _ci_line(".venv/bin/python -m pytest")


def test_the_lines_marked_as_ci_are_what_ci_runs():
    marked = [b for b in BLOCKS if b.marker == _CI]
    assert marked
    for block in marked:
        for line in block.code.splitlines():
            assert line in CI, f"{block}: {line!r} is not in .ci/run"


@pytest.mark.parametrize("block", [b for b in CODE if b.lang == "python"], ids=str)
def test_the_python_examples_run_and_print_what_the_readme_says(block, sandbox, servers):
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(_with_stand_ins(block.code, servers), str(block), "exec"), {"__name__": "__readme__"})
    if block.output is not None:
        assert printed.getvalue() == block.output
