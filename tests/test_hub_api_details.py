"""Real Hub API details: a refused token, legacy-id redirects, HF_TOKEN_PATH, a mirror's links.

End to end through the library and the command line, against the loopback simulator
(which answers an unknown token and a legacy id the way the real Hub does) or a
mirror mocked with respx routes.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import respx

from helpers import run_cli
from hf_model_registry import TokenRejected, _config, aio
from hf_model_registry._access import AccessStatus
from hf_model_registry._hub import RetryPolicy
from hf_model_registry._registry import read_registry
from hf_model_registry.simulator import (
    DEFAULT_HUB_TYPES,
    ThreadedHubSimulator,
    run_in_thread,
    synthetic_fixture,
)

GOOD_TOKEN = "hf_GOODtokenR7x2Qm9Lp4"
BAD_TOKEN = "hf_EXPIREDtokenW3k8Zt1Vn6"
FAST_RETRY = RetryPolicy(max_attempts=3, initial_wait=0.01, max_wait=0.05, jitter=0.01)
# The legacy ids the real Hub answered with a 307 (huggingface_hub's recorded VCR
# cassettes, tests/cassettes/, Apache-2.0, recorded January to March 2025).
LEGACY = {
    "bert-base-uncased": "google-bert/bert-base-uncased",
    "t5-small": "google-t5/t5-small",
    "meta-llama/Meta-Llama-3.1-8B-Instruct": "meta-llama/Llama-3.1-8B-Instruct",
}


@pytest.fixture(scope="module")
def hub() -> Iterator[ThreadedHubSimulator]:
    fixture = {**synthetic_fixture(DEFAULT_HUB_TYPES), "redirects": LEGACY}
    with run_in_thread(fixture, valid_tokens={GOOD_TOKEN}) as server:
        yield server


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    return tmp_path / "reg.json"


@pytest.fixture
def pin(
    hub: ThreadedHubSimulator, registry: Path, capsys: pytest.CaptureFixture[str]
) -> Callable[..., tuple[int, str, str]]:
    """``hf-model-registry pin args`` into ``registry``, asking the simulator."""
    where = ("--registry", str(registry), "--endpoint", hub.url)
    return lambda *args: run_cli(capsys, "pin", *args, *where)


# -- an invalid or expired token -------------------------------------------------------------


@pytest.mark.anyio
async def test_a_refresh_with_a_refused_token_stops_at_the_first_answer_and_writes_nothing(
    hub: ThreadedHubSimulator, tmp_path: Path
) -> None:
    registry = tmp_path / "reg.json"
    hub.reset_stats()
    with pytest.raises(TokenRejected) as info:
        await aio.refresh(
            list(DEFAULT_HUB_TYPES),
            registry=registry,
            endpoint=hub.url,
            token=BAD_TOKEN,
            concurrency=1,
            retry=FAST_RETRY,
        )
    assert "HF_TOKEN" in str(info.value) and BAD_TOKEN not in str(info.value)
    # One architecture asked, once; the nine others were never sent.
    assert hub.stats.requests == 1
    assert not registry.exists()


def test_the_cli_says_to_fix_or_unset_the_token_in_one_line_and_exits_2(
    hub: ThreadedHubSimulator,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HF_TOKEN", BAD_TOKEN)
    registry = tmp_path / "reg.json"
    for argv in (
        ["refresh", "bert", "gpt2", "t5", "--registry", str(registry), "--quiet"],
        ["refresh-all", "--registry", str(registry), "--quiet"],
        ["explain", "bert"],
        ["pin", "bert", "bert-base-uncased", "--registry", str(registry)],
    ):
        code, out, err = run_cli(capsys, *argv, "--endpoint", hub.url)
        assert code == 2, (argv, err)
        assert out == "" and err.count("\n") == 1, argv
        assert err.startswith("error: ") and "invalid or expired" in err and "HF_TOKEN" in err
        assert BAD_TOKEN not in err
    assert not registry.exists()


def test_check_reports_a_refused_token_as_its_own_status(
    hub: ThreadedHubSimulator,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HF_TOKEN", BAD_TOKEN)
    code, out, _ = run_cli(
        capsys, "check", "openai-community/gpt2", "--endpoint", hub.url, "--json"
    )
    assert code == 2
    answer = json.loads(out)
    assert answer["status"] == "invalid-token"  # --json statuses are slugs
    assert str(AccessStatus.INVALID_TOKEN) == "invalid token"
    assert "HF_TOKEN" in answer["detail"] and BAD_TOKEN not in out
    # With a valid token the same model is available: the status is about the token.
    monkeypatch.setenv("HF_TOKEN", GOOD_TOKEN)
    assert run_cli(capsys, "check", "openai-community/gpt2", "--endpoint", hub.url)[0] == 0


@pytest.mark.anyio
async def test_a_lookup_with_a_refused_token_answers_locally_with_a_warning(
    hub: ThreadedHubSimulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("HF_TOKEN", BAD_TOKEN)
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    with caplog.at_level(logging.WARNING, logger="hf_model_registry"):
        answer = await aio.lookup("bert", registry=tmp_path / "reg.json")
    assert answer.source == "static"
    assert "fix or unset HF_TOKEN" in caplog.text
    assert BAD_TOKEN not in caplog.text


# -- legacy ids --------------------------------------------------------------------------------


@pytest.mark.parametrize(("legacy", "canonical"), sorted(LEGACY.items()))
def test_check_reports_the_canonical_id_of_a_legacy_id(
    hub: ThreadedHubSimulator,
    capsys: pytest.CaptureFixture[str],
    legacy: str,
    canonical: str,
) -> None:
    code, out, _ = run_cli(capsys, "check", legacy, "--endpoint", hub.url, "--json")
    answer = json.loads(out)
    assert answer["model_id"] == canonical
    assert answer["requested_id"] == legacy
    # bert and t5 are open; the Llama is gated and the request is anonymous.
    assert code == (1 if canonical.startswith("meta-llama/") else 0)
    code, out, _ = run_cli(capsys, "check", legacy, "--endpoint", hub.url)
    assert out.startswith(f"{canonical}: ") and f"canonical id of {legacy}" in out


def test_pin_stores_the_canonical_id_of_a_legacy_id_and_says_so(
    pin: Callable[..., tuple[int, str, str]], registry: Path
) -> None:
    code, out, err = pin("bert", "bert-base-uncased")
    assert code == 0, err
    assert "pinned bert -> google-bert/bert-base-uncased" in out
    assert "canonical id of bert-base-uncased" in out
    entry = read_registry(registry)["bert"]
    assert entry["default_model"] == "google-bert/bert-base-uncased" and entry["pinned"] is True
    assert entry["models"][0] == "google-bert/bert-base-uncased"
    assert "bert-base-uncased" not in entry["models"]


def test_pin_keeps_a_canonical_id_as_is_and_refuses_an_unknown_one_unless_forced(
    pin: Callable[..., tuple[int, str, str]], registry: Path
) -> None:
    code, out, err = pin("gpt2", "openai-community/gpt2")
    assert code == 0 and err == f"created a new registry file {registry}\n"
    assert out.strip() == f"pinned gpt2 -> openai-community/gpt2 in {registry}"
    code, out, err = pin("t5", "someone/my-private-t5")
    assert code == 1 and out == ""
    assert "someone/my-private-t5 is not on the Hub" in err and "--force" in err
    assert "t5" not in read_registry(registry)
    code, out, err = pin("t5", "someone/my-private-t5", "--force")
    assert code == 0
    assert "warning: someone/my-private-t5 not confirmed on the Hub" in err
    assert read_registry(registry)["t5"]["default_model"] == "someone/my-private-t5"


def test_pin_offline_stores_the_id_as_given_without_a_request(
    hub: ThreadedHubSimulator,
    pin: Callable[..., tuple[int, str, str]],
    registry: Path,
    offline: None,
) -> None:
    hub.reset_stats()
    code, _, err = pin("bert", "bert-base-uncased")
    assert code == 0 and err == f"created a new registry file {registry}\n"
    assert read_registry(registry)["bert"]["default_model"] == "bert-base-uncased"
    assert hub.stats.requests == 0


# -- HF_TOKEN_PATH -----------------------------------------------------------------------------


def _token_file(path: Path, token: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{token}\n", encoding="utf-8")
    return path


def test_hf_token_path_is_the_token_file_when_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = Path(os.environ["HF_HOME"])
    _token_file(home / "token", "hf_from_home")
    monkeypatch.setenv("HF_TOKEN_PATH", str(_token_file(tmp_path / "elsewhere" / "tok", "hf_file")))
    assert _config.hub_token_and_source()[0] == "hf_file"
    # A missing file at HF_TOKEN_PATH is no token: $HF_HOME/token is not read instead.
    monkeypatch.setenv("HF_TOKEN_PATH", str(tmp_path / "missing"))
    assert _config.hub_token_and_source()[0] is None
    monkeypatch.delenv("HF_TOKEN_PATH")
    assert _config.hub_token_and_source()[0] == "hf_from_home"


def test_the_environment_variables_come_before_hf_token_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_TOKEN_PATH", str(_token_file(tmp_path / "tok", "hf_file")))
    monkeypatch.setenv("HUGGING_FACE_HUB_TOKEN", "hf_legacy_var")
    assert _config.hub_token_and_source()[0] == "hf_legacy_var"
    monkeypatch.setenv("HF_TOKEN", "hf_var")
    assert _config.hub_token_and_source()[0] == "hf_var"
    assert _config.hub_token_and_source("hf_flag")[0] == "hf_flag"


def test_token_paths_expand_the_home_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    _token_file(tmp_path / "tokens" / "hf", "hf_tilde")
    monkeypatch.setenv("HF_TOKEN_PATH", "~/tokens/hf")
    assert _config.hub_token_and_source()[0] == "hf_tilde"
    monkeypatch.delenv("HF_TOKEN_PATH")
    monkeypatch.delenv("HF_HOME")
    _token_file(tmp_path / ".cache" / "huggingface" / "token", "hf_default_home")
    assert _config.hub_token_and_source()[0] == "hf_default_home"


def test_an_undecodable_token_file_is_no_token(tmp_path: Path) -> None:
    home = Path(os.environ["HF_HOME"])
    home.mkdir(parents=True)
    (home / "token").write_bytes(b"\xff\xfe\x00garbage")
    assert _config.hub_token_and_source()[0] is None


@pytest.mark.anyio
async def test_a_refresh_sends_the_token_from_hf_token_path(
    hub: ThreadedHubSimulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_TOKEN_PATH", str(_token_file(tmp_path / "tok", GOOD_TOKEN)))
    hub.reset_stats()
    report = await aio.refresh(["bert"], registry=tmp_path / "reg.json", endpoint=hub.url)
    assert report.failed == {}
    assert hub.stats.authorizations_by_host[f"127.0.0.1:{hub.port}"] == {f"Bearer {GOOD_TOKEN}"}


# -- a mirror that passes the Hub's absolute Link through ----------------------------------------


@pytest.mark.anyio
async def test_a_mirror_passing_the_absolute_link_through_still_gets_the_next_page(
    tmp_path: Path,
) -> None:
    # respx routes read as the mirror's two pages; the Hub itself must never be asked.
    mirror = respx.MockRouter(using=None, assert_all_called=False)
    hub = mirror.route(host="huggingface.co")
    second = mirror.get("https://mirror.test/api/models", params__contains={"cursor": "page2"})
    second.respond(
        200, json=[{"id": "google-bert/bert-base-uncased", "downloads": 50_000, "tags": TAGS}]
    )
    # A full first page of quantized copies: nothing to choose, so page 2 is needed.
    quantized = [
        {"id": f"quant/bert-{i}-gguf", "downloads": 10**6 - i, "tags": ["transformers", "gguf"]}
        for i in range(100)
    ]
    link = (
        "<https://huggingface.co/api/models?filter=bert&filter=transformers"
        '&sort=downloads&limit=100&cursor=page2>; rel="next"'
    )
    first = mirror.get("https://mirror.test/api/models")
    first.respond(200, json=quantized, headers={"Link": link})
    report = await aio.refresh(
        ["bert"],
        registry=tmp_path / "reg.json",
        endpoint="https://mirror.test",
        token=GOOD_TOKEN,
        transport=httpx.MockTransport(mirror.handler),
        retry=FAST_RETRY,
    )
    assert report.outcomes["bert"].new_default == "google-bert/bert-base-uncased"
    assert (first.call_count, second.call_count, hub.call_count) == (1, 1, 0)
    assert all(
        call.request.headers["authorization"] == f"Bearer {GOOD_TOKEN}" for call in mirror.calls
    )


TAGS = ["transformers", "bert"]


def test_pin_warns_about_a_gated_repo_and_another_architectures_model(
    pin: Callable[..., tuple[int, str, str]], registry: Path
) -> None:
    code, _, err = pin("llama", "meta-llama/Llama-3.2-1B")
    assert code == 0
    assert "warning: meta-llama/Llama-3.2-1B cannot be downloaded without access" in err
    code, _, err = pin("bert", "openai-community/gpt2")
    assert code == 0
    assert "warning: openai-community/gpt2 is a 'gpt2' model, not 'bert'" in err
    code, _, err = pin("gpt2", "openai-community/gpt2")
    assert code == 0 and "warning" not in err
    data = read_registry(registry)
    assert {k: v["default_model"] for k, v in data.items()} == {
        "llama": "meta-llama/Llama-3.2-1B",
        "bert": "openai-community/gpt2",
        "gpt2": "openai-community/gpt2",
    }
