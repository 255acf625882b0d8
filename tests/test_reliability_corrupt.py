"""A corrupt or foreign registry file: lookups keep answering, validate names it, refresh-all
moves it aside and writes a valid one.

Every kind of broken file is tried: truncated JSON, the wrong schema, binary garbage, an
empty file, a directory, a file that cannot be read, and pathological JSON (nesting deeper
than the parser's recursion limit, integers longer than Python converts by default).
"""

from __future__ import annotations

import logging
import os
import random
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import anyio
import httpx
import pytest

import find_models
from hf_model_registry import Entry, RegistryCorrupt, RegistryError, _lookup, _registry, aio
from hf_model_registry._cli import main
from hf_model_registry._config import packaged_registry_path
from hf_model_registry._registry import dumps_registry, read_registry
from hf_model_registry.simulator import (
    ThreadedHubSimulator,
    run_in_thread,
)

REGISTRY = "huggingface_model_types.json"
ASIDE_RE = re.compile(re.escape(REGISTRY) + r"\.corrupt-\d{8}T\d{6}Z(-\d+)?")
STATIC = {
    "bert": "google-bert/bert-base-uncased",
    "gpt2": "openai-community/gpt2",
    "t5": "google-t5/t5-small",
}


def _committed() -> bytes:
    return Path(packaged_registry_path()).read_bytes()


def _make_file(content: bytes) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        path.write_bytes(content)

    return make


def _make_directory(path: Path) -> None:
    path.mkdir()
    (path / "inside.txt").write_text("a directory is not a registry")


def _make_unreadable(path: Path) -> None:
    path.write_bytes(_committed())
    path.chmod(0)
    if os.access(path, os.R_OK):
        pytest.skip("running as root (or with CAP_DAC_OVERRIDE): permissions are not enforced")


# name -> (how to make it, what validate must name)
KINDS: dict[str, tuple[Callable[[Path], None], str]] = {
    "truncated-json": (_make_file(_committed()[: len(_committed()) // 2]), "not valid JSON"),
    "wrong-schema-list": (_make_file(b'["bert", "gpt2"]'), "top level must be an object"),
    "wrong-schema-flat": (
        _make_file(b'{"bert": "google-bert/bert-base-uncased"}'),
        "must be an object",
    ),
    "foreign-schema": (
        _make_file(b'{"version": 2, "model_types": {"bert": {"default": "a/b"}}}'),
        "entry 'version': must be an object, not int",
    ),
    "binary-garbage": (
        _make_file(random.Random(5).randbytes(4096)),
        "not valid JSON",
    ),
    "utf16-foreign-schema": (
        _make_file('{"bert": 1}'.encode("utf-16")),
        "entry 'bert': must be an object, not int",
    ),
    "empty-file": (_make_file(b""), "empty"),
    "whitespace-only": (_make_file(b" \n\t\n"), "empty"),
    "directory": (_make_directory, "is a directory"),
    "unreadable": (_make_unreadable, "permission denied"),
}
PATHOLOGICAL: dict[str, tuple[Callable[[Path], None], str]] = {
    "deeply-nested": (_make_file(b"[" * 100_000), "not valid JSON"),
    "giant-integer": (
        _make_file(
            b'{"bert": {"default_model": "a/b", "downloads": {"a/b": ' + b"7" * 5000 + b"}}}"
        ),
        "not valid JSON",
    ),
}
ALL_KINDS = {**KINDS, **PATHOLOGICAL}


def _params(kinds: dict[str, tuple[Callable[[Path], None], str]]) -> list[object]:
    return [pytest.param(name, id=name) for name in kinds]


@pytest.fixture(scope="module")
def sim(all_fixture: dict[str, Any]) -> Iterator[ThreadedHubSimulator]:
    with run_in_thread(all_fixture) as server:
        yield server


@pytest.fixture
def make_registry(tmp_path: Path) -> Iterator[Callable[[str], Path]]:
    made: list[Path] = []

    def make(kind: str) -> Path:
        path = tmp_path / REGISTRY
        ALL_KINDS[kind][0](path)
        made.append(path)
        return path

    yield make
    for path in [*made, *tmp_path.glob(f"{REGISTRY}.corrupt-*")]:
        if path.exists() and not path.is_dir():
            path.chmod(0o644)


@pytest.fixture
def make_offline(
    make_registry: Callable[[str], Path], offline: None, caplog: pytest.LogCaptureFixture
) -> Callable[[str], Path]:
    """make_registry, offline, with every log record captured (to count the warnings)."""
    caplog.set_level(logging.DEBUG)
    return make_registry


def _snapshot(path: Path) -> object:
    """The content of a file, or of a directory's files, for a byte-for-byte comparison."""
    if path.is_dir():
        return {p.name: p.read_bytes() for p in sorted(path.iterdir())}
    mode = path.stat().st_mode & 0o777
    path.chmod(mode | 0o400)
    try:
        return path.read_bytes()
    finally:
        path.chmod(mode)


def _registry_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.WARNING and r.name.startswith(("hf_model_registry", "find_models"))
    ]


@pytest.mark.parametrize("kind", _params(ALL_KINDS))
def test_offline_lookups_answer_from_static_defaults_with_exactly_one_warning(
    kind: str, make_offline: Callable[[str], Path], caplog: pytest.LogCaptureFixture
) -> None:
    path = make_offline(kind)
    for model_type, expected in STATIC.items():
        assert find_models.get_recommended_default_model(model_type, path) == expected
    warnings = _registry_warnings(caplog)
    assert len(warnings) == 1, warnings
    assert "unreadable registry" in warnings[0] and str(path) in warnings[0]


@pytest.mark.anyio
@pytest.mark.parametrize("kind", _params(ALL_KINDS))
async def test_async_offline_lookup_answers_from_static_defaults_with_one_warning(
    kind: str, make_offline: Callable[[str], Path], caplog: pytest.LogCaptureFixture
) -> None:
    from hf_model_registry import aio

    path = make_offline(kind)
    assert await aio.get_recommended_default_model("bert", registry=path) == STATIC["bert"]
    assert len(_registry_warnings(caplog)) == 1


def test_online_lookups_with_a_corrupt_registry_warn_once_in_total(
    make_registry: Callable[[str], Path],
    sim: ThreadedHubSimulator,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    path = make_registry("truncated-json")
    monkeypatch.setenv("HF_ENDPOINT", sim.url)
    caplog.set_level(logging.DEBUG)
    for model_type in STATIC:
        assert find_models.get_recommended_default_model(model_type, path)
    warnings = _registry_warnings(caplog)
    assert len(warnings) == 1, warnings


def test_permission_denied_is_reported_and_answered_from_static_when_injected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The no-read-permission case without relying on file modes (tests may run as root)."""
    path = tmp_path / REGISTRY
    path.write_bytes(_committed())
    real_open = open

    def deny(file: str | os.PathLike[str], *args: object, **kwargs: object) -> object:
        if os.fspath(file) == os.fspath(path):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(_registry, "open", deny, raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    caplog.set_level(logging.DEBUG)
    with pytest.raises(RegistryCorrupt, match="permission denied"):
        read_registry(path)
    _lookup.clear_cache()
    assert find_models.get_recommended_default_model("bert", path) == STATIC["bert"]
    assert find_models.get_recommended_default_model("t5", path) == STATIC["t5"]
    warnings = _registry_warnings(caplog)
    assert len(warnings) == 1 and "permission denied" in warnings[0]


@pytest.mark.parametrize("kind", _params(ALL_KINDS))
def test_validate_exits_1_and_names_the_problem(
    kind: str, make_registry: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = make_registry(kind)
    code = main(["validate", "--registry", str(path)])
    out, err = capsys.readouterr()
    assert code == 1
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("error: invalid registry:")
    assert ALL_KINDS[kind][1] in err
    assert str(path) in err


# A path that cannot be read at all (a directory, no permission) may be a user's mistyped
# --registry: refresh-all refuses it rather than renaming someone's directory away.
UNREADABLE_KINDS = ("directory", "unreadable")
GARBAGE_KINDS = {k: v for k, v in ALL_KINDS.items() if k not in UNREADABLE_KINDS}


# What a refresh command leaves: the registry path, its content before, exit code, stderr.
Refreshed = tuple[Path, object, int, str]


@pytest.fixture
def refresh_broken(
    make_registry: Callable[[str], Path],
    sim: ThreadedHubSimulator,
    capsys: pytest.CaptureFixture[str],
) -> Callable[..., Refreshed]:
    """Make a registry of ``kind``, then run the refresh command ``args`` on it."""

    def run(kind: str, *args: str) -> Refreshed:
        path = make_registry(kind)
        original = _snapshot(path)
        code = main([*args, "--registry", str(path), "--endpoint", sim.url])
        return path, original, code, capsys.readouterr().err

    return run


@pytest.mark.parametrize("kind", _params(GARBAGE_KINDS))
def test_refresh_all_moves_the_corrupt_file_aside_byte_for_byte_and_writes_a_valid_one(
    kind: str, refresh_broken: Callable[..., Refreshed], tmp_path: Path
) -> None:
    path, original, code, err = refresh_broken(
        kind, "refresh-all", "--concurrency", "16", "--quiet"
    )
    assert code == 0, err
    aside = [p for p in tmp_path.iterdir() if p.name.startswith(f"{REGISTRY}.corrupt-")]
    assert len(aside) == 1, sorted(p.name for p in tmp_path.iterdir())
    assert ASIDE_RE.fullmatch(aside[0].name), aside[0].name
    assert _snapshot(aside[0]) == original
    data = read_registry(path, missing_ok=False)
    assert data["gpt2"]["default_model"] == "openai-community/gpt2"
    assert len(data) > 500
    assert "moved it aside" in err and aside[0].name in err


@pytest.mark.parametrize("kind", UNREADABLE_KINDS)
def test_refresh_all_refuses_a_path_it_cannot_read_and_leaves_it_in_place(
    kind: str, refresh_broken: Callable[..., Refreshed], tmp_path: Path
) -> None:
    path, original, code, err = refresh_broken(kind, "refresh-all", "--quiet")
    assert code == 1
    assert err.count("\n") == 1 and str(path) in err and ALL_KINDS[kind][1] in err
    assert _snapshot(path) == original
    assert not [p for p in tmp_path.iterdir() if ".corrupt-" in p.name]


@pytest.mark.parametrize("kind", ["truncated-json", "binary-garbage", "directory"])
def test_refresh_of_some_types_refuses_a_corrupt_file_and_leaves_it_as_it_was(
    kind: str, refresh_broken: Callable[..., Refreshed], tmp_path: Path
) -> None:
    """Only refresh-all rebuilds a whole registry; a partial refresh must not drop the file."""
    path, original, code, err = refresh_broken(kind, "refresh", "bert")
    assert code == 1
    assert err.count("\n") == 1 and str(path) in err
    assert _snapshot(path) == original
    assert not list(tmp_path.glob(f"{REGISTRY}.corrupt-*"))


def test_corrupt_files_moved_aside_within_one_second_are_all_kept(tmp_path: Path) -> None:
    path = tmp_path / REGISTRY
    contents = [b"{ first", b"\x00second", b"third ]"]
    for content in contents:
        path.write_bytes(content)
        _registry.locked_update(path, lambda cur: {**cur}, on_corrupt="move-aside")
    aside = sorted(tmp_path.glob(f"{REGISTRY}.corrupt-*"))
    assert sorted(p.read_bytes() for p in aside) == sorted(contents)
    assert read_registry(path, missing_ok=False) == {}


def test_a_corrupt_file_is_never_overwritten_by_pin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # pin asks the Hub for the canonical id otherwise
    path = tmp_path / REGISTRY
    garbage = b'{"bert": {"default_model": '
    path.write_bytes(garbage)
    assert main(["pin", "bert", "google-bert/bert-base-uncased", "--registry", str(path)]) == 1
    _, err = capsys.readouterr()
    assert "not valid JSON" in err and err.count("\n") == 1
    assert path.read_bytes() == garbage


def test_a_registry_written_by_another_tool_with_extra_keys_still_validates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Foreign but valid: unknown keys inside entries are allowed by the format."""
    path = tmp_path / REGISTRY
    path.write_text(
        dumps_registry(
            {
                # A cast: Entry names only the keys this package reads.
                "bert": cast(
                    Entry,
                    {
                        "default_model": "google-bert/bert-base-uncased",
                        "models": [],
                        "downloads": {},
                        "generated_by": "someone else",
                        "weights": {"nested": [1, 2, 3]},
                    },
                )
            }
        )
    )
    assert main(["validate", "--registry", str(path)]) == 0
    assert "1 valid entry" in capsys.readouterr().out  # singular for one


def test_the_committed_registry_snapshot_validates(tmp_path: Path) -> None:
    copy = tmp_path / REGISTRY
    shutil.copyfile(packaged_registry_path(), copy)
    assert len(read_registry(copy, missing_ok=False)) > 50


@pytest.mark.anyio
async def test_a_directory_at_the_registry_path_is_never_moved_aside(tmp_path: Path) -> None:
    """Through the library too: what refresh-all may move aside is a file, never a folder."""
    project = tmp_path / "myproject"
    project.mkdir()
    (project / "notes.txt").write_text("important")
    listing = [{"id": "org/model", "downloads": 5000, "tags": ["transformers"]}]
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=listing))
    with pytest.raises(RegistryError, match="directory"):
        await aio.refresh_all(registry=project, endpoint="http://hub.test", transport=transport)
    assert (project / "notes.txt").read_text() == "important"
    assert [p async for p in anyio.Path(tmp_path).glob("myproject.corrupt-*")] == []
