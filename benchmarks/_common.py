"""Shared helpers of the benchmark scripts: the simulator subprocess and the machine.

Standard library only, so importing it costs nothing measurable.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from typing import Any

# Where a benchmark may talk: the loopback simulator, nothing else. These are set
# before huggingface_hub or this project is imported, and a private HF_HOME keeps
# any token of the user out of the benchmark.
SAFE_ENV = {
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
    "HF_HUB_DISABLE_EXPERIMENTAL_WARNING": "1",
    "DO_NOT_TRACK": "1",
    "NO_PROXY": "127.0.0.1,localhost",
    "no_proxy": "127.0.0.1,localhost",
}
_UNSET = (
    "HF_TOKEN",
    "HUGGING_FACE_HUB_TOKEN",
    "HF_HUB_OFFLINE",
    "USE_STATIC_REGISTRY",
    "HF_MODEL_REGISTRY",
    "HF_MODEL_REGISTRY_TTL",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
)


# Every temporary file of a run lives under one directory, removed when the run ends.
_SCRATCH = tempfile.TemporaryDirectory(prefix="hf-model-registry-bench-")


def scratch_dir(prefix: str) -> str:
    """A new, empty directory, deleted with the rest of the run's files at exit."""
    return tempfile.mkdtemp(prefix=prefix, dir=_SCRATCH.name)


def isolate_environment(hf_home: str | None = None) -> str:
    """Make this process (and its children) talk only to loopback, without a token."""
    for name in _UNSET:
        os.environ.pop(name, None)
    os.environ.update(SAFE_ENV)
    home = hf_home or scratch_dir("hf-home-")
    os.environ["HF_HOME"] = home
    return home


class Simulator:
    """The project's Hub simulator in its own process (so it never shares our GIL)."""

    def __init__(
        self,
        *,
        latency: float,
        quota: int | None = None,
        window: float | None = None,
        per_type: int = 6,
        seed: int = 0,
    ) -> None:
        cmd = [
            sys.executable,
            "-m",
            "hf_model_registry.simulator",
            "--port",
            "0",
            "--latency",
            str(latency),
            "--all-architectures",
            "--per-type",
            str(per_type),
            "--seed",
            str(seed),
        ]
        if quota is not None:
            cmd += ["--quota", str(quota)]
        if window is not None:
            cmd += ["--window", str(window)]
        self.latency = latency
        self.quota = quota
        self.window = window
        self._proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()
        # The simulator's rate-limit windows are aligned to the moment it started
        # listening, which is just before it printed this line.
        self.started = time.perf_counter()
        if not line.startswith("listening on "):
            self._proc.kill()
            raise RuntimeError(f"the simulator did not start: {line!r}")
        self.url = line.split()[-1].rstrip("/")
        if not self.url.startswith("http://127.0.0.1:"):
            self._proc.kill()
            raise RuntimeError(f"unexpected simulator address {self.url}")

    def stats(self) -> dict[str, Any]:
        with urllib.request.urlopen(f"{self.url}/_sim/stats", timeout=10) as r:
            data: dict[str, Any] = json.load(r)
        return data

    def reset(self) -> None:
        request = urllib.request.Request(f"{self.url}/_sim/reset", method="POST")
        with urllib.request.urlopen(request, timeout=10) as r:
            r.read()

    def next_window_boundary(self) -> float:
        """perf_counter time of the next window start (at most a few ms late)."""
        assert self.window is not None
        now = time.perf_counter()
        elapsed = now - self.started
        return self.started + (int(elapsed // self.window) + 1) * self.window

    def stop(self) -> None:
        if self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()

    def __enter__(self) -> Simulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
    }


def median_min(values: list[float]) -> tuple[float, float]:
    return statistics.median(values), min(values)


def print_table(headers: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    line = "  ".join(
        h.ljust(w) if i == 0 else h.rjust(w)
        for i, (h, w) in enumerate(zip(headers, widths, strict=True))
    )
    print(line)
    print("-" * len(line))
    for row in rows:
        print(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
