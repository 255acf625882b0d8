"""find_models as a drop-in for the original: its registries, its clients and its contracts.

One section per point of issue 14. The fixture registry is in the original's
format (see tests/fixtures/README.md).
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
import types
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

import find_models
from hf_model_registry import Entry, _lookup, aio
from hf_model_registry._architectures import all_architectures
from hf_model_registry._config import hub_endpoint
from hf_model_registry._hub_memory import recall_answer
from hf_model_registry._original import (
    ORIGINAL_ARCHITECTURE_TYPES,
    ORIGINAL_CLASS_NAME_CAPITALIZATION,
    registry_key,
)
from hf_model_registry._registry import (
    entry_age_seconds,
    is_naive_timestamp,
    locked_update,
    merge_entries,
    read_registry,
    utc_now_iso,
)
from hf_model_registry.simulator import ThreadedHubSimulator, run_in_thread, synthetic_fixture

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
ORIGINAL_REGISTRY = FIXTURES / "original_huggingface_model_types.json"
THIN_FILE = ROOT / "src" / "find_models.py"


@pytest.fixture(scope="module")
def hub_fixture() -> dict[str, Any]:
    return synthetic_fixture(["bert", "gpt2", "gptj", "gpt_neo", "t5"])


@pytest.fixture
def sim(hub_fixture: dict[str, Any]) -> Iterator[ThreadedHubSimulator]:
    with run_in_thread(hub_fixture) as server:
        yield server


def original_registry(directory: Path, *, age: timedelta | None = None) -> Path:
    """A copy of the fixture; with ``age``, every naive timestamp set to now - age."""
    target = directory / "huggingface_model_types.json"
    data = json.loads(ORIGINAL_REGISTRY.read_text())
    if age is not None:
        stamp = (datetime.now() - age).isoformat()
        for entry in data.values():
            entry["updated_at"] = stamp
    target.write_text(json.dumps(data, indent=2))
    return target


def days_old_as_the_original_computes(path: Path) -> dict[str, Any]:
    """What ci_model_lookup.py computes per entry: days, or 'invalid' on its TypeError."""
    ages: dict[str, Any] = {}
    for key, entry in json.loads(path.read_text()).items():
        try:
            ages[key] = (datetime.now() - datetime.fromisoformat(entry["updated_at"])).days
        except (ValueError, TypeError):
            ages[key] = "invalid"
    return ages


# -- 1. naive timestamps are read, as local time ---------------------------------------------


def test_a_registry_written_by_the_original_reads_whole() -> None:
    registry = read_registry(ORIGINAL_REGISTRY, missing_ok=False)
    assert set(registry) == {
        "bert",
        "gpt2",
        "gpt-j",
        "gpt-neo",
        "mobilenet-v2",
        "chinese-clip",
        "video-llava",
        "llava-next",
    }
    assert all(is_naive_timestamp(e["updated_at"]) for e in registry.values())


def test_a_naive_timestamp_means_local_time() -> None:
    an_hour_ago = (datetime.now() - timedelta(hours=1)).isoformat()
    age = entry_age_seconds({"updated_at": an_hour_ago}, datetime.now(UTC))
    assert age is not None and 3500 < age < 3700


def test_fresh_original_entries_answer_lookups_under_either_spelling(tmp_path: Path) -> None:
    registry = original_registry(tmp_path, age=timedelta(hours=1))
    assert _lookup.lookup("mobilenet-v2", registry=registry).source == "registry"
    assert _lookup.lookup("mobilenet_v2", registry=registry).model_id == (
        "google/mobilenet_v2_1.0_224"
    )
    assert find_models.get_recommended_default_model("gpt-neo", registry) == (
        "EleutherAI/gpt-neo-1.3B"
    )


def test_a_valid_original_file_is_never_moved_aside(tmp_path: Path) -> None:
    registry = original_registry(tmp_path)
    before = registry.read_bytes()
    locked_update(registry, lambda current: current, on_corrupt="move-aside")
    assert registry.read_bytes() == before
    assert not list(tmp_path.glob("*.corrupt-*"))


# -- 2. timestamps the original's clients can compare ----------------------------------------


def test_new_timestamps_in_an_original_file_are_naive_local_time(tmp_path: Path) -> None:
    registry = original_registry(tmp_path)
    update: dict[str, Entry] = {
        "bert": {"default_model": "a/b", "models": ["a/b"], "updated_at": utc_now_iso()}
    }
    locked_update(registry, lambda current: merge_entries(current, update))
    written = read_registry(registry)
    assert is_naive_timestamp(written["bert"]["updated_at"])
    assert days_old_as_the_original_computes(registry)["bert"] == 0
    # untouched entries keep their exact text
    original = json.loads(ORIGINAL_REGISTRY.read_text())
    assert written["gpt2"]["updated_at"] == original["gpt2"]["updated_at"]


def test_a_file_of_this_project_keeps_aware_utc_timestamps(tmp_path: Path) -> None:
    registry = tmp_path / "r.json"
    update: dict[str, Entry] = {"bert": {"default_model": "a/b", "updated_at": utc_now_iso()}}
    locked_update(registry, lambda current: merge_entries(current, update))
    locked_update(registry, lambda current: merge_entries(current, {"t5": update["bert"]}))
    stamps = [e["updated_at"] for e in read_registry(registry).values()]
    assert stamps and not any(is_naive_timestamp(s) for s in stamps)


@pytest.mark.anyio
async def test_a_refresh_of_an_original_file_stays_readable_by_the_original_clients(
    sim: ThreadedHubSimulator, tmp_path: Path
) -> None:
    registry = original_registry(tmp_path)
    report = await aio.refresh(["bert", "gpt-j", "gpt2"], registry=registry, endpoint=sim.url)
    assert report.written and not report.failed
    ages = days_old_as_the_original_computes(registry)
    assert ages["bert"] == ages["gpt-j"] == ages["gpt2"] == 0
    assert "invalid" not in ages.values()


# -- 3. try_model_access's dict (more in test_find_models_cli.py) -----------------------------


def test_try_model_access_error_is_what_ci_model_lookup_counts(sim: ThreadedHubSimulator) -> None:
    verified = [
        not find_models.try_model_access(model_id, endpoint=sim.url).get("error")
        for model_id in ("openai-community/gpt2", "google-bert/bert-base-uncased", "no/such")
    ]
    assert verified == [True, True, False]


# -- 4. the thin file, copied into any folder ------------------------------------------------


def copy_thin_file(directory: Path) -> Path:
    target = directory / "find_models.py"
    shutil.copyfile(THIN_FILE, target)
    return target


def run_python(
    args: list[str], cwd: Path, env: dict[str, str] | None = None, flags: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    import os

    full_env = {**os.environ, "USE_STATIC_REGISTRY": "true", **(env or {})}
    return subprocess.run(
        [sys.executable, *flags, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=full_env,
        timeout=120,
    )


def test_a_copy_loaded_by_path_is_the_packages_module(tmp_path: Path) -> None:
    copy_thin_file(tmp_path)
    code = (
        "import importlib.util, sys\n"
        "spec = importlib.util.spec_from_file_location('find_models', 'find_models.py')\n"
        "module = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(module)\n"
        "from hf_model_registry import _legacy\n"
        "print(module.get_recommended_default_model('bert'))\n"
        "print(module.main is _legacy.main, sys.modules['find_models'] is _legacy)\n"
    )
    result = run_python(["-c", code], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["google-bert/bert-base-uncased", "True True"]


def test_a_copy_runs_as_the_originals_script(tmp_path: Path) -> None:
    copy_thin_file(tmp_path)
    result = run_python(["find_models.py", "--model-type", "gpt-j"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Recommended default model: EleutherAI/gpt-j-6b" in result.stdout


def test_a_copy_without_the_package_says_what_to_install(tmp_path: Path) -> None:
    copy_thin_file(tmp_path)
    # -S: no site-packages, as on a machine where only the file was copied.
    result = run_python(["-c", "import find_models"], tmp_path, flags=("-S",))
    assert result.returncode == 1
    assert "pip install hf-model-registry" in result.stderr


# -- 5. the original's other public names ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "identifier"),
    [("gpt-j", "gpt_j"), ("xlm-roberta", "xlm_roberta"), ("2d-net", "_2d_net"), ("a.b/c", "abc")],
)
def test_to_valid_identifier(text: str, identifier: str) -> None:
    assert find_models.to_valid_identifier(text) == identifier
    assert identifier.isidentifier()


@pytest.mark.parametrize(
    ("model_type", "category"),
    [
        ("gpt-j", "decoder-only"),
        ("gpt-j-6b", "decoder-only"),
        ("xlm-roberta", "encoder-only"),
        ("clip", "vision-text"),  # the first of its two categories, as in the original
        ("video-llava", "multimodal"),
        ("mamba", "decoder-only"),  # unknown to the original: the table's category
        ("surely-not-a-model", "unknown"),
    ],
)
def test_get_architecture_type(model_type: str, category: str) -> None:
    assert find_models.get_architecture_type(model_type) == category


@pytest.mark.parametrize(
    ("model_type", "spelled"),
    [
        ("gpt-j", "GPTJ"),
        ("GPT-J", "GPTJ"),
        ("gpt-neox", "GPTNeoX"),
        ("gpt-j-6b", "GPTJ-6b"),
        ("bert-base", "BERT-base"),
        ("foo-bar", "FooBar"),
    ],
)
def test_get_class_name_capitalization(model_type: str, spelled: str) -> None:
    assert find_models.get_class_name_capitalization(model_type) == spelled


def test_class_name_capitalization_is_the_originals_table() -> None:
    assert find_models.CLASS_NAME_CAPITALIZATION == ORIGINAL_CLASS_NAME_CAPITALIZATION
    assert find_models.CLASS_NAME_CAPITALIZATION["xlm-roberta"] == "XLMRoBERTa"


def fake_transformers() -> types.ModuleType:
    module = types.ModuleType("transformers")
    classes = {
        "BertModel": "transformers.models.bert.modeling_bert",
        "GPTJModel": "transformers.models.gptj.modeling_gptj",
        "GPTJForCausalLM": "transformers.models.gptj.modeling_gptj",  # no "Model": not listed
        "AutoModel": "transformers.models.auto.modeling_auto",  # the auto classes are skipped
        "PipelineModel": "transformers.pipelines",  # not a model package
        "WeirdModel": "transformers.models.weird-net.modeling",
    }
    for name, module_path in classes.items():
        setattr(module, name, type(name, (), {"__module__": module_path}))
    module.NotAClassModel = "a string"  # type: ignore[attr-defined]
    return module


def test_find_models_in_transformers_lists_model_classes_by_package(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "transformers", fake_transformers())
    found = {m["name"]: m for m in find_models.find_models_in_transformers()}
    # "Model" in the name, from a model package, not the auto classes
    assert set(found) == {"BertModel", "GPTJModel", "WeirdModel"}
    assert found["GPTJModel"]["type"] == "gptj"
    assert found["GPTJModel"]["architecture"] == "decoder-only"
    assert found["WeirdModel"]["is_hyphenated"] is True
    assert found["BertModel"]["is_hyphenated"] is False


def test_without_transformers_the_lists_fall_back_as_the_originals(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(sys.modules, "transformers", None)  # import fails
    assert find_models.find_models_in_transformers() == []
    assert "Transformers library not available" in caplog.text
    hyphenated = find_models.find_hyphenated_models()
    assert [m["type"] for m in hyphenated] == ["gpt-j", "gpt-neo", "gpt-neox", "xlm-roberta"]
    assert hyphenated[0]["name"] == "GPTJForCausalLM"


def test_generate_registry_entry_has_the_originals_keys_and_values() -> None:
    model = {"type": "gpt-j", "name": "GPTJForCausalLM", "architecture": "decoder-only"}
    assert find_models.generate_registry_entry(model) == {
        "family_name": "GPTJ",
        "description": "GPTJ models",
        "default_model": "gpt-j-base",
        "class": "GPTJForCausalLM",
        "test_class": "TestGptJModels",
        "module_name": "test_hf_gpt_j",
        "tasks": ["text-generation"],
        "inputs": {"text": "gpt-j is a transformer model that"},
        "task_specific_args": {"text-generation": {"max_length": 50}},
    }
    vit = find_models.generate_registry_entry(
        {"type": "vit", "name": "ViTModel", "architecture": "vision"}
    )
    assert (vit["family_name"], vit["tasks"], vit["test_class"]) == (
        "VIT",
        ["image-classification"],
        "TestVitModels",
    )
    assert "task_specific_args" not in vit


def test_generate_registry_entry_can_ask_for_the_recommended_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("USE_STATIC_REGISTRY", "true")
    model = {"type": "bert", "name": "BertModel", "architecture": "encoder-only"}
    entry = find_models.generate_registry_entry(model, query_default=True)
    assert entry["default_model"] == "google-bert/bert-base-uncased"


def test_format_registry_entry_is_python_for_the_same_entry() -> None:
    model = {"type": "gpt-j", "name": "GPTJForCausalLM", "architecture": "decoder-only"}
    entry = find_models.generate_registry_entry(model)
    text = find_models.format_registry_entry("gpt-j", entry)
    assert text.splitlines()[0] == '    "gpt-j": {'
    assert "        \"tasks\": ['text-generation']," in text  # the original's list style
    namespace: dict[str, Any] = {}
    exec("REGISTRY = {\n" + text + "\n}", namespace)
    assert namespace["REGISTRY"] == {"gpt-j": entry}


def test_format_class_name_fix() -> None:
    line = find_models.format_class_name_fix("GptjForCausalLM", "GPTJForCausalLM")
    assert line == '    "GptjForCausalLM": "GPTJForCausalLM",'


def test_save_model_registry_writes_json_and_says_whether_it_did(tmp_path: Path) -> None:
    target = tmp_path / "saved.json"
    assert find_models.save_model_registry({"gpt-j": {"default_model": "a/b"}}, target) is True
    assert json.loads(target.read_text()) == {"gpt-j": {"default_model": "a/b"}}
    assert find_models.save_model_registry({"x": object()}, tmp_path / "bad.json") is False
    assert not (tmp_path / "bad.json").exists()
    (tmp_path / "a-file").write_text("")
    assert find_models.save_model_registry({}, tmp_path / "a-file" / "x.json") is False


def test_logger_is_the_originals() -> None:
    assert find_models.logger.name == "find_models"
    assert find_models.logger is find_models.logger


# -- 6. the command line ---------------------------------------------------------------------


def test_hyphenated_only_writes_the_originals_output_layout(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("USE_STATIC_REGISTRY", "true")
    monkeypatch.setitem(sys.modules, "transformers", None)
    output = tmp_path / "model_data.json"
    assert find_models.main(["--hyphenated-only", "--output", str(output)]) == 0
    data = json.loads(output.read_text())
    assert set(data) == {
        "model_registry_entries",
        "class_name_fixes",
        "models_found",
        "hyphenated_models",
        "generated_at",
    }
    assert data["hyphenated_models"] == ["gpt-j", "gpt-neo", "gpt-neox", "xlm-roberta"]
    gptj = data["model_registry_entries"]["gpt-j"]
    assert {"family_name", "class", "test_class", "module_name", "tasks", "inputs"} <= set(gptj)
    assert gptj["default_model"] == "EleutherAI/gpt-j-6b"  # the registry's, not "gpt-j-base"
    assert data["class_name_fixes"]["gpt-neo"] == "GPTNeo"
    assert datetime.fromisoformat(data["generated_at"]).tzinfo is None
    out = capsys.readouterr().out
    assert '    "GptJForCausalLM": "GPTJForCausalLM",' in out
    assert '    "XlmRobertaForMaskedLM": "XLMRobertaForMaskedLM",' in out  # the real class


def test_the_listing_output_has_the_originals_layout_and_spellings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("USE_STATIC_REGISTRY", "true")
    output = tmp_path / "all.json"
    assert find_models.main(["--output", str(output)]) == 0
    data = json.loads(output.read_text())
    assert len(data["models_found"]) == len(all_architectures())
    assert "gpt-j" in data["model_registry_entries"] and "gptj" not in data["models_found"]
    assert data["model_registry_entries"]["bert"]["default_model"] == (
        "google-bert/bert-base-uncased"
    )
    assert "deberta-v2" in data["hyphenated_models"]


@pytest.mark.parametrize(
    "argv",
    [
        ["--model-type", "nosuchtype"],
        ["--verify", "no/such-model"],
        ["--update-registry", "--model-type", "bert"],
    ],
)
def test_the_legacy_command_exits_0_when_the_hub_fails(
    argv: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The command configures logging to this test's stderr, not an earlier test's.
    monkeypatch.setattr(logging.getLogger(), "handlers", [])
    closed = "http://127.0.0.1:9"
    assert find_models.main([*argv, "--endpoint", closed, "--registry-file", "r.json"]) == 0
    assert "Traceback" not in capsys.readouterr().err


# -- 7. registry keys --------------------------------------------------------------------------


def test_registry_key_keeps_existing_spellings_and_uses_the_originals_for_new_entries() -> None:
    aliases = ("gpt-j",)
    assert registry_key("gptj", aliases, {"gptj": {}}) == "gptj"
    assert registry_key("gptj", aliases, {"gpt-j": {}}) == "gpt-j"
    assert registry_key("gptj", aliases, {}) == "gpt-j"
    assert registry_key("t5", ("flan-t5",), {}) == "t5"  # t5 is the original's name too
    assert registry_key("mamba", (), {}) == "mamba"


@pytest.mark.anyio
async def test_a_refresh_keeps_the_originals_keys_and_adds_none(
    sim: ThreadedHubSimulator, tmp_path: Path
) -> None:
    registry = original_registry(tmp_path)
    before = set(read_registry(registry))
    await aio.refresh(["gptj", "gpt_neo"], registry=registry, endpoint=sim.url)
    after = read_registry(registry)
    assert set(after) == before
    assert after["gpt-j"]["default_model"] == "EleutherAI/gpt-j-6b"
    # keys the original wrote (description, class) survive the refresh
    assert after["gpt-neo"].get("class") == "GPTNeoForCausalLM"


@pytest.mark.anyio
async def test_a_new_entry_for_an_original_name_uses_its_spelling(
    sim: ThreadedHubSimulator, tmp_path: Path
) -> None:
    registry = tmp_path / "new.json"
    await aio.refresh(["gptj", "bert"], registry=registry, endpoint=sim.url)
    assert set(read_registry(registry)) == {"gpt-j", "bert"}


# -- 8. ARCHITECTURE_TYPES -----------------------------------------------------------------


def test_architecture_types_keeps_the_originals_and_adds_the_table() -> None:
    types_ = find_models.ARCHITECTURE_TYPES
    assert types_ is find_models.ARCHITECTURE_TYPES
    assert list(types_)[: len(ORIGINAL_ARCHITECTURE_TYPES)] == list(ORIGINAL_ARCHITECTURE_TYPES)
    for category, names in ORIGINAL_ARCHITECTURE_TYPES.items():
        assert types_[category][: len(names)] == list(names)
    listed = {name for names in types_.values() for name in names}
    for arch in all_architectures():
        assert listed.intersection((arch.name, *arch.aliases)), arch.name
    assert "gptj" not in listed and "gpt-j" in types_["decoder-only"]


# -- 9. the legacy functions never raise ------------------------------------------------------


@pytest.mark.parametrize("model_type", ["Bad Type!", "", "no-such-architecture"])
def test_get_recommended_default_model_falls_back_to_the_originals_heuristic(
    model_type: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("USE_STATIC_REGISTRY", "true")
    assert find_models.get_recommended_default_model(model_type) == f"{model_type}-base"


def test_get_recommended_default_model_survives_an_unreadable_registry(tmp_path: Path) -> None:
    (tmp_path / "dir.json").mkdir()
    with mock.patch("find_models.query_huggingface_api", return_value=[]):
        answer = find_models.get_recommended_default_model("bert", tmp_path / "dir.json")
    assert answer == "google-bert/bert-base-uncased"


# -- 10. lookups never write ----------------------------------------------------------------


def test_a_legacy_lookup_asks_the_hub_but_writes_nothing(
    sim: ThreadedHubSimulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = original_registry(tmp_path)  # 2025 timestamps: stale
    before = registry.read_bytes()
    monkeypatch.setenv("HF_ENDPOINT", sim.url)
    assert find_models.get_recommended_default_model("gpt2") == "openai-community/gpt2"
    requests = sim.stats.requests
    assert find_models.get_recommended_default_model("gpt2") == "openai-community/gpt2"
    assert sim.stats.requests == requests  # remembered in memory
    assert registry.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["huggingface_model_types.json"]
    hf_home = tmp_path / "hf_home"
    assert not hf_home.exists() or not any(hf_home.iterdir())


# -- 11. the test seam ------------------------------------------------------------------------


def test_patching_query_huggingface_api_reaches_the_lookup(tmp_path: Path) -> None:
    with mock.patch("find_models.query_huggingface_api", return_value=[]) as query:
        assert find_models.get_recommended_default_model("gpt-j") == "EleutherAI/gpt-j-6b"
    query.assert_called_once_with("gpt-j", limit=5)


def test_a_patched_listing_is_ranked_by_the_projects_policy() -> None:
    listing = [
        {"id": "someone/gpt2-gguf", "downloads": 9_000_000, "tags": ["gguf"]},
        {"id": "acme/gpt2-small", "downloads": 5_000_000, "tags": ["transformers"]},
    ]
    with mock.patch("find_models.query_huggingface_api", return_value=listing):
        assert find_models.get_recommended_default_model("gpt2") == "acme/gpt2-small"
    assert recall_answer("gpt2", hub_endpoint(), 1e9) is None  # fake data: not remembered
    with mock.patch("find_models.query_huggingface_api", return_value=[]):
        assert find_models.get_recommended_default_model("gpt2") == "openai-community/gpt2"


def test_unpatched_legacy_lookups_are_memoised_even_when_the_hub_is_down(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    asked: list[str] = []
    real = aio._from_hub

    async def counting(name: str, *args: Any) -> Any:
        asked.append(name)
        return await real(name, *args)

    monkeypatch.setattr(aio, "_from_hub", counting)
    for _ in range(3):
        assert find_models.get_recommended_default_model("bert") == (
            "google-bert/bert-base-uncased"
        )
    assert asked == ["bert"]
    assert _lookup.lookup("bert").source == "memo"


# -- the original-style client, unchanged ---------------------------------------------------


def test_an_original_style_client_runs_unchanged(sim: ThreadedHubSimulator, tmp_path: Path) -> None:
    copy_thin_file(tmp_path)
    shutil.copyfile(FIXTURES / "original_style_client.py", tmp_path / "client.py")
    registry = original_registry(tmp_path, age=timedelta(days=2))
    before = registry.read_bytes()
    result = run_python(
        ["client.py"], tmp_path, env={"USE_STATIC_REGISTRY": "", "HF_ENDPOINT": sim.url}
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["ages_before"] == seen["ages_after"] == dict.fromkeys(seen["ages_before"], 2)
    assert seen["defaults"] == {
        "bert": "google-bert/bert-base-uncased",
        "gpt-j": "mmnga/aibuncho-japanese-novel-gpt-j-6b-gguf",  # fresh entry: the file's
        "gpt-neo": "EleutherAI/gpt-neo-1.3B",
        "mobilenet-v2": "google/mobilenet_v2_1.0_224",
        "no-such-type": "no-such-type-base",
    }
    assert [m["id"] for m in seen["query"]][:1] == ["google-bert/bert-base-uncased"]
    assert seen["access_error"] is None
    assert seen["access_keys"] == ["id", "private", "sha", "tags"]
    assert seen["architecture_types_count"] >= len(all_architectures())
    assert seen["decoder_only"] == ["gpt2", "gpt-j", "gpt-neo", "gpt-neox"]
    assert (seen["identifier"], seen["architecture"], seen["capitalization"]) == (
        "gpt_j",
        "encoder-only",
        "GPTNeoX",
    )
    assert seen["capitalization_table"] == "GPTJ"
    assert seen["hyphenated"][:1] == ["gpt-j"]
    assert seen["formatted"].startswith('    "gpt-j": {')
    assert seen["saved"] is True and (tmp_path / "saved.json").exists()
    assert seen["logger"] == "find_models"
    assert registry.read_bytes() == before  # lookups wrote nothing
