"""Parse and validate the items of a Hub model listing into ``Candidate`` values.

Pure: no I/O and no logging. The Hub is an untrusted peer, so every field is
type-checked and bounded; an item that fails is skipped by ``parse_listing``,
which hands the reasons back for the caller to log.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ._errors import HubResponseError, InvalidModelId, safe_repr

if TYPE_CHECKING:
    from ._values import Candidate

__all__ = [
    "MAX_LISTING_ITEMS",
    "MODEL_ID_RE",
    "MalformedItem",
    "parse_item",
    "parse_listing",
    "validate_model_id",
]

# One part of an id: what huggingface_hub's validate_repo_id accepts (transformers calls it
# before any download, so an id it refuses is useless to us), narrowed to ASCII. The last
# character must be alphanumeric or "_" because the Hub's regex ends with a word boundary.
_PART = r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9_])?"
MODEL_ID_RE = re.compile(rf"(?:{_PART}/)?{_PART}")
"""An ``org/name`` or legacy ``name`` model id (use ``fullmatch``; see ``validate_model_id``)."""

# Bounds: far above anything real, low enough that a hostile body cannot make us build
# huge tuples or carry absurd numbers into the registry.
MAX_COUNT = 10**13  # downloads, likes and parameter counts are below this
MAX_TAGS = 2000  # multilingual models carry a few hundred language tags
MAX_TAG_LEN = 512  # "base_model:finetune:<96>/<96>" and "dataset:..." fit easily
MAX_DTYPES = 64  # keys of safetensors.parameters (BF16, F32, I8, ...)
MAX_SHORT_STR = 128  # pipeline_tag, library_name, lastModified, dtype names
MAX_LISTING_ITEMS = 10_000  # ten full pages of the Hub's largest page size

_GATED = {"auto": "auto", "manual": "manual"}


class MalformedItem(HubResponseError):
    """One listing item has a missing or wrongly typed field.

    ``reason`` says what is wrong; ``model_id`` is the item's id when it was readable.
    """

    def __init__(self, reason: str, *, model_id: str | None = None) -> None:
        where = f"listing item {model_id!r}" if model_id is not None else "listing item"
        super().__init__(f"malformed {where}: {reason}")
        self.reason = reason
        self.model_id = model_id


def _describe(value: object) -> str:
    """Show a value in a reason: scalars quoted and truncated, containers by type only.

    Containers are never repr'd, because a deeply nested or huge one would be slow to show
    or exceed the recursion limit.
    """
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**30:
        return "a huge integer"  # repr of a very long int is slow, or refused outright
    if value is None or isinstance(value, bool | int | float):
        return repr(value)
    if isinstance(value, str):
        return safe_repr(value[:200])
    return f"a {type(value).__name__}"


def validate_model_id(value: object) -> str:
    """Return ``value`` if it is a valid Hub model id, else raise ``InvalidModelId``.

    Valid: ``org/name`` or a legacy single ``name``; each part starts with an ASCII letter
    or digit, holds only letters, digits, ``.``, ``_`` and ``-``, ends with a letter, digit
    or ``_``, and is at most 96 characters. ``--`` and ``..`` are refused anywhere, as are
    ids ending in ``.git``, matching huggingface_hub's own check.
    """
    if not isinstance(value, str):
        raise InvalidModelId(f"model id must be a string, got {_describe(value)}")
    if (
        MODEL_ID_RE.fullmatch(value) is None
        or "--" in value
        or ".." in value
        or value.endswith(".git")
    ):
        raise InvalidModelId(f"invalid model id {safe_repr(value[:200])}: expected 'org/name'")
    return value


def _count(item: Mapping[object, object], key: str, model_id: str, *, required: bool) -> int:
    """Read a non-negative bounded int field (``bool`` is not an int here)."""
    if key not in item:
        if required:
            raise MalformedItem(f"missing {key!r}", model_id=model_id)
        return 0
    value = item[key]
    if not isinstance(value, int) or isinstance(value, bool):
        raise MalformedItem(f"{key} must be an integer, got {_describe(value)}", model_id=model_id)
    if not 0 <= value < MAX_COUNT:
        raise MalformedItem(f"{key} out of range: {_describe(value)}", model_id=model_id)
    return value


def _optional_str(item: Mapping[object, object], key: str, model_id: str) -> str | None:
    """Read a short string field that the Hub omits (or nulls) when it is unknown."""
    value = item.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise MalformedItem(f"{key} must be a string, got {_describe(value)}", model_id=model_id)
    if len(value) > MAX_SHORT_STR:
        raise MalformedItem(f"{key} longer than {MAX_SHORT_STR} characters", model_id=model_id)
    return value


def _tags(item: Mapping[object, object], model_id: str) -> tuple[str, ...]:
    value = item.get("tags")
    if value is None:
        return ()
    if not isinstance(value, list):
        raise MalformedItem(f"tags must be a list, got {_describe(value)}", model_id=model_id)
    if len(value) > MAX_TAGS:
        # Refuse rather than truncate: a dropped "gguf" tag would change the verdict.
        raise MalformedItem(f"more than {MAX_TAGS} tags", model_id=model_id)
    for tag in value:
        if not isinstance(tag, str):
            raise MalformedItem(f"tag must be a string, got {_describe(tag)}", model_id=model_id)
        if len(tag) > MAX_TAG_LEN:
            raise MalformedItem(f"tag longer than {MAX_TAG_LEN} characters", model_id=model_id)
    return tuple(value)


def _gated(item: Mapping[object, object], model_id: str) -> str | None:
    value = item.get("gated", False)
    if value is None or value is False:
        return None
    if value is True:
        # Older Hub answers used a bare true, which meant manual approval.
        return "manual"
    if isinstance(value, str) and value in _GATED:
        return _GATED[value]
    raise MalformedItem(
        f"gated must be false, 'auto' or 'manual', got {_describe(value)}", model_id=model_id
    )


def _private(item: Mapping[object, object], model_id: str) -> bool:
    value = item.get("private", False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise MalformedItem(f"private must be a boolean, got {_describe(value)}", model_id=model_id)
    return value


def _parameters(item: Mapping[object, object], model_id: str) -> int | None:
    """Sum ``safetensors.parameters``; ``total`` is ignored because it can disagree."""
    value = item.get("safetensors")
    if value is None:
        return None
    if not isinstance(value, dict):
        raise MalformedItem(
            f"safetensors must be an object, got {_describe(value)}", model_id=model_id
        )
    by_dtype = value.get("parameters")
    if not isinstance(by_dtype, dict):
        raise MalformedItem(
            f"safetensors.parameters must be an object, got {_describe(by_dtype)}",
            model_id=model_id,
        )
    if len(by_dtype) > MAX_DTYPES:
        raise MalformedItem(f"more than {MAX_DTYPES} safetensors dtypes", model_id=model_id)
    total = 0
    for dtype, count in by_dtype.items():
        if not isinstance(dtype, str) or len(dtype) > MAX_SHORT_STR:
            raise MalformedItem(
                f"safetensors dtype must be a short string, got {_describe(dtype)}",
                model_id=model_id,
            )
        if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count < MAX_COUNT:
            raise MalformedItem(
                f"safetensors.parameters[{safe_repr(dtype)}] must be a non-negative integer "
                f"below 10**13, got {_describe(count)}",
                model_id=model_id,
            )
        total += count
    if total >= MAX_COUNT:
        raise MalformedItem("safetensors parameter sum out of range", model_id=model_id)
    # An empty (or all-zero) breakdown says nothing about the size: treat it as unknown so
    # selection can fall back to the size in the name instead of believing "0 parameters".
    return total or None


def _transformers_info(
    item: Mapping[object, object], model_id: str
) -> tuple[str | None, str | None]:
    """``(auto_model, pipeline_tag)`` from ``transformersInfo``; either may be absent."""
    value = item.get("transformersInfo")
    if value is None:
        return None, None
    if not isinstance(value, dict):
        raise MalformedItem(
            f"transformersInfo must be an object, got {_describe(value)}", model_id=model_id
        )
    return (
        _optional_str(value, "auto_model", model_id),
        _optional_str(value, "pipeline_tag", model_id),
    )


def _quantization(item: Mapping[object, object], model_id: str) -> str | None:
    """``config.quantization_config.quant_method`` (``"unknown"`` if unnamed), else ``None``.

    Only this key of ``config`` is read; the rest (architectures, tokenizer settings) is
    not needed and is left unchecked.
    """
    config = item.get("config")
    if config is None:
        return None
    if not isinstance(config, dict):
        raise MalformedItem(f"config must be an object, got {_describe(config)}", model_id=model_id)
    quant = config.get("quantization_config")
    if quant is None:
        return None
    method = quant.get("quant_method") if isinstance(quant, dict) else None
    if isinstance(method, str) and 0 < len(method) <= MAX_SHORT_STR:
        return method
    return "unknown"


def parse_item(obj: object) -> Candidate:
    """Validate one item of ``GET /api/models?expand[]=...`` and return it as a ``Candidate``.

    Required: ``id`` (a valid model id) and ``downloads``. Fields the Hub omits when unknown
    (``likes``, ``tags``, ``pipeline_tag``, ``library_name``, ``gated``, ``private``,
    ``safetensors``, ``lastModified``, ``transformersInfo``, ``config``) default to empty.
    ``parameters`` is the sum of ``safetensors.parameters``. Raises ``MalformedItem`` (and
    nothing else) for any input that is not a well-formed item.
    """
    if not isinstance(obj, dict):
        raise MalformedItem(f"expected an object, got {_describe(obj)}")
    if "id" not in obj:
        raise MalformedItem("missing 'id'")
    try:
        model_id = validate_model_id(obj["id"])
    except InvalidModelId as exc:
        raise MalformedItem(str(exc)) from None
    from ._values import Candidate  # not at the top: dataclasses is off the lookup fast path

    auto_model, transformers_task = _transformers_info(obj, model_id)
    return Candidate(
        id=model_id,
        downloads=_count(obj, "downloads", model_id, required=True),
        likes=_count(obj, "likes", model_id, required=False),
        tags=_tags(obj, model_id),
        pipeline_tag=_optional_str(obj, "pipeline_tag", model_id),
        library_name=_optional_str(obj, "library_name", model_id),
        gated=_gated(obj, model_id),
        private=_private(obj, model_id),
        parameters=_parameters(obj, model_id),
        last_modified=_optional_str(obj, "lastModified", model_id),
        auto_model=auto_model,
        transformers_task=transformers_task,
        quantization=_quantization(obj, model_id),
    )


def parse_listing(body: object) -> tuple[list[Candidate], list[str]]:
    """Parse a decoded listing body into candidates, skipping malformed items.

    Returns ``(candidates, reasons)``: the well-formed items in listing order, and one
    human-readable reason per skipped item (for the caller to log). Items beyond
    ``MAX_LISTING_ITEMS`` are ignored, with a reason. Raises ``HubResponseError`` when the
    body is not a JSON array at all.
    """
    if not isinstance(body, list):
        raise HubResponseError(f"model listing must be a JSON array, got {_describe(body)}")
    candidates: list[Candidate] = []
    reasons: list[str] = []
    for index, obj in enumerate(body[:MAX_LISTING_ITEMS]):
        try:
            candidates.append(parse_item(obj))
        except MalformedItem as exc:
            reasons.append(f"item {index}: {exc}")
    if len(body) > MAX_LISTING_ITEMS:
        reasons.append(
            f"listing has {len(body)} items; ignored those after the first {MAX_LISTING_ITEMS}"
        )
    return candidates, reasons
