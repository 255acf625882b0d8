"""Helpers shared by the tests: registry entries, a fake clock, the CLI in-process, loopback
addresses, a second loopback host, and the JSON values the property tests draw from."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import anyio
import pytest
from hypothesis import strategies as st

from hf_model_registry import Entry
from hf_model_registry._cli import main
from hf_model_registry._registry import dumps_registry
from hf_model_registry.simulator import ThreadedHubSimulator, run_in_thread


def entry(model_id: str, *, age: timedelta = timedelta(0), **extra: Any) -> Entry:
    """A registry entry for ``model_id``, updated ``age`` ago, with ``extra`` keys."""
    stamp = (datetime.now(UTC) - age).isoformat(timespec="seconds")
    # A cast, not a check: the extras may be keys the file keeps beyond Entry's (a note).
    return cast(
        Entry,
        {
            "default_model": model_id,
            "models": [model_id],
            "downloads": {},
            "updated_at": stamp,
            **extra,
        },
    )


def write_refreshed(
    path: Path, endpoint: str, defaults: dict[str, str], *, age: timedelta = timedelta(0)
) -> Path:
    """Write a registry as a refresh from ``endpoint`` left it ``age`` ago: type -> default."""
    entries = {
        model_type: entry(model_id, age=age, source="hub", endpoint=endpoint)
        for model_type, model_id in defaults.items()
    }
    path.write_text(dumps_registry(entries))
    return path


class FakeClock:
    """A monotonic clock that only moves when the code under test sleeps on it."""

    def __init__(self, start: float = 100.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await anyio.lowlevel.checkpoint()


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run ``hf-model-registry args`` in-process: its exit code, stdout and stderr."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def python_m(
    module: str,
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """``python -m module args`` in a real process (``env`` replaces the environment)."""
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=timeout,
        check=False,
    )


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released), for "unreachable" tests."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def files_in(directory: Path) -> set[str]:
    """Every path below ``directory``, relative to it: what a command left behind."""
    return {str(p.relative_to(directory)) for p in directory.rglob("*")}


# The Hub, and another loopback host (None where there is none) a redirect may point at.
HubPair = tuple[ThreadedHubSimulator, ThreadedHubSimulator | None]


@contextlib.contextmanager
def hub_and_other_host(fixture: dict[str, Any], **options: Any) -> Iterator[HubPair]:
    """The Hub on 127.0.0.1, and another host on 127.0.0.2 (same port) a redirect points at.

    The other host is None where 127.0.0.2 is not configured (macOS): its checks are skipped.
    """
    with run_in_thread(fixture, **options) as hub:
        try:
            other: ThreadedHubSimulator | None = run_in_thread(
                fixture, host="127.0.0.2", port=hub.port
            )
        except OSError:
            other = None
        try:
            yield hub, other
        finally:
            if other is not None:
                other.stop()


def fresh(pair: HubPair, behaviors: dict[str, str]) -> ThreadedHubSimulator:
    """Give the Hub of ``pair`` these behaviours, zero both hosts' counters, return the Hub."""
    hub, other = pair
    hub.configure(behaviors=behaviors)
    hub.reset_stats()
    if other is not None:
        other.reset_stats()
    return hub


# Any JSON value, for the parsers' property tests (integers past 10**13, the bound the
# parsers enforce, and floats with NaN and infinities included).
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=20,
)
