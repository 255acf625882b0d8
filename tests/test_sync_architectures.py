"""How scripts/sync_architectures.py picks an architecture's documented checkpoint.

The docstring excerpts are shaped like transformers 5.24's configuration docstrings
(``BertConfig``, ``Qwen2Config``, and the template's placeholders for configs that name
no checkpoint: ``EncoderDecoderConfig``, ``VisionEncoderDecoderConfig``, ``TimmWrapperConfig``).
"""

from __future__ import annotations

import copy
import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "sync_architectures.py"

TEMPLATE = (
    "This is the configuration class to store the configuration of a {model}Model. It is used "
    "to instantiate a {model}\nmodel according to the specified arguments, defining the model "
    "architecture. Instantiating a configuration with the\ndefaults will yield a similar "
    "configuration to that of the {link}\n\nConfiguration objects inherit from "
    "[`PreTrainedConfig`] and can be used to control the model outputs.\n"
)


@pytest.fixture(scope="module")
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sync_architectures", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def doc(link: str, model: str = "Bert") -> str:
    return TEMPLATE.format(model=model, link=link)


def test_the_linked_checkpoint_is_recorded(script: ModuleType) -> None:
    text = doc(
        "[google-bert/bert-base-uncased](https://huggingface.co/google-bert/bert-base-uncased)"
    )
    assert script.documented_checkpoint(text) == "google-bert/bert-base-uncased"


def test_the_first_repo_link_wins_over_later_ones(script: ModuleType) -> None:
    text = doc("[Qwen/Qwen2-7B](https://huggingface.co/Qwen/Qwen2-7B)") + (
        "See [Qwen/Qwen2-0.5B](https://huggingface.co/Qwen/Qwen2-0.5B) for a smaller one."
    )
    assert script.documented_checkpoint(text) == "Qwen/Qwen2-7B"


@pytest.mark.parametrize(
    "page",
    [
        "papers/2305.13245",
        "docs/transformers/main/en/model_doc/bert",
        "datasets/allenai/c4",
        "spaces/openai/whisper",
        "blog/how-to-train",
    ],
)
def test_links_to_pages_that_are_not_repos_are_skipped(script: ModuleType, page: str) -> None:
    text = f"Read [this paper](https://huggingface.co/{page}).\n" + doc(
        "[openai/whisper-tiny](https://huggingface.co/openai/whisper-tiny)"
    )
    assert script.documented_checkpoint(text) == "openai/whisper-tiny"


def test_the_url_decides_not_the_link_text(script: ModuleType) -> None:
    text = doc("[the base model](https://huggingface.co/google-t5/t5-small)")
    assert script.documented_checkpoint(text) == "google-t5/t5-small"


@pytest.mark.parametrize(
    "target",
    [
        "google-t5/t5-small/",
        "google-t5/t5-small?library=transformers",
        "google-t5/t5-small#usage",
    ],
)
def test_a_trailing_slash_query_or_fragment_is_not_part_of_the_id(
    script: ModuleType, target: str
) -> None:
    text = doc(f"[google-t5/t5-small](https://huggingface.co/{target})")
    assert script.documented_checkpoint(text) == "google-t5/t5-small"


@pytest.mark.parametrize(
    "link",
    [
        "[](https://huggingface.co/)",  # EncoderDecoderConfig: the template, no checkpoint
        "[None](https://huggingface.co/None)",  # VisionEncoderDecoderConfig
        "[resnet50](https://huggingface.co/resnet50)",  # TimmWrapperConfig: a timm name
        "[org/a--b](https://huggingface.co/org/a--b)",  # not a valid model id
        "[org/name/tree/main](https://huggingface.co/org/name/tree/main)",  # not a repo page
        "[org/name](https://example.com/org/name)",  # not the Hub
        "google-bert/bert-base-uncased",  # not a link
    ],
)
def test_placeholders_and_invalid_ids_give_no_checkpoint(script: ModuleType, link: str) -> None:
    assert script.documented_checkpoint(doc(link)) is None


def test_a_class_without_a_docstring_has_no_checkpoint(script: ModuleType) -> None:
    assert script.documented_checkpoint(None) is None


# --------------------------------------------------------------------------------------
# Placeholders and copied checkpoints. The groups below are transformers 5.24's: the
# architectures whose configuration docstrings name the same checkpoint, with their Hub
# model types (from the table the script generated before these rules existed).
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "model_id",
    [
        "PaddlePaddle/Not_yet_released",  # PPLCNetV3Config in transformers 5.24
        "org/not-yet-released",
        "org/model-coming-soon",
        "org/PLACEHOLDER",
        "org/TODO",
        "org/model_tbd",
        "xxx/model",
    ],
)
def test_placeholder_ids_are_recognised(script: ModuleType, model_id: str) -> None:
    assert script.is_placeholder(model_id)


@pytest.mark.parametrize(
    "model_id",
    [
        "google-bert/bert-base-uncased",
        "PaddlePaddle/UVDoc_safetensors",
        "org/mastodon-7b",  # "todo" inside a word is not the word
        "org/nonexistent-lm",  # nor is "none"
    ],
)
def test_real_ids_are_not_placeholders(script: ModuleType, model_id: str) -> None:
    assert not script.is_placeholder(model_id)


def test_a_placeholder_link_gives_no_checkpoint(script: ModuleType) -> None:
    text = doc(
        "[PaddlePaddle/Not_yet_released](https://huggingface.co/PaddlePaddle/Not_yet_released)"
    )
    assert script.documented_checkpoint(text) is None


def test_a_real_link_after_a_placeholder_is_recorded(script: ModuleType) -> None:
    text = doc("[org/placeholder](https://huggingface.co/org/placeholder)") + (
        "Released as [org/pp-lcnet-v3](https://huggingface.co/org/pp-lcnet-v3)."
    )
    assert script.documented_checkpoint(text) == "org/pp-lcnet-v3"


@pytest.mark.parametrize(
    ("checkpoint", "sharers", "owners"),
    [
        # Copies of another family's docstring: the type named in the checkpoint keeps it.
        ("BAAI/seggpt-vit-large", ["seggpt", "sew", "sew-d"], {"seggpt"}),
        ("facebook/sam-vit-huge", ["got_ocr2", "sam"], {"sam"}),
        ("google/mobilenet_v2_1.0_224", ["mobilenet_v2", "mobilevit"], {"mobilenet_v2"}),
        # A newer version of the family documenting the older one's checkpoint.
        ("Qwen/Qwen2-VL-7B-Instruct", ["qwen2_5_vl", "qwen2_vl"], {"qwen2_vl"}),
        ("zai-org/GLM-OCR", ["glm4", "glm_ocr"], {"glm_ocr"}),
        # Parts and derivatives of the owner document its checkpoint on purpose.
        ("google/gemma-3-4b-it", ["gemma3", "gemma3_text"], {"gemma3", "gemma3_text"}),
        (
            "facebook/sam3",
            ["sam3", "sam3_tracker", "sam3_tracker_video", "sam3_video"],
            {"sam3", "sam3_tracker", "sam3_tracker_video", "sam3_video"},
        ),
        ("microsoft/resnet-50", ["resnet", "rt_detr_resnet"], {"resnet", "rt_detr_resnet"}),
        # The organisation counts as part of the id.
        ("CohereForAI/c4ai-command-r-v01", ["cohere", "cohere2"], {"cohere", "cohere2"}),
        # No type in the id (the version is spelt differently): the family decides.
        (
            "llava-hf/llava-v1.6-mistral-7b-hf",
            ["granite4_vision", "llava_next"],
            {"llava_next"},
        ),
        (
            "zai-org/GLM-4.1V-9B-Thinking",
            ["glm46v", "glm4v", "glmga"],
            {"glm46v", "glm4v"},
        ),
        # Nothing ties the checkpoint to any of them: nobody keeps it.
        (
            "ibm-granite/granite-speech-3.2-8b",
            ["granitemoe", "granitemoehybrid", "granitemoeshared"],
            set(),
        ),
    ],
)
def test_a_shared_checkpoint_belongs_to_the_types_it_names(
    script: ModuleType, checkpoint: str, sharers: list[str], owners: set[str]
) -> None:
    assert script.checkpoint_owners(checkpoint, {name: name for name in sharers}) == owners


def test_the_configuration_class_s_own_model_type_makes_an_owner(script: ModuleType) -> None:
    # gpt-sw3 uses GPT2Config: the docstring is gpt2's own, not a copy.
    sharers = {"gpt2": "gpt2", "gpt-sw3": "gpt2"}
    assert script.checkpoint_owners("openai-community/gpt2", sharers) == {"gpt2", "gpt-sw3"}


def test_a_checkpoint_only_one_type_documents_is_not_judged(script: ModuleType) -> None:
    # Nothing shows it was copied, even though the name does not match.
    assert script.checkpoint_owners("BAAI/seggpt-vit-large", {"sew": "sew"}) == {"sew"}


def test_disowning_clears_only_the_copies(script: ModuleType) -> None:
    def entry(name: str, checkpoint: str | None) -> dict[str, str | None]:
        return {"name": name, "hub_type": name, "checkpoint": checkpoint}

    entries = [
        entry("bert", "google-bert/bert-base-uncased"),
        entry("encoder-decoder", None),
        entry("got_ocr2", "facebook/sam-vit-huge"),
        entry("sam", "facebook/sam-vit-huge"),
        entry("sew", "BAAI/seggpt-vit-large"),  # alone here: kept
    ]
    refused = script.disown_copied_checkpoints(entries)
    assert refused == {"got_ocr2": "facebook/sam-vit-huge"}
    assert {e["name"]: e["checkpoint"] for e in entries} == {
        "bert": "google-bert/bert-base-uncased",
        "encoder-decoder": None,
        "got_ocr2": None,
        "sam": "facebook/sam-vit-huge",
        "sew": "BAAI/seggpt-vit-large",
    }


def test_the_committed_table_follows_the_rules(script: ModuleType) -> None:
    # The generated file must be a fixed point: regenerating it refuses nothing more.
    document = json.loads(script.OUTPUT.read_text(encoding="utf-8"))
    entries = document["architectures"]
    assert not any(e["checkpoint"] and script.is_placeholder(e["checkpoint"]) for e in entries)
    assert script.disown_copied_checkpoints(copy.deepcopy(entries)) == {}
    checkpoint = {e["name"]: e["checkpoint"] for e in entries}
    common = (
        "bert gpt2 t5 llama qwen2 whisper vit clip distilbert wav2vec2 bart roberta "
        "llava_next seggpt sam granite_speech"
    )
    assert all(checkpoint[name] is not None for name in common.split())
    for name in ("sew", "sew-d", "got_ocr2", "granitemoe", "granite4_vision", "pp_lcnet_v3"):
        assert checkpoint[name] is None
