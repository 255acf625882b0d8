"""The registry file: validation, atomic writes, the cross-process lock, merging."""

from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

import helpers
from hf_model_registry import Entry, RegistryCorrupt, RegistryError, _registry
from hf_model_registry._config import packaged_registry_path
from hf_model_registry._registry import (
    dumps_registry,
    locked_update,
    merge_entries,
    parse_registry,
    read_registry,
    utc_now_iso,
    write_registry,
)


def entry(model_id: str, **extra: Any) -> Entry:
    fields = {"downloads": {model_id: 10}, "updated_at": "2026-11-27T15:00:00+00:00", **extra}
    return helpers.entry(model_id, **fields)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b'{"bert": {"default_model": "google-bert/bert-base-uncased"', "not valid JSON"),
        (b"\x00\xff\xfe garbage", "not valid JSON"),
        (b"[1, 2]", "top level must be an object"),
        (b'{"bert": "google-bert/bert-base-uncased"}', "must be an object"),
        (b'{"bert": {"models": []}}', "'default_model' must be a string"),
        (b'{"bert": {"default_model": "../../etc/passwd"}}', "not a model id"),
        (b'{"bert": {"default_model": "a/b", "models": "a/b"}}', "'models' must be a list"),
        (b'{"bert": {"default_model": "a/b", "downloads": {"a/b": "many"}}}', "'downloads'"),
        (b'{"bert": {"default_model": "a/b", "updated_at": "yesterday"}}', "'updated_at'"),
        (b'{"bert": {"default_model": "a/b", "pinned": "yes"}}', "'pinned'"),
        (b'{"BERT&x=1": {"default_model": "a/b"}}', "not a valid model type"),
    ],
)
def test_parse_rejects_broken_documents_naming_the_problem(content: bytes, problem: str) -> None:
    with pytest.raises(RegistryCorrupt, match=problem):
        parse_registry(content, source="reg.json")


def test_parse_accepts_the_original_format_and_extra_keys() -> None:
    doc = {"bert": entry("google-bert/bert-base-uncased", source="hub", parameters=110_000_000)}
    assert parse_registry(json.dumps(doc).encode()) == doc


def test_read_missing_file_is_empty_unless_required(tmp_path: Path) -> None:
    assert read_registry(tmp_path / "none.json") == {}
    with pytest.raises(RegistryCorrupt, match="no such file"):
        read_registry(tmp_path / "none.json", missing_ok=False)


def test_read_directory_and_unreadable_file_are_corrupt(tmp_path: Path) -> None:
    with pytest.raises(RegistryCorrupt, match="directory"):
        read_registry(tmp_path)
    path = tmp_path / "reg.json"
    path.write_text(dumps_registry({"bert": entry("a/b")}))
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("running as a user that ignores file permissions")
        with pytest.raises(RegistryCorrupt, match="permission denied"):
            read_registry(path)
    finally:
        path.chmod(0o644)


def test_dumps_sorts_keys_and_indents_for_readable_diffs() -> None:
    text = dumps_registry({"vit": entry("google/vit-base-patch16-224"), "bert": entry("a/b")})
    assert text.index('"bert"') < text.index('"vit"')
    assert '\n  "bert": {\n    "default_model"' in text
    assert text.endswith("}\n")


def test_utc_now_iso_is_timezone_aware_utc() -> None:
    assert utc_now_iso().endswith("+00:00")


def test_write_replaces_atomically_and_keeps_the_file_mode(tmp_path: Path) -> None:
    path = tmp_path / "reg.json"
    path.write_text("{}")
    path.chmod(0o640)
    write_registry(path, {"bert": entry("a/b")})
    assert read_registry(path) == {"bert": entry("a/b")}
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["reg.json"]


def test_failed_write_leaves_old_file_byte_identical_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "reg.json"
    write_registry(path, {"bert": entry("a/b")})
    before = path.read_bytes()

    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="No space left"):
        write_registry(path, {"bert": entry("c/d"), "gpt2": entry("openai-community/gpt2")})
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reg.json"]


def test_write_refuses_invalid_data_without_touching_the_file(tmp_path: Path) -> None:
    path = tmp_path / "reg.json"
    write_registry(path, {"bert": entry("a/b")})
    before = path.read_bytes()
    with pytest.raises(RegistryCorrupt):
        write_registry(path, {"bert": {"default_model": 42}})  # type: ignore[typeddict-item]
    assert path.read_bytes() == before


def test_write_refuses_the_packaged_snapshot() -> None:
    with pytest.raises(RegistryError, match="read-only snapshot"):
        write_registry(packaged_registry_path(), {"bert": entry("a/b")})


def test_merge_keeps_unmentioned_entries_and_never_changes_pins() -> None:
    current = {"bert": entry("a/b"), "gpt2": entry("x/pinned", pinned=True)}
    merged = merge_entries(current, {"gpt2": entry("y/new"), "t5": entry("google-t5/t5-small")})
    assert merged["bert"] == entry("a/b")
    assert merged["gpt2"]["default_model"] == "x/pinned"
    assert merged["t5"]["default_model"] == "google-t5/t5-small"


def test_locked_update_moves_a_corrupt_file_aside_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "reg.json"
    path.write_bytes(b"{ truncated")
    with pytest.raises(RegistryCorrupt):
        locked_update(path, lambda cur: {**cur, "bert": entry("a/b")})
    assert path.read_bytes() == b"{ truncated"
    locked_update(path, lambda cur: {**cur, "bert": entry("a/b")}, on_corrupt="move-aside")
    assert read_registry(path) == {"bert": entry("a/b")}
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("reg.json.corrupt-")]
    assert len(aside) == 1
    assert aside[0].read_bytes() == b"{ truncated"


def test_locked_update_removes_temp_files_left_by_a_killed_writer(tmp_path: Path) -> None:
    path = tmp_path / "reg.json"
    leftover = tmp_path / ".reg.json.tmp-abc123"
    leftover.write_text('{"half": ')
    locked_update(path, lambda cur: {**cur, "bert": entry("a/b")})
    assert not leftover.exists()


_WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from hf_model_registry._registry import locked_update
    path, index = Path(sys.argv[1]), int(sys.argv[2])
    start = float(sys.argv[3])
    while time.time() < start:
        time.sleep(0.001)
    for round_ in range(5):
        def add(cur, round_=round_):
            key = f"type{index}-{round_}"
            model = f"org{index}/model-{round_}"
            new = dict(cur)
            new[key] = {"default_model": model, "models": [model], "downloads": {},
                        "updated_at": "2026-11-27T15:00:00+00:00"}
            return new
        locked_update(path, add)
    """
)


def test_eight_processes_writing_at_once_lose_no_entry(tmp_path: Path) -> None:
    path = tmp_path / "reg.json"
    write_registry(path, {"bert": entry("a/b")})
    import time

    start = time.time() + 1.0
    procs = [
        subprocess.Popen([sys.executable, "-c", _WRITER, str(path), str(i), str(start)])
        for i in range(8)
    ]
    assert [p.wait(timeout=60) for p in procs] == [0] * 8
    data = read_registry(path, missing_ok=False)
    expected = {"bert"} | {f"type{i}-{r}" for i in range(8) for r in range(5)}
    assert set(data) == expected


def test_an_unwritable_registry_is_a_registry_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def read_only(path: Path, *args: Any) -> Any:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(_registry, "_lock", read_only)
    with pytest.raises(RegistryError, match="cannot write"):
        _registry.locked_update(tmp_path / "r.json", lambda current: current)
