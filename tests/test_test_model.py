"""The random-weight test model kept beside each default, and ``--tiny`` / ``tiny=True``."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest

from helpers import entry
from hf_model_registry import Entry, _lookup, aio
from hf_model_registry._cli import main
from hf_model_registry._config import packaged_registry_path
from hf_model_registry._defaults import STATIC_TEST_MODELS
from hf_model_registry._hub import RetryPolicy
from hf_model_registry._registry import dumps_registry, read_registry
from hf_model_registry.simulator import ThreadedHubSimulator, run_in_thread, synthetic_fixture

FAST_RETRY = RetryPolicy(max_attempts=3, initial_wait=0.01, max_wait=0.05, jitter=0.01)


def entry_from_hub(model_id: str, **extra: Any) -> Entry:
    return entry(model_id, source="hub", **extra)


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    path = tmp_path / "reg.json"
    path.write_text(
        dumps_registry(
            {
                "bert": entry_from_hub(
                    "google-bert/bert-base-uncased",
                    test_model="hf-internal-testing/tiny-random-BertModel",
                ),
                "gpt2": entry_from_hub("openai-community/gpt2"),
            }
        )
    )
    return path


def test_sync_lookup_with_tiny_returns_the_test_model(registry: Path) -> None:
    assert (
        _lookup.get_recommended_default_model("bert", registry=registry, tiny=True)
        == "hf-internal-testing/tiny-random-BertModel"
    )
    assert (
        _lookup.get_recommended_default_model("bert", registry=registry)
        == "google-bert/bert-base-uncased"
    )


def test_tiny_without_a_test_model_falls_back_to_the_default_with_a_note(
    registry: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="hf_model_registry"):
        model = _lookup.get_recommended_default_model("gpt2", registry=registry, tiny=True)
    assert model == "openai-community/gpt2"
    assert "no test model known for gpt2" in caplog.text


@pytest.mark.anyio
async def test_async_lookup_with_tiny_returns_the_test_model(registry: Path) -> None:
    model = await aio.get_recommended_default_model("bert", registry=registry, tiny=True)
    assert model == "hf-internal-testing/tiny-random-BertModel"


def test_cli_recommend_tiny_prints_the_test_model(
    registry: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["recommend", "bert", "--tiny", "--registry", str(registry)]) == 0
    assert capsys.readouterr().out == "hf-internal-testing/tiny-random-BertModel\n"
    assert main(["recommend", "gpt2", "--tiny", "--registry", str(registry)]) == 0
    assert capsys.readouterr().out == "openai-community/gpt2\n"


def test_a_test_model_that_is_not_a_model_id_makes_the_entry_invalid(tmp_path: Path) -> None:
    path = tmp_path / "reg.json"
    path.write_text(dumps_registry({"bert": entry_from_hub("a/b", test_model="../../etc")}))
    from hf_model_registry import RegistryCorrupt

    with pytest.raises(RegistryCorrupt, match="'test_model' is not a model id"):
        read_registry(path)


@pytest.fixture
def sim() -> Iterator[ThreadedHubSimulator]:
    # "albert" is generated (the realistic gpt2 list has a fixture too).
    with run_in_thread(synthetic_fixture(["albert", "gpt2"], per_type=8)) as server:
        yield server


@pytest.mark.anyio
async def test_a_refresh_stores_the_listing_fixture_as_test_model_with_one_request(
    sim: ThreadedHubSimulator, tmp_path: Path
) -> None:
    path = tmp_path / "reg.json"
    report = await aio.refresh(
        ["albert", "gpt2"], registry=path, endpoint=sim.url, retry=FAST_RETRY
    )
    assert report.requests == 2
    data = read_registry(path)
    assert data["albert"]["test_model"] == "hf-internal-testing/tiny-random-AlbertModel"
    assert data["gpt2"]["test_model"] == "hf-internal-testing/tiny-random-gpt2"
    assert data["gpt2"]["default_model"] == "openai-community/gpt2"
    assert data["albert"]["tier"] in {"canonical", "original"}


@pytest.mark.anyio
async def test_a_refresh_that_finds_no_fixture_drops_an_old_test_model(
    tmp_path: Path,
) -> None:
    fixture = synthetic_fixture(["albert"], per_type=8)
    fixture["models"] = [m for m in fixture["models"] if "tiny-random" not in m["id"]]
    path = tmp_path / "reg.json"
    with run_in_thread(fixture) as server:
        old = entry_from_hub("old/albert", test_model="old/tiny", endpoint=server.url)
        path.write_text(dumps_registry({"albert": old}))
        await aio.refresh(["albert"], registry=path, endpoint=server.url, retry=FAST_RETRY)
    albert = read_registry(path)["albert"]
    assert albert["default_model"] != "old/albert"
    assert "test_model" not in albert


# -- offline: the static test models of _defaults.STATIC_TEST_MODELS -----------------

MISTRAL_TINY = "hf-internal-testing/tiny-random-MistralForCausalLM"


def static_entry_without_test_model(name: str) -> Entry:
    """The packaged snapshot's entry for ``name`` as a file built before test models had it."""
    found = dict(read_registry(packaged_registry_path())[name])
    del found["test_model"]
    return cast(Entry, found)


@pytest.mark.usefixtures("offline")
@pytest.mark.parametrize("registry", ["packaged", "missing", "older file"])
def test_offline_tiny_answers_the_static_test_model_without_a_warning(
    registry: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path: Path | None = None  # the test's cwd is empty: the packaged snapshot applies
    if registry == "missing":
        path = tmp_path / "missing.json"
    elif registry == "older file":
        path = tmp_path / "reg.json"
        path.write_text(dumps_registry({"mistral": static_entry_without_test_model("mistral")}))
    with caplog.at_level(logging.INFO, logger="hf_model_registry"):
        model = _lookup.get_recommended_default_model("mistral", registry=path, tiny=True)
        default = _lookup.get_recommended_default_model("mistral", registry=path)
    assert model == MISTRAL_TINY
    assert default == "mistralai/Mistral-7B-v0.1"
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.mark.usefixtures("offline")
@pytest.mark.anyio
async def test_offline_async_tiny_answers_the_static_test_model() -> None:
    assert await aio.get_recommended_default_model("mistral", tiny=True) == MISTRAL_TINY


def test_cli_recommend_tiny_in_static_registry_mode_prints_the_test_model(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("USE_STATIC_REGISTRY", "true")
    assert main(["recommend", "mistral", "--tiny"]) == 0
    out, err = capsys.readouterr()
    assert (out, err) == (f"{MISTRAL_TINY}\n", "")


@pytest.mark.usefixtures("offline")
def test_offline_tiny_without_a_static_test_model_warns_and_answers_the_default(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    # align has a documented checkpoint but no test model in any source read.
    assert "align" not in STATIC_TEST_MODELS
    with caplog.at_level(logging.INFO, logger="hf_model_registry"):
        model = _lookup.get_recommended_default_model("align", tiny=True)
    assert model == "kakaobrain/align-base"
    assert "no test model known for align" in caplog.text
    assert main(["recommend", "align", "--tiny"]) == 0
    out, err = capsys.readouterr()
    assert out == "kakaobrain/align-base\n"
    assert "no test model known for align" in err


def test_a_hub_entry_without_a_test_model_does_not_take_the_static_one(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "reg.json"
    path.write_text(dumps_registry({"mistral": entry_from_hub("mistralai/Mistral-7B-v0.3")}))
    with caplog.at_level(logging.INFO, logger="hf_model_registry"):
        model = _lookup.get_recommended_default_model("mistral", registry=path, tiny=True)
    assert model == "mistralai/Mistral-7B-v0.3"
    assert "no test model known for mistral" in caplog.text


@pytest.mark.anyio
async def test_a_refresh_replaces_the_static_test_model_with_the_hubs_pick_or_none(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    snapshot = read_registry(packaged_registry_path())
    path = tmp_path / "reg.json"
    path.write_text(dumps_registry({name: snapshot[name] for name in ("gpt2", "albert")}))
    fixture = synthetic_fixture(["albert", "gpt2"], per_type=8)
    # albert's listing has no random-weight fixture; gpt2's realistic one does.
    fixture["models"] = [
        m for m in fixture["models"] if not ("tiny-random" in m["id"] and "Albert" in m["id"])
    ]
    with run_in_thread(fixture) as server:
        await aio.refresh(["albert", "gpt2"], registry=path, endpoint=server.url, retry=FAST_RETRY)
    data = read_registry(path)
    assert data["gpt2"]["source"] == data["albert"]["source"] == "hub"
    assert data["gpt2"]["test_model"] == "hf-internal-testing/tiny-random-gpt2"
    assert data["gpt2"]["test_model"] != STATIC_TEST_MODELS["gpt2"]
    assert "test_model" not in data["albert"]
    with caplog.at_level(logging.INFO, logger="hf_model_registry"):
        model = _lookup.get_recommended_default_model("albert", registry=path, tiny=True)
    assert model == data["albert"]["default_model"]
    assert "no test model known for albert" in caplog.text


@pytest.mark.parametrize("registry", ["none", "empty", "stripped"])
def test_every_tiny_call_answers_the_static_test_model_not_only_the_first(
    registry: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # The second call is served from the memo, whose answer says "memo": it must still
    # be known as a static answer, with its static test model (a test loop asks again
    # and again; answering the 47B default from the second call on is the bug).
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    path = tmp_path / "reg.json"
    if registry == "empty":
        path.write_text("{}")
    elif registry == "stripped":
        snapshot = read_registry(packaged_registry_path())
        for kept in snapshot.values():
            kept.pop("test_model", None)  # a file built before static test models
        path.write_text(dumps_registry(snapshot))
    where = path if registry != "none" else tmp_path / "missing.json"
    with caplog.at_level(logging.INFO, logger="hf_model_registry"):
        answers = [
            _lookup.get_recommended_default_model("mixtral", registry=where, tiny=True)
            for _ in range(3)
        ]
    assert answers == [STATIC_TEST_MODELS["mixtral"]] * 3
    assert "no test model known" not in caplog.text
