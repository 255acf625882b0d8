"""HubSettings: built once at the edges from arguments and the environment, then passed as is."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

import find_models
from hf_model_registry import aio
from hf_model_registry._cli import main
from hf_model_registry._settings import LOOKUP_RETRY, HubSettings, RetryPolicy
from hf_model_registry.simulator import ThreadedHubSimulator

TOKEN = "hf_SETTINGStokenQ7w2Lx9"


def test_from_env_reads_the_hubs_own_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "https://mirror.test/")
    monkeypatch.setenv("HF_TOKEN", f" {TOKEN} ")
    monkeypatch.setenv("HF_HUB_OFFLINE", "yes")
    settings = HubSettings.from_env()
    assert (settings.endpoint, settings.token, settings.offline) == (
        "https://mirror.test",
        TOKEN,
        True,
    )


def test_from_env_arguments_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "https://mirror.test")
    monkeypatch.setenv("HF_TOKEN", "hf_fromTheEnvironment")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    settings = HubSettings.from_env(
        endpoint="http://127.0.0.1:9", token=TOKEN, offline=False, concurrency=3, rate=2.0
    )
    assert settings == HubSettings(
        endpoint="http://127.0.0.1:9", token=TOKEN, offline=False, concurrency=3, rate=2.0
    )


def test_from_env_reads_the_token_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    monkeypatch.setenv("HF_TOKEN_PATH", str(token_file))
    assert HubSettings.from_env().token == TOKEN
    monkeypatch.delenv("HF_TOKEN_PATH")
    assert HubSettings.from_env().token is None


def test_settings_never_show_the_token() -> None:
    settings = HubSettings(token=TOKEN)
    assert TOKEN not in repr(settings) and TOKEN not in str(settings)
    assert "token='***'" in repr(settings)
    assert "token=None" in repr(HubSettings())


def test_gated_models_are_allowed_exactly_when_a_token_is_configured() -> None:
    assert HubSettings(token=TOKEN).policy().allow_gated
    assert not HubSettings().policy().allow_gated
    limited = HubSettings(token=TOKEN).policy(max_params=10, min_downloads=3)
    assert (limited.max_params, limited.min_downloads, limited.allow_gated) == (10, 3, True)


def test_a_lookups_settings_are_short_and_keep_where_and_who() -> None:
    base = HubSettings(endpoint="https://mirror.test", token=TOKEN, concurrency=4)
    lookup = base.for_lookup()
    assert lookup.retry == LOOKUP_RETRY
    assert lookup.max_quota_wait == LOOKUP_RETRY.max_total_wait
    assert lookup.request_timeout < base.request_timeout
    assert (
        dataclasses.replace(
            lookup,
            retry=base.retry,
            connect_timeout=base.connect_timeout,
            request_timeout=base.request_timeout,
            max_quota_wait=base.max_quota_wait,
        )
        == base
    )


@pytest.mark.anyio
async def test_refresh_takes_settings_or_their_fields_not_both(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="not both"):
        await aio.refresh(
            ["bert"],
            registry=tmp_path / "reg.json",
            settings=HubSettings(),
            retry=RetryPolicy(max_attempts=1),
        )
    assert not (tmp_path / "reg.json").exists()


@pytest.mark.anyio
async def test_refresh_with_settings_uses_them_and_not_the_environment(
    sim: ThreadedHubSimulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # closed: would fail the run
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # would refuse the run
    report = await aio.refresh(
        ["gpt2"], registry=tmp_path / "reg.json", settings=HubSettings(endpoint=sim.url)
    )
    assert report.outcomes["gpt2"].new_default == "openai-community/gpt2"
    assert sim.stats.listing_requests == 1


@pytest.fixture
def environment_writes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """HF_* names written into os.environ during the test (pytest writes its own)."""
    writes: list[str] = []
    environ_type = type(os.environ)
    real = environ_type.__setitem__

    def recording(self: os._Environ[str], key: str, value: str) -> None:
        if key.startswith("HF_"):
            writes.append(key)
        real(self, key, value)

    monkeypatch.setattr(environ_type, "__setitem__", recording)
    return writes


def test_recommend_endpoint_reaches_the_lookup_without_touching_the_environment(
    sim: ThreadedHubSimulator, capsys: pytest.CaptureFixture[str], environment_writes: list[str]
) -> None:
    assert main(["recommend", "gpt2", "--endpoint", sim.url]) == 0
    assert capsys.readouterr().out.strip() == "openai-community/gpt2"
    assert sim.stats.listing_requests == 1
    assert environment_writes == []


def test_find_models_endpoint_reaches_the_lookup_without_touching_the_environment(
    sim: ThreadedHubSimulator,
    capsys: pytest.CaptureFixture[str],
    environment_writes: list[str],
) -> None:
    assert find_models.main(["--model-type", "gpt2", "--endpoint", sim.url]) == 0
    out = capsys.readouterr().out
    assert "Recommended default model: openai-community/gpt2 (from hub)" in out
    assert sim.stats.listing_requests >= 1
    assert environment_writes == []
