"""Fuzzing: the parsers and the ranking raise nothing but the documented errors.

Registry files (random JSON documents shaped like registries, mutated real registries,
raw bytes) may only make ``parse_registry`` raise ``RegistryCorrupt``; Hub listing
bodies (decoded documents and raw bytes) may only make the listing parser raise
``HubResponseError``; ``rank`` never raises on whatever the parser let through, and the
entry it yields always validates and can be written.
"""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import json_scalars, json_values
from hf_model_registry import HubResponseError, RegistryCorrupt, aio
from hf_model_registry._architectures import all_architectures
from hf_model_registry._candidates import (
    MalformedItem,
    parse_item,
    parse_listing,
    validate_model_id,
)
from hf_model_registry._config import packaged_registry_path
from hf_model_registry._hub import RawResponse, RetryPolicy, _json
from hf_model_registry._refresh import make_entry
from hf_model_registry._registry import (
    dumps_registry,
    parse_registry,
    read_registry,
    validate_registry,
    write_registry,
)
from hf_model_registry._selection import Policy, Verdict, rank
from hf_model_registry._values import Architecture

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
COMMITTED = Path(packaged_registry_path()).read_bytes()

# --- building blocks ---------------------------------------------------------------------

model_ids = st.sampled_from(
    [
        "google-bert/bert-base-uncased",
        "openai-community/gpt2",
        "gpt2",
        "a/b",
        "quant/gpt2-GGUF",
        "../../etc/passwd",
        "org/name/extra",
        "bad id",
        "",
        "x" * 200,
    ]
) | st.text(max_size=30)
model_types = st.sampled_from(["bert", "gpt2", "t5", "gpt-j", "BERT", "../x", "bert&a=b", ""])
timestamps = st.sampled_from(
    ["2026-11-27T15:00:00+00:00", "2026-11-27T15:00:00", "yesterday", "2026-13-45T99:00:00Z"]
) | st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat())
entries = st.fixed_dictionaries(
    {},
    optional={
        "default_model": model_ids | json_values,
        "models": st.lists(model_ids, max_size=4) | json_values,
        "downloads": st.dictionaries(model_ids, st.integers(-5, 10**14) | json_scalars, max_size=3)
        | json_values,
        "updated_at": timestamps | json_values,
        "pinned": st.booleans() | json_values,
        "source": st.sampled_from(["hub", "static"]) | json_values,
        "note": json_values,
    },
)
valid_ids = st.from_regex(
    r"[A-Za-z0-9]{1,8}(/[A-Za-z0-9][A-Za-z0-9_-]{0,10}[A-Za-z0-9])?", fullmatch=True
).filter(lambda model_id: "--" not in model_id)  # the Hub forbids "--" in repo names
valid_keys = st.from_regex(r"[a-z0-9][a-z0-9_-]{0,20}", fullmatch=True)
valid_entries = st.fixed_dictionaries(
    {
        "default_model": valid_ids,
        "models": st.lists(valid_ids, max_size=5),
        "downloads": st.dictionaries(valid_ids, st.integers(0, 10**13 - 1), max_size=5),
    },
    optional={
        "updated_at": st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat()),
        "pinned": st.booleans(),
        "source": st.sampled_from(["hub", "static"]),
        "note": json_values,
        "reason": st.text(max_size=40),
    },
)
valid_registry_documents = st.dictionaries(valid_keys, valid_entries, max_size=6)
registry_documents = valid_registry_documents | st.dictionaries(
    model_types | valid_keys | st.text(max_size=12), valid_entries | entries | json_values
)


@st.composite
def mutated_registry_bytes(draw: st.DrawFn) -> bytes:
    """The committed registry, cut, with bytes flipped, inserted or deleted."""
    data = bytearray(COMMITTED)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["truncate", "flip", "insert", "delete"]))
        position = draw(st.integers(0, max(0, len(data) - 1)))
        if kind == "truncate":
            del data[position:]
        elif kind == "flip" and data:
            data[position] ^= draw(st.integers(1, 255))
        elif kind == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=8))
        elif data:
            del data[position : position + draw(st.integers(1, 64))]
    return bytes(data)


registry_bytes = (
    registry_documents.map(lambda d: json.dumps(d).encode())
    | mutated_registry_bytes()
    | st.binary(max_size=512)
    | json_values.map(lambda v: json.dumps(v).encode())
)

listing_items = st.fixed_dictionaries(
    {},
    optional={
        "id": model_ids | json_values,
        "_id": st.text(max_size=24),
        "downloads": st.integers(-5, 10**14) | json_values,
        "likes": st.integers(-5, 10**14) | json_values,
        "tags": st.lists(
            st.sampled_from(
                [
                    "transformers",
                    "gguf",
                    "safetensors",
                    "base_model:finetune:a/b",
                    "base_model:quantized:a/b",
                    "4-bit",
                ]
            )
            | st.text(max_size=20),
            max_size=6,
        )
        | json_values,
        "pipeline_tag": st.sampled_from(["text-generation", "time-series-forecasting"])
        | st.text(max_size=20)
        | json_values,
        "library_name": st.sampled_from(["transformers", "timm", "gguf"])
        | st.text(max_size=20)
        | json_values,
        "gated": st.sampled_from([False, True, "auto", "manual", "no"]) | json_values,
        "private": st.booleans() | json_values,
        "safetensors": st.fixed_dictionaries(
            {"parameters": st.dictionaries(st.text(max_size=5), json_scalars, max_size=3)}
        )
        | st.fixed_dictionaries({}, optional={"parameters": json_values, "total": json_values})
        | json_values,
        "lastModified": st.text(max_size=30) | json_values,
    },
)
listing_bodies = st.lists(listing_items | json_values, max_size=12) | json_values
listing_bytes = (
    listing_bodies.map(lambda b: json.dumps(b).encode())
    | st.binary(max_size=256)
    | st.text(max_size=64).map(lambda t: t.encode("utf-8", "surrogatepass"))
)
architectures = st.sampled_from(all_architectures()) | st.builds(
    Architecture,
    name=st.just("custom"),
    hub_type=st.just("custom"),
    tasks=st.frozensets(st.sampled_from(["text-generation", "fill-mask"]), max_size=2),
)
policies = st.builds(
    Policy,
    max_params=st.integers(0, 10**12),
    min_downloads=st.integers(0, 10**6),
    allow_gated=st.booleans(),
    prefer_originals=st.booleans(),
)

# --- registry files ----------------------------------------------------------------------


@FUZZ
@given(registry_bytes)
def test_parse_registry_raises_only_registry_corrupt_and_what_it_accepts_round_trips(
    data: bytes,
) -> None:
    try:
        registry = parse_registry(data, source="fuzz")
    except RegistryCorrupt as exc:
        assert str(exc).startswith("fuzz")
        return
    text = dumps_registry(registry)
    assert dumps_registry(parse_registry(text.encode())) == text


@FUZZ
@given(registry_documents)
def test_validate_registry_raises_only_registry_corrupt_for_any_document(
    document: dict[str, Any],
) -> None:
    try:
        registry = validate_registry(document)
    except RegistryCorrupt:
        return
    assert set(registry) == set(document)


@settings(FUZZ, max_examples=60)
@given(document=valid_registry_documents)
def test_any_registry_that_validates_can_be_written_and_read_back(
    document: dict[str, Any], tmp_path: Path
) -> None:
    registry = validate_registry(document)
    path = tmp_path / "fuzz.json"
    write_registry(path, registry)
    assert dumps_registry(read_registry(path)) == dumps_registry(registry)
    assert path.read_text(encoding="utf-8") == dumps_registry(registry)
    assert not list(tmp_path.glob(".fuzz.json.tmp-*"))


def test_a_registry_that_parses_can_always_be_written_back(tmp_path: Path) -> None:
    data = b'{"bert": {"default_model": "a/b", "models": ["\\ud800"], "note": "\\udfff"}}'
    try:
        registry = parse_registry(data)
    except RegistryCorrupt:
        return  # refusing it is a fine answer too
    write_registry(tmp_path / "reg.json", registry)


@st.composite
def pathological_json(draw: st.DrawFn) -> bytes:
    """Valid-looking JSON that CPython's parser cannot take: too deep, or too many digits."""
    if draw(st.booleans()):
        depth = draw(st.integers(2_000, 50_000))
        return b'{"bert": ' + b"[" * depth + b"]" * depth + b"}"
    digits = draw(st.integers(4_301, 20_000))
    return b'{"bert": {"default_model": "a/b", "downloads": {"a/b": ' + b"1" * digits + b"}}}"


@settings(FUZZ, max_examples=10, report_multiple_bugs=False)
@given(pathological_json())
def test_pathological_json_raises_only_the_documented_errors(data: bytes) -> None:
    with pytest.raises(RegistryCorrupt):
        parse_registry(data)
    with pytest.raises(HubResponseError):
        parse_listing(_json(RawResponse(200, {}, data, "https://hub.test/api/models")))


# --- Hub listings ----------------------------------------------------------------------


@settings(FUZZ, max_examples=300)
@given(listing_items | json_values)
def test_parse_item_raises_only_malformed_item_for_any_json(obj: object) -> None:
    try:
        candidate = parse_item(obj)
    except MalformedItem as exc:
        assert exc.reason
    else:
        assert validate_model_id(candidate.id) == candidate.id
        assert 0 <= candidate.downloads < 10**13
        assert candidate.parameters is None or 0 < candidate.parameters < 10**13
        assert candidate.gated in (None, "auto", "manual")


@FUZZ
@given(listing_bodies)
def test_parse_listing_raises_only_hub_response_error_and_accounts_for_every_item(
    body: Any,
) -> None:
    try:
        candidates, reasons = parse_listing(body)
    except HubResponseError:
        assert not isinstance(body, list)
        return
    assert len(candidates) + len(reasons) == len(body)


@FUZZ
@given(listing_bytes)
def test_decoding_any_listing_body_raises_only_hub_response_error(body: bytes) -> None:
    response = RawResponse(200, {}, body, "https://hub.test/api/models")
    with contextlib.suppress(HubResponseError):
        parse_listing(_json(response))


@FUZZ
@given(st.lists(listing_items, max_size=12), architectures, policies)
def test_rank_never_raises_and_its_entry_always_validates(
    items: list[Any], architecture: Architecture, policy: Policy
) -> None:
    candidates, _ = parse_listing(items)
    ranking = rank(candidates, architecture, policy)
    assert {j.candidate.id for j in ranking.judgements} == {c.id for c in candidates}
    assert all(j.reason for j in ranking.judgements)
    if ranking.chosen is None:
        assert all(j.verdict is Verdict.REJECTED for j in ranking.judgements)
    else:
        assert ranking.chosen in candidates
    entry = make_entry(ranking, NOW)
    if entry is not None:
        registry = validate_registry({architecture.name: entry})
        text = dumps_registry(registry)
        assert dumps_registry(parse_registry(text.encode())) == text


@pytest.mark.anyio
@settings(FUZZ, max_examples=40)
@given(body=listing_bytes)
async def test_refresh_survives_any_listing_body_for_one_architecture(
    body: bytes, tmp_path: Path
) -> None:
    good = [{"id": "openai-community/gpt2", "downloads": 100_000, "tags": ["transformers"]}]

    def handler(request: httpx.Request) -> httpx.Response:
        if "bert" in request.url.params.get_list("filter"):
            return httpx.Response(200, content=body)
        return httpx.Response(200, json=good)

    registry = tmp_path / "fuzz-refresh.json"
    registry.unlink(missing_ok=True)
    report = await aio.refresh(
        ["bert", "gpt2"],
        registry=registry,
        endpoint="https://hub.test",
        transport=httpx.MockTransport(handler),
        retry=RetryPolicy(max_attempts=1),
    )
    assert report.outcomes["bert"].status in ("failed", "no-candidates", "updated")
    assert report.outcomes["gpt2"].status == "updated"
    assert "gpt2" in read_registry(registry, missing_ok=False)
