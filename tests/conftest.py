"""Shared test set-up: an isolated environment, a guard that keeps tests off the network,
a clean logging slate, and the loopback simulators most test files ask for."""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hf_model_registry import _lookup
from hf_model_registry.simulator import (
    ThreadedHubSimulator,
    fixture_for_all_architectures,
    run_in_thread,
)

_ENV = (
    "HF_TOKEN",
    "HUGGING_FACE_HUB_TOKEN",
    "HF_TOKEN_PATH",
    "HF_ENDPOINT",
    "HF_MODEL_REGISTRY",
    "HF_MODEL_REGISTRY_TTL",
    "USE_STATIC_REGISTRY",
    "HF_HUB_OFFLINE",
    "HF_HUB_DISABLE_PROGRESS_BARS",
)
# The loggers the command lines configure (basicConfig(force=True) on the root, levels here).
_LOGGERS = ("hf_model_registry", "httpx", "httpcore", "find_models")


def _is_loopback(address: Any) -> bool:
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, bytes):
        # anyio passes host names to getaddrinfo IDNA-encoded.
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """Each test: its own cwd and HF_HOME, no HF variables, empty caches, loopback only."""
    for name in _ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf_home"))
    monkeypatch.chdir(tmp_path)
    _lookup.clear_cache()

    real_connect = socket.socket.connect

    def guarded_connect(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
            raise AssertionError(f"test tried to reach the network: {address!r}")
        return real_connect(self, address)

    def guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not _is_loopback(host):
            raise AssertionError(f"test tried to resolve a host name: {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    real_getaddrinfo = socket.getaddrinfo
    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)
    yield tmp_path
    _lookup.clear_cache()


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    """Run every anyio test on both backends: the README promises trio as well as asyncio."""
    backend: str = request.param
    return backend


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """The command lines configure logging for the whole process; give each test a clean slate."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in _LOGGERS}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, saved in levels.items():
        logging.getLogger(name).setLevel(saved)


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """HF_HUB_OFFLINE=1: nothing may ask the Hub (pin asks it for the canonical id otherwise)."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture
def sim() -> Iterator[ThreadedHubSimulator]:
    """A fresh loopback Hub with the simulator's default architectures."""
    with run_in_thread() as server:
        yield server


@pytest.fixture
def sim_in_env(sim: ThreadedHubSimulator, monkeypatch: pytest.MonkeyPatch) -> None:
    """HF_ENDPOINT names ``sim``, as a user's environment would name a mirror."""
    monkeypatch.setenv("HF_ENDPOINT", sim.url)


@pytest.fixture(scope="session")
def all_fixture() -> dict[str, Any]:
    """Listings for every known architecture (built once: it is the slow one to make)."""
    return fixture_for_all_architectures()


@pytest.fixture
def sim_all(all_fixture: dict[str, Any]) -> Iterator[ThreadedHubSimulator]:
    """A fresh loopback Hub that lists models for every known architecture."""
    with run_in_thread(all_fixture) as server:
        yield server
