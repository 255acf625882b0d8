"""Concurrent writers: several `refresh` processes at once never lose each other's entries.

Each writer reads the registry when it starts and writes once at the end; the
cross-process lock and the re-read under it must make the result the union of all
writers' updates over everything that was there before.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import helpers
from hf_model_registry import Entry
from hf_model_registry._architectures import all_architectures, get_architecture
from hf_model_registry._config import packaged_registry_path
from hf_model_registry._original import registry_key
from hf_model_registry._registry import dumps_registry, read_registry
from hf_model_registry.simulator import (
    ThreadedHubSimulator,
    run_in_thread,
)

pytestmark = pytest.mark.slow

WRITERS = 6
ROUNDS = 2
SLICE = 110  # architectures per writer; each overlaps its neighbour by half
STAMP = "2026-01-02T03:04:05+00:00"
ALL = [a.name for a in all_architectures()]


def _entry(model_id: str, **extra: Any) -> Entry:
    return helpers.entry(model_id, **{"updated_at": STAMP, **extra})


@pytest.fixture(scope="module")
def sim(all_fixture: dict[str, Any]) -> Iterator[ThreadedHubSimulator]:
    # Latency makes the writers' fetch phases overlap, so their writes contend for the lock.
    with run_in_thread(all_fixture, latency=0.01) as server:
        yield server


def _writer_types(index: int) -> list[str]:
    start = (index * SLICE // 2) % len(ALL)
    return [ALL[(start + k) % len(ALL)] for k in range(SLICE)]


def _start_writer(sim: ThreadedHubSimulator, registry: Path, types: list[str]) -> Any:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hf_model_registry",
            "refresh",
            *types,
            "--registry",
            str(registry),
            "--endpoint",
            sim.url,
            "--concurrency",
            "8",
            "--json",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "HF_HUB_DISABLE_PROGRESS_BARS": "1"},
    )


def test_overlapping_refresh_processes_lose_no_entry(
    sim: ThreadedHubSimulator, tmp_path: Path
) -> None:
    registry = tmp_path / "huggingface_model_types.json"
    initial: dict[str, Any] = dict(read_registry(packaged_registry_path(), missing_ok=False))
    initial["gpt2"] = _entry("me/my-gpt2", pinned=True)
    initial.update({f"local-arch-{i}": _entry(f"me/local-{i}") for i in range(40)})
    registry.write_text(dumps_registry(initial))
    writers_run = 0
    for round_ in range(ROUNDS):
        round_started = datetime.now(UTC).replace(microsecond=0)
        before = read_registry(registry, missing_ok=False)
        type_lists = [_writer_types(i + round_ * WRITERS) for i in range(WRITERS)]
        procs = [_start_writer(sim, registry, types) for types in type_lists]
        results = [proc.communicate(timeout=120) for proc in procs]
        writers_run += len(procs)
        for proc, (_, err) in zip(procs, results, strict=True):
            assert proc.returncode == 0, err
        summaries = [json.loads(out) for out, _ in results]

        after = read_registry(registry, missing_ok=False)  # parses and validates
        assert set(after) >= set(before), "an entry that was there before is gone"
        refreshed = {n for s in summaries for n in s["refreshed"] + s["unchanged"]}
        assert refreshed, "no writer refreshed anything: the test proves nothing"
        refreshed_keys: set[str] = set()
        for name in refreshed:
            # Stored under its existing key, or the original tool's spelling when new.
            arch = get_architecture(name)
            key = registry_key(name, arch.aliases if arch else (), after)
            refreshed_keys.add(key)
            assert key in after, f"{name} was refreshed by a writer but is missing"
            entry = after[key]
            # A writer that wrote its stale snapshot over another's would bring back the
            # static entry (or an older timestamp) here.
            assert entry["source"] == "hub", name
            assert datetime.fromisoformat(entry["updated_at"]) >= round_started, name
        untouched = set(before) - refreshed_keys
        for name in untouched:
            if name == "gpt2" or name not in ALL:
                assert after[name] == before[name], name
        assert after["gpt2"] == initial["gpt2"]
        assert all(after[f"local-arch-{i}"] == initial[f"local-arch-{i}"] for i in range(40))
        time.sleep(1.0)  # next round's timestamps are strictly later
    print(f"\nconcurrent writers: {writers_run} refresh processes in {ROUNDS} rounds, 0 lost")
    assert not list(tmp_path.glob(f".{registry.name}.tmp-*"))
