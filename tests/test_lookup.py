"""The lookup chain: memo -> fresh registry -> Hub -> stale registry -> static default."""

from __future__ import annotations

import asyncio
import json
import logging
import math
import os
import socket
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import anyio
import pytest

import find_models
from helpers import FakeClock, closed_port, entry
from hf_model_registry import (
    InvalidModelType,
    NoAnswerOffline,
    RegistryError,
    UnknownModelType,
    _chain,
    _hub_memory,
    _lookup,
    aio,
)
from hf_model_registry import _refresh as refresh_module
from hf_model_registry._chain import Answer, Source
from hf_model_registry._registry import dumps_registry
from hf_model_registry._settings import HubSettings
from hf_model_registry.simulator import ThreadedHubSimulator


def write(path: Path, data: dict[str, Any]) -> None:
    path.write_text(dumps_registry(data))


@pytest.fixture
def every_call_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    """A memoised answer looks at the file and the environment on every call, not each second."""
    monkeypatch.setattr(_lookup, "STAT_INTERVAL_SECONDS", 0.0)


def test_static_registry_mode_answers_bert_without_opening_a_socket(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("USE_STATIC_REGISTRY", "true")

    def no_socket(*args: object, **kwargs: object) -> None:
        raise AssertionError("a socket was opened")

    monkeypatch.setattr(socket, "socket", no_socket)
    assert find_models.get_recommended_default_model("bert") == "google-bert/bert-base-uncased"


def test_static_registry_import_line_of_the_issue_prints_bert(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
    env["USE_STATIC_REGISTRY"] = "true"
    code = "from find_models import get_recommended_default_model as g; print(g('bert'))"
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "google-bert/bert-base-uncased"


@pytest.mark.parametrize(
    "flag", ["USE_STATIC_REGISTRY=1", "USE_STATIC_REGISTRY=yes", "HF_HUB_OFFLINE=1"]
)
def test_each_offline_switch_answers_from_static_defaults(
    flag: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    name, value = flag.split("=")
    monkeypatch.setenv(name, value)
    answer = _lookup.lookup("gpt2")
    assert (answer.model_id, answer.source) == ("openai-community/gpt2", "static")


def test_fresh_registry_entry_wins_over_static(tmp_path: Path) -> None:
    write(
        tmp_path / "huggingface_model_types.json",
        {"gpt2": entry("someone/gpt2-fresh", source="hub")},
    )
    answer = _lookup.lookup("gpt2")
    assert (answer.model_id, answer.source) == ("someone/gpt2-fresh", "registry")


def test_second_lookup_is_served_from_memo(tmp_path: Path) -> None:
    write(tmp_path / "huggingface_model_types.json", {"bert": entry("a/b", source="hub")})
    assert _lookup.lookup("bert").source == "registry"
    assert _lookup.lookup("bert").source == "memo"


@pytest.mark.usefixtures("every_call_checks")
def test_memo_rereads_the_file_when_it_changes(tmp_path: Path) -> None:
    path = tmp_path / "huggingface_model_types.json"
    write(path, {"bert": entry("a/b", source="hub")})
    assert _lookup.get_recommended_default_model("bert") == "a/b"
    write(path, {"bert": entry("c/longer-name", source="hub")})
    assert _lookup.get_recommended_default_model("bert") == "c/longer-name"


def test_stale_entry_is_used_when_offline(tmp_path: Path, offline: None) -> None:
    write(
        tmp_path / "huggingface_model_types.json",
        {"bert": entry("a/old", age=timedelta(days=30), source="hub")},
    )
    answer = _lookup.lookup("bert")
    assert (answer.model_id, answer.source) == ("a/old", "stale-registry")


def test_ttl_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, offline: None
) -> None:
    write(
        tmp_path / "huggingface_model_types.json",
        {"bert": entry("a/b", age=timedelta(hours=2), source="hub")},
    )
    monkeypatch.setenv("HF_MODEL_REGISTRY_TTL", "3600")
    assert _lookup.lookup("bert").source == "stale-registry"
    _lookup.clear_cache()
    monkeypatch.setenv("HF_MODEL_REGISTRY_TTL", str(3 * 3600))
    assert _lookup.lookup("bert").source == "registry"


def test_pinned_entry_is_always_fresh(tmp_path: Path) -> None:
    write(
        tmp_path / "huggingface_model_types.json",
        {"bert": entry("me/mine", age=timedelta(days=400), pinned=True)},
    )
    assert _lookup.lookup("bert").source == "registry"


def test_registry_path_resolution_prefers_argument_then_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "huggingface_model_types.json", {"bert": entry("cwd/file", source="hub")})
    other = tmp_path / "other.json"
    write(other, {"bert": entry("env/file", source="hub")})
    explicit = tmp_path / "explicit.json"
    write(explicit, {"bert": entry("arg/file", source="hub")})
    assert _lookup.get_recommended_default_model("bert") == "cwd/file"
    monkeypatch.setenv("HF_MODEL_REGISTRY", str(other))
    assert _lookup.get_recommended_default_model("bert") == "env/file"
    assert _lookup.get_recommended_default_model("bert", registry=explicit) == "arg/file"


def test_alias_and_legacy_keys_answer_the_same(tmp_path: Path, offline: None) -> None:
    assert _lookup.get_recommended_default_model("gpt-j") == _lookup.get_recommended_default_model(
        "gptj"
    )
    write(tmp_path / "huggingface_model_types.json", {"gpt-neo": entry("legacy/key", source="hub")})
    _lookup.clear_cache()
    assert _lookup.get_recommended_default_model("gpt_neo") == "legacy/key"


def test_corrupt_registry_warns_once_and_answers_from_static(
    tmp_path: Path, offline: None, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "huggingface_model_types.json").write_bytes(b"\x00{{ not json")
    assert _lookup.get_recommended_default_model("bert") == "google-bert/bert-base-uncased"
    assert _lookup.get_recommended_default_model("gpt2") == "openai-community/gpt2"
    warnings = [r for r in caplog.records if "unreadable registry" in r.getMessage()]
    assert len(warnings) == 1


@pytest.mark.parametrize(
    "bad",
    ["", "../x", "bert&author=x", "bert base", "bert\n", "b\x00", "x" * 65, "\uff42ert"],
)
def test_invalid_model_types_raise_with_the_value_shown_safely(bad: str) -> None:
    with pytest.raises(InvalidModelType) as info:
        _lookup.lookup(bad)
    message = str(info.value)
    assert "\n" not in message and "\x00" not in message


def test_unknown_type_raises_in_new_api_but_compat_returns_a_string(
    offline: None, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(UnknownModelType):
        _lookup.lookup("no-such-architecture")
    assert (
        find_models.get_recommended_default_model("no-such-architecture")
        == "no-such-architecture-base"
    )
    assert any("no default known" in r.getMessage() for r in caplog.records)


def test_sync_facade_works_inside_a_running_event_loop(offline: None) -> None:
    async def main() -> str:
        return find_models.get_recommended_default_model("no-such-architecture-2")

    # Sync on purpose: the sync facade called inside a running asyncio loop.
    assert asyncio.run(main()) == "no-such-architecture-2-base"


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_sync_facade_runs_the_async_core_in_a_thread_inside_a_loop(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stale entry needs the async core; inside a running loop it must not fail 'already
    running' (asyncio) or block the loop's thread (trio)."""
    calls: list[str] = []

    async def fake_from_hub(name: str, *args: object) -> None:
        calls.append(name)

    monkeypatch.setattr(aio, "_from_hub", fake_from_hub)
    stale = entry("a/old", age=timedelta(days=30), source="hub")
    write(tmp_path / "huggingface_model_types.json", {"bert": stale})

    async def main() -> str:
        return _lookup.get_recommended_default_model("bert")

    # Sync on purpose: the sync facade inside a loop it must not block, on each backend.
    assert anyio.run(main, backend=backend) == "a/old"
    assert calls == ["bert"]


@pytest.mark.anyio
async def test_async_api_answers_like_the_sync_one(tmp_path: Path, offline: None) -> None:
    write(
        tmp_path / "huggingface_model_types.json",
        {"vit": entry("google/vit-base-patch16-224", source="hub")},
    )
    assert await aio.get_recommended_default_model("vit") == "google/vit-base-patch16-224"
    assert (await aio.lookup("whisper")).source == "static"


def test_compat_module_exposes_the_original_names() -> None:
    types = find_models.ARCHITECTURE_TYPES
    assert "bert" in types["encoder-only"]
    assert callable(find_models.query_huggingface_api)
    assert callable(find_models.try_model_access)
    json.dumps(types)  # plain data, as in the original


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Bert", "google-bert/bert-base-uncased"),
        ("gpt_j", "EleutherAI/gpt-j-6b"),
        ("GPT-J", "EleutherAI/gpt-j-6b"),
        ("XLM_RoBERTa", "FacebookAI/xlm-roberta-base"),
    ],
)
def test_the_library_accepts_the_spellings_the_command_line_accepts(
    typed: str, expected: str, offline: None
) -> None:
    assert _lookup.get_recommended_default_model(typed) == expected
    assert find_models.get_recommended_default_model(typed) == expected


def test_a_lookup_does_not_write_into_a_registry_it_cannot_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = tmp_path / "reg.json"
    write(registry, {"bert": entry("a/old", age=timedelta(days=30), source="hub")})
    before = registry.read_bytes()
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    calls: list[Any] = []

    async def fake_refresh(types: Any, *args: Any, **options: Any) -> Any:
        calls.append(options)
        raise RegistryError("no Hub here")

    monkeypatch.setattr(refresh_module, "refresh", fake_refresh)
    monkeypatch.setenv("HF_ENDPOINT", "http://hub.test")
    assert _lookup.get_recommended_default_model("bert", registry=registry) == "a/old"
    assert calls and calls[0]["write"] is False
    assert registry.read_bytes() == before


@pytest.mark.usefixtures("every_call_checks")
def test_the_memo_notices_a_registry_file_created_later(offline: None) -> None:
    assert _lookup.lookup("bert").source == "static"
    write(Path("huggingface_model_types.json"), {"bert": entry("my-org/my-bert", pinned=True)})
    assert _lookup.get_recommended_default_model("bert") == "my-org/my-bert"


@pytest.mark.usefixtures("sim_in_env")
def test_a_hub_answer_is_remembered_for_the_ttl_then_asked_again(
    sim: ThreadedHubSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FakeClock()
    monotonic = SimpleNamespace(monotonic=clock)
    monkeypatch.setattr(_lookup, "time", monotonic)
    monkeypatch.setattr(_hub_memory, "time", monotonic)
    monkeypatch.setenv("HF_MODEL_REGISTRY_TTL", "60")
    # No registry file: the packaged snapshot's static entry is a floor, so the Hub is asked.
    assert _lookup.lookup("gpt2").source == "hub"
    asked = sim.stats.requests
    clock.now += 59
    assert _lookup.lookup("gpt2").source == "memo"
    assert sim.stats.requests == asked
    clock.now += 2  # past the TTL: the answer may have changed on the Hub
    assert _lookup.lookup("gpt2").source == "hub"
    assert sim.stats.requests > asked


def test_a_fresh_entry_is_remembered_until_it_turns_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, offline: None
) -> None:
    clock = FakeClock()
    monkeypatch.setattr(_lookup, "time", SimpleNamespace(monotonic=clock))
    monkeypatch.setenv("HF_MODEL_REGISTRY_TTL", "3600")
    write(
        tmp_path / "huggingface_model_types.json",
        {"bert": entry("a/b", age=timedelta(minutes=50), source="hub")},
    )
    assert _lookup.lookup("bert").source == "registry"
    clock.now += 9 * 60  # still within the TTL of the entry's refresh
    assert _lookup.lookup("bert").source == "memo"
    clock.now += 2 * 60
    # The memo lets go; the registry answer is computed again (on the real clock, the
    # entry is still fresh, so the answer comes straight from the file).
    assert _lookup.lookup("bert").source == "registry"


@pytest.mark.parametrize(
    ("source", "stored", "ttl", "seconds"),
    [
        ("registry", {"age": timedelta(hours=1)}, 7200, 3600),
        ("registry", {"age": timedelta(days=9)}, 7200, 0),
        ("registry", {"pinned": True}, 7200, math.inf),
        ("hub", None, 7200, 7200),
        ("stale-registry", None, 7200, _hub_memory.BACKOFF_SECONDS),
        ("static", None, 60, 60),
    ],
    ids=["fresh", "stale", "pinned", "hub", "fallback", "fallback-short-ttl"],
)
def test_how_long_the_memo_keeps_each_kind_of_answer(
    source: Source,
    stored: dict[str, Any] | None,
    ttl: int,
    seconds: float,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HF_MODEL_REGISTRY_TTL", str(ttl))
    kept = None if stored is None else entry("a/b", **stored)
    assert _lookup._lifetime(Answer("bert", "a/b", source, kept)) == pytest.approx(seconds, abs=5)


@pytest.mark.usefixtures("sim_in_env")
def test_offline_settings_answer_locally_without_trying_the_hub(
    sim: ThreadedHubSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    # Offline said by the caller's settings, not by HF_HUB_OFFLINE: the chain itself
    # answers locally; it does not try the Hub and log a failure.
    settings = HubSettings.from_env(offline=True).for_lookup()
    with caplog.at_level(logging.WARNING, logger="hf_model_registry"):
        answer = _lookup.lookup("gpt2", settings=settings)
    assert answer.source in ("static", "documented")
    assert caplog.records == [] and sim.stats.requests == 0


@pytest.mark.usefixtures("sim_in_env")
@pytest.mark.usefixtures("every_call_checks")
def test_an_answer_found_offline_is_not_served_to_an_online_caller(
    sim: ThreadedHubSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert _lookup.lookup("gpt2").source in ("static", "documented")
    monkeypatch.delenv("HF_HUB_OFFLINE")
    assert _lookup.lookup("gpt2").source == "hub"
    online = HubSettings.from_env().for_lookup()
    offline = HubSettings.from_env(offline=True).for_lookup()
    assert _lookup.lookup("gpt2", settings=offline).source in ("static", "documented")
    assert _lookup.lookup("gpt2", settings=online).source == "hub"


def test_a_hub_answer_is_kept_until_the_ttl_after_it_was_fetched(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HF_MODEL_REGISTRY_TTL", "7200")
    fetched = entry("a/b", age=timedelta(hours=1), source="hub")
    assert _lookup._lifetime(Answer("bert", "a/b", "hub", fetched)) == pytest.approx(3600, abs=5)


def test_while_lookups_leave_a_failed_hub_alone_an_unknown_type_is_still_unreachable(
    sim: ThreadedHubSimulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    down = f"http://127.0.0.1:{closed_port()}"
    monkeypatch.setenv("HF_ENDPOINT", down)
    write(tmp_path / "huggingface_model_types.json", {})
    for attempt in ("asks the Hub", "leaves it alone"):
        with pytest.raises(NoAnswerOffline) as raised:
            _lookup.lookup("zzzfoo")
        assert down in str(raised.value), attempt
    assert _hub_memory.backing_off(down)
    # Another Hub is not left alone for it.
    assert not _hub_memory.backing_off(sim.url)
    assert _lookup.lookup("gpt2", settings=HubSettings.from_env(endpoint=sim.url)).source == "hub"
    assert sim.stats.requests >= 1


@pytest.mark.usefixtures("every_call_checks")
def test_a_registry_written_while_a_lookup_reads_it_is_noticed_at_the_next_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "huggingface_model_types.json"
    write(path, {"bert": entry("me/bert-1", source="hub")})
    compute = _lookup._compute

    def rewritten_after_the_read(*args: Any) -> _chain.Answer:
        answer = compute(*args)
        write(path, {"bert": entry("me/bert-2-longer", source="hub")})  # a refresh lands
        return answer

    monkeypatch.setattr(_lookup, "_compute", rewritten_after_the_read)
    assert _lookup.get_recommended_default_model("bert") == "me/bert-1"
    monkeypatch.setattr(_lookup, "_compute", compute)
    assert _lookup.get_recommended_default_model("bert") == "me/bert-2-longer"


@pytest.mark.usefixtures("sim_in_env")
@pytest.mark.usefixtures("every_call_checks")
def test_a_changed_endpoint_or_ttl_is_noticed_at_the_next_check(
    sim: ThreadedHubSimulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _lookup.lookup("gpt2").source == "hub"
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{closed_port()}")
    assert _lookup.lookup("gpt2").source in ("static", "documented")  # that Hub is down
    write(
        tmp_path / "huggingface_model_types.json",
        {"bert": entry("me/2h-old", age=timedelta(hours=2), source="hub")},
    )
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert _lookup.lookup("bert").source == "registry"  # fresh for the 7-day default
    monkeypatch.setenv("HF_MODEL_REGISTRY_TTL", "1h")
    assert _lookup.lookup("bert").source == "stale-registry"


@pytest.mark.usefixtures("sim_in_env")
def test_a_type_the_hub_has_nothing_for_is_asked_once_in_a_while_not_on_every_call(
    sim: ThreadedHubSimulator,
) -> None:
    for _ in range(5):
        with pytest.raises(UnknownModelType):
            _lookup.lookup("zzz-nothing-known")
        assert find_models.get_recommended_default_model("zzz-nothing-known") != ""
    assert sim.stats.requests == 1
    _lookup.clear_cache()  # forgets it: asked again
    with pytest.raises(UnknownModelType):
        _lookup.lookup("zzz-nothing-known")
    assert sim.stats.requests == 2
