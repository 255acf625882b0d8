"""The random-weight test model kept beside each default, and ``--tiny`` / ``tiny=True``."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers import entry
from hf_model_registry import Entry, _lookup, aio
from hf_model_registry._cli import main
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
