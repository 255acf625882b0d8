"""The find_models compat module: its Hub functions and its command line, against the simulator."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import find_models
from helpers import closed_port, entry, write_refreshed
from hf_model_registry import HubUnavailable, InvalidModelType, aio
from hf_model_registry._architectures import all_architectures
from hf_model_registry._original import registry_key
from hf_model_registry._registry import dumps_registry, read_registry
from hf_model_registry.simulator import (
    DEFAULT_HUB_TYPES,
    ThreadedHubSimulator,
    run_in_thread,
    synthetic_fixture,
)

ROOT = Path(__file__).resolve().parents[1]
COMMITTED_REGISTRY = ROOT / "huggingface_model_types.json"
# The original's entry schema, which every entry keeps.
REQUIRED_KEYS = ("default_model", "models", "downloads", "updated_at")


@pytest.fixture(scope="module")
def small_fixture() -> dict[str, Any]:
    return synthetic_fixture([*DEFAULT_HUB_TYPES, "newtype"])


@pytest.fixture
def sim(small_fixture: dict[str, Any]) -> Iterator[ThreadedHubSimulator]:
    with run_in_thread(small_fixture) as server:
        yield server


@pytest.fixture
def closed_endpoint() -> str:
    return f"http://127.0.0.1:{closed_port()}"


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a connection was attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)


def sim_metadata(fixture: dict[str, Any], model_id: str) -> dict[str, Any]:
    """What the simulator's GET /api/models/{id} answers for ``model_id``."""
    with run_in_thread(fixture) as server:
        import httpx

        return dict(httpx.get(f"{server.url}/api/models/{model_id}").json())


def committed_copy(directory: Path) -> Path:
    target = directory / "huggingface_model_types.json"
    shutil.copyfile(COMMITTED_REGISTRY, target)
    return target


def one_error_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: "), err
    return lines[0]


# -- the library functions -----------------------------------------------------------


def test_query_huggingface_api_returns_the_most_downloaded_with_the_original_keys(
    sim: ThreadedHubSimulator,
) -> None:
    models = find_models.query_huggingface_api("gpt2", limit=3, endpoint=sim.url)
    assert [m["id"] for m in models] == [
        "openai-community/gpt2",
        "distilbert/distilgpt2",
        "datificate/gpt2-small-spanish",
    ]
    for model in models:
        assert {"id", "downloads", "likes", "tags", "model_type"} <= set(model)
        assert model["model_type"] == "gpt2"
    floor = find_models.query_huggingface_api(
        "gpt2", limit=20, min_downloads=2_000_000, endpoint=sim.url
    )
    assert [m["id"] for m in floor] == ["openai-community/gpt2", "distilbert/distilgpt2"]


def test_query_huggingface_api_returns_an_empty_list_and_logs_on_any_failure(
    closed_endpoint: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="find_models")
    assert find_models.query_huggingface_api("gpt2", endpoint=closed_endpoint) == []
    assert find_models.query_huggingface_api("../etc", endpoint=closed_endpoint) == []
    assert find_models.query_huggingface_api("gpt2", limit=0, endpoint=closed_endpoint) == []
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 3
    assert "cannot connect" in messages[0] and "invalid model type" in messages[1]


@pytest.mark.anyio
async def test_the_new_api_query_still_raises_the_librarys_errors(closed_endpoint: str) -> None:
    with pytest.raises(HubUnavailable):
        await aio.query_huggingface_api("gpt2", endpoint=closed_endpoint)
    with pytest.raises(InvalidModelType):
        await aio.query_huggingface_api("../etc", endpoint=closed_endpoint)


def test_try_model_access_returns_the_originals_dict_for_an_available_model(
    sim: ThreadedHubSimulator, small_fixture: dict[str, Any]
) -> None:
    result = find_models.try_model_access("openai-community/gpt2", endpoint=sim.url)
    assert set(result) == {"id", "private", "sha", "tags"}
    assert result["id"] == "openai-community/gpt2" and result["private"] is False
    assert isinstance(result["sha"], str) and len(result["sha"]) == 8
    assert result["sha"] == sim_metadata(small_fixture, "openai-community/gpt2")["sha"][:8]
    expected_tags = sim_metadata(small_fixture, "openai-community/gpt2")["tags"][:3]
    assert result["tags"] == expected_tags and expected_tags
    assert result.get("error") is None  # what ci_model_lookup.py checks


@pytest.mark.parametrize(
    ("model_id", "why"),
    [
        ("nobody/nothing-here", "not found"),
        ("meta-llama/Llama-3.2-1B", "gated"),
        ("not a valid id", "invalid model id"),
    ],
)
def test_try_model_access_returns_the_originals_error_dict_saying_why(
    sim: ThreadedHubSimulator, model_id: str, why: str
) -> None:
    result = find_models.try_model_access(model_id, endpoint=sim.url)
    assert set(result) == {"error", "id", "private"}
    assert result["id"] == model_id and result["private"] is True
    assert why in result["error"]


def test_try_model_access_says_unreachable_when_the_hub_is_down(closed_endpoint: str) -> None:
    result = find_models.try_model_access("openai-community/gpt2", endpoint=closed_endpoint)
    assert "unreachable" in result["error"]


def test_try_model_access_works_inside_a_running_event_loop(sim: ThreadedHubSimulator) -> None:
    async def legacy_call_from_async_code() -> dict[str, Any]:
        return find_models.try_model_access("openai-community/gpt2", endpoint=sim.url)

    # Sync on purpose: the legacy sync function called inside a running asyncio loop.
    assert "error" not in asyncio.run(legacy_call_from_async_code())


def test_importing_find_models_loads_no_http_or_cli_library() -> None:
    code = (
        "import sys, find_models\n"
        "heavy = {'httpx', 'anyio', 'tenacity', 'typer', 'rich', 'aiofiles', 'filelock'}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


# -- --model-type ----------------------------------------------------------------------


def test_model_type_shows_popular_models_and_the_recommendation(
    sim: ThreadedHubSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    assert find_models.main(["--model-type", "gpt2", "--endpoint", sim.url]) == 0
    out = capsys.readouterr().out
    assert "  1. openai-community/gpt2 (downloads: 17,272,637)" in out
    assert "Recommended default model: openai-community/gpt2 (from hub)" in out


def test_max_models_limits_the_popular_models_shown(
    sim: ThreadedHubSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    assert find_models.main(["--model-type", "t5", "--max-models", "2", "--endpoint", sim.url]) == 0
    out = capsys.readouterr().out
    numbered = [line for line in out.splitlines() if line[:4].strip().rstrip(".").isdigit()]
    assert len(numbered) == 2
    assert "Found 2 models for t5" in out


@pytest.mark.parametrize(
    ("without", "model_type", "model_id", "notice"),
    [
        ("hub-down", "gpt2", "openai-community/gpt2", "note: could not list popular models"),
        ("static-mode", "bert", "google-bert/bert-base-uncased", "offline"),
    ],
)
def test_model_type_without_the_hub_recommends_the_static_default_and_says_why(
    without: str,
    model_type: str,
    model_id: str,
    notice: str,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["--model-type", model_type]
    if without == "hub-down":
        argv += ["--endpoint", request.getfixturevalue("closed_endpoint")]
    else:
        request.getfixturevalue("no_network")  # static mode must not even try
        monkeypatch.setenv("USE_STATIC_REGISTRY", "true")
    assert find_models.main(argv) == 0
    out, err = capsys.readouterr()
    assert f"Recommended default model: {model_id} (from static)" in out
    assert notice in err


def test_query_huggingface_with_an_unreachable_hub_says_so_and_exits_0_as_the_original(
    closed_endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--model-type", "gpt2", "--query-huggingface", "--endpoint", closed_endpoint]
    assert find_models.main(argv) == 0
    assert "cannot connect" in one_error_line(capsys.readouterr().err)


def test_model_type_unknown_everywhere_says_so_and_exits_0(
    sim: ThreadedHubSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    assert find_models.main(["--model-type", "nosuchtype", "--endpoint", sim.url]) == 0
    out, err = capsys.readouterr()
    assert "No models for nosuchtype on the Hub" in out
    assert "No recommended default for nosuchtype" in err


def test_output_file_holds_the_model_type_results_as_json(
    sim: ThreadedHubSimulator, tmp_path: Path
) -> None:
    target = tmp_path / "out.json"
    argv = ["--model-type", "gpt2", "--max-models", "3", "--endpoint", sim.url]
    assert find_models.main([*argv, "--output", str(target)]) == 0
    data = json.loads(target.read_text())
    assert data["model_type"] == "gpt2"
    assert len(data["popular_models"]) == 3
    assert data["recommended"] == {"model_id": "openai-community/gpt2", "source": "hub"}


def test_output_to_an_unwritable_path_says_so_in_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("USE_STATIC_REGISTRY", "true")
    target = tmp_path / "missing-dir" / "out.json"
    assert find_models.main(["--model-type", "bert", "--output", str(target)]) == 0
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "cannot write" in errors[0], err


# -- --update-registry -------------------------------------------------------------------


def test_update_registry_with_a_new_type_adds_it_and_keeps_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = committed_copy(tmp_path)
    before = read_registry(registry)
    assert "newtype" not in before
    with run_in_thread(synthetic_fixture(["newtype"])) as server:
        argv = ["--model-type", "newtype", "--update-registry", "--registry-file", str(registry)]
        assert find_models.main([*argv, "--endpoint", server.url]) == 0
    out = capsys.readouterr().out
    after = read_registry(registry)
    assert after["newtype"]["default_model"].endswith("/newtype-base")
    assert {k: v for k, v in after.items() if k != "newtype"} == before
    assert f"added newtype to {registry}" in out
    # Afterwards the legacy import answers it from the registry, without the Hub.
    assert (
        find_models.get_recommended_default_model("newtype", registry)
        == (after["newtype"]["default_model"])
    )


def test_update_registry_for_one_type_changes_only_that_entry(
    sim: ThreadedHubSimulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    defaults = {"gpt2": "datificate/gpt2-small-spanish", "t5": "amazon/chronos-t5-small"}
    registry = write_refreshed(tmp_path / "reg.json", sim.url, defaults)
    argv = ["--model-type", "gpt2", "--update-registry", "--registry-file", str(registry)]
    assert find_models.main([*argv, "--endpoint", sim.url]) == 0
    out = capsys.readouterr().out
    assert "datificate/gpt2-small-spanish -> openai-community/gpt2" in out
    after = read_registry(registry)
    assert after["gpt2"]["default_model"] == "openai-community/gpt2"
    assert after["t5"]["default_model"] == "amazon/chronos-t5-small"


def test_update_registry_with_the_same_default_says_the_entry_was_refreshed(
    sim: ThreadedHubSimulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = write_refreshed(tmp_path / "reg.json", sim.url, {"gpt2": "openai-community/gpt2"})
    before = read_registry(registry)["gpt2"]
    argv = ["--model-type", "gpt2", "--update-registry", "--registry-file", str(registry)]
    assert find_models.main([*argv, "--endpoint", sim.url]) == 0
    assert f"gpt2: default unchanged, entry refreshed in {registry}" in capsys.readouterr().out
    after = read_registry(registry)["gpt2"]
    assert after["default_model"] == before["default_model"] and after != before


@pytest.mark.parametrize(
    ("model_type", "hub", "says"),
    [
        ("nosuchtype", "sim", "No new default for nosuchtype"),
        ("gpt2", "hub-down", "error: "),
    ],
    ids=["no-hub-models", "hub-down"],
)
def test_update_registry_without_a_new_default_says_why_and_writes_nothing(
    model_type: str,
    hub: str,
    says: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if hub == "sim":
        endpoint = request.getfixturevalue("sim").url
    else:
        endpoint = request.getfixturevalue("closed_endpoint")
    registry = committed_copy(tmp_path)
    before = registry.read_bytes()
    argv = ["--model-type", model_type, "--update-registry", "--registry-file", str(registry)]
    assert find_models.main([*argv, "--endpoint", endpoint]) == 0
    err = capsys.readouterr().err
    assert says in (one_error_line(err) if hub == "hub-down" else err)
    assert registry.read_bytes() == before


def test_update_registry_alone_refreshes_all_and_keeps_every_entry_and_key(
    sim_all: ThreadedHubSimulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = committed_copy(tmp_path)
    before = read_registry(registry)
    before["my-own-type"] = entry(
        "me/my-model", source="hub", endpoint=sim_all.url, note="kept as is"
    )
    before["gpt2"] = entry("me/pinned-gpt2", pinned=True)
    # The committed file has a documented entry for nearly every type: drop one of the
    # original's names so that it is new here.
    before.pop("llava_next", None)
    registry.write_text(dumps_registry(before))
    report_file = tmp_path / "report.json"
    argv = ["--update-registry", "--registry-file", str(registry), "--output", str(report_file)]
    assert find_models.main([*argv, "--endpoint", sim_all.url]) == 0
    out = capsys.readouterr().out
    after = read_registry(registry, missing_ok=False)
    assert set(before) <= set(after)
    # Every architecture, a new entry under the original's spelling where it had one.
    assert set(after) >= {registry_key(a.name, a.aliases, before) for a in all_architectures()}
    assert "gptj" in before and "gpt-j" not in after  # an existing key keeps its spelling
    assert "llava_next" not in before and "llava-next" in after and "llava_next" not in after
    for name, value in after.items():
        assert set(REQUIRED_KEYS) <= set(value), name
        assert value["models"] and isinstance(value["downloads"], dict), name
    assert after["my-own-type"] == before["my-own-type"]
    assert after["gpt2"] == before["gpt2"]
    assert after["t5"]["default_model"] == "google-t5/t5-small"
    # the table plus the registry's own type that the table lacks (refreshed too)
    assert f"{len(all_architectures()) + 1} architectures in" in out
    report = json.loads(report_file.read_text())
    assert report["failed"] == {} and report["skipped"] == ["gpt2"]
    answered = {*report["refreshed"], *report["unchanged"], *report["no_candidates"]}
    assert answered == ({a.name for a in all_architectures()} | {"my-own-type"}) - {"gpt2"}
    assert "my-own-type" in report["no_candidates"]  # asked for, nothing on the Hub: kept


# -- the listing (no --model-type) ---------------------------------------------------------


def test_listing_shows_every_architecture_by_category_from_local_data_only(
    no_network: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert find_models.main([]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{len(all_architectures())} architectures in ")
    assert "    bert: google-bert/bert-base-uncased [static]" in out
    assert "- encoder-only: " in out


def test_listing_with_query_huggingface_shows_the_hubs_picks_and_writes_nothing(
    sim_all: ThreadedHubSimulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = tmp_path / "huggingface_model_types.json"  # the default registry, in the cwd
    registry.write_text(dumps_registry({"gpt2": entry("datificate/gpt2-small-spanish")}))
    before = registry.read_bytes()
    assert find_models.main(["--query-huggingface", "--endpoint", sim_all.url]) == 0
    out = capsys.readouterr().out
    assert "    gpt2: openai-community/gpt2 [hub]" in out
    assert registry.read_bytes() == before


def test_max_models_limits_the_listing(
    no_network: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert find_models.main(["--max-models", "4"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"4 architectures (first 4 of {len(all_architectures())})")
    assert sum(line.startswith("    ") for line in out.splitlines()) == 4


# -- --verify, usage errors, entry points ----------------------------------------------------


@pytest.mark.parametrize(
    ("model_id", "shown"),
    [
        ("openai-community/gpt2", "Model exists: openai-community/gpt2\nTags: "),
        ("nobody/nothing-here", "Error: not found"),
        ("meta-llama/Llama-3.2-1B", "Error: gated: no token"),
    ],
)
def test_verify_prints_the_originals_lines_and_exits_0(
    sim: ThreadedHubSimulator, capsys: pytest.CaptureFixture[str], model_id: str, shown: str
) -> None:
    assert find_models.main(["--verify", model_id, "--endpoint", sim.url]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Verifying model: {model_id}\n{shown}")


def test_verify_says_the_hub_is_unreachable_and_exits_0(
    closed_endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        find_models.main(["--verify", "openai-community/gpt2", "--endpoint", closed_endpoint]) == 0
    )
    assert "Error: Hub unreachable" in capsys.readouterr().out


def test_verify_with_a_token_the_hub_refuses_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HF_TOKEN", "hf_expired_token_of_the_user")
    with run_in_thread(valid_tokens={"hf_the_only_valid_token"}) as server:
        code = find_models.main(["--verify", "openai-community/gpt2", "--endpoint", server.url])
    out, err = capsys.readouterr()
    assert code == 2
    one_error_line(err)
    assert "token" in err.lower() and "hf_expired_token_of_the_user" not in out + err


@pytest.mark.parametrize(
    "argv",
    [
        ["--bogus"],
        ["--max-models", "0"],
        ["--max-models", "many"],
        ["--model-type", "Bad!"],
        ["--verify", "not a valid id"],
        ["--verify", "a/b", "--model-type", "bert"],
        ["--model-type", "bert", "--endpoint", "ftp://example"],
        # The same endpoint check as hf-model-registry's: port, query, spaces.
        ["--model-type", "bert", "--endpoint", "http://127.0.0.1:99999"],
        ["--model-type", "bert", "--endpoint", "http://hub.test?x=1"],
        ["--update-registry", "--endpoint", "http://a b"],
    ],
)
def test_usage_errors_exit_2_with_one_line_on_stderr(
    argv: list[str], no_network: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert find_models.main(argv) == 2
    out, err = capsys.readouterr()
    one_error_line(err)
    assert "Traceback" not in out + err


def test_an_error_line_escapes_control_characters(
    no_network: None, capsys: pytest.CaptureFixture[str]
) -> None:
    # argparse quotes an unknown argument as typed: the error line must not.
    assert find_models.main(["--bogus\x1b]0;owned\x07"]) == 2
    err = one_error_line(capsys.readouterr().err)
    assert "\x1b" not in err and "\x07" not in err


@pytest.mark.parametrize("launcher", ["module", "console script"])
def test_find_models_runs_as_a_module_and_as_the_console_script(
    launcher: str, tmp_path: Path
) -> None:
    if launcher == "module":
        command = [sys.executable, "-m", "find_models"]
    else:
        script = Path(sys.executable).parent / "find-models"
        assert script.exists(), "the find-models console script is not installed"
        command = [str(script)]
    env = {**os.environ, "USE_STATIC_REGISTRY": "true"}
    result = subprocess.run(
        [*command, "--model-type", "bert"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Recommended default model: google-bert/bert-base-uncased (from static)" in (
        result.stdout
    )


@pytest.mark.parametrize(
    ("env", "args"),
    [
        ({}, ["--verify", "openai-community/gpt2", "--endpoint", "http://127.0.0.1:99999"]),
        ({"HF_TOKEN": "hf_abc d\u00e9f"}, ["--verify", "openai-community/gpt2"]),
    ],
    ids=["bad-endpoint-port", "bad-token"],
)
def test_find_models_exits_2_for_a_bad_endpoint_or_token(
    env: dict[str, str],
    args: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    if "--endpoint" not in args:
        args = [*args, "--endpoint", "http://127.0.0.1:1"]
    assert find_models.main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "d\u00e9f" not in err


@pytest.mark.parametrize("endpoint", ["http://", "https:///", "ftp://x/"])
def test_a_bad_endpoint_is_echoed_as_typed(
    endpoint: str, no_network: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert find_models.main(["--model-type", "bert", "--endpoint", endpoint]) == 2
    assert f"not {endpoint!r}" in one_error_line(capsys.readouterr().err)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("HF_HUB_OFFLINE", "maybe"),
        ("USE_STATIC_REGISTRY", "2"),
        ("HF_HUB_DISABLE_PROGRESS_BARS", "y es"),
        ("HF_MODEL_REGISTRY_TTL", "soon"),
    ],
)
@pytest.mark.parametrize(
    "argv",
    [["--model-type", "bert", "--max-models", "1"], ["--update-registry"], []],
    ids=["model-type", "update-registry", "listing"],
)
def test_an_environment_value_not_understood_is_refused_as_by_hf_model_registry(
    name: str,
    value: str,
    argv: list[str],
    sim: ThreadedHubSimulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(name, value)
    assert find_models.main([*argv, "--endpoint", sim.url]) == 2
    out, err = capsys.readouterr()
    assert out == "" and one_error_line(err).startswith(f"error: {name}")
    assert sim.stats.requests == 0 and list(tmp_path.iterdir()) == []


# -- --update-registry: checks first, one listing, the same messages as refresh ---------------


def test_update_registry_for_one_type_checks_the_registry_before_any_request(
    sim: ThreadedHubSimulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "missing-dir" / "x.json"
    argv = ["--model-type", "gpt2", "--update-registry", "--registry-file", str(target)]
    assert find_models.main([*argv, "--endpoint", sim.url]) == 2
    out, err = capsys.readouterr()
    assert "does not exist" in one_error_line(err)
    assert "Found" not in out and sim.stats.requests == 0
    assert not target.parent.exists()


def test_update_registry_for_one_type_sends_one_listing_for_the_list_and_the_entry(
    sim: ThreadedHubSimulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = tmp_path / "reg.json"
    argv = ["--model-type", "gpt2", "--update-registry", "--registry-file", str(registry)]
    assert find_models.main([*argv, "--endpoint", sim.url, "--max-models", "3"]) == 0
    out, err = capsys.readouterr()
    assert sim.stats.listing_requests == 1
    assert "Found 3 models for gpt2:" in out
    assert "  1. openai-community/gpt2 (downloads: 17,272,637)" in out
    assert f"added gpt2 to {registry}" in out
    assert err == f"created a new registry file {registry}\n"
    assert read_registry(registry)["gpt2"]["default_model"] == "openai-community/gpt2"


def test_update_registry_of_a_pinned_type_still_lists_the_popular_models_once(
    sim: ThreadedHubSimulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = tmp_path / "reg.json"
    registry.write_text(dumps_registry({"gpt2": entry("me/my-gpt2", pinned=True)}))
    before = registry.read_bytes()
    argv = ["--model-type", "gpt2", "--update-registry", "--registry-file", str(registry)]
    assert find_models.main([*argv, "--endpoint", sim.url]) == 0
    out = capsys.readouterr().out
    assert "  1. openai-community/gpt2 (downloads: 17,272,637)" in out
    assert f"gpt2 is pinned to me/my-gpt2 in {registry}: not changed" in out
    assert sim.stats.listing_requests == 1 and registry.read_bytes() == before


def test_an_unreachable_hub_is_one_message_for_every_refresh_front_end(
    closed_endpoint: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from hf_model_registry._cli import main as hf_model_registry

    registry = str(tmp_path / "reg.json")
    hub = ["--endpoint", closed_endpoint]
    lines = set()
    for run, argv in [
        (find_models.main, ["--model-type", "gpt2", "--update-registry", "--registry-file"]),
        (find_models.main, ["--update-registry", "--registry-file"]),
        (hf_model_registry, ["refresh", "gpt2", "--registry"]),
    ]:
        run([*argv, registry, *hub])
        lines.add(one_error_line(capsys.readouterr().err))
    assert lines == {
        f"error: the Hub at {closed_endpoint} is unreachable: cannot connect to "
        f"{closed_endpoint} (gave up after retries)"
    }


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["--model-type", "gpt2", "--update-registry"], "refresh gpt2"),
        (["--update-registry"], "refresh-all"),
    ],
    ids=["model-type", "all"],
)
def test_the_endpoint_mixing_refusal_names_find_models_options(
    argv: list[str],
    command: str,
    sim: ThreadedHubSimulator,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    registry = write_refreshed(tmp_path / "reg.json", sim.url, {"bert": "google-bert/x"})
    other = sim.url.replace("127.0.0.1", "localhost")
    full = [*argv, "--registry-file", str(registry), "--endpoint", other]
    assert find_models.main(full) == 2
    err = one_error_line(capsys.readouterr().err)
    assert f"holds entries from {sim.url}" in err
    assert "use another --registry-file, or mix them with: hf-model-registry " in err
    assert f"{command} --registry {registry} --endpoint {other} --force" in err
    assert "another --registry," not in err
    assert sim.stats.requests == 0


def test_update_registry_alone_says_when_it_created_the_registry_file(
    sim: ThreadedHubSimulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = tmp_path / "new.json"
    argv = ["--update-registry", "--registry-file", str(registry), "--endpoint", sim.url]
    assert find_models.main(argv) == 0
    assert f"created a new registry file {registry}\n" in capsys.readouterr().err
    assert find_models.main(argv) == 0  # the file exists now: nothing to announce
    assert "created a new registry file" not in capsys.readouterr().err
