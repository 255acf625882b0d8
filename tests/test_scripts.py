"""The scripts in scripts/ run as a user runs them, against the simulator or offline."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from helpers import closed_port, entry, python_m
from hf_model_registry._architectures import all_architectures
from hf_model_registry._defaults import STATIC_TEST_MODELS
from hf_model_registry._registry import dumps_registry, read_registry
from hf_model_registry.simulator import ThreadedHubSimulator, run_in_thread, synthetic_fixture

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "scripts"


@pytest.fixture(scope="module")
def fixture_data() -> dict[str, Any]:
    return synthetic_fixture(["bert", "gpt2", "t5", "gptj", "vit", "whisper"])


@pytest.fixture
def sim(fixture_data: dict[str, Any]) -> Iterator[ThreadedHubSimulator]:
    with run_in_thread(fixture_data) as server:
        yield server


# What most runs ask for: three architectures, and (where the test is offline) the static table.
THREE_TYPES = ("--types", "bert,gpt2,t5")
STATIC = {"USE_STATIC_REGISTRY": "true"}


def run_script(
    name: str, *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(SCRIPTS / name), *args]
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


# -- the legacy generator ------------------------------------------------------------


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "test_generator_fixed", SCRIPTS / "test_generator_fixed.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generator_writes_a_pytest_file_that_passes(tmp_path: Path) -> None:
    out_dir = tmp_path / "generated"
    result = run_script(
        "test_generator_fixed.py", *THREE_TYPES, "--output", str(out_dir), cwd=tmp_path, env=STATIC
    )
    assert result.returncode == 0, result.stderr
    assert "model lookup available: True" in result.stdout
    assert "bert: google-bert/bert-base-uncased (from lookup)" in result.stdout
    assert "gpt2: openai-community/gpt2 (from lookup)" in result.stdout
    generated = out_dir / "test_generated_models.py"
    source = generated.read_text()
    assert "'t5': 'google-t5/t5-small'" in source
    compile(source, str(generated), "exec")
    run = python_m("pytest", "-q", "-p", "no:cacheprovider", str(generated), cwd=out_dir)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "3 passed, 3 skipped" in run.stdout


def test_generator_falls_back_to_its_table_then_to_a_heuristic(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("USE_STATIC_REGISTRY", "true")
    generator = load_generator()
    assert generator.HAS_MODEL_LOOKUP is True
    assert generator.choose_default("roberta") == ("FacebookAI/roberta-base", "lookup")
    # The lookup does not know it (it answers with the type name): the heuristic decides.
    assert generator.choose_default("brandnew") == ("brandnew-base", "heuristic")
    monkeypatch.setattr(generator, "HAS_MODEL_LOOKUP", False)
    assert generator.get_model_from_registry("whisper") == "openai/whisper-tiny"
    assert generator.choose_default("whisper")[1] == "MODEL_REGISTRY"
    assert generator.choose_default("brandnew") == ("brandnew-base", "heuristic")


def test_generator_rejects_a_type_that_is_not_a_model_type(tmp_path: Path) -> None:
    result = run_script("test_generator_fixed.py", "--types", "bert,../x", cwd=tmp_path)
    assert result.returncode == 2
    assert "not a model type: '../x'" in result.stderr
    assert not (tmp_path / "generated_tests").exists()


# -- the lookup demo ---------------------------------------------------------------------


def lookup_rows(stdout: str) -> dict[str, dict[str, tuple[str, str]]]:
    """{round: {model type: (source, model id)}} from the demo's tables."""
    rounds: dict[str, dict[str, tuple[str, str]]] = {}
    current: dict[str, tuple[str, str]] = {}
    for line in stdout.splitlines():
        if line.endswith(":") and not line.startswith(" "):
            current = rounds.setdefault(line[:-1], {})
            continue
        match = re.fullmatch(r"  (\S+)\s+(\S+)\s+[\d.]+ms  (\S+)", line)
        if match:
            current[match[1]] = (match[2], match[3])
    return rounds


@pytest.fixture
def demo_registry(sim: ThreadedHubSimulator, tmp_path: Path) -> Path:
    registry = tmp_path / "reg.json"
    hub: dict[str, Any] = {
        "source": "hub",
        "endpoint": sim.url,
    }  # entries an earlier refresh from it wrote
    registry.write_text(
        dumps_registry(
            {
                "bert": entry("google-bert/bert-base-uncased", **hub),
                "gpt2": entry("old/gpt2", **hub, age=timedelta(days=60)),
            }
        )
    )
    return registry


def test_lookup_demo_prints_registry_hub_and_memo_sources(
    sim: ThreadedHubSimulator, demo_registry: Path, tmp_path: Path
) -> None:
    registry = ("--registry", str(demo_registry))
    result = run_script(
        "test_model_lookup.py", *THREE_TYPES, *registry, "--endpoint", sim.url, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    rows = lookup_rows(result.stdout)
    assert rows["first lookup"] == {
        "bert": ("registry", "google-bert/bert-base-uncased"),
        "gpt2": ("hub", "openai-community/gpt2"),
        "t5": ("hub", "google-t5/t5-small"),
    }
    assert {t: s for t, (s, _) in rows["asked again"].items()} == dict.fromkeys(
        ("bert", "gpt2", "t5"), "memo"
    )
    assert "get_recommended_default_model('bert') -> 'google-bert/bert-base-uncased'" in (
        result.stdout
    )
    # Lookups never write: the registry still holds the stale entry.
    assert read_registry(demo_registry)["gpt2"]["default_model"] == "old/gpt2"


def test_lookup_demo_offline_prints_stale_registry_and_static_sources(
    demo_registry: Path, tmp_path: Path
) -> None:
    registry = ("--registry", str(demo_registry))
    result = run_script("test_model_lookup.py", *THREE_TYPES, *registry, cwd=tmp_path, env=STATIC)
    assert result.returncode == 0, result.stderr
    assert lookup_rows(result.stdout)["first lookup"] == {
        "bert": ("registry", "google-bert/bert-base-uncased"),
        "gpt2": ("stale-registry", "old/gpt2"),
        "t5": ("static", "google-t5/t5-small"),
    }


# -- the async example ---------------------------------------------------------------------


def test_async_example_prints_changes_and_failures(
    fixture_data: dict[str, Any], tmp_path: Path
) -> None:
    registry = tmp_path / "reg.json"
    with run_in_thread(fixture_data, behaviors={"vit": "status:403"}) as server:
        hub: dict[str, Any] = {
            "source": "hub",
            "endpoint": server.url,
        }  # an earlier refresh from it
        registry.write_text(
            dumps_registry(
                {
                    "gpt2": entry("datificate/gpt2-small-spanish", **hub),
                    "vit": entry("google/vit-base-patch16-224", **hub),
                }
            )
        )
        result = run_script(
            "async_refresh_example.py",
            "--types",
            "gpt2,t5,vit",
            "--registry",
            str(registry),
            "--endpoint",
            server.url,
            cwd=tmp_path,
        )
    assert result.returncode == 1, result.stderr
    out = result.stdout
    assert "  gpt2: datificate/gpt2-small-spanish -> openai-community/gpt2" in out
    assert "  t5: (new entry) -> google-t5/t5-small" in out
    assert "  vit: listing 'vit': HTTP 403" in out
    data = read_registry(registry)
    assert data["gpt2"]["default_model"] == "openai-community/gpt2"
    assert data["vit"]["default_model"] == "google/vit-base-patch16-224"


def test_async_example_exits_3_when_the_hub_is_unreachable(tmp_path: Path) -> None:
    registry = tmp_path / "reg.json"
    result = run_script(
        "async_refresh_example.py",
        "--types",
        "gpt2,t5",
        "--registry",
        str(registry),
        "--endpoint",
        f"http://127.0.0.1:{closed_port()}",
        cwd=tmp_path,
    )
    assert result.returncode == 3
    assert "unreachable" in result.stderr
    assert not registry.exists()


# -- the offline demo -------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_demo_script_refreshes_explains_and_stops_the_simulator(tmp_path: Path) -> None:
    committed = (ROOT / "huggingface_model_types.json").read_bytes()
    env = {**os.environ, "PYTHON": sys.executable, "TMPDIR": str(tmp_path)}
    result = subprocess.run(
        ["bash", str(SCRIPTS / "demo-offline.sh")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    summary = re.search(r"^(\d+) architectures in .*, (\d+) failed$", out, re.MULTILINE)
    assert summary is not None, out
    assert int(summary[1]) > 500 and summary[2] == "0"
    assert "changed defaults:" in out
    changes = re.findall(r"^  (\S+): (\S+) -> (\S+)$", out, re.MULTILINE)
    assert changes and all(old != new for _, old, new in changes), out
    assert re.search(r"^\*\s+1\s+openai-community/gpt2\s", out, re.MULTILINE), out
    assert "default: openai-community/gpt2: " in out
    # The repository's registry is untouched and the temporary directory is gone.
    assert (ROOT / "huggingface_model_types.json").read_bytes() == committed
    assert list(tmp_path.glob("hf-model-registry-demo.*")) == []
    # The simulator was stopped: its port no longer accepts connections.
    url = re.search(r"simulator listening on http://127\.0\.0\.1:(\d+)", out)
    assert url is not None, out
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", int(url[1]))) != 0


# -- the offline coverage figure -----------------------------------------------------


def test_offline_coverage_counts_answers_and_test_models(tmp_path: Path) -> None:
    # A missing registry: the bare static tables answer, each test model for its type.
    out = run_script(
        "offline_coverage.py", "--registry", str(tmp_path / "missing.json"), cwd=tmp_path
    )
    assert out.returncode == 0, out.stderr
    total = len(all_architectures())
    tiny = re.search(r"^test models \(--tiny\): (\d+) of (\d+) architectures", out.stdout, re.M)
    assert tiny is not None, out.stdout
    assert (int(tiny[1]), int(tiny[2])) == (len(STATIC_TEST_MODELS), total)
    assert re.search(rf"^offline answers: \d+ of {total} architectures", out.stdout, re.M)
