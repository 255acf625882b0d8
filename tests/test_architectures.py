"""The architecture table (data/architectures.json) and the model-type validator."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from importlib import resources
from typing import Any

import pytest

from hf_model_registry._architectures import (
    all_architectures,
    architecture_types,
    get_architecture,
    transformers_version,
    validate_model_type,
)
from hf_model_registry._errors import InvalidModelType
from hf_model_registry._values import Architecture

# One architecture of each category, checked below; together they name every category the
# table may use (the generator's list, scripts/sync_architectures.py, restated by example).
CATEGORY_EXAMPLES = [
    ("hubert", "speech"),
    ("speecht5", "speech"),
    ("wav2vec2", "speech"),
    ("whisper", "speech"),
    ("paligemma", "multimodal"),
    ("llava", "multimodal"),
    ("gemma3", "multimodal"),
    ("clip", "vision-text"),
    ("siglip", "vision-text"),
    ("vit", "vision"),
    ("detr", "vision"),
    ("bert", "encoder-only"),
    ("roberta", "encoder-only"),
    ("gpt2", "decoder-only"),
    ("llama", "decoder-only"),
    ("t5", "encoder-decoder"),
    ("bart", "encoder-decoder"),
    ("musicgen", "audio"),
    ("videomae", "video"),
    ("patchtst", "time-series"),
    ("decision_transformer", "other"),
]
CATEGORIES = {category for _, category in CATEGORY_EXAMPLES}

# The Hub's pipeline tags: a task outside this set is a typo in the generator.
HUB_PIPELINE_TAGS = {
    "any-to-any",
    "audio-classification",
    "audio-text-to-text",
    "audio-to-audio",
    "automatic-speech-recognition",
    "depth-estimation",
    "document-question-answering",
    "feature-extraction",
    "fill-mask",
    "image-classification",
    "image-feature-extraction",
    "image-segmentation",
    "image-text-to-text",
    "image-to-image",
    "image-to-text",
    "keypoint-detection",
    "keypoint-matching",
    "mask-generation",
    "multiple-choice",
    "object-detection",
    "question-answering",
    "reinforcement-learning",
    "sentence-similarity",
    "summarization",
    "table-question-answering",
    "text-classification",
    "text-generation",
    "text-to-audio",
    "text-to-image",
    "text-to-speech",
    "text2text-generation",
    "time-series-forecasting",
    "token-classification",
    "translation",
    "unconditional-image-generation",
    "video-classification",
    "visual-document-retrieval",
    "visual-question-answering",
    "voice-activity-detection",
    "zero-shot-audio-classification",
    "zero-shot-classification",
    "zero-shot-image-classification",
    "zero-shot-object-detection",
}


def _names() -> list[str]:
    return [arch.name for arch in all_architectures()]


def _arch(name: str) -> Architecture:
    arch = get_architecture(name)
    assert arch is not None, name
    return arch


# --- the table -------------------------------------------------------------------------


def test_table_covers_all_transformers_model_types() -> None:
    """The table is the whole of transformers (~550 types), not a hand-picked few."""
    assert len(all_architectures()) >= 500


def test_table_records_the_transformers_version_it_came_from() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*", transformers_version())


def test_names_are_unique_sorted_and_valid_keys() -> None:
    names = _names()
    assert len(names) == len(set(names))
    assert names == sorted(names)
    for name in names:
        assert validate_model_type(name) == name


def test_the_data_file_is_sorted_and_indented_so_syncs_diff_well() -> None:
    text = (resources.files("hf_model_registry") / "data" / "architectures.json").read_text(
        encoding="utf-8"
    )
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n"


@pytest.mark.parametrize(
    "sub_config",
    [
        "clip_text_model",
        "clip_vision_model",
        "siglip_vision_model",
        "blip_2_qformer",
        "qwen2_vl_text",
        "qwen2_5_vl_vision",
        "gemma3n_audio",
        "gemma3n_vision",
        "mimi_encoder",
        "t5gemma2_encoder",
        "voxtral_encoder",
        "parakeet_encoder",
        "sam_vision_model",
        "idefics3_vision",
    ],
)
def test_sub_configs_are_not_architectures(sub_config: str) -> None:
    """Parts of a composite model have no checkpoints of their own to recommend."""
    assert get_architecture(sub_config) is None


def test_no_entry_is_named_like_a_bare_part() -> None:
    """Text/vision towers, audio encoders and Q-formers only exist inside another model."""
    part = re.compile(r"_(text_model|vision_model|audio_model|audio_encoder|qformer)$")
    # VideoPrism's video encoder has a video-classification head and its own checkpoints.
    allowed = {"videoprism_vision_model"}
    assert [n for n in _names() if part.search(n) and n not in allowed] == []


def test_text_parts_kept_in_the_table_are_standalone_language_models() -> None:
    """A ``*_text`` type stays only with a causal head of its own (gemma3_text is gemma-3-1b)."""
    names = set(_names())
    text_types = [
        a
        for a in all_architectures()
        if a.name.endswith("_text") and a.name.removesuffix("_text") in names
    ]
    assert any(a.name == "gemma3_text" for a in text_types)
    for arch in text_types:
        assert "text-generation" in arch.tasks, arch.name


@pytest.mark.parametrize(("name", "category"), CATEGORY_EXAMPLES)
def test_category(name: str, category: str) -> None:
    assert _arch(name).category == category


@pytest.mark.parametrize("name", ["hubert", "speecht5"])
def test_speech_models_are_not_text_models(name: str) -> None:
    """The original tool filed these under text; their Hub candidates are ASR models."""
    arch = _arch(name)
    assert arch.category == "speech"
    assert "automatic-speech-recognition" in arch.tasks


def test_every_category_is_known() -> None:
    assert {arch.category for arch in all_architectures()} == CATEGORIES


def test_architecture_types_lists_every_name_exactly_once() -> None:
    types = architecture_types()
    listed = [name for names in types.values() for name in names]
    assert sorted(listed) == sorted(_names())
    assert len(listed) == len(set(listed))
    assert set(types) == CATEGORIES
    for names in types.values():
        assert names == sorted(names)
    assert "bert" in types["encoder-only"]


def test_architecture_types_returns_a_copy() -> None:
    architecture_types()["vision"].clear()
    assert architecture_types()["vision"]


# --- tasks ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "task"),
    [
        ("bert", "fill-mask"),
        ("bert", "sentence-similarity"),
        ("gpt2", "text-generation"),
        ("t5", "translation"),
        ("t5", "text2text-generation"),
        ("vit", "image-classification"),
        ("whisper", "automatic-speech-recognition"),
        ("clip", "zero-shot-image-classification"),
        ("llava", "image-text-to-text"),
        ("speecht5", "text-to-speech"),
    ],
)
def test_tasks_include_the_architectures_own_pipeline(name: str, task: str) -> None:
    assert task in _arch(name).tasks


def test_t5_tasks_exclude_time_series() -> None:
    """amazon/chronos-t5-small (time-series) must not pass as t5's default."""
    assert "time-series-forecasting" not in _arch("t5").tasks


def test_text_models_do_not_claim_vision_tasks() -> None:
    assert not {"image-classification", "image-text-to-text"} & _arch("gpt2").tasks


def test_every_task_is_a_hub_pipeline_tag() -> None:
    unknown = {task for arch in all_architectures() for task in arch.tasks} - HUB_PIPELINE_TAGS
    assert unknown == set()


def test_tasks_are_known_for_nearly_every_architecture() -> None:
    """An empty task set means "allow all"; it must stay the rare exception."""
    empty = [arch.name for arch in all_architectures() if not arch.tasks]
    assert len(empty) <= 5, empty


# --- names and aliases ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("alias", "name"),
    [
        ("gpt-j", "gptj"),
        ("gpt-neo", "gpt_neo"),
        ("gpt-neox", "gpt_neox"),
        ("mobilenet-v2", "mobilenet_v2"),
        ("video-llava", "video_llava"),
        ("xlm-roberta", "xlm-roberta"),
        ("xlm_roberta", "xlm-roberta"),
        ("bert", "bert"),
    ],
)
def test_aliases_resolve_to_the_registry_key(alias: str, name: str) -> None:
    assert _arch(alias).name == name


def test_aliases_are_unique_and_never_another_entrys_name() -> None:
    names = set(_names())
    aliases = [alias for arch in all_architectures() for alias in arch.aliases]
    assert len(aliases) == len(set(aliases))
    assert names.isdisjoint(aliases)


def test_every_underscored_name_has_its_hyphenated_alias() -> None:
    for arch in all_architectures():
        if "_" in arch.name:
            assert _arch(arch.name.replace("_", "-")).name == arch.name


def test_hub_type_is_the_name_unless_transformers_says_otherwise() -> None:
    mismatched = {a.name: a.hub_type for a in all_architectures() if a.hub_type != a.name}
    # gpt-sw3 checkpoints are GPT-2 configs; mlcd's config class is mlcd_vision_model.
    assert mismatched == {"gpt-sw3": "gpt2", "mlcd": "mlcd_vision_model"}


def test_an_unknown_valid_name_is_none_not_an_error() -> None:
    """Users may refresh a model type newer than the table."""
    assert get_architecture("brand_new_arch") is None


@pytest.mark.parametrize("bad", ["../x", "Bert", ""])
def test_lookups_reject_invalid_names(bad: str) -> None:
    with pytest.raises(InvalidModelType):
        get_architecture(bad)


def test_table_is_loaded_once() -> None:
    assert all_architectures() is all_architectures()


# --- validate_model_type ----------------------------------------------------------------


@pytest.mark.parametrize(
    "good",
    [
        "bert",
        "gpt2",
        "gpt-j",
        "gpt_neox",
        "xlm-roberta",
        "kosmos-2.5",
        "wav2vec2-bert",
        "a",
        "0",
        "brand_new_arch",
        "x" * 64,
    ],
)
def test_validate_accepts_registry_keys(good: str) -> None:
    assert validate_model_type(good) == good


@pytest.mark.parametrize(
    "bad",
    [
        None,
        1,
        b"bert",
        ["bert"],
        "",
        "x" * 65,
        "../x",
        "..",
        "bert..x",
        "bert/x",
        "bert\\x",
        "bert&author=x",
        "bert?x",
        "bert%2Fx",
        "bert x",
        " bert",
        "bert\n",
        "bert\t",
        "bert\x00",
        "bert\x1b[31m",
        "Bert",
        "BERT",
        "b\u0435rt",  # Cyrillic ie
        "\uff42ert",  # fullwidth b
        "bert\u200b",  # zero-width space
        "stra\u00dfe",
        "-bert",
        "_bert",
        ".bert",
        "bert:x",
    ],
)
def test_validate_rejects_everything_else(bad: object) -> None:
    with pytest.raises(InvalidModelType):
        validate_model_type(bad)


def test_invalid_name_is_shown_escaped_and_truncated() -> None:
    with pytest.raises(InvalidModelType) as caught:
        validate_model_type("evil\n\x1b[2J" + "x" * 500)
    message = str(caught.value)
    assert "\n" not in message
    assert "\x1b" not in message
    assert "\\n" in message
    assert len(message) < 300


def test_invalid_model_type_is_a_value_error() -> None:
    """Callers that predate the error tree still catch it."""
    with pytest.raises(ValueError):
        validate_model_type("../x")


def test_import_is_cheap() -> None:
    """Importing the module pulls in no third-party package and does not read the table."""
    code = (
        "import sys\n"
        "import hf_model_registry._architectures as a\n"
        "heavy = {'httpx', 'anyio', 'tenacity', 'typer', 'rich', 'aiofiles', 'filelock'}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
        "print(a._table.cache_info().currsize)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert result.stdout.split("\n")[:2] == ["[]", "0"]


def test_alias_index_file_matches_the_table() -> None:
    """The small file the lookup fast path reads must say what the table says."""
    import json
    from pathlib import Path

    from hf_model_registry import _architectures

    data = Path(_architectures.__file__).parent / "data"
    table = json.loads((data / "architectures.json").read_text(encoding="utf-8"))
    index = json.loads((data / _architectures.ALIASES_FILE).read_text(encoding="utf-8"))
    assert index == _architectures.alias_index(table)
    for arch in _architectures.all_architectures():
        for alias in arch.aliases:
            assert _architectures.resolve_alias(alias) == (arch.name, arch.aliases)


# -- documented checkpoints (transformers' configuration docstrings) -----------------


@pytest.mark.parametrize(
    ("name", "checkpoint"),
    [
        ("bert", "google-bert/bert-base-uncased"),
        ("t5", "google-t5/t5-small"),
        ("qwen2", "Qwen/Qwen2-7B"),
        ("gemma", "google/gemma-7b"),
        ("deberta-v2", "microsoft/deberta-v2-xlarge"),
        # Stale: the repo now lives at distilbert/distilbert-base-uncased (a redirect).
        ("distilbert", "google/distilbert-base-uncased"),
    ],
)
def test_documented_checkpoint_is_the_one_transformers_names(name: str, checkpoint: str) -> None:
    arch = get_architecture(name)
    assert arch is not None
    assert arch.checkpoint == checkpoint


def test_composite_wrappers_document_no_checkpoint() -> None:
    # Their docstrings hold only the template's placeholder: any encoder and decoder fit.
    for name in ("encoder-decoder", "vision-encoder-decoder", "speech-encoder-decoder"):
        arch = get_architecture(name)
        assert arch is not None
        assert arch.checkpoint is None


def test_nearly_every_architecture_documents_a_valid_checkpoint() -> None:
    from hf_model_registry._candidates import validate_model_id

    archs = all_architectures()
    documented = [a.checkpoint for a in archs if a.checkpoint is not None]
    for checkpoint in documented:
        assert validate_model_id(checkpoint) == checkpoint
        assert "/" in checkpoint
    # 541 of 566 in transformers 5.24 (555 before copied and placeholder checkpoints were
    # refused by scripts/sync_architectures.py).
    assert len(documented) >= 0.95 * len(archs)


def test_every_entry_states_its_checkpoint_even_when_there_is_none() -> None:
    document = json.loads(
        resources.files("hf_model_registry").joinpath("data", "architectures.json").read_text()
    )
    assert all("checkpoint" in entry for entry in document["architectures"])


@pytest.mark.parametrize("bad", ["../etc/passwd", "org/a--b", 7, ""])
def test_a_hand_edited_checkpoint_that_is_not_a_model_id_is_refused(
    monkeypatch: pytest.MonkeyPatch, bad: object
) -> None:
    from hf_model_registry import _architectures
    from hf_model_registry._errors import InvalidModelId

    entry = {"name": "bert", "hub_type": "bert", "category": "encoder-only", "tasks": []}
    document: dict[str, Any] = {
        "transformers_version": "0",
        "architectures": [{**entry, "aliases": []}],
    }
    document["architectures"][0]["checkpoint"] = bad
    monkeypatch.setattr(_architectures, "_document", lambda: document)
    with pytest.raises(InvalidModelId):
        _architectures._table.__wrapped__()
