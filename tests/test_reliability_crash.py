"""Crash safety: `refresh-all` killed with SIGKILL at random moments never loses an entry.

A real `hf-model-registry refresh-all` process runs against the loopback Hub simulator
and is killed, many times, at seeded random moments: anywhere in the run, while it holds
the registry lock (seen in /proc/locks), the instant its temp file appears (mid-write),
and the instant the registry file itself changes.
After every kill the registry must parse, validate and hold every key it held before, each
with its old value or its complete new value. A clean run afterwards must leave no temp file.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import helpers
from hf_model_registry import Entry
from hf_model_registry._config import packaged_registry_path
from hf_model_registry._registry import dumps_registry, parse_registry, read_registry
from hf_model_registry.simulator import (
    ThreadedHubSimulator,
    run_in_thread,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL"),
]

SEED = 20261127
UNIFORM_KILLS = 20  # anywhere from process start to a little past a normal run's end
LOCKED_KILLS = 12  # while the refresh holds the registry lock (read, merge, dump, write)
WRITING_KILLS = 10  # the moment a temp file appears: between its creation and the rename
CHANGING_KILLS = 10  # the moment the registry file itself changes (size, inode or mtime)
MAX_RUNS = 90
STAMP = "2026-01-02T03:04:05+00:00"
PROC_LOCKS = Path("/proc/locks")


def _entry(model_id: str, **extra: Any) -> Entry:
    return helpers.entry(model_id, **{"downloads": {model_id: 1234}, "updated_at": STAMP, **extra})


def _initial_registry() -> dict[str, Any]:
    """The committed static entries plus entries a refresh must carry over untouched."""
    registry: dict[str, Any] = dict(read_registry(packaged_registry_path(), missing_ok=False))
    registry["gpt2"] = _entry("me/my-gpt2", pinned=True)
    registry["gpt-j"] = _entry("EleutherAI/gpt-j-6b")  # a legacy alias key of gptj
    registry["my-private-arch"] = _entry("me/private-arch-base", source="hub", note="by hand")
    for i in range(40):
        models = [f"org{i}/custom-{i}-v{v}" for v in range(10)]
        registry[f"custom-arch-{i:03d}"] = {
            "default_model": models[0],
            "models": models,
            "downloads": {m: 1000 + v for v, m in enumerate(models)},
            "updated_at": STAMP,
            "source": "hub",
        }
    return registry


def _strip(entry: Mapping[str, object]) -> dict[str, object]:
    return {k: v for k, v in entry.items() if k != "updated_at"}


def _temps(registry: Path) -> list[Path]:
    return sorted(registry.parent.glob(f".{registry.name}.tmp-*"))


def _signature(path: Path) -> tuple[int, int, int] | None:
    """The registry file's inode, size and mtime: any write or rename changes one of them."""
    with contextlib.suppress(FileNotFoundError):
        st = path.stat()
        return (st.st_ino, st.st_size, st.st_mtime_ns)
    return None


def _holds_lock(pid: int) -> bool:
    try:
        lines = PROC_LOCKS.read_text().splitlines()
    except OSError:
        return False
    return any(len(parts) > 4 and parts[4] == str(pid) for parts in map(str.split, lines))


@pytest.fixture(scope="module")
def sim(all_fixture: dict[str, Any]) -> Iterator[ThreadedHubSimulator]:
    with run_in_thread(all_fixture, latency=0.003) as server:
        yield server


@dataclass
class Tally:
    kills: int = 0
    completed: int = 0
    lost: int = 0
    killed_holding_lock: int = 0
    temps_left_by_kills: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)


class Runner:
    def __init__(self, sim: ThreadedHubSimulator, registry: Path, logs: Path) -> None:
        self.sim = sim
        self.registry = registry
        self.logs = logs
        self.env = {**os.environ, "HF_HUB_DISABLE_PROGRESS_BARS": "1"}
        self.runs = 0

    def start(self) -> tuple[subprocess.Popen[bytes], Path]:
        self.runs += 1
        log = self.logs / f"run-{self.runs:03d}.stderr"
        with open(log, "wb") as stderr:
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "hf_model_registry",
                    "refresh-all",
                    "--registry",
                    str(self.registry),
                    "--endpoint",
                    self.sim.url,
                    "--concurrency",
                    "8",
                    "--quiet",
                    # The planted "hub" entries carry no endpoint: mixing is intended here.
                    "--force",
                ],
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                env=self.env,
            )
        return proc, log

    def clean_run(self) -> float:
        started = time.monotonic()
        proc, log = self.start()
        code = proc.wait(timeout=120)
        assert code == 0, log.read_text()
        return time.monotonic() - started


def _wait_until(proc: subprocess.Popen[bytes], ready: Any, deadline: float) -> bool:
    """Poll ``ready()`` until it holds; False when the process ended or time ran out."""
    while proc.poll() is None and time.monotonic() < deadline:
        if ready():
            return True
        time.sleep(0.0005)
    return False


def _spin(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def test_sigkill_at_random_moments_never_loses_or_truncates_an_entry(
    sim: ThreadedHubSimulator, tmp_path: Path
) -> None:
    rng = random.Random(SEED)
    registry = tmp_path / "huggingface_model_types.json"
    logs = tmp_path / "logs"
    logs.mkdir()
    initial = _initial_registry()
    initial_bytes = dumps_registry(initial).encode()
    runner = Runner(sim, registry, logs)

    # Calibration: one clean run gives the duration and every entry's new value.
    registry.write_bytes(initial_bytes)
    duration = runner.clean_run()
    reference = read_registry(registry, missing_ok=False)
    assert set(reference) > set(initial)
    assert reference["gpt2"] == initial["gpt2"]  # pinned
    assert reference["bert"]["source"] == "hub"
    can_see_locks = PROC_LOCKS.exists()

    # Each strategy is retried until it has its share of real kills (a late uniform
    # moment may find the run already finished; that run is checked all the same).
    wanted = {
        "uniform": UNIFORM_KILLS,
        "locked": LOCKED_KILLS,
        "writing": WRITING_KILLS,
        "changing": CHANGING_KILLS,
    }
    kills_by: Counter[str] = Counter()
    tally = Tally()
    index = -1
    while index < MAX_RUNS and any(kills_by[s] < n for s, n in wanted.items()):
        index += 1
        strategy = rng.choice(sorted(s for s, n in wanted.items() if kills_by[s] < n))
        if index % 2 == 0:
            registry.write_bytes(initial_bytes)  # half the kills start from the static file
        before_bytes = registry.read_bytes()
        before = parse_registry(before_bytes)
        proc, log = runner.start()
        started = time.monotonic()
        deadline = started + 60
        held = False
        if strategy == "uniform":
            time.sleep(rng.uniform(0.0, duration * 1.1))
        elif strategy == "locked" and can_see_locks:
            held = _wait_until(proc, lambda p=proc: _holds_lock(p.pid), deadline)
            time.sleep(rng.uniform(0.0, 0.03))
        elif strategy == "locked":
            time.sleep(rng.uniform(duration * 0.85, duration * 1.05))
        else:
            # Wait for the lock (polling gently while the fetches run), then spin so the
            # kill lands the instant the write shows: a temp file, or the registry itself
            # changing (which catches an in-place write that a temp-file watch would miss).
            if can_see_locks:
                _wait_until(proc, lambda p=proc: _holds_lock(p.pid), deadline)
            else:
                time.sleep(duration * 0.7)
            signature = _signature(registry)
            while proc.poll() is None and time.monotonic() < deadline:
                if strategy == "writing" and _temps(registry):
                    _spin(rng.uniform(0.0, 0.0005))
                    break
                if strategy == "changing" and _signature(registry) != signature:
                    break
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        code = proc.wait(timeout=60)
        if code == -signal.SIGKILL:
            tally.kills += 1
            kills_by[strategy] += 1
            tally.killed_holding_lock += held
        else:
            tally.completed += 1
            if code != 0:
                tally.problems.append(f"run {index}: exit {code}: {log.read_text()[-2000:]}")

        after_bytes = registry.read_bytes()
        try:
            after = parse_registry(after_bytes, source=f"after kill {index}")
        except Exception as exc:  # any failure to parse is the bug this test looks for
            tally.problems.append(f"run {index} ({strategy}): registry unreadable: {exc}")
            tally.lost += len(before)
            registry.write_bytes(initial_bytes)
            continue
        if after_bytes != dumps_registry(after).encode():
            tally.problems.append(f"run {index}: registry is not a complete canonical document")
        missing = sorted(set(before) - set(after))
        tally.lost += len(missing)
        if missing:
            tally.problems.append(f"run {index} ({strategy}): lost {missing[:5]}")
        foreign = sorted(set(after) - set(before) - set(reference))
        if foreign:
            tally.problems.append(f"run {index}: unexpected keys {foreign[:5]}")
        for key in set(before) & set(after):
            old_value = after[key] == before[key]
            new_value = key in reference and _strip(after[key]) == _strip(reference[key])
            if not (old_value or new_value):
                tally.problems.append(f"run {index}: {key!r} is neither its old nor new value")
        tally.temps_left_by_kills += bool(_temps(registry)) and code == -signal.SIGKILL
        tally.outcomes["changed" if after_bytes != before_bytes else "unchanged"] += 1

    # Leftovers of killed writers are removed by the next run; plant one so this is
    # always exercised, even if no kill happened to land between create and rename.
    planted = registry.parent / f".{registry.name}.tmp-planted"
    planted.write_text('{"half": ')
    runner.clean_run()
    final = read_registry(registry, missing_ok=False)

    print(
        f"\ncrash safety: {tally.kills} kills survived ({dict(kills_by)}), "
        f"{tally.completed} runs completed, "
        f"{tally.lost} entries lost; {tally.killed_holding_lock} kills while holding the lock, "
        f"{tally.temps_left_by_kills} kills left a half-written temp file; "
        f"registry changed/unchanged after a run: {dict(tally.outcomes)}"
    )
    assert tally.problems == []
    assert tally.lost == 0
    assert tally.kills >= 50
    if can_see_locks:
        assert tally.killed_holding_lock >= LOCKED_KILLS // 2
    assert _temps(registry) == []
    assert set(final) == set(reference)
    assert all(_strip(final[k]) == _strip(reference[k]) for k in final)
    assert final["my-private-arch"] == initial["my-private-arch"]
    assert json.loads(registry.read_text()) == final
