"""Parsing and validation of Hub listing items (``_candidates``).

What the parsers do with any JSON at all (property tests) is in test_reliability_fuzz.py."""

from __future__ import annotations

from typing import Any

import pytest

from hf_model_registry._candidates import (
    MAX_LISTING_ITEMS,
    MAX_TAGS,
    MalformedItem,
    parse_item,
    parse_listing,
    validate_model_id,
)
from hf_model_registry._errors import HubResponseError, InvalidModelId
from hf_model_registry._values import Candidate

# A real item of GET /api/models?filter=gpt2&filter=transformers&expand[]=... (trimmed tags).
GPT2_ITEM: dict[str, Any] = {
    "_id": "621ffdc036468d709f17434d",
    "id": "openai-community/gpt2",
    "downloads": 11_542_011,
    "likes": 2_768,
    "tags": [
        "transformers",
        "pytorch",
        "tf",
        "jax",
        "tflite",
        "rust",
        "onnx",
        "safetensors",
        "gpt2",
        "text-generation",
        "exbert",
        "en",
        "doi:10.57967/hf/0039",
        "license:mit",
        "autotrain_compatible",
        "text-generation-inference",
        "endpoints_compatible",
        "region:us",
    ],
    "pipeline_tag": "text-generation",
    "library_name": "transformers",
    "gated": False,
    "private": False,
    "safetensors": {"parameters": {"F32": 137_022_720}, "total": 137_022_720},
    "lastModified": "2024-02-19T10:57:45.000Z",
}


def item(**changes: Any) -> dict[str, Any]:
    """The gpt2 item with some fields replaced; a value of ``...`` removes the field."""
    result = dict(GPT2_ITEM)
    for key, value in changes.items():
        if value is ...:
            result.pop(key, None)
        else:
            result[key] = value
    return result


# --- validate_model_id -------------------------------------------------------------------


@pytest.mark.parametrize(
    "model_id",
    [
        "gpt2",
        "openai-community/gpt2",
        "google-bert/bert-base-uncased",
        "Qwen/Qwen2.5-0.5B-Instruct",
        "hf-internal-testing/tiny-random-GPTJForCausalLM",
        "01-ai/Yi-6B",
        "a/b",
        "user/model_",
        "o" * 96 + "/" + "n" * 96,
    ],
)
def test_validate_model_id_accepts_hub_ids(model_id: str) -> None:
    assert validate_model_id(model_id) == model_id


@pytest.mark.parametrize(
    "model_id",
    [
        "",
        "/",
        "org/",
        "/name",
        "org/name/extra",
        "-org/name",
        "org/.name",
        "org/_name",
        "org/name-",
        "org/name.",
        "org..x/name",
        "org/na--me",
        "org/name.git",
        "org/na me",
        "org/naïve",
        "org/name\n",
        "org\\name",
        "../etc/passwd",
        "n" * 97,
        "org/" + "n" * 97,
        "o" * 97 + "/name",
    ],
)
def test_validate_model_id_rejects_malformed_ids(model_id: str) -> None:
    with pytest.raises(InvalidModelId):
        validate_model_id(model_id)


@pytest.mark.parametrize("value", [None, 5, b"org/name", ["org/name"]])
def test_validate_model_id_rejects_non_strings(value: object) -> None:
    with pytest.raises(InvalidModelId, match="must be a string"):
        validate_model_id(value)


def test_invalid_model_id_message_shows_the_value_escaped_and_truncated() -> None:
    with pytest.raises(InvalidModelId) as info:
        validate_model_id("org/\x1b[31mred" + "x" * 500)
    message = str(info.value)
    assert "\\x1b[31mred" in message
    assert "\x1b" not in message
    assert len(message) < 200


# --- parse_item --------------------------------------------------------------------------


def test_parse_item_reads_every_field_of_a_real_listing_item() -> None:
    assert parse_item(GPT2_ITEM) == Candidate(
        id="openai-community/gpt2",
        downloads=11_542_011,
        likes=2_768,
        tags=tuple(GPT2_ITEM["tags"]),
        pipeline_tag="text-generation",
        library_name="transformers",
        gated=None,
        private=False,
        parameters=137_022_720,
        last_modified="2024-02-19T10:57:45.000Z",
    )


def test_parse_item_defaults_the_fields_the_hub_omits() -> None:
    candidate = parse_item({"id": "datificate/gpt2-small-spanish", "downloads": 3_100})
    assert candidate == Candidate(id="datificate/gpt2-small-spanish", downloads=3_100)


def test_parse_item_sums_safetensors_parameters_and_ignores_total() -> None:
    safetensors = {"parameters": {"BF16": 1_000_000_000, "F32": 500_000_000}, "total": 10}
    assert parse_item(item(safetensors=safetensors)).parameters == 1_500_000_000


@pytest.mark.parametrize("safetensors", [None, {"parameters": {}, "total": 0}])
def test_parse_item_treats_missing_or_empty_safetensors_as_unknown_size(
    safetensors: object,
) -> None:
    assert parse_item(item(safetensors=safetensors)).parameters is None


@pytest.mark.parametrize(
    ("gated", "expected"),
    [(False, None), (None, None), ("auto", "auto"), ("manual", "manual"), (True, "manual")],
)
def test_parse_item_normalises_gated(gated: object, expected: str | None) -> None:
    assert parse_item(item(gated=gated)).gated == expected


def test_parse_item_reads_private_repos() -> None:
    assert parse_item(item(private=True)).private is True


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"id": ...}, "missing 'id'"),
        ({"id": "bad id"}, "invalid model id"),
        ({"id": 42}, "must be a string"),
        ({"downloads": ...}, "missing 'downloads'"),
        ({"downloads": "many"}, "downloads must be an integer"),
        ({"downloads": True}, "downloads must be an integer"),
        ({"downloads": 1.5}, "downloads must be an integer"),
        ({"downloads": -1}, "downloads out of range"),
        ({"downloads": 10**13}, "downloads out of range"),
        ({"downloads": 10**5000}, "downloads out of range"),
        ({"likes": None}, "likes must be an integer"),
        ({"tags": "gpt2"}, "tags must be a list"),
        ({"tags": ["gpt2", 7]}, "tag must be a string"),
        ({"tags": ["x" * 513]}, "tag longer than"),
        ({"tags": ["t"] * (MAX_TAGS + 1)}, f"more than {MAX_TAGS} tags"),
        ({"pipeline_tag": ["text-generation"]}, "pipeline_tag must be a string"),
        ({"library_name": "x" * 129}, "library_name longer than"),
        ({"gated": "yes"}, "gated must be false, 'auto' or 'manual'"),
        ({"gated": 1}, "gated must be false"),
        ({"private": "false"}, "private must be a boolean"),
        ({"safetensors": [1]}, "safetensors must be an object"),
        ({"safetensors": {"total": 5}}, "safetensors.parameters must be an object"),
        ({"safetensors": {"parameters": {"F32": -5}}}, "non-negative integer"),
        ({"safetensors": {"parameters": {"F32": True}}}, "non-negative integer"),
        ({"safetensors": {"parameters": {"F32": "5"}}}, "non-negative integer"),
        (
            {"safetensors": {"parameters": {"F32": 9 * 10**12, "BF16": 9 * 10**12}}},
            "sum out of range",
        ),
        ({"lastModified": 1700000000}, "lastModified must be a string"),
    ],
)
def test_parse_item_rejects_wrong_types_with_a_clear_reason(
    changes: dict[str, Any], reason: str
) -> None:
    with pytest.raises(MalformedItem, match=reason):
        parse_item(item(**changes))


@pytest.mark.parametrize("obj", [None, "openai-community/gpt2", 3, [GPT2_ITEM]])
def test_parse_item_rejects_items_that_are_not_objects(obj: object) -> None:
    with pytest.raises(MalformedItem, match="expected an object"):
        parse_item(obj)


def test_malformed_item_is_a_hub_response_error_naming_the_item() -> None:
    with pytest.raises(HubResponseError) as info:
        parse_item(item(downloads="many"))
    assert isinstance(info.value, MalformedItem)
    assert info.value.model_id == "openai-community/gpt2"
    assert "openai-community/gpt2" in str(info.value)


def test_malformed_item_message_does_not_dump_large_containers() -> None:
    with pytest.raises(MalformedItem) as info:
        parse_item(item(downloads=list(range(100_000))))
    assert "a list" in str(info.value)
    assert len(str(info.value)) < 200


# --- parse_listing -----------------------------------------------------------------------


def test_parse_listing_skips_malformed_items_and_reports_why() -> None:
    body = [
        GPT2_ITEM,
        item(id="bad id"),
        "not an item",
        item(id="distilbert/distilgpt2", downloads=2_000_000),
    ]
    candidates, reasons = parse_listing(body)
    assert [c.id for c in candidates] == ["openai-community/gpt2", "distilbert/distilgpt2"]
    assert len(reasons) == 2
    assert reasons[0].startswith("item 1:") and "invalid model id" in reasons[0]
    assert reasons[1].startswith("item 2:") and "expected an object" in reasons[1]


def test_parse_listing_of_an_empty_page_is_empty() -> None:
    assert parse_listing([]) == ([], [])


@pytest.mark.parametrize("body", [None, {"error": "Invalid expand"}, "[]", 0])
def test_parse_listing_rejects_a_body_that_is_not_an_array(body: object) -> None:
    with pytest.raises(HubResponseError, match="must be a JSON array"):
        parse_listing(body)


def test_parse_listing_ignores_items_beyond_the_cap_and_says_so() -> None:
    body = [{"id": f"org/m{i}", "downloads": i} for i in range(MAX_LISTING_ITEMS + 5)]
    candidates, reasons = parse_listing(body)
    assert len(candidates) == MAX_LISTING_ITEMS
    assert reasons == [
        f"listing has {MAX_LISTING_ITEMS + 5} items; "
        f"ignored those after the first {MAX_LISTING_ITEMS}"
    ]
