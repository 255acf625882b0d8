"""Choosing the default model of an architecture (``_selection``).

Fixtures are shaped like real ``GET /api/models`` listing items and go through
``parse_item``, so the ranking is tested on what the Hub actually sends.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hf_model_registry._candidates import parse_item
from hf_model_registry._selection import (
    Judgement,
    Policy,
    Ranking,
    Tier,
    Verdict,
    parse_param_count,
    rank,
)
from hf_model_registry._values import Architecture, Candidate

TEXT_GENERATION = frozenset(
    {"text-generation", "text-classification", "token-classification", "question-answering"}
)
GPT2 = Architecture("gpt2", "gpt2", "text", TEXT_GENERATION)
GPTJ = Architecture("gpt-j", "gptj", "text", TEXT_GENERATION, aliases=("gptj",))
T5 = Architecture(
    "t5",
    "t5",
    "text",
    frozenset({"text2text-generation", "translation", "summarization", "text-generation"}),
)
GEMMA = Architecture("gemma", "gemma", "text", TEXT_GENERATION)
ANY_TASK = Architecture("bert", "bert", "text")  # tasks unknown: every pipeline tag allowed

WEIGHTS = ["transformers", "pytorch", "safetensors"]


def hub(
    model_id: str,
    downloads: int,
    *,
    params: int | None = None,
    tags: list[str] | None = None,
    pipeline_tag: str | None = "text-generation",
    library_name: str | None = "transformers",
    gated: object = False,
    private: bool | None = None,
    base: str | None = None,
) -> Candidate:
    """A listing item as the Hub sends it, parsed. ``base`` adds a fine-tune tag."""
    all_tags = list(WEIGHTS if tags is None else tags)
    if base is not None:
        all_tags += [f"base_model:{base}", f"base_model:finetune:{base}"]
    obj: dict[str, Any] = {
        "_id": "0" * 24,
        "id": model_id,
        "downloads": downloads,
        "likes": downloads // 1000,
        "tags": all_tags,
        "gated": gated,
        "lastModified": "2024-05-01T00:00:00.000Z",
    }
    if pipeline_tag is not None:
        obj["pipeline_tag"] = pipeline_tag
    if library_name is not None:
        obj["library_name"] = library_name
    if params is not None:
        obj["safetensors"] = {"parameters": {"F32": params}, "total": params}
    if private is not None:
        obj["private"] = private
    return parse_item(obj)


def judgement(ranking: Ranking, model_id: str) -> Judgement:
    matches = [j for j in ranking.judgements if j.candidate.id == model_id]
    assert len(matches) == 1, f"{model_id} judged {len(matches)} times"
    return matches[0]


def chosen_id(ranking: Ranking) -> str | None:
    return ranking.chosen.id if ranking.chosen is not None else None


# --- the original tool's three wrong answers -----------------------------------------------

GPT2_LISTING = [
    hub(
        "openai-community/gpt2",
        11_542_011,
        params=137_022_720,
        tags=[*WEIGHTS, "tf", "jax", "tflite", "rust", "onnx", "gpt2", "exbert", "en"],
    ),
    hub("distilbert/distilgpt2", 2_513_040, params=88_204_032),
    hub("openai-community/gpt2-large", 1_204_541, params=812_489_600),
    hub("openai-community/gpt2-xl", 310_223, params=1_607_934_400),
    hub("hf-internal-testing/tiny-random-gpt2", 1_800_456, params=1_024_000),
    hub("vicgalle/gpt2-alpaca", 8_812, params=124_439_808, base="openai-community/gpt2"),
    hub("datificate/gpt2-small-spanish", 3_107, params=137_022_720, tags=["pytorch", "gpt2"]),
    hub(
        "QuantFactory/gpt2-GGUF",
        4_512,
        tags=["gguf", "base_model:quantized:openai-community/gpt2"],
        library_name="gguf",
    ),
]


def test_gpt2_default_is_openai_community_gpt2_not_the_spanish_fine_tune() -> None:
    ranking = rank(GPT2_LISTING, GPT2)
    assert chosen_id(ranking) == "openai-community/gpt2"
    spanish = judgement(ranking, "datificate/gpt2-small-spanish")
    assert spanish.verdict is Verdict.RANKED
    assert spanish.tier is Tier.DERIVATIVE
    assert spanish.reason == "gpt2 plus a task or language suffix; originals preferred"
    alpaca = judgement(ranking, "vicgalle/gpt2-alpaca")
    assert alpaca.reason == "fine-tune of openai-community/gpt2; originals preferred"
    assert judgement(ranking, "QuantFactory/gpt2-GGUF").verdict is Verdict.REJECTED


def test_gpt2_ranking_lists_chosen_then_ranked_then_rejected_with_ranks() -> None:
    ranking = rank(GPT2_LISTING, GPT2)
    assert [(j.candidate.id, j.verdict, j.rank) for j in ranking.judgements] == [
        ("openai-community/gpt2", Verdict.CHOSEN, 1),
        ("distilbert/distilgpt2", Verdict.RANKED, 2),
        ("openai-community/gpt2-large", Verdict.RANKED, 3),
        ("openai-community/gpt2-xl", Verdict.RANKED, 4),
        ("vicgalle/gpt2-alpaca", Verdict.RANKED, 5),
        ("datificate/gpt2-small-spanish", Verdict.RANKED, 6),
        ("hf-internal-testing/tiny-random-gpt2", Verdict.RANKED, 7),
        ("QuantFactory/gpt2-GGUF", Verdict.REJECTED, None),
    ]
    assert ranking.reason == ranking.judgements[0].reason
    assert "most downloaded original within the 2B budget" in ranking.reason


T5_LISTING = [
    hub(
        "amazon/chronos-t5-small",
        15_210_907,
        params=46_150_656,
        pipeline_tag="time-series-forecasting",
    ),
    hub("google-t5/t5-small", 3_050_871, params=60_506_624, pipeline_tag="translation"),
    hub("google-t5/t5-base", 2_102_335, params=222_903_552, pipeline_tag="translation"),
    hub("google/flan-t5-base", 1_503_922, params=247_577_856, pipeline_tag="text2text-generation"),
]


def test_t5_default_is_google_t5_not_the_time_series_model() -> None:
    ranking = rank(T5_LISTING, T5)
    assert chosen_id(ranking) == "google-t5/t5-small"
    chronos = judgement(ranking, "amazon/chronos-t5-small")
    assert chronos.verdict is Verdict.RANKED  # off-task ranks last, it is never rejected
    assert chronos.reason == (
        "off-task (time-series-forecasting) for t5; on-task checkpoints first"
    )


def test_task_filter_is_skipped_when_the_architecture_tasks_are_unknown() -> None:
    unknown_tasks = Architecture("t5", "t5", "text")
    assert chosen_id(rank(T5_LISTING, unknown_tasks)) == "amazon/chronos-t5-small"


def test_task_filter_is_skipped_when_the_candidate_has_no_pipeline_tag() -> None:
    untagged = hub("google-t5/t5-small", 3_050_871, params=60_506_624, pipeline_tag=None)
    assert chosen_id(rank([untagged], T5)) == "google-t5/t5-small"


GPTJ_GGUF = hub(
    "mmnga/aibuncho-japanese-novel-gpt-j-6b-gguf",
    25_104,
    tags=["gguf", "ja", "gptj"],
    library_name=None,
)
GPTJ_6B = hub("EleutherAI/gpt-j-6b", 301_622, tags=["transformers", "pytorch", "tf", "jax"])
GPTJ_FIXTURE = hub("hf-internal-testing/tiny-random-GPTJForCausalLM", 402_113, params=1_120_256)
PYGMALION = hub("PygmalionAI/pygmalion-6b", 9_730, base="EleutherAI/gpt-j-6b")


def test_gptj_gguf_copy_is_rejected() -> None:
    ranking = rank([GPTJ_GGUF, GPTJ_6B], GPTJ)
    gguf = judgement(ranking, GPTJ_GGUF.id)
    assert gguf.verdict is Verdict.REJECTED
    assert gguf.reason == "quantized or converted copy (tag 'gguf')"


def test_gptj_6b_over_budget_is_chosen_as_smallest_when_nothing_fits() -> None:
    ranking = rank([GPTJ_GGUF, GPTJ_6B, GPTJ_FIXTURE, PYGMALION], GPTJ)
    assert chosen_id(ranking) == "EleutherAI/gpt-j-6b"
    assert "none fit the 2B budget" in ranking.reason
    chosen = judgement(ranking, "EleutherAI/gpt-j-6b")
    assert (chosen.params, chosen.params_source) == (6_000_000_000, "name")
    assert "test fixture" in judgement(ranking, GPTJ_FIXTURE.id).reason


def test_gptj_6b_loses_to_an_original_that_fits_the_budget() -> None:
    small = hub("EleutherAI/gpt-j-mini", 2_000, params=1_300_000_000)
    assert chosen_id(rank([GPTJ_6B, small], GPTJ)) == "EleutherAI/gpt-j-mini"
    assert judgement(rank([GPTJ_6B, small], GPTJ), GPTJ_6B.id).reason == (
        "6B parameters > budget 2B"
    )


def test_original_tool_picks_for_bert_vit_whisper_still_win() -> None:
    bert = [
        hub("google-bert/bert-base-uncased", 72_376_843, params=110_106_428),
        hub("google-bert/bert-large-uncased", 1_204_111, params=336_141_312),
        hub(
            "dslim/bert-base-NER", 3_100_000, params=108_317_193, base="google-bert/bert-base-cased"
        ),
    ]
    assert chosen_id(rank(bert, ANY_TASK)) == "google-bert/bert-base-uncased"


# --- gated and private ---------------------------------------------------------------------

GEMMA_LISTING = [
    hub("google/gemma-2b", 410_007, params=2_506_172_416, gated="manual"),
    hub("google/gemma-7b", 120_450, params=8_537_680_896, gated="manual"),
    hub(
        "google/gemma-2b-it", 250_113, params=2_506_172_416, gated="manual", base="google/gemma-2b"
    ),
]


def test_gated_only_architecture_without_a_token_has_no_default() -> None:
    ranking = rank(GEMMA_LISTING, GEMMA, Policy(allow_gated=False))
    assert ranking.chosen is None
    assert ranking.reason == "all 3 candidates for gemma were rejected"
    assert {j.reason for j in ranking.judgements} == {"gated (manual) and no token"}


def test_gated_only_architecture_with_a_token_chooses_the_smallest_original() -> None:
    ranking = rank(GEMMA_LISTING, GEMMA, Policy(allow_gated=True))
    assert chosen_id(ranking) == "google/gemma-2b"
    assert judgement(ranking, "google/gemma-7b").reason == (
        "8.54B parameters, larger than chosen (2.51B); none fit 2B"
    )
    assert judgement(ranking, "google/gemma-2b-it").verdict is Verdict.RANKED


def test_auto_gated_repo_is_rejected_without_a_token() -> None:
    ranking = rank([hub("org/auto-gated", 5_000, gated="auto")], GPT2)
    assert ranking.judgements[0].reason == "gated (auto) and no token"


def test_private_repo_is_rejected_even_with_gated_access_allowed() -> None:
    ranking = rank([hub("org/private-gpt2", 50_000, private=True)], GPT2, Policy(allow_gated=True))
    assert ranking.chosen is None
    assert ranking.judgements[0].reason == "private repository"


# --- hard filters --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("candidate", "reason"),
    [
        (
            hub("TheBloke/gpt2-GPTQ", 9_000, tags=["gptq"]),
            "quantized or converted copy (tag 'gptq')",
        ),
        (hub("org/gpt2-awq", 9_000, tags=["awq"]), "quantized or converted copy (tag 'awq')"),
        (hub("org/gpt2-exl2", 9_000, tags=["exl2"]), "quantized or converted copy (tag 'exl2')"),
        (hub("org/gpt2-q", 9_000, tags=["4-bit"]), "quantized or converted copy (tag '4-bit')"),
        (hub("org/gpt2-q", 9_000, tags=["8-bit"]), "quantized or converted copy (tag '8-bit')"),
        (
            hub("org/gpt2-q", 9_000, tags=["bitsandbytes"]),
            "quantized or converted copy (tag 'bitsandbytes')",
        ),
        (hub("mlx-community/gpt2", 9_000, tags=["mlx"]), "quantized or converted copy (tag 'mlx')"),
        (
            hub("org/gpt2-q", 9_000, tags=["base_model:quantized:openai-community/gpt2"]),
            "quantized copy of openai-community/gpt2",
        ),
        (
            hub("org/gpt2-q", 9_000, tags=["base_model:quantized:org/gpt2-q"]),
            "quantized copy of org/gpt2-q",
        ),
        (hub("org/gpt2-GGUF", 9_000), "quantized or converted copy ('gguf' in the name)"),
        (hub("org/gpt2-AWQ", 9_000), "quantized or converted copy ('awq' in the name)"),
        (hub("org/gpt2-bnb-4bit", 9_000), "quantized or converted copy ('bnb' in the name)"),
        (hub("org/gpt2_8bit", 9_000), "quantized or converted copy ('8bit' in the name)"),
        (hub("org/gpt2-onnx", 9_000), "quantized or converted copy ('onnx' in the name)"),
        (
            hub("optimum/gpt2", 9_000, tags=["transformers", "onnx"]),
            "onnx conversion without transformers weights",
        ),
        (
            hub("org/gpt2-lora", 9_000, tags=["base_model:adapter:openai-community/gpt2"]),
            "adapter for openai-community/gpt2",
        ),
        (hub("org/gpt2-lora", 9_000, library_name="peft"), "adapter (peft)"),
        (
            hub(
                "org/gpt2-merged",
                9_000,
                tags=["base_model:merge:a/gpt2-x", "base_model:merge:b/gpt2-y"],
            ),
            "merge of a/gpt2-x, b/gpt2-y",
        ),
        (hub("org/gpt2-m", 9_000, tags=["mergekit", "merge"]), "merged model (tag 'merge')"),
        (hub("timm/vit_base", 9_000, library_name="timm"), "library 'timm', not transformers"),
        (hub("org/clip", 9_000, library_name="open_clip"), "library 'open_clip', not transformers"),
        (
            hub("org/ct2", 9_000, library_name="ctranslate2"),
            "library 'ctranslate2', not transformers",
        ),
        (
            hub("Xenova/gpt2", 9_000, library_name="transformers.js"),
            "library 'transformers.js', not transformers",
        ),
        (hub("org/gpt2-file", 9_000, library_name="gguf"), "library 'gguf', not transformers"),
        (hub("org/gpt2-rare", 999), "999 downloads < minimum 1,000"),
    ],
)
def test_hard_filters_reject_with_a_short_reason(candidate: Candidate, reason: str) -> None:
    fine = hub("openai-community/gpt2", 11_000_000, params=137_022_720)
    ranking = rank([candidate, fine], GPT2)
    assert chosen_id(ranking) == "openai-community/gpt2"
    rejected = judgement(ranking, candidate.id)
    assert (rejected.verdict, rejected.reason, rejected.rank) == (Verdict.REJECTED, reason, None)


def test_onnx_export_next_to_real_weights_is_not_a_conversion() -> None:
    original = hub("openai-community/gpt2", 11_000_000, tags=[*WEIGHTS, "onnx", "tflite"])
    assert chosen_id(rank([original], GPT2)) == "openai-community/gpt2"


@pytest.mark.parametrize(
    "model_id",
    ["google/gemma-2b", "Qwen/Qwen2.5-0.5B", "facebook/opt-125m", "EleutherAI/pythia-70m"],
)
def test_size_and_version_tokens_are_not_mistaken_for_quantization(model_id: str) -> None:
    assert rank([hub(model_id, 5_000)], ANY_TASK).chosen is not None


def test_min_downloads_boundary_is_inclusive() -> None:
    ranking = rank([hub("org/exactly", 1_000), hub("org/below", 999)], GPT2)
    assert chosen_id(ranking) == "org/exactly"
    assert judgement(ranking, "org/below").verdict is Verdict.REJECTED


def test_min_downloads_is_configurable() -> None:
    ranking = rank([hub("org/rare", 10)], GPT2, Policy(min_downloads=0))
    assert chosen_id(ranking) == "org/rare"


# --- tiers ---------------------------------------------------------------------------------


def test_only_fine_tunes_exist_chooses_the_most_downloaded_fine_tune() -> None:
    ranking = rank(
        [
            hub("org/gpt2-stories", 40_000, params=124_439_808, base="openai-community/gpt2"),
            hub("org/gpt2-poetry", 90_000, params=124_439_808, base="openai-community/gpt2"),
        ],
        GPT2,
    )
    assert chosen_id(ranking) == "org/gpt2-poetry"
    assert ranking.reason.startswith("no original survived; most downloaded derivative")
    assert "fewer downloads" in judgement(ranking, "org/gpt2-stories").reason


def test_fine_tune_with_more_downloads_still_loses_to_an_original() -> None:
    original = hub("openai-community/gpt2", 5_000, params=137_022_720)
    fine_tune = hub("org/gpt2-chat", 900_000, params=137_022_720, base="openai-community/gpt2")
    assert chosen_id(rank([fine_tune, original], GPT2)) == "openai-community/gpt2"


def test_without_prefer_originals_fine_tunes_compete_on_downloads() -> None:
    original = hub("openai-community/gpt2", 5_000, params=137_022_720)
    fine_tune = hub("org/gpt2-poetry", 900_000, params=137_022_720, base="openai-community/gpt2")
    ranking = rank([original, fine_tune], GPT2, Policy(prefer_originals=False))
    assert chosen_id(ranking) == "org/gpt2-poetry"


def test_bare_base_model_tag_makes_a_derivative() -> None:
    derived = hub("org/gpt2-x", 900_000, tags=[*WEIGHTS, "base_model:openai-community/gpt2"])
    ranking = rank([derived, hub("openai-community/gpt2", 5_000)], GPT2)
    assert chosen_id(ranking) == "openai-community/gpt2"
    assert judgement(ranking, "org/gpt2-x").reason == (
        "derived from openai-community/gpt2; originals preferred"
    )


def test_base_model_tag_naming_the_repo_itself_keeps_it_an_original() -> None:
    self_tagged = hub("openai-community/gpt2", 11_000_000, base="openai-community/gpt2")
    fine_tune = hub("org/gpt2-chat", 900_000, base="openai-community/gpt2")
    ranking = rank([fine_tune, self_tagged], GPT2)
    assert chosen_id(ranking) == "openai-community/gpt2"
    assert "most downloaded original" in ranking.reason


def test_sentence_transformers_model_is_allowed_but_ranks_below_originals() -> None:
    minilm = hub(
        "sentence-transformers/all-MiniLM-L6-v2",
        98_000_000,
        params=22_713_216,
        pipeline_tag="sentence-similarity",
        library_name="sentence-transformers",
    )
    bert = hub("google-bert/bert-base-uncased", 72_000_000, params=110_106_428)
    ranking = rank([minilm, bert], ANY_TASK)
    assert chosen_id(ranking) == "google-bert/bert-base-uncased"
    assert judgement(ranking, minilm.id).reason == (
        "sentence-transformers model; originals preferred"
    )
    assert chosen_id(rank([minilm], ANY_TASK)) == minilm.id


@pytest.mark.parametrize(
    "model_id",
    [
        "hf-internal-testing/tiny-random-gpt2",
        "trl-internal-testing/tiny-GPT2LMHeadModel",
        "hf-tiny-model-private/tiny-random-GPT2Model",
        "someone/tiny-random-gpt2",
        "someone/random-tiny-gpt2",
        "someone/tiny_random_gpt2",
    ],
)
def test_test_fixtures_lose_even_to_an_over_budget_original(model_id: str) -> None:
    fixture = hub(model_id, 5_000_000, params=1_024_000)
    huge = hub("openai-community/gpt2-xxl", 2_000, params=9_000_000_000)
    ranking = rank([fixture, huge], GPT2)
    assert chosen_id(ranking) == "openai-community/gpt2-xxl"
    assert judgement(ranking, model_id).reason == (
        "random-weight test fixture; used only when nothing else survives"
    )


def test_test_fixture_is_chosen_when_nothing_else_survives() -> None:
    fixture = hub("hf-internal-testing/tiny-random-gpt2", 1_800_000, params=1_024_000)
    gguf = hub("org/gpt2-GGUF", 9_000_000)
    ranking = rank([gguf, fixture], GPT2)
    assert chosen_id(ranking) == fixture.id
    assert ranking.reason.startswith("only random-weight test fixtures survived")


def test_test_fixtures_stay_last_without_prefer_originals() -> None:
    fixture = hub("hf-internal-testing/tiny-random-gpt2", 1_800_000, params=1_024_000)
    fine_tune = hub("org/gpt2-chat", 5_000, base="openai-community/gpt2")
    ranking = rank([fixture, fine_tune], GPT2, Policy(prefer_originals=False))
    assert chosen_id(ranking) == "org/gpt2-chat"


# --- size budget ---------------------------------------------------------------------------


def test_every_candidate_over_budget_chooses_the_smallest() -> None:
    ranking = rank(
        [
            hub("tiiuae/falcon-40b", 90_000, params=41_303_695_360),
            hub("tiiuae/falcon-7b", 60_000, params=7_217_189_760),
            hub("tiiuae/falcon-11B", 80_000, params=11_103_805_440),
        ],
        GPT2,
    )
    assert chosen_id(ranking) == "tiiuae/falcon-7b"
    assert [j.candidate.id for j in ranking.judgements] == [
        "tiiuae/falcon-7b",
        "tiiuae/falcon-11B",
        "tiiuae/falcon-40b",
    ]
    assert "smallest original, none fit the 2B budget" in ranking.reason


def test_smallest_over_budget_ties_go_to_the_most_downloaded() -> None:
    ranking = rank(
        [
            hub("org/a-7b", 10_000, params=7_000_000_000),
            hub("org/b-7b", 20_000, params=7_000_000_000),
        ],
        GPT2,
    )
    assert chosen_id(ranking) == "org/b-7b"
    assert "fewer downloads" in judgement(ranking, "org/a-7b").reason


def test_full_ties_go_to_the_smaller_id() -> None:
    ranking = rank([hub("org/zeta", 10_000), hub("org/alpha", 10_000)], GPT2)
    assert chosen_id(ranking) == "org/alpha"
    assert judgement(ranking, "org/zeta").reason == "tied with chosen; id sorts after it"


def test_most_downloaded_within_budget_beats_a_more_popular_model_over_budget() -> None:
    big = hub("org/big", 9_000_000, params=7_000_000_000)
    small = hub("org/small", 10_000, params=100_000_000)
    ranking = rank([big, small], GPT2)
    assert chosen_id(ranking) == "org/small"
    assert judgement(ranking, "org/big").reason == "7B parameters > budget 2B"


def test_budget_boundary_is_inclusive_and_configurable() -> None:
    exact = hub("org/exact", 10_000, params=2_000_000_000)
    assert rank([exact], GPT2).judgements[0].reason.startswith("most downloaded original within")
    ranking = rank([exact, hub("org/tiny", 5_000, params=10)], GPT2, Policy(max_params=1_000))
    assert chosen_id(ranking) == "org/tiny"
    assert judgement(ranking, "org/exact").reason == "2B parameters > budget 1K"


def test_unknown_size_counts_as_within_budget() -> None:
    unknown = hub("org/mystery", 50_000)
    big = hub("org/big", 90_000, params=7_000_000_000)
    ranking = rank([big, unknown], GPT2)
    assert chosen_id(ranking) == "org/mystery"
    mystery = judgement(ranking, "org/mystery")
    assert (mystery.params, mystery.params_source) == (None, None)
    assert "size unknown" in ranking.reason


def test_size_parsed_from_the_name_counts_against_the_budget() -> None:
    named = hub("org/llama-7b-hf", 90_000)
    ranking = rank([named, hub("org/other", 10_000)], GPT2)
    assert chosen_id(ranking) == "org/other"
    parsed = judgement(ranking, "org/llama-7b-hf")
    assert (parsed.params, parsed.params_source) == (7_000_000_000, "name")


def test_safetensors_size_takes_precedence_over_the_name() -> None:
    mislabelled = hub("org/model-7b", 90_000, params=1_100_000_000)
    ranking = rank([mislabelled], GPT2)
    assert (ranking.judgements[0].params, ranking.judgements[0].params_source) == (
        1_100_000_000,
        "safetensors",
    )
    assert chosen_id(ranking) == "org/model-7b"


def test_budget_uses_the_safetensors_sum_not_the_disagreeing_total() -> None:
    item = {
        "id": "org/mixed-precision",
        "downloads": 90_000,
        "safetensors": {
            "parameters": {"BF16": 1_900_000_000, "F32": 500_000_000},
            "total": 1_900_000_000,
        },
    }
    ranking = rank([parse_item(item), hub("org/small", 10_000, params=1_000)], GPT2)
    assert chosen_id(ranking) == "org/small"
    assert judgement(ranking, "org/mixed-precision").reason == "2.4B parameters > budget 2B"


# --- edge cases ----------------------------------------------------------------------------


def test_no_candidates_means_no_choice_and_says_so() -> None:
    ranking = rank([], GPT2)
    assert ranking == Ranking(GPT2, (), None, "no candidates for gpt2")


def test_duplicate_ids_are_judged_once_keeping_the_most_downloaded() -> None:
    stale = hub("openai-community/gpt2", 10)
    fresh = hub("openai-community/gpt2", 11_000_000)
    ranking = rank([stale, fresh, stale], GPT2)
    assert ranking.chosen == fresh
    assert len(ranking.judgements) == 1


def test_rank_accepts_any_iterable_of_candidates() -> None:
    assert chosen_id(rank(iter(GPT2_LISTING), GPT2)) == "openai-community/gpt2"


def test_policy_rejects_negative_limits() -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        Policy(max_params=-1)


@pytest.mark.parametrize(
    ("model_id", "expected"),
    [
        ("EleutherAI/gpt-j-6b", 6_000_000_000),
        ("meta-llama/Llama-2-7b-hf", 7_000_000_000),
        ("Qwen/Qwen2.5-1.5B", 1_500_000_000),
        ("Qwen/Qwen2.5-0.5B-Instruct", 500_000_000),
        ("facebook/opt-125m", 125_000_000),
        ("facebook/opt-350M", 350_000_000),
        ("EleutherAI/pythia-70m-deduped", 70_000_000),
        ("mistralai/Mixtral-8x7B-v0.1", 56_000_000_000),
        ("bigscience/bloom-7b1", 7_100_000_000),
        ("Qwen/Qwen2.5-7B-Instruct-1M", 7_000_000_000),
        ("org/model_13B_chat", 13_000_000_000),
        ("gpt2", None),
        ("google-t5/t5-small", None),
        ("intfloat/e5-base-v2", None),
        ("google/vit-base-patch16-224-in21k", None),
        ("microsoft/Phi-3-mini-4k-instruct", None),
        ("BAAI/bge-m3", None),
        ("org/llama-8bit", None),
        ("org/model-v2.7b", None),
        ("org/model-1.5b2", None),
        ("7b-org/model", None),
        ("org/model-0b", None),
    ],
)
def test_parse_param_count(model_id: str, expected: int | None) -> None:
    assert parse_param_count(model_id) == expected


# --- properties ----------------------------------------------------------------------------

ids = st.sampled_from(
    [
        "openai-community/gpt2",
        "distilbert/distilgpt2",
        "org/gpt2-7b",
        "org/gpt2-GGUF",
        "org/a",
        "org/b",
        "hf-internal-testing/tiny-random-gpt2",
        "gpt2",
    ]
)
tag_pool = st.sampled_from(
    [
        "transformers",
        "pytorch",
        "safetensors",
        "onnx",
        "gguf",
        "gptq",
        "mergekit",
        "peft",
        "base_model:finetune:openai-community/gpt2",
        "base_model:quantized:openai-community/gpt2",
        "base_model:adapter:openai-community/gpt2",
        "base_model:openai-community/gpt2",
    ]
)
candidates = st.builds(
    Candidate,
    id=ids,
    downloads=st.integers(min_value=0, max_value=3_000),
    tags=st.lists(tag_pool, max_size=3).map(tuple),
    pipeline_tag=st.sampled_from([None, "text-generation", "time-series-forecasting"]),
    library_name=st.sampled_from([None, "transformers", "sentence-transformers", "timm"]),
    gated=st.sampled_from([None, None, "auto", "manual"]),
    private=st.booleans(),
    parameters=st.none() | st.integers(min_value=1, max_value=4_000_000_000),
)
policies = st.builds(
    Policy,
    max_params=st.sampled_from([0, 1_000_000_000, 2_000_000_000]),
    min_downloads=st.sampled_from([0, 1000]),
    allow_gated=st.booleans(),
    prefer_originals=st.booleans(),
)


def _plainly_acceptable(candidate: Candidate, policy: Policy) -> bool:
    """An independent, conservative oracle: surely passes every hard filter."""
    return (
        set(candidate.tags) <= {"transformers", "pytorch", "safetensors"}
        and candidate.library_name in (None, "transformers")
        and not candidate.private
        and (candidate.gated is None or policy.allow_gated)
        and candidate.downloads >= policy.min_downloads
        and "GGUF" not in candidate.id
    )


@given(st.lists(candidates, max_size=8), policies)
def test_rank_never_chooses_a_candidate_that_fails_a_hard_filter(
    listing: list[Candidate], policy: Policy
) -> None:
    ranking = rank(listing, GPT2, policy)
    chosen = ranking.chosen
    if chosen is None:
        assert all(j.verdict is Verdict.REJECTED for j in ranking.judgements)
        return
    assert not chosen.private
    assert chosen.downloads >= policy.min_downloads
    assert chosen.gated is None or policy.allow_gated
    assert chosen.library_name != "timm"
    assert not {"gguf", "gptq", "mergekit", "peft"} & set(chosen.tags)
    assert not any(
        t.startswith(("base_model:quantized:", "base_model:adapter:")) for t in chosen.tags
    )
    verdicts = [j.verdict for j in ranking.judgements]
    assert verdicts.count(Verdict.CHOSEN) == 1
    assert ranking.judgements[0].candidate == chosen


@given(st.lists(candidates, max_size=8), policies, st.randoms(use_true_random=False))
def test_rank_does_not_depend_on_input_order(
    listing: list[Candidate], policy: Policy, random: Any
) -> None:
    shuffled = list(listing)
    random.shuffle(shuffled)
    assert rank(shuffled, GPT2, policy) == rank(listing, GPT2, policy)


# Unique ids: with duplicates, which entry of an id is judged is a dedupe detail.
@given(st.lists(candidates, max_size=8, unique_by=lambda c: c.id), policies)
def test_rank_chooses_whenever_a_candidate_survives(
    listing: list[Candidate], policy: Policy
) -> None:
    ranking = rank(listing, GPT2, policy)
    survivors = [j for j in ranking.judgements if j.verdict is not Verdict.REJECTED]
    assert (ranking.chosen is not None) == bool(survivors)
    if any(_plainly_acceptable(c, policy) for c in listing):
        assert ranking.chosen is not None


@given(st.lists(candidates, max_size=8), policies)
def test_rank_judges_every_distinct_id_once_in_verdict_order(
    listing: list[Candidate], policy: Policy
) -> None:
    ranking = rank(listing, GPT2, policy)
    judged = [j.candidate.id for j in ranking.judgements]
    assert sorted(judged) == sorted({c.id for c in listing})
    order = {Verdict.CHOSEN: 0, Verdict.RANKED: 1, Verdict.REJECTED: 2}
    verdicts = [order[j.verdict] for j in ranking.judgements]
    assert verdicts == sorted(verdicts)
    ranks = [j.rank for j in ranking.judgements if j.verdict is not Verdict.REJECTED]
    assert ranks == list(range(1, len(ranks) + 1))
    assert all(j.reason for j in ranking.judgements)


@given(st.lists(candidates, max_size=8), policies)
def test_an_off_task_default_means_no_on_task_survivor_ranked_as_well(
    listing: list[Candidate], policy: Policy
) -> None:
    ranking = rank(listing, GPT2, policy)
    chosen = ranking.judgements[0] if ranking.chosen is not None else None
    if chosen is None or chosen.candidate.task in (None, *GPT2.tasks):
        return
    # An off-task default is allowed only when every on-task survivor is in a worse tier
    # or outside a budget the chosen one meets.
    order = list(Tier)
    for j in ranking.judgements[1:]:
        if j.verdict is Verdict.RANKED and j.candidate.task in (None, *GPT2.tasks):
            assert j.tier is not None and chosen.tier is not None
            worse_tier = order.index(j.tier) > order.index(chosen.tier)
            fits = j.params is None or j.params <= policy.max_params
            chosen_fits = chosen.params is None or chosen.params <= policy.max_params
            assert worse_tier or (chosen_fits and not fits), j


def test_text_from_the_hub_with_braces_is_quoted_not_interpreted() -> None:
    # A pipeline tag is the Hub's text: a "{...}" in it must not be read as a format field.
    odd = hub("org/gpt2-odd", 5_000, pipeline_tag="{total}-{0}")
    ranking = rank([odd], GPT2)
    assert ranking.chosen == odd
    assert "off-task ({total}-{0})" in ranking.reason
