"""The Backend interface and the named, lazily filled registry of backends."""

from __future__ import annotations

import sys
import textwrap
import uuid
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any, Callable

import pytest

import homesections
from homesections import (
    Backend,
    BackendLoadError,
    BackendNotFoundError,
    ConfigurationError,
    HomePage,
    HomeSectionsError,
    Section,
    available_backends,
    get_backend,
    register_backend,
)
from homesections import backend as backend_module

GROUP = "homesections.backends"


class EchoBackend(Backend):
    """A throwaway backend: one section per string in the payload."""

    name = "echo"

    def __init__(self, base_url: str | None = None, token: str | None = None) -> None:
        self.base_url = base_url
        self.token = token

    def parse(self, payload: Any) -> HomePage:
        return HomePage(tuple(Section(s, s.title()) for s in payload))


class OtherBackend(EchoBackend):
    name = "other"


@pytest.fixture
def installed(monkeypatch) -> list[EntryPoint]:
    """The entry points the registry sees as installed; empty unless a test adds some."""
    eps: list[EntryPoint] = []

    def fake_entry_points(*, group: str) -> list[EntryPoint]:
        return [ep for ep in eps if ep.group == group]

    monkeypatch.setattr(backend_module, "entry_points", fake_entry_points)
    return eps


@pytest.fixture(autouse=True)
def registry(monkeypatch) -> backend_module._Registry:
    """A fresh registry for every test, so no registration leaks out."""
    fresh = backend_module._Registry()
    monkeypatch.setattr(backend_module, "_registry", fresh)
    return fresh


@pytest.fixture
def make_module(tmp_path: Path, monkeypatch) -> Callable[[str], str]:
    """Write a uniquely named, not yet imported module on sys.path; returns its name."""
    created: list[str] = []
    monkeypatch.syspath_prepend(str(tmp_path))

    def make(source: str) -> str:
        name = f"hs_test_plugin_{uuid.uuid4().hex}"
        (tmp_path / f"{name}.py").write_text(textwrap.dedent(source))
        created.append(name)
        assert name not in sys.modules
        return name

    yield make
    for name in created:
        sys.modules.pop(name, None)


GOOD_PLUGIN = """
    from homesections import Backend, HomePage

    class EmbyBackend(Backend):
        name = "emby"

        def parse(self, payload):
            return HomePage()
"""


# --- Backend -----------------------------------------------------------------


def test_backend_cannot_be_instantiated_without_parse():
    class NoParse(Backend):
        name = "noparse"

    with pytest.raises(TypeError):
        Backend()  # type: ignore[abstract]
    with pytest.raises(TypeError):
        NoParse()  # type: ignore[abstract]


def test_a_backend_with_parse_is_constructible_without_server_settings():
    backend = EchoBackend()
    assert backend.parse(["home.ondeck"]).section("home.ondeck").title == "Home.Ondeck"


def test_fetch_home_says_fetching_is_not_available():
    with pytest.raises(NotImplementedError, match="cannot fetch") as caught:
        EchoBackend(base_url="http://plex.local:32400", token="s3cret").fetch_home()
    assert "EchoBackend" in str(caught.value)
    assert "parse()" in str(caught.value)
    assert "s3cret" not in str(caught.value)


def test_repr_never_shows_the_constructor_arguments():
    text = repr(EchoBackend(base_url="http://plex.local:32400", token="s3cret-token"))
    assert text == "<EchoBackend name='echo'>"
    assert "s3cret" not in text and "plex.local" not in text


# --- registering and finding -------------------------------------------------


def test_register_a_backend_class_and_get_it_back(installed):
    register_backend("echo", EchoBackend)
    assert get_backend("echo") is EchoBackend
    assert available_backends() == ["echo"]


def test_available_backends_are_sorted(installed):
    register_backend("zeta", EchoBackend)
    register_backend("alpha", OtherBackend)
    assert available_backends() == ["alpha", "zeta"]


def test_a_module_class_string_is_imported_only_when_first_asked_for(installed, make_module):
    module = make_module(GOOD_PLUGIN)
    register_backend("emby", f"{module}:EmbyBackend")
    assert available_backends() == ["emby"]
    assert module not in sys.modules

    cls = get_backend("emby")
    assert module in sys.modules
    assert cls is sys.modules[module].EmbyBackend
    assert issubclass(cls, Backend) and cls.name == "emby"
    assert get_backend("emby") is cls


def test_a_dotted_attribute_path_is_followed(installed, make_module):
    module = make_module(
        """
        from homesections import Backend, HomePage

        class Holder:
            class Nested(Backend):
                def parse(self, payload):
                    return HomePage()
        """
    )
    register_backend("nested", f"{module}:Holder.Nested")
    assert get_backend("nested").__qualname__ == "Holder.Nested"


def test_an_unknown_name_lists_the_available_ones(installed):
    register_backend("echo", EchoBackend)
    register_backend("other", OtherBackend)
    with pytest.raises(BackendNotFoundError, match=r"'emby'.*available: echo, other") as caught:
        get_backend("emby")
    assert isinstance(caught.value, LookupError)
    assert isinstance(caught.value, HomeSectionsError)


def test_an_unknown_name_with_nothing_registered_says_none(installed):
    with pytest.raises(BackendNotFoundError, match="available: none"):
        get_backend("plex")


def test_a_taken_name_needs_replace(installed):
    register_backend("echo", EchoBackend)
    with pytest.raises(ConfigurationError, match="already registered.*replace=True"):
        register_backend("echo", OtherBackend)
    assert get_backend("echo") is EchoBackend

    register_backend("echo", OtherBackend, replace=True)
    assert get_backend("echo") is OtherBackend
    assert available_backends() == ["echo"]


def test_replace_works_after_a_string_target_was_loaded(installed, make_module):
    register_backend("emby", f"{make_module(GOOD_PLUGIN)}:EmbyBackend")
    get_backend("emby")
    register_backend("emby", EchoBackend, replace=True)
    assert get_backend("emby") is EchoBackend


@pytest.mark.parametrize(
    "name, target",
    [
        ("", EchoBackend),
        (None, EchoBackend),
        ("bad", object),
        ("bad", EchoBackend()),
        ("bad", 42),
        ("bad", "module_without_colon"),
    ],
)
def test_registering_something_unusable_is_a_configuration_error(installed, name, target):
    with pytest.raises(ConfigurationError):
        register_backend(name, target)
    assert available_backends() == []


# --- broken plugins ----------------------------------------------------------


def test_a_plugin_whose_import_raises_names_the_plugin_and_the_cause(installed, make_module):
    broken = make_module("raise RuntimeError('database driver missing')\n")
    good = make_module(GOOD_PLUGIN)
    register_backend("broken", f"{broken}:BrokenBackend")
    register_backend("emby", f"{good}:EmbyBackend")
    register_backend("echo", EchoBackend)

    with pytest.raises(BackendLoadError) as caught:
        get_backend("broken")
    message = str(caught.value)
    assert "'broken'" in message and broken in message
    assert "RuntimeError: database driver missing" in message
    assert isinstance(caught.value.__cause__, RuntimeError)
    assert isinstance(caught.value, ImportError) and isinstance(caught.value, HomeSectionsError)

    assert available_backends() == ["broken", "echo", "emby"]
    assert get_backend("emby").name == "emby"
    assert get_backend("echo") is EchoBackend
    with pytest.raises(BackendLoadError):  # still broken when asked again, not cached away
        get_backend("broken")


def test_a_missing_module_or_attribute_is_a_load_error(installed, make_module):
    register_backend("gone", "hs_test_no_such_module_anywhere:Backend")
    register_backend("typo", f"{make_module(GOOD_PLUGIN)}:EmbyBacknd")
    with pytest.raises(BackendLoadError, match="ModuleNotFoundError"):
        get_backend("gone")
    with pytest.raises(BackendLoadError, match="AttributeError.*EmbyBacknd"):
        get_backend("typo")


@pytest.mark.parametrize("attribute", ["NotABackend", "make_backend", "INSTANCE"])
def test_a_target_that_is_not_a_backend_subclass_is_a_load_error(installed, make_module, attribute):
    module = make_module(
        GOOD_PLUGIN
        + """
    class NotABackend:
        def parse(self, payload):
            return HomePage()

    def make_backend():
        return EmbyBackend

    INSTANCE = EmbyBackend()
    """
    )
    register_backend("fake", f"{module}:{attribute}")
    with pytest.raises(BackendLoadError, match=r"'fake'.*not a homesections\.Backend subclass"):
        get_backend("fake")


# --- entry points ------------------------------------------------------------


def test_installed_entry_points_are_listed_without_importing_them(installed, make_module):
    module = make_module(GOOD_PLUGIN)
    installed.append(EntryPoint("emby", f"{module}:EmbyBackend", GROUP))
    installed.append(EntryPoint("elsewhere", f"{module}:EmbyBackend", "some.other.group"))

    assert available_backends() == ["emby"]
    assert module not in sys.modules
    assert get_backend("emby") is sys.modules[module].EmbyBackend


def test_an_entry_point_naming_extras_still_loads(installed, make_module):
    module = make_module(GOOD_PLUGIN)
    installed.append(EntryPoint("emby", f"{module}:EmbyBackend [http]", GROUP))
    assert get_backend("emby").name == "emby"


def test_a_broken_entry_point_does_not_break_the_others(installed, make_module):
    installed.append(EntryPoint("broken", f"{make_module('import hs_test_missing_dependency')}:X", GROUP))
    installed.append(EntryPoint("emby", f"{make_module(GOOD_PLUGIN)}:EmbyBackend", GROUP))
    assert available_backends() == ["broken", "emby"]
    with pytest.raises(BackendLoadError, match="'broken'.*hs_test_missing_dependency"):
        get_backend("broken")
    assert get_backend("emby").name == "emby"


def test_a_name_an_installed_plugin_has_needs_replace_in_code(installed, make_module):
    module = make_module(GOOD_PLUGIN)
    installed.append(EntryPoint("emby", f"{module}:EmbyBackend", GROUP))
    with pytest.raises(ConfigurationError, match=f"'emby'.*{module}:EmbyBackend"):
        register_backend("emby", EchoBackend)

    register_backend("emby", EchoBackend, replace=True)
    assert get_backend("emby") is EchoBackend
    assert module not in sys.modules


def test_a_distribution_on_sys_path_is_found_by_its_entry_point(tmp_path, monkeypatch, make_module):
    """No stub: a real *.dist-info, read by importlib.metadata like any installed plugin."""
    module = make_module(GOOD_PLUGIN)
    dist_info = tmp_path / "homesections_emby_test-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: homesections-emby-test\nVersion: 1.0\n")
    (dist_info / "entry_points.txt").write_text(f"[{GROUP}]\nemby-test = {module}:EmbyBackend\n")

    assert "emby-test" in available_backends()
    assert module not in sys.modules
    assert get_backend("emby-test") is sys.modules[module].EmbyBackend


def test_the_plex_and_jellyfin_distributions_are_installed_backends():
    names = available_backends()
    assert "plex" in names
    assert "jellyfin" in names


@pytest.mark.parametrize("name", ["plex", "jellyfin"])
def test_the_installed_backends_load_through_their_entry_points(name):
    cls = get_backend(name)
    assert issubclass(cls, Backend)
    assert cls.name == name
    assert isinstance(cls(), Backend)  # constructible with no server settings, for offline parsing


def test_the_registry_functions_are_the_public_api():
    assert homesections.get_backend is get_backend
    assert homesections.register_backend is register_backend
    assert homesections.available_backends is available_backends
    assert homesections.Backend is Backend
    assert backend_module.ENTRY_POINT_GROUP == GROUP
