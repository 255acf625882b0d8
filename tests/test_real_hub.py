"""Real Hub responses through the parser and the selection policy.

``tests/data/real_hub/`` holds bodies of real ``GET /api/models/{id}`` responses, recorded
in huggingface_hub's test cassettes (its README says which fields and when). A listing
item with ``expand[]`` has the same field shapes, so each file is parsed as a listing item.
The selection tests build listings from these items; where a trap needs one model to
outsell another, the test says so and changes only ``downloads``.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from hf_model_registry._architectures import get_architecture
from hf_model_registry._candidates import parse_item
from hf_model_registry._selection import Policy, Ranking, Tier, Verdict, rank
from hf_model_registry._values import Architecture, Candidate

REAL_HUB = Path(__file__).parent / "data" / "real_hub"
MODEL_INFO = sorted((REAL_HUB / "model-info").glob("*.json"))


def raw(model_id: str) -> dict[str, Any]:
    path = REAL_HUB / "model-info" / (model_id.replace("/", "__") + ".json")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def real(model_id: str, **changes: Any) -> Candidate:
    """A recorded model as a listing item, with ``changes`` (only ``downloads`` is used)."""
    return parse_item({**raw(model_id), **changes})


def arch(name: str, checkpoint: str | None) -> Architecture:
    """The packaged table's architecture with transformers' documented checkpoint."""
    found = get_architecture(name)
    assert found is not None
    return dataclasses.replace(found, checkpoint=checkpoint)


def verdict_of(ranking: Ranking, model_id: str) -> tuple[Verdict, Tier | None, str]:
    (j,) = [j for j in ranking.judgements if j.candidate.id == model_id]
    return j.verdict, j.tier, j.reason


# --- the parser, field by field ----------------------------------------------------------


def test_the_fixture_folder_holds_every_recorded_model() -> None:
    index = json.loads((REAL_HUB / "index.json").read_text(encoding="utf-8"))
    files = {entry["file"] for entry in index if entry["file"]}
    assert files == {f"model-info/{path.name}" for path in MODEL_INFO}
    assert len(MODEL_INFO) == 35


@pytest.mark.parametrize("path", MODEL_INFO, ids=lambda p: p.stem)
def test_every_recorded_model_parses_field_by_field(path: Path) -> None:
    body = json.loads(path.read_text(encoding="utf-8"))
    candidate = parse_item(body)

    assert candidate.id == body["id"]
    assert candidate.downloads == body["downloads"]
    assert candidate.likes == body.get("likes", 0)
    assert candidate.tags == tuple(body.get("tags", ()))
    assert candidate.pipeline_tag == body.get("pipeline_tag")
    assert candidate.library_name == body.get("library_name")
    assert candidate.gated == (body.get("gated") or None)
    assert candidate.private is body.get("private", False)
    assert candidate.last_modified == body.get("lastModified")
    by_dtype = (body.get("safetensors") or {}).get("parameters") or {}
    assert candidate.parameters == (sum(by_dtype.values()) or None)
    info = body.get("transformersInfo") or {}
    assert candidate.auto_model == info.get("auto_model")
    assert candidate.transformers_task == info.get("pipeline_tag")
    assert candidate.task == (info.get("pipeline_tag") or body.get("pipeline_tag"))
    quant = (body.get("config") or {}).get("quantization_config")
    assert (candidate.quantization is not None) is (quant is not None)


def test_transformers_task_differs_from_the_card_for_donut_and_bart_mnli() -> None:
    donut = real("naver-clova-ix/donut-base-finetuned-docvqa")
    assert (donut.pipeline_tag, donut.task) == ("document-question-answering", "image-text-to-text")
    mnli = real("facebook/bart-large-mnli")
    assert (mnli.pipeline_tag, mnli.task) == ("zero-shot-classification", "text-classification")


def test_quantization_config_is_read_from_config() -> None:
    body = raw("facebook/bart-base")
    body["config"] = {**body["config"], "quantization_config": {"quant_method": "bitsandbytes"}}
    assert parse_item(body).quantization == "bitsandbytes"
    body["config"]["quantization_config"] = {"bits": 4}
    assert parse_item(body).quantization == "unknown"


# --- the traps, as selection tests ------------------------------------------------------


def test_bert_base_beats_a_tagless_fine_tune_and_an_embedding_model_that_outsell_it() -> None:
    # Real downloads: all-MiniLM-L6-v2 (90M) already outsells bert-base-uncased (72M);
    # the conll03 fine-tune is raised above both.
    listing = [
        real("google-bert/bert-base-uncased"),
        real("sentence-transformers/all-MiniLM-L6-v2"),
        real("dbmdz/bert-large-cased-finetuned-conll03-english", downloads=100_000_000),
    ]
    for checkpoint in ("google-bert/bert-base-uncased", None):
        ranking = rank(listing, arch("bert", checkpoint))
        assert ranking.chosen is not None
        assert ranking.chosen.id == "google-bert/bert-base-uncased"
        _, tier, reason = verdict_of(ranking, "dbmdz/bert-large-cased-finetuned-conll03-english")
        assert tier is Tier.DERIVATIVE
        assert reason == "named as a fine-tune; originals preferred"
        _, tier, reason = verdict_of(ranking, "sentence-transformers/all-MiniLM-L6-v2")
        assert tier is Tier.DERIVATIVE
        assert "sentence-transformers model" in reason


def test_documented_checkpoint_is_chosen_and_says_so() -> None:
    ranking = rank(
        [real("google-bert/bert-base-uncased"), real("sentence-transformers/all-MiniLM-L6-v2")],
        arch("bert", "Google-BERT/BERT-base-uncased"),  # matched case-insensitively
    )
    assert ranking.judgements[0].tier is Tier.CANONICAL
    assert ranking.reason.startswith("the documented checkpoint of bert within the 2B budget")


def test_moved_documented_checkpoint_is_found_under_a_repo_of_the_same_name() -> None:
    # transformers documents google/distilbert-base-uncased, which now lives under the
    # distilbert organisation; the real SST-2 fine-tune has no base_model tag and outsells it.
    base = dataclasses.replace(
        real("distilbert/distilbert-base-uncased-finetuned-sst-2-english"),
        id="distilbert/distilbert-base-uncased",
        downloads=1_000_000,
    )
    sst2 = real("distilbert/distilbert-base-uncased-finetuned-sst-2-english")
    ranking = rank([sst2, base], arch("distilbert", "google/distilbert-base-uncased"))
    assert ranking.chosen == base
    verdict, tier, reason = verdict_of(ranking, sst2.id)
    assert (verdict, tier) == (Verdict.RANKED, Tier.DERIVATIVE)
    assert reason == "distilbert-base-uncased plus a task or language suffix; originals preferred"


def test_a_re_upload_under_the_documented_name_is_no_stand_in() -> None:
    # The documented google/distilbert-base-uncased is not listed. A popular copy of the
    # same name that names its base (a re-upload, here a fine-tune tag) must not take the
    # canonical tier: the organisation's own repo of that name does.
    original = dataclasses.replace(
        real("distilbert/distilbert-base-uncased-finetuned-sst-2-english"),
        id="distilbert/distilbert-base-uncased",
        downloads=1_000_000,
    )
    copy = dataclasses.replace(
        original,
        id="someone/distilbert-base-uncased",
        downloads=9_000_000,
        tags=(*original.tags, "base_model:finetune:distilbert/distilbert-base-uncased"),
    )
    ranking = rank([copy, original], arch("distilbert", "google/distilbert-base-uncased"))
    assert ranking.chosen == original
    assert verdict_of(ranking, original.id)[1] is Tier.CANONICAL
    verdict, tier, reason = verdict_of(ranking, copy.id)
    assert (verdict, tier) == (Verdict.RANKED, Tier.DERIVATIVE)
    assert reason == "fine-tune of distilbert/distilbert-base-uncased; originals preferred"


def test_without_an_original_of_the_documented_name_no_repo_stands_in() -> None:
    # Only a copy carries the documented name: the family falls back to the documented
    # organisation, and the copy is ranked as what it is, a derivative.
    base = real("distilbert/distilbert-base-uncased-finetuned-sst-2-english")
    copy = dataclasses.replace(
        base,
        id="someone/distilbert-base-uncased",
        tags=(*base.tags, "base_model:finetune:google/distilbert-base-uncased"),
    )
    ranking = rank([copy, base], arch("distilbert", "google/distilbert-base-uncased"))
    assert verdict_of(ranking, copy.id)[1] is Tier.DERIVATIVE
    assert all(j.tier is not Tier.CANONICAL for j in ranking.judgements)


def test_a_language_fine_tune_without_tag_loses_to_its_listed_parent() -> None:
    parent = dataclasses.replace(
        real("jonatasgrosman/wav2vec2-large-xlsr-53-english"),
        id="facebook/wav2vec2-large-xlsr-53",
        downloads=50_000,
    )
    english = real("jonatasgrosman/wav2vec2-large-xlsr-53-english")  # 18M downloads
    gender = real("alefiury/wav2vec2-large-xlsr-53-gender-recognition-librispeech")
    ranking = rank([english, gender, parent], arch("wav2vec2", None))
    assert ranking.chosen == parent
    assert verdict_of(ranking, english.id)[1] is Tier.DERIVATIVE
    assert verdict_of(ranking, gender.id)[1] is Tier.DERIVATIVE


def test_gpt2_beats_dialogpt_when_dialogpt_outsells_it() -> None:
    listing = [
        real("openai-community/gpt2"),
        real("microsoft/DialoGPT-small", downloads=50_000_000),
    ]
    ranking = rank(listing, arch("gpt2", "openai-community/gpt2"))
    assert ranking.chosen is not None
    assert ranking.chosen.id == "openai-community/gpt2"
    _, tier, reason = verdict_of(ranking, "microsoft/DialoGPT-small")
    assert tier is Tier.ORIGINAL
    assert "canonical family first" in reason


def test_donut_is_not_rejected_for_its_card_task() -> None:
    donut = real("naver-clova-ix/donut-base-finetuned-docvqa")
    ranking = rank([donut], arch("vision-encoder-decoder", None))
    assert ranking.chosen == donut
    assert "off-task" not in ranking.reason  # transformersInfo's task is the table's


def test_an_architecture_whose_every_checkpoint_is_off_task_still_gets_a_default() -> None:
    depth_only = Architecture("dpt", "dpt", "vision", frozenset({"depth-estimation"}))
    listing = [real("facebook/bart-base"), real("facebook/detr-resnet-50")]
    ranking = rank(listing, depth_only)
    assert ranking.chosen is not None
    assert "off-task" in ranking.reason


def test_on_task_beats_off_task_within_a_tier() -> None:
    bart = arch("bart", None)
    off_task = dataclasses.replace(real("facebook/bart-base"), id="facebook/bart-ts")
    off_task = dataclasses.replace(
        off_task, transformers_task="time-series-forecasting", downloads=10**9
    )
    ranking = rank([off_task, real("facebook/bart-base")], bart)
    assert ranking.chosen is not None
    assert ranking.chosen.id == "facebook/bart-base"
    assert verdict_of(ranking, "facebook/bart-ts")[2].startswith("off-task (time-series")


def test_bart_base_beats_the_owners_mnli_fine_tune_and_a_community_distillation() -> None:
    listing = [
        real("facebook/bart-large-mnli", downloads=9_000_000),
        real("facebook/bart-base"),
        real("sshleifer/distilbart-cnn-12-6", downloads=9_500_000),
    ]
    ranking = rank(listing, arch("bart", "facebook/bart-large"))
    assert ranking.chosen is not None
    assert ranking.chosen.id == "facebook/bart-base"
    assert ranking.judgements[0].tier is Tier.CANONICAL
    assert verdict_of(ranking, "facebook/bart-large-mnli")[1] is Tier.DERIVATIVE
    assert verdict_of(ranking, "sshleifer/distilbart-cnn-12-6")[1] is Tier.ORIGINAL


def test_gated_llama_needs_a_token_and_then_prefers_the_base_over_instruct() -> None:
    instruct = real("meta-llama/Llama-3.1-8B-Instruct")
    base = dataclasses.replace(
        real("meta-llama/Meta-Llama-3-8B-Instruct"), id="meta-llama/Meta-Llama-3-8B", tags=()
    )
    llama = arch("llama", "meta-llama/Llama-2-7b-hf")
    closed = rank([instruct, base], llama)
    assert closed.chosen is None
    assert verdict_of(closed, instruct.id)[2] == "gated (manual) and no token"
    opened = rank([instruct, base], llama, Policy(allow_gated=True, max_params=10**10))
    assert opened.chosen == base
    # The owner's instruct variant names its own base: it stays in the canonical family.
    verdict, tier, reason = verdict_of(opened, instruct.id)
    assert (verdict, tier) == (Verdict.RANKED, Tier.CANONICAL)
    assert reason == "instruction-tuned variant; base checkpoints first"


def test_community_chat_fine_tune_with_a_base_model_tag_is_a_derivative() -> None:
    zephyr = real("HuggingFaceH4/zephyr-7b-beta")
    original = dataclasses.replace(zephyr, id="mistralai/Mistral-7B-v0.1", tags=(), downloads=5_000)
    ranking = rank([zephyr, original], arch("mistral", "mistralai/Mistral-7B-v0.1"))
    assert ranking.chosen == original
    assert verdict_of(ranking, zephyr.id)[2] == (
        "fine-tune of mistralai/Mistral-7B-v0.1; originals preferred"
    )


@pytest.mark.parametrize(
    ("model_id", "library"),
    [
        ("CompVis/stable-diffusion-v1-4", "diffusers"),
        ("speechbrain/sepformer-wham", "speechbrain"),
        ("espnet/kan-bayashi_ljspeech_vits", "espnet"),
    ],
)
def test_other_libraries_are_rejected(model_id: str, library: str) -> None:
    ranking = rank([real(model_id)], Architecture("x", "x"))
    assert verdict_of(ranking, model_id)[2] == f"library {library!r}, not transformers"


def test_a_repo_without_safetensors_has_unknown_size_and_fits() -> None:
    clip = real("openai/clip-vit-base-patch32")
    ranking = rank([clip], arch("clip", "openai/clip-vit-base-patch32"))
    assert ranking.chosen == clip
    assert ranking.judgements[0].params is None


def test_test_model_is_the_most_downloaded_loadable_fixture_whatever_its_downloads() -> None:
    def fixture(model_id: str, downloads: int, **changes: Any) -> Candidate:
        return dataclasses.replace(
            real("google-bert/bert-base-uncased"), id=model_id, downloads=downloads, **changes
        )

    listing = [
        real("google-bert/bert-base-uncased"),
        fixture("hf-internal-testing/tiny-random-BertModel", 900),  # below min_downloads
        fixture("hf-internal-testing/tiny-random-BertForMaskedLM", 400),
        fixture("hf-internal-testing/tiny-random-bert-private", 5_000, private=True),
    ]
    ranking = rank(listing, arch("bert", "google-bert/bert-base-uncased"))
    assert ranking.chosen is not None
    assert ranking.chosen.id == "google-bert/bert-base-uncased"
    assert ranking.test_model is not None
    assert ranking.test_model.id == "hf-internal-testing/tiny-random-BertModel"
    assert rank(listing[:1], arch("bert", None)).test_model is None


@pytest.mark.parametrize("tag", ["compressed-tensors", "fp8"])
def test_compressed_tensors_and_fp8_copies_are_rejected(tag: str) -> None:
    copy = dataclasses.replace(
        real("google-bert/bert-base-uncased"), id="org/bert-copy", tags=("transformers", tag)
    )
    assert verdict_of(rank([copy], arch("bert", None)), copy.id)[0] is Verdict.REJECTED


def test_every_survivor_has_a_tier_and_every_candidate_a_reason() -> None:
    listing = [parse_item(json.loads(path.read_text(encoding="utf-8"))) for path in MODEL_INFO]
    ranking = rank(listing, Architecture("any", "any"), Policy(allow_gated=True))
    assert len(ranking.judgements) == len({c.id for c in listing})
    for j in ranking.judgements:
        assert j.reason
        assert (j.tier is None) is (j.verdict is Verdict.REJECTED)


def test_the_reason_says_whether_the_canonical_family_was_listed_at_all() -> None:
    gpt2 = arch("gpt2", "openai-community/gpt2")
    absent = rank([real("microsoft/DialoGPT-small")], gpt2)
    assert absent.reason.startswith(
        "the documented openai-community/gpt2 and its organisation are not listed; "
    )
    gated = dataclasses.replace(real("openai-community/gpt2"), gated="manual")
    present = rank([gated, real("microsoft/DialoGPT-small")], gpt2)
    assert present.reason.startswith("no checkpoint of the canonical family survived; ")
