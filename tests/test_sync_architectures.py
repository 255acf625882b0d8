"""How scripts/sync_architectures.py picks an architecture's documented checkpoint.

The docstring excerpts are shaped like transformers 5.24's configuration docstrings
(``BertConfig``, ``Qwen2Config``, and the template's placeholders for configs that name
no checkpoint: ``EncoderDecoderConfig``, ``VisionEncoderDecoderConfig``, ``TimmWrapperConfig``).
"""

from __future__ import annotations

import importlib.util
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
