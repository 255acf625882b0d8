"""The static link of the lookup chain: hand-checked defaults, then documented checkpoints.

Offline (no registry entry, or only the packaged snapshot) every architecture whose
transformers configuration documents a checkpoint gets an answer, marked ``documented``
so nobody mistakes it for a hand-checked ``static`` default or a Hub answer.
"""

from __future__ import annotations

import importlib.util
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import pytest

from hf_model_registry import Entry, UnknownModelType, lookup
from hf_model_registry._architectures import all_architectures, get_architecture
from hf_model_registry._candidates import validate_model_id
from hf_model_registry._chain import local_answer
from hf_model_registry._cli import main
from hf_model_registry._config import packaged_registry_path
from hf_model_registry._defaults import (
    STATIC_DEFAULTS,
    STATIC_TEST_MODELS,
    is_static_source,
    static_default,
    static_fallback,
)
from hf_model_registry._registry import read_registry

ROOT = Path(__file__).resolve().parent.parent

# An architecture without a hand-checked default whose configuration (AlignConfig in
# transformers 5.24) documents kakaobrain/align-base.
DOCUMENTED_ONLY = ("align", "kakaobrain/align-base")


def test_the_hand_checked_default_comes_before_the_documented_checkpoint() -> None:
    # transformers documents a stale id for distilbert; the hand-checked one is canonical.
    arch = get_architecture("distilbert")
    assert arch is not None and arch.checkpoint == "google/distilbert-base-uncased"
    assert static_fallback("distilbert") == ("distilbert/distilbert-base-uncased", "static")


def test_without_a_hand_checked_default_the_documented_checkpoint_answers() -> None:
    name, checkpoint = DOCUMENTED_ONLY
    assert name not in STATIC_DEFAULTS
    assert static_fallback(name) == (checkpoint, "documented")
    assert static_default(name) == checkpoint


@pytest.mark.parametrize("name", ["encoder-decoder", "brand_new_arch"])
def test_no_fallback_without_a_default_or_a_documented_checkpoint(name: str) -> None:
    assert static_fallback(name) is None
    assert static_default(name) is None


@pytest.mark.parametrize(("source", "static"), [("static", True), ("documented", True)])
def test_both_offline_sources_count_as_static(source: str, static: bool) -> None:
    assert is_static_source(source) is static


@pytest.mark.parametrize("source", ["hub", None, "Documented", ["static"]])
def test_other_sources_do_not(source: object) -> None:
    assert not is_static_source(source)


def test_a_documented_entry_is_a_floor_not_a_fresh_answer() -> None:
    now = datetime.now(UTC)
    entry: Entry = {
        "default_model": "kakaobrain/align-base",
        "models": ["kakaobrain/align-base"],
        "downloads": {},
        "source": "documented",
        "updated_at": now.isoformat(),
    }
    fresh, fallback = local_answer("align", entry, now, ttl=3600.0)
    assert fresh is None
    assert fallback is not None
    assert (fallback.model_id, fallback.source) == ("kakaobrain/align-base", "documented")


@pytest.mark.usefixtures("offline")
def test_offline_lookup_without_a_registry_answers_with_the_documented_checkpoint(
    tmp_path: Path,
) -> None:
    name, checkpoint = DOCUMENTED_ONLY
    answer = lookup(name, registry=tmp_path / "missing.json")
    assert (answer.model_id, answer.source, answer.entry) == (checkpoint, "documented", None)
    assert lookup("bert", registry=tmp_path / "missing.json").source == "static"


@pytest.mark.usefixtures("offline")
def test_offline_lookup_from_the_packaged_snapshot_says_documented() -> None:
    name, checkpoint = DOCUMENTED_ONLY
    answer = lookup(name)  # the test's cwd is empty: the packaged snapshot applies
    assert (answer.model_id, answer.source) == (checkpoint, "documented")
    assert answer.entry is not None and answer.entry["source"] == "documented"


@pytest.mark.usefixtures("offline")
@pytest.mark.parametrize("registry", ["missing", "packaged"])
def test_offline_lookups_answer_for_at_least_97_percent_of_architectures(
    tmp_path: Path, registry: str
) -> None:
    path = tmp_path / "missing.json" if registry == "missing" else None
    names = [arch.name for arch in all_architectures()]
    answered = 0
    for name in names:
        try:
            lookup(name, registry=path)
        except UnknownModelType:
            continue
        answered += 1
    # 550 of 566 in transformers 5.24 (97.2%): issue 10's target is 97%. Refusing copied
    # and placeholder documented checkpoints cost 12; hand-checked defaults won 7 back.
    assert answered >= 0.97 * len(names)


# -- the committed registry, the packaged snapshot and the script that builds them ----


def load_builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_static_registry", ROOT / "scripts" / "build_static_registry.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_packaged_snapshot_is_what_the_build_script_generates() -> None:
    snapshot = read_registry(packaged_registry_path())
    stamps = {entry["updated_at"] for entry in snapshot.values()}
    assert len(stamps) == 1
    assert snapshot == load_builder().static_entries(stamps.pop())


def test_the_snapshot_holds_every_static_and_documented_entry_of_the_committed_file() -> None:
    root = read_registry(ROOT / "huggingface_model_types.json")
    snapshot = read_registry(packaged_registry_path())
    offline_root = {k: v for k, v in root.items() if is_static_source(v.get("source"))}
    assert offline_root == {k: snapshot[k] for k in offline_root}
    # Entries the root file holds from the Hub or a pin stand in for snapshot entries.
    assert set(snapshot) <= set(root)


def test_every_offline_entry_is_marked_with_its_source() -> None:
    snapshot = read_registry(packaged_registry_path())
    by_source = {name: entry["source"] for name, entry in snapshot.items()}
    assert {n for n, s in by_source.items() if s == "static"} == set(STATIC_DEFAULTS)
    assert set(by_source.values()) == {"static", "documented"}


# -- what the command line says about the source -------------------------------------


@pytest.mark.usefixtures("offline")
def test_show_says_whether_an_entry_is_hand_checked_or_documented(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["show", DOCUMENTED_ONLY[0]]) == 0
    assert "[documented checkpoint, unchecked]" in capsys.readouterr().out
    assert main(["show", "bert"]) == 0
    assert "[static, hand-checked]" in capsys.readouterr().out
    assert main(["show", DOCUMENTED_ONLY[0], "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[DOCUMENTED_ONLY[0]]["source"] == "documented"


# -- the random-weight test models an offline --tiny answers with ---------------------

# A source comment names a Hugging Face repository and a file in it.
SOURCE_RE = re.compile(r"#\s*(huggingface/[\w.-]+)\s+((?:tests|src|docs)/\S+)")


def sources_of_test_models() -> dict[str, str]:
    """Each STATIC_TEST_MODELS key -> the ``repo path`` of the comment above its group."""
    lines = (ROOT / "src" / "hf_model_registry" / "_defaults.py").read_text().splitlines()
    start = lines.index("STATIC_TEST_MODELS: dict[str, str] = {")
    end = lines.index("}", start)
    sources: dict[str, str] = {}
    source = ""
    for line in lines[start + 1 : end]:
        found = SOURCE_RE.search(line)
        if found is not None:
            source = f"{found[1]} {found[2]}"
        key = re.match(r'\s*"([^"]+)":', line)
        if key is not None:
            sources[key[1]] = source
    return sources


def normalized(text: str) -> str:
    return re.sub(r"[-_./]", "", text.lower())


def test_every_static_test_model_comes_with_its_source() -> None:
    sources = sources_of_test_models()
    assert set(sources) == set(STATIC_TEST_MODELS)  # the parse saw every entry
    assert {name for name, source in sources.items() if not source} == set()


@pytest.mark.parametrize(("name", "model_id"), sorted(STATIC_TEST_MODELS.items()))
def test_a_static_test_model_is_a_tiny_model_id_beside_the_default(
    name: str, model_id: str
) -> None:
    assert validate_model_id(model_id) == model_id
    arch = get_architecture(name)
    assert arch is not None and arch.name == name  # a registry name, not an alias
    default = static_default(name)
    assert default is not None and default != model_id
    # Never a full-size checkpoint: every fixture read says so in its name.
    assert "tiny" in model_id.lower()
    named = any(
        normalized(part) in normalized(model_id.split("/")[1])
        for part in (arch.name, arch.hub_type, *arch.aliases)
    )
    assert named or sources_of_test_models()[name]


def test_the_snapshot_and_committed_file_carry_the_static_test_models() -> None:
    snapshot = read_registry(packaged_registry_path())
    root = read_registry(ROOT / "huggingface_model_types.json")
    assert {n: e["test_model"] for n, e in snapshot.items() if "test_model" in e} == (
        STATIC_TEST_MODELS
    )
    for name, model_id in STATIC_TEST_MODELS.items():
        if is_static_source(root[name].get("source")):
            assert root[name]["test_model"] == model_id
