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


BAD_TOKEN = "hf_bad\x1b[31m"


@pytest.mark.parametrize(
    ("where", "named"),
    [
        ("HF_TOKEN", "HF_TOKEN"),
        ("HUGGING_FACE_HUB_TOKEN", "HUGGING_FACE_HUB_TOKEN"),
        ("HF_TOKEN_PATH", "HF_TOKEN_PATH"),
        ("HF_HOME", "$HF_HOME/token"),
        ("--token", "the token argument (--token)"),
    ],
)
def test_a_malformed_token_names_where_it_came_from_and_is_never_shown(
    where: str,
    named: str,
    sim: ThreadedHubSimulator,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    argv = ["refresh", "gpt2", "--endpoint", sim.url, "--registry", str(tmp_path / "t.json")]
    token_file = tmp_path / "hf_home" / "token"
    if where in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"):
        monkeypatch.setenv(where, BAD_TOKEN)
    elif where == "--token":
        argv += ["--token", BAD_TOKEN]
    else:
        if where == "HF_TOKEN_PATH":
            token_file = tmp_path / "badtok"
            monkeypatch.setenv("HF_TOKEN_PATH", str(token_file))
        token_file.parent.mkdir(exist_ok=True)
        token_file.write_text(BAD_TOKEN + "\n")
    code = main(argv)
    out, err = capsys.readouterr()
    assert (code, out) == (2, "") and err.count("\n") == 1
    assert f"from {named}" in err, err
    if where in ("HF_TOKEN_PATH", "HF_HOME"):
        assert str(token_file) in err
    assert "hf_bad" not in err and "\x1b" not in err
    assert sim.stats.requests == 0


@pytest.fixture
def from_env_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    """The keyword arguments of every HubSettings.from_env call during the test."""
    calls: list[dict[str, object]] = []
    real = HubSettings.from_env.__func__  # type: ignore[attr-defined]

    def counting(cls: type[HubSettings], /, **kwargs: object) -> HubSettings:
        calls.append(kwargs)
        return real(cls, **kwargs)  # type: ignore[no-any-return]

    monkeypatch.setattr(HubSettings, "from_env", classmethod(counting))
    return calls


@pytest.mark.parametrize(
    "run",
    [
        lambda url: main(["check", "openai-community/gpt2", "--endpoint", url, "--token", TOKEN]),
        lambda url: main(
            ["pin", "gpt2", "openai-community/gpt2", "--endpoint", url, "--token", TOKEN]
        ),
        lambda url: find_models.main(["--verify", "openai-community/gpt2", "--endpoint", url]),
    ],
    ids=["check", "pin", "find-models --verify"],
)
def test_access_checks_get_the_settings_the_front_end_built_once(
    run: object,
    sim: ThreadedHubSimulator,
    from_env_calls: list[dict[str, object]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    passed: list[dict[str, object]] = []
    real = aio.check_model_access

    async def recording(model_id: str, **kwargs: object) -> object:
        passed.append(kwargs)
        return await real(model_id, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(aio, "check_model_access", recording)
    assert run(sim.url) == 0  # type: ignore[operator]
    assert len(from_env_calls) == 1
    [kwargs] = passed
    settings = kwargs.get("settings")
    assert isinstance(settings, HubSettings) and settings.endpoint == sim.url
    assert kwargs.get("endpoint") is None and kwargs.get("token") is None


def test_find_models_with_a_patched_query_reads_the_environment_once(
    sim: ThreadedHubSimulator,
    from_env_calls: list[dict[str, object]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    items = [{"id": "openai-community/gpt2", "downloads": 5000, "tags": ["transformers"]}]
    monkeypatch.setattr(find_models, "query_huggingface_api", lambda *a, **k: items)
    assert find_models.main(["--model-type", "gpt2", "--endpoint", sim.url]) == 0
    assert "Recommended default model: openai-community/gpt2 (from hub)" in capsys.readouterr().out
    assert len(from_env_calls) == 1
