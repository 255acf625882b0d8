"""A loopback Hugging Face Hub simulator for integration tests, benchmarks and demos.

It is a real HTTP/1.1 server (asyncio streams, keep-alive, many concurrent
connections) that answers the few Hub endpoints this project uses, the way the
Hub does (see "The Hub API facts this project relies on" in DESIGN.md):

- ``GET /api/models`` with repeated ``filter``, ``sort``, ``limit``, repeated
  ``expand[]``, ``search``, ``author`` and ``cursor``, with a ``Link`` header for the
  next page;
- ``GET /api/models/{repo_id}`` and ``GET /api/models/{repo_id}/auth-check``, with
  the Hub's 401/403/404 answers and ``X-Error-Code`` headers;
- fixed-window rate limiting with ``RateLimit``/``RateLimit-Policy`` headers and 429s;
- fault injection (a seeded share of listing requests fails with 500/502/503/429)
  and hostile per-type behaviours (non-JSON bodies, huge bodies, slow drip,
  cross-host redirects, error statuses, hangs);
- counters readable from Python (``stats``) and over HTTP (``GET /_sim/stats``).

It uses only the standard library, so it runs wherever Python does (it must not
import httpx: it is what httpx-based code is tested against). For safety it only
binds loopback addresses.

Use it as ``async with HubSimulator() as sim: ...`` inside an asyncio program, as
``with run_in_thread() as sim: ...`` from synchronous code and pytest fixtures,
or from the command line::

    python -m hf_model_registry.simulator --port 0 --latency 0.05 --quota 500
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import copy
import hashlib
import importlib.resources
import ipaddress
import json
import logging
import math
import os
import random
import re
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from types import TracebackType
from typing import Any, Final, TypeVar
from urllib.parse import parse_qsl, unquote, urlencode

__all__ = [
    "DEFAULT_HUB_TYPES",
    "DEFAULT_QUOTA",
    "DEFAULT_WINDOW",
    "EXPANDABLE_FIELDS",
    "FAULT_STATUSES",
    "SIM_APPROVED_TOKEN",
    "HubSimulator",
    "SimulatorStats",
    "ThreadedHubSimulator",
    "fixture_for_all_architectures",
    "load_fixture",
    "main",
    "run_in_thread",
    "synthetic_fixture",
]

logger = logging.getLogger(__name__)

DEFAULT_QUOTA: Final = 10**9
"""Requests per window when no quota is given: effectively unlimited."""

DEFAULT_WINDOW: Final = 300.0
"""The Hub's fixed rate-limit window, in seconds."""

EXPANDABLE_FIELDS: Final = frozenset(
    {
        "downloads",
        "likes",
        "tags",
        "pipeline_tag",
        "library_name",
        "gated",
        "safetensors",
        "config",
        "gguf",
        "lastModified",
        "private",
    }
)
"""The ``expand[]`` values the listing accepts; any other value is a 400, as on the Hub."""

FAULT_STATUSES: Final = (500, 502, 503, 429)
"""Statuses drawn for injected listing failures (``fail_rate``)."""

SIM_APPROVED_TOKEN: Final = "hf_sim_approved_token"
"""The token that ``data/sim_overrides.json`` lists as approved for its gated/private repos."""

DEFAULT_HUB_TYPES: Final = (
    "gpt2",
    "t5",
    "gptj",
    "bert",
    "vit",
    "whisper",
    "llama",
    "qwen2",
    "phi3",
    "roberta",
)
"""Hub types of the default fixture: the ones with realistic overrides."""

_PLAIN_BEHAVIORS: Final = frozenset(
    {"not_json", "wrong_shape", "huge", "slow_drip", "redirect", "hang"}
)
_STATUS_BEHAVIOR = re.compile(r"status:(\d{3})(?::([A-Za-z]+))?")
# X-Error-Code the Hub sends with these statuses when a behaviour does not name one.
_DEFAULT_ERROR_CODES: Final = {401: "RepoNotFound", 403: "GatedRepo", 404: "RepoNotFound"}
_MAX_LIMIT: Final = 1000
_DEFAULT_LIMIT: Final = 100
_MAX_HEAD_BYTES: Final = 64 * 1024
_MAX_BODY_BYTES: Final = 1 << 20
_LISTING_CACHE_SIZE: Final = 8192
_JSON: Final = "application/json; charset=utf-8"
_SERVER: Final = "hf-model-registry-simulator"

_T = TypeVar("_T")


# --------------------------------------------------------------------------- stats


@dataclass
class SimulatorStats:
    """Counters of one simulator, reset by ``reset_stats()`` or ``POST /_sim/reset``.

    Only Hub API requests are counted; the ``/_sim/`` control endpoints are not.
    ``listings_by_filter`` counts each distinct ``filter`` value of a listing request
    (``filter=bert&filter=transformers`` adds one to both). ``authorizations_by_host``
    maps each ``Host`` header seen to the ``Authorization`` values sent with it
    (a host seen only anonymously maps to an empty set). ``max_in_flight`` is the most
    API requests being served at once, which shows a client's real concurrency.
    """

    requests: int = 0
    listing_requests: int = 0
    listings_by_filter: Counter[str] = field(default_factory=Counter)
    by_status: Counter[int] = field(default_factory=Counter)
    rate_limited: int = 0
    """Responses with status 429, from the quota or from fault injection."""
    injected_faults: int = 0
    authorizations_by_host: dict[str, set[str]] = field(default_factory=dict)
    connections: int = 0
    open_connections: int = 0
    max_open_connections: int = 0
    in_flight: int = 0
    max_in_flight: int = 0

    def copy(self) -> SimulatorStats:
        """Return an independent snapshot."""
        return copy.deepcopy(self)

    def to_dict(self) -> dict[str, Any]:
        """Return the counters as JSON-ready data (sets become sorted lists)."""
        return {
            "requests": self.requests,
            "listing_requests": self.listing_requests,
            "listings_by_filter": dict(sorted(self.listings_by_filter.items())),
            "by_status": {str(code): n for code, n in sorted(self.by_status.items())},
            "rate_limited": self.rate_limited,
            "injected_faults": self.injected_faults,
            "authorizations_by_host": {
                host: sorted(values) for host, values in sorted(self.authorizations_by_host.items())
            },
            "connections": self.connections,
            "open_connections": self.open_connections,
            "max_open_connections": self.max_open_connections,
            "in_flight": self.in_flight,
            "max_in_flight": self.max_in_flight,
        }


# --------------------------------------------------------------------------- fixture


def _object_id(repo_id: str) -> str:
    # The Hub's _id is a Mongo ObjectId; a hash of the id keeps it stable across runs.
    return hashlib.sha1(repo_id.encode()).hexdigest()[:24]


def _validate_behavior(behavior: str) -> str:
    if behavior in _PLAIN_BEHAVIORS or _STATUS_BEHAVIOR.fullmatch(behavior):
        return behavior
    raise ValueError(
        f"unknown simulator behavior {behavior!r}: expected one of "
        f"{sorted(_PLAIN_BEHAVIORS)} or 'status:<code>[:<X-Error-Code>]'"
    )


@dataclass(frozen=True, slots=True)
class _Repo:
    """One fixture item, validated, with what the server needs precomputed."""

    index: int
    id: str
    object_id: str
    downloads: int
    likes: int
    tags: tuple[str, ...]
    tagset: frozenset[str]
    pipeline_tag: str | None
    library_name: str | None
    gated: bool | str
    private: bool
    safetensors: Mapping[str, Any] | None
    last_modified: str
    config: Mapping[str, Any] | None
    gguf: Mapping[str, Any] | None
    approved_tokens: frozenset[str]
    behavior: str | None

    @classmethod
    def from_item(cls, index: int, item: Any) -> _Repo:
        if not isinstance(item, Mapping):
            raise ValueError(f"fixture item {index} is not an object")
        repo_id = item.get("id")
        if not isinstance(repo_id, str) or not repo_id:
            raise ValueError(f"fixture item {index} has no string 'id'")
        tags = item.get("tags") or []
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise ValueError(f"fixture item {repo_id!r}: 'tags' must be a list of strings")
        gated = item.get("gated", False)
        if gated not in (False, "auto", "manual"):
            raise ValueError(f"fixture item {repo_id!r}: 'gated' must be false, auto or manual")
        behavior = item.get("__behavior__")
        return cls(
            index=index,
            id=repo_id,
            object_id=str(item.get("_id") or _object_id(repo_id)),
            downloads=int(item.get("downloads") or 0),
            likes=int(item.get("likes") or 0),
            tags=tuple(tags),
            tagset=frozenset(tags),
            pipeline_tag=item.get("pipeline_tag"),
            library_name=item.get("library_name"),
            gated=gated,
            private=bool(item.get("private", False)),
            safetensors=item.get("safetensors"),
            last_modified=str(item.get("lastModified") or "2024-01-01T00:00:00.000Z"),
            config=item.get("config"),
            gguf=item.get("gguf"),
            approved_tokens=frozenset(item.get("approved_tokens") or ()),
            behavior=_validate_behavior(behavior) if behavior is not None else None,
        )

    def field_value(self, name: str) -> Any:
        """The value of an ``expand[]`` field, ``None`` when the repo has none."""
        if name == "lastModified":
            return self.last_modified
        if name == "tags":
            return list(self.tags)
        return getattr(self, name)

    def listing_item(self, expand: Sequence[str]) -> dict[str, Any]:
        """The repo as one element of a listing; the Hub omits keys whose value is null."""
        item: dict[str, Any] = {"_id": self.object_id, "id": self.id}
        if expand:
            for name in expand:
                value = self.field_value(name)
                if value is not None:
                    item[name] = value
            return item
        item.update(likes=self.likes, downloads=self.downloads, private=self.private)
        if self.pipeline_tag is not None:
            item["pipeline_tag"] = self.pipeline_tag
        if self.library_name is not None:
            item["library_name"] = self.library_name
        item["tags"] = list(self.tags)
        item["modelId"] = self.id
        return item

    def metadata(self) -> dict[str, Any]:
        """The repo as ``GET /api/models/{repo_id}`` shows it."""
        item: dict[str, Any] = {
            "_id": self.object_id,
            "id": self.id,
            "modelId": self.id,
            "author": self.id.split("/", 1)[0] if "/" in self.id else None,
            "sha": hashlib.sha1(f"{self.id}@{self.last_modified}".encode()).hexdigest(),
            "lastModified": self.last_modified,
            "private": self.private,
            "disabled": False,
            "gated": self.gated,
            "downloads": self.downloads,
            "likes": self.likes,
            "library_name": self.library_name,
            "tags": list(self.tags),
            "pipeline_tag": self.pipeline_tag,
            "config": self.config,
            "safetensors": self.safetensors,
            "gguf": self.gguf,
            "siblings": [{"rfilename": name} for name in self._files()],
        }
        return {key: value for key, value in item.items() if value is not None}

    def _files(self) -> list[str]:
        if self.library_name == "gguf":
            return ["README.md", f"{self.id.rsplit('/', 1)[-1]}.Q4_K_M.gguf"]
        weights = "model.safetensors" if self.safetensors else "pytorch_model.bin"
        return [".gitattributes", "README.md", "config.json", weights]


def load_fixture(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a fixture file: JSON ``{"models": [item, ...], "behaviors": {...}}``."""
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    if not isinstance(data, dict) or not isinstance(data.get("models"), list):
        raise ValueError(f"{os.fspath(path)}: a fixture is an object with a 'models' list")
    return data


_ORGS: Final = ("acme-ai", "openlab", "sim-research", "northwind-ml", "contoso-labs", "initech")
_FINETUNERS: Final = ("alice-nlp", "bob-ml", "carol-lab", "dave-research", "erin-ai")
_QUANTIZERS: Final = ("QuantFactory", "TheQuantizer", "bartowski-sim")
_SUFFIXES: Final = ("squad", "imdb", "sst2", "conll", "chat", "instruct-v2", "medical", "legal")
_LANGUAGES: Final = ("en", "en", "en", "de", "fr", "es", "ja", "zh")
# A plausible task for the common types; others get the task the caller passes, or none.
_DEFAULT_PIPELINES: Final = {
    "albert": "fill-mask",
    "bart": "text2text-generation",
    "bert": "fill-mask",
    "clip": "zero-shot-image-classification",
    "deberta": "fill-mask",
    "distilbert": "fill-mask",
    "electra": "fill-mask",
    "gemma": "text-generation",
    "gpt2": "text-generation",
    "gpt_neox": "text-generation",
    "gptj": "text-generation",
    "llama": "text-generation",
    "mistral": "text-generation",
    "opt": "text-generation",
    "phi3": "text-generation",
    "qwen2": "text-generation",
    "roberta": "fill-mask",
    "swin": "image-classification",
    "t5": "text2text-generation",
    "vit": "image-classification",
    "wav2vec2": "automatic-speech-recognition",
    "whisper": "automatic-speech-recognition",
    "xlm-roberta": "fill-mask",
}


def _overrides() -> dict[str, Any]:
    resource = importlib.resources.files("hf_model_registry").joinpath("data/sim_overrides.json")
    data: dict[str, Any] = json.loads(resource.read_text(encoding="utf-8"))
    return data


def _camel(hub_type: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[-_]", hub_type))


def _safetensors(parameters: dict[str, int], total: int | None = None) -> dict[str, Any]:
    return {"parameters": parameters, "total": sum(parameters.values()) if total is None else total}


def _synthetic_type(
    hub_type: str, per_type: int, rng: random.Random, pipeline_tag: str | None
) -> list[dict[str, Any]]:
    org = rng.choice(_ORGS)
    base_id = f"{org}/{hub_type}-base"
    base_params = rng.randint(20_000_000, 400_000_000)
    base_downloads = int(10 ** rng.uniform(4.5, 7.0))
    common = ["transformers", "safetensors", hub_type]
    if pipeline_tag:
        common.append(pipeline_tag)
    tail = ["license:apache-2.0", "autotrain_compatible", "endpoints_compatible", "region:us"]

    def date() -> str:
        day = 1_546_300_800 + rng.randrange(0, 6 * 365) * 86_400 + rng.randrange(86_400)
        return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(day))

    def item(repo_id: str, downloads: int, tags: list[str], **extra: Any) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "id": repo_id,
            "downloads": max(0, downloads),
            "likes": int(max(0, downloads) ** 0.5 * rng.uniform(0.05, 0.5)),
            "tags": tags,
            "pipeline_tag": pipeline_tag,
            "library_name": "transformers",
            "gated": False,
            "private": False,
            "safetensors": None,
            "lastModified": date(),
            "config": {"architectures": [f"{_camel(hub_type)}Model"], "model_type": hub_type},
        }
        entry.update(extra)
        return entry

    def finetune(n: int, downloads: int) -> dict[str, Any]:
        who = rng.choice(_FINETUNERS)
        suffix = _SUFFIXES[(n + rng.randrange(len(_SUFFIXES))) % len(_SUFFIXES)]
        lineage = [f"base_model:{base_id}", f"base_model:finetune:{base_id}"]
        return item(
            f"{who}/{hub_type}-base-finetuned-{suffix}-{n}",
            downloads,
            [*common, rng.choice(_LANGUAGES), *lineage, *tail],
            safetensors=_safetensors({"F32": base_params + rng.randrange(1_000, 50_000)}),
        )

    kinds = ["base", "finetune", "gguf", "large", "small_or_gated", "tiny"]
    items: list[dict[str, Any]] = []
    for n in range(per_type):
        kind = kinds[n] if n < len(kinds) else "more_finetunes"
        if kind == "base":
            items.append(
                item(
                    base_id,
                    base_downloads,
                    [*common, "en", *tail],
                    safetensors=_safetensors({"F32": base_params}),
                )
            )
        elif kind == "finetune":
            # Sometimes a fine-tune outdoes its original: selection must not be fooled.
            items.append(finetune(n, int(base_downloads * rng.uniform(0.05, 1.5))))
        elif kind == "gguf":
            items.append(
                item(
                    f"{rng.choice(_QUANTIZERS)}/{hub_type}-base-GGUF",
                    int(base_downloads * rng.uniform(0.01, 0.8)),
                    [
                        "transformers",
                        "gguf",
                        hub_type,
                        f"base_model:{base_id}",
                        f"base_model:quantized:{base_id}",
                        "endpoints_compatible",
                        "region:us",
                    ],
                    library_name="gguf",
                    config=None,
                    gguf={"total": base_params, "architecture": hub_type, "context_length": 2048},
                )
            )
        elif kind == "large":
            big = rng.random() < 0.5
            main = (
                rng.randint(2_100_000_000, 13_000_000_000)
                if big
                else rng.randint(base_params * 2, base_params * 4)
            )
            extra = rng.randint(10_000, 5_000_000)
            # The Hub's ``total`` can disagree with the sum of ``parameters``.
            items.append(
                item(
                    f"{org}/{hub_type}-large",
                    int(base_downloads * rng.uniform(0.05, 0.6)),
                    [*common, "en", *tail],
                    safetensors=_safetensors({"BF16": main, "F32": extra}, total=main),
                )
            )
        elif kind == "small_or_gated":
            if rng.random() < 0.3:
                items.append(
                    item(
                        f"{org}/{hub_type}-pro",
                        int(base_downloads * rng.uniform(0.2, 2.0)),
                        [*common, "en", *tail],
                        gated=rng.choice(("auto", "manual")),
                        safetensors=_safetensors({"BF16": int(base_params * 1.5)}),
                        approved_tokens=[SIM_APPROVED_TOKEN],
                    )
                )
            else:
                items.append(
                    item(
                        f"{org}/{hub_type}-small",
                        int(base_downloads * rng.uniform(0.1, 0.9)),
                        [*common, "en", *tail],
                        safetensors=_safetensors({"F32": base_params // 3}),
                    )
                )
        elif kind == "tiny":
            items.append(
                item(
                    f"hf-internal-testing/tiny-random-{_camel(hub_type)}Model",
                    int(10 ** rng.uniform(2.0, 4.5)),
                    [*common, *tail[1:]],
                    safetensors=_safetensors({"F32": rng.randint(50_000, 2_000_000)}),
                )
            )
        else:
            items.append(finetune(n, int(10 ** rng.uniform(1.0, 5.0))))
    return items


def _complete(item: Mapping[str, Any], hub_type: str) -> dict[str, Any]:
    # Overrides may leave out keys; a fixture item always has the full set.
    full: dict[str, Any] = {
        "downloads": 0,
        "likes": 0,
        "tags": ["transformers", hub_type],
        "pipeline_tag": None,
        "library_name": "transformers",
        "gated": False,
        "private": False,
        "safetensors": None,
        "lastModified": "2024-01-01T00:00:00.000Z",
    }
    full.update(copy.deepcopy(dict(item)))
    if full.get("library_name") == "transformers":
        full.setdefault("config", {"model_type": hub_type})
    return full


def synthetic_fixture(
    hub_types: Iterable[str],
    per_type: int = 6,
    seed: int = 0,
    *,
    pipeline_tags: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Build a deterministic fixture with candidates for every hub type.

    Each type gets ``per_type`` items, all tagged ``transformers`` and the type: an
    original ``<org>/<type>-base``, a fine-tune (``base_model:finetune:`` tag), a
    quantized ``-GGUF`` copy (library ``gguf``), a ``-large`` original (over 2B
    parameters about half the time), a ``-small`` or, now and then, a gated
    ``-pro``, a ``hf-internal-testing/tiny-random-*`` repo, then more fine-tunes;
    downloads spread over orders of magnitude. Each type has its own random stream
    (from ``seed`` and the type), so adding a type does not change the others.

    Types with realistic data in ``data/sim_overrides.json`` (``gpt2``, ``t5``,
    ``gptj``, ``bert``, ``vit``, ``whisper``, ``llama``, ``qwen2``, ``phi3``,
    ``roberta``) get that list instead of generated items, whatever ``per_type``.
    ``pipeline_tags`` gives a task per type for generated items.
    """
    if per_type < 1:
        raise ValueError("per_type must be at least 1")
    overrides: dict[str, list[dict[str, Any]]] = _overrides()["types"]
    pipelines = dict(_DEFAULT_PIPELINES)
    pipelines.update(pipeline_tags or {})
    models: list[dict[str, Any]] = []
    seen: set[str] = set()
    for hub_type in dict.fromkeys(hub_types):
        if hub_type in overrides:
            generated = [_complete(item, hub_type) for item in overrides[hub_type]]
        else:
            rng = random.Random(f"hf-sim:{seed}:{hub_type}")
            generated = _synthetic_type(hub_type, per_type, rng, pipelines.get(hub_type))
        for entry in generated:
            # Two types may derive the same id (e.g. "gpt2" overrides vs. a generated "gpt"),
            # and the Hub has one repo per id.
            if entry["id"] not in seen:
                seen.add(entry["id"])
                models.append(entry)
    return {"models": models}


# Generic tasks most architectures list; a repo's pipeline_tag is rarely one of them.
_GENERIC_TASKS: Final = ("feature-extraction", "sentence-similarity", "image-feature-extraction")


def _main_task(tasks: list[str]) -> str:
    # "any-to-any" is a catch-all too, but still better than a generic task.
    specific = sorted(
        (t for t in tasks if t not in _GENERIC_TASKS), key=lambda t: (t == "any-to-any", t)
    )
    for preferred in ("text-generation", "text2text-generation", "fill-mask"):
        if preferred in specific:
            return preferred
    return specific[0] if specific else sorted(tasks)[0]


def _architectures_path() -> Any:
    return importlib.resources.files("hf_model_registry").joinpath("data/architectures.json")


def fixture_for_all_architectures(
    path: str | os.PathLike[str] | None = None, *, per_type: int = 6, seed: int = 0
) -> dict[str, Any]:
    """Build ``synthetic_fixture`` for every hub type in ``architectures.json``.

    ``path`` defaults to the package's ``data/architectures.json``, of the form
    ``{"architectures": [{"name": ..., "hub_type": ..., ...}, ...]}``. An entry's
    ``pipeline_tag``, or its most specific ``tasks`` entry, is the generated items' task.
    """
    if path is None:
        resource = _architectures_path()
        if not resource.is_file():
            raise FileNotFoundError(
                "hf_model_registry/data/architectures.json does not exist; pass its path"
            )
        text = resource.read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    data = json.loads(text)
    entries = data.get("architectures") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise ValueError("architectures.json must be an object with an 'architectures' list")
    hub_types: list[str] = []
    pipelines: dict[str, str] = {}
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        hub_type = entry.get("hub_type") or entry.get("name")
        if not isinstance(hub_type, str) or not hub_type:
            continue
        hub_types.append(hub_type)
        task = entry.get("pipeline_tag")
        tasks = entry.get("tasks")
        if not task and isinstance(tasks, list) and tasks:
            task = _main_task([str(t) for t in tasks])
        if isinstance(task, str) and task:
            pipelines.setdefault(hub_type, task)
    return synthetic_fixture(hub_types, per_type, seed, pipeline_tags=pipelines)


# --------------------------------------------------------------------------- HTTP


class _BadRequest(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class _Request:
    method: str
    target: str
    path: str
    query_string: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    keep_alive: bool

    def last(self, name: str) -> str | None:
        value = None
        for key, item in self.query:
            if key == name:
                value = item
        return value

    @property
    def token(self) -> str | None:
        auth = self.headers.get("authorization", "")
        scheme, _, credentials = auth.partition(" ")
        if scheme.lower() == "bearer" and credentials.strip():
            return credentials.strip()
        return None


@dataclass(frozen=True, slots=True)
class _Response:
    status: int
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    content_type: str = _JSON
    # "plain" sends body; "huge", "slow_drip" and "hang" are the hostile behaviours.
    mode: str = "plain"


def _json_response(status: int, data: Any, headers: Iterable[tuple[str, str]] = ()) -> _Response:
    body = json.dumps(data, separators=(",", ":")).encode()
    return _Response(status, body, tuple(headers))


def _error(status: int, message: str, code: str | None = None) -> _Response:
    headers: list[tuple[str, str]] = []
    if code is not None:
        headers += [("X-Error-Code", code), ("X-Error-Message", message)]
    return _json_response(status, {"error": message}, headers)


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _check_loopback(host: str) -> None:
    # A test server with fault injection and tokens in its stats must never face a network.
    if host == "localhost":
        return
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(f"the Hub simulator only binds loopback addresses, not {host!r}")


class HubSimulator:
    """A loopback Hub server; ``async with HubSimulator(...) as sim`` serves at ``sim.url``.

    ``fixture`` is the data (``{"models": [...], "behaviors": {...}}``), a path to such
    a JSON file, or ``None`` for ``synthetic_fixture(DEFAULT_HUB_TYPES)``.
    ``latency`` seconds are awaited before each API response (never blocking others).
    ``quota`` requests are allowed per ``window`` seconds and per caller (the
    ``Authorization`` value, or anonymous), in fixed windows aligned to server start.
    ``fail_rate`` of listing requests fail with one of ``FAULT_STATUSES``; whether the
    n-th request for a given query fails depends only on ``seed``, the query and n,
    so it is reproducible even under concurrency. ``behaviors`` maps a hub type
    (listing ``filter``) or a repo id to a hostile behaviour and is merged over the
    fixture's. ``valid_tokens``, when given, makes any other bearer token a 401, as
    the Hub does for a bad token. ``drip_interval`` and ``huge_size`` tune the
    ``slow_drip`` and ``huge`` behaviours.

    It runs on the asyncio event loop (with anyio, the asyncio backend); from other
    code use ``run_in_thread``. Only loopback hosts are accepted.
    """

    def __init__(
        self,
        fixture: Mapping[str, Any] | str | os.PathLike[str] | None = None,
        *,
        latency: float = 0.0,
        quota: int = DEFAULT_QUOTA,
        window: float = DEFAULT_WINDOW,
        fail_rate: float = 0.0,
        seed: int = 0,
        host: str = "127.0.0.1",
        port: int = 0,
        behaviors: Mapping[str, str] | None = None,
        valid_tokens: Collection[str] | None = None,
        drip_interval: float = 1.0,
        huge_size: int = 50_000_000,
    ) -> None:
        _check_loopback(host)
        if fixture is None:
            data: Mapping[str, Any] = synthetic_fixture(DEFAULT_HUB_TYPES)
        elif isinstance(fixture, Mapping):
            data = fixture
        else:
            data = load_fixture(fixture)
        raw_models = data.get("models")
        if not isinstance(raw_models, list):
            raise ValueError("a fixture is an object with a 'models' list")
        self._repos: dict[str, _Repo] = {}
        for index, item in enumerate(raw_models):
            repo = _Repo.from_item(index, item)
            self._repos[repo.id] = repo
        self._public = [repo for repo in self._repos.values() if not repo.private]
        self._by_tag: dict[str, list[_Repo]] = {}
        for repo in self._public:
            for tag in repo.tagset:
                self._by_tag.setdefault(tag, []).append(repo)
        self._behaviors: dict[str, str] = {}
        self._host = host
        self._port = port
        self._drip_interval = drip_interval
        self._huge_size = huge_size
        self._valid_tokens = frozenset(valid_tokens) if valid_tokens is not None else None
        self._latency = 0.0
        self._quota = DEFAULT_QUOTA
        self._window = DEFAULT_WINDOW
        self._fail_rate = 0.0
        self._seed = 0
        self._stats = SimulatorStats()
        self._buckets: dict[str, list[int]] = {}
        self._attempts: Counter[str] = Counter()
        self._listing_cache: dict[str, _Response] = {}
        self._server: asyncio.Server | None = None
        self._connection_tasks: set[asyncio.Task[Any]] = set()
        self._closing = False
        self._started_at = time.monotonic()
        self.configure(
            latency=latency,
            quota=quota,
            window=window,
            fail_rate=fail_rate,
            seed=seed,
            behaviors={**dict(data.get("behaviors") or {}), **dict(behaviors or {})},
        )

    # -- configuration and state --------------------------------------------------

    def configure(
        self,
        *,
        latency: float | None = None,
        quota: int | None = None,
        window: float | None = None,
        fail_rate: float | None = None,
        seed: int | None = None,
        behaviors: Mapping[str, str] | None = None,
    ) -> None:
        """Change settings of a running simulator; ``None`` keeps a setting.

        A new ``quota`` or ``window`` forgets the quota used so far; ``behaviors``
        replaces the whole mapping.
        """
        if latency is not None:
            if latency < 0:
                raise ValueError("latency must be >= 0")
            self._latency = float(latency)
        if fail_rate is not None:
            if not 0.0 <= fail_rate <= 1.0:
                raise ValueError("fail_rate must be between 0 and 1")
            self._fail_rate = float(fail_rate)
        if seed is not None:
            self._seed = int(seed)
        if quota is not None or window is not None:
            if quota is not None:
                if quota < 0:
                    raise ValueError("quota must be >= 0")
                self._quota = int(quota)
            if window is not None:
                if window <= 0:
                    raise ValueError("window must be > 0")
                self._window = float(window)
            self._buckets.clear()
        if behaviors is not None:
            self._behaviors = {key: _validate_behavior(value) for key, value in behaviors.items()}

    def config(self) -> dict[str, Any]:
        """The current settings, as JSON-ready data."""
        return {
            "latency": self._latency,
            "quota": self._quota,
            "window": self._window,
            "fail_rate": self._fail_rate,
            "seed": self._seed,
            "behaviors": dict(self._behaviors),
            "models": len(self._repos),
        }

    @property
    def stats(self) -> SimulatorStats:
        """The live counters (mutated as requests arrive; ``.copy()`` for a snapshot)."""
        return self._stats

    def reset_stats(self) -> None:
        """Forget all counters, the quota used and the fault-injection history."""
        stats = SimulatorStats()
        stats.open_connections = self._stats.open_connections
        stats.in_flight = self._stats.in_flight
        self._stats = stats
        self._buckets.clear()
        self._attempts.clear()

    @property
    def port(self) -> int:
        """The bound port (the real one once started with ``port=0``)."""
        return self._port

    @property
    def host(self) -> str:
        """The bound host."""
        return self._host

    @property
    def url(self) -> str:
        """The endpoint to give a client, e.g. ``http://127.0.0.1:54321``."""
        if self._server is None:
            raise RuntimeError("the simulator is not started")
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self._port}"

    # -- lifecycle ----------------------------------------------------------------

    async def start(self) -> None:
        """Bind and start serving in the background of the running asyncio loop."""
        if self._server is not None:
            raise RuntimeError("the simulator is already started")
        self._closing = False
        self._server = await asyncio.start_server(
            self._serve_connection,
            self._host,
            self._port,
            limit=_MAX_HEAD_BYTES,
            backlog=1024,
        )
        self._port = self._server.sockets[0].getsockname()[1]
        self._started_at = time.monotonic()

    async def aclose(self) -> None:
        """Stop serving and drop every open connection (hanging ones included)."""
        server, self._server = self._server, None
        if server is None:
            return
        self._closing = True
        server.close()
        tasks = list(self._connection_tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        await server.wait_closed()

    async def __aenter__(self) -> HubSimulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # -- connections --------------------------------------------------------------

    async def _serve_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        if self._closing or task is None:
            writer.close()
            return
        self._connection_tasks.add(task)
        stats = self._stats
        stats.connections += 1
        stats.open_connections += 1
        stats.max_open_connections = max(stats.max_open_connections, stats.open_connections)
        try:
            while True:
                try:
                    request = await self._read_request(reader, writer)
                except _BadRequest as exc:
                    await self._send(writer, "GET", _error(exc.status, str(exc)), False)
                    break
                if request is None or not await self._handle(request, reader, writer):
                    break
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass  # the client went away or broke framing: nothing more to answer
        except asyncio.CancelledError:
            # Shutdown cancels this top-level connection task, which nothing else awaits.
            # Ending it normally matters: asyncio's stream callback (3.11) calls
            # task.exception() and would log every cancelled connection as an error.
            pass
        except Exception:
            logger.exception("simulator connection failed")
        finally:
            self._stats.open_connections -= 1
            self._connection_tasks.discard(task)
            writer.close()

    async def _read_request(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> _Request | None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as exc:
            if exc.partial.strip():
                raise _BadRequest(400, "incomplete request head") from None
            return None  # a clean close between requests
        except asyncio.LimitOverrunError:
            raise _BadRequest(431, "request head too large") from None
        lines = head[:-4].decode("latin-1").lstrip("\r\n").split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            raise _BadRequest(400, "malformed request line")
        method, target, version = parts
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if not sep or not name or name != name.strip():
                raise _BadRequest(400, "malformed header line")
            key = name.lower()
            value = value.strip()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        connection = headers.get("connection", "").lower()
        keep_alive = (
            "close" not in connection if version == "HTTP/1.1" else "keep-alive" in connection
        )
        await self._discard_body(reader, writer, headers)
        if target.startswith(("http://", "https://")):
            # absolute-form (proxies): keep only the path and query
            target = "/" + target.split("/", 3)[-1] if target.count("/") >= 3 else "/"
        raw_path, _, query_string = target.partition("?")
        return _Request(
            method=method.upper(),
            target=target,
            path=unquote(raw_path),
            query_string=query_string,
            query=parse_qsl(query_string, keep_blank_values=True),
            headers=headers,
            keep_alive=keep_alive,
        )

    async def _discard_body(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, headers: dict[str, str]
    ) -> None:
        # Bodies are ignored, but must be read to keep the connection's framing.
        if headers.get("expect", "").lower() == "100-continue":
            writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        if "chunked" in headers.get("transfer-encoding", "").lower():
            total = 0
            while True:
                size_line = await reader.readuntil(b"\r\n")
                try:
                    size = int(size_line.split(b";", 1)[0].strip(), 16)
                except ValueError:
                    raise _BadRequest(400, "malformed chunk size") from None
                if size == 0:
                    while (await reader.readuntil(b"\r\n")) != b"\r\n":
                        pass  # trailers
                    return
                total += size
                if total > _MAX_BODY_BYTES:
                    raise _BadRequest(413, "request body too large")
                await reader.readexactly(size + 2)
        length = headers.get("content-length")
        if length is not None:
            try:
                size = int(length)
            except ValueError:
                raise _BadRequest(400, "malformed Content-Length") from None
            if size < 0:
                raise _BadRequest(400, "malformed Content-Length")
            if size > _MAX_BODY_BYTES:
                raise _BadRequest(413, "request body too large")
            if size:
                await reader.readexactly(size)

    async def _handle(
        self, request: _Request, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        """Answer one request; return whether the connection stays open."""
        if request.path.startswith("/_sim/"):
            response = self._control(request)
            await self._send(writer, request.method, response, request.keep_alive)
            return request.keep_alive
        stats = self._stats
        stats.requests += 1
        stats.in_flight += 1
        stats.max_in_flight = max(stats.max_in_flight, stats.in_flight)
        auth_seen = stats.authorizations_by_host.setdefault(request.headers.get("host", ""), set())
        if "authorization" in request.headers:
            auth_seen.add(request.headers["authorization"])
        if request.path.rstrip("/") == "/api/models":
            # Counted on arrival, so throttled and failed attempts show as extra requests.
            stats.listing_requests += 1
            for value in dict.fromkeys(v for k, v in request.query if k == "filter"):
                stats.listings_by_filter[value] += 1
        try:
            if self._latency > 0:
                await asyncio.sleep(self._latency)
            limit_headers, reset_in = self._take_quota(request)
            if reset_in is not None:
                response = _Response(
                    429,
                    b'{"error":"You have exceeded our rate limit. Retry later."}',
                    (("Retry-After", str(reset_in)),),
                )
            else:
                response = self._route(request)
            if response.mode == "hang":
                await self._hang(reader)
                return False
            # The stats object may have been replaced by a reset while we slept.
            self._stats.by_status[response.status] += 1
            if response.status == 429:
                self._stats.rate_limited += 1
            await self._send(writer, request.method, response, request.keep_alive, limit_headers)
            return request.keep_alive
        finally:
            self._stats.in_flight -= 1

    async def _send(
        self,
        writer: asyncio.StreamWriter,
        method: str,
        response: _Response,
        keep_alive: bool,
        extra_headers: Sequence[tuple[str, str]] = (),
    ) -> None:
        item, count = _huge_item(self._huge_size)
        length = 1 + count * (len(item) + 1) if response.mode == "huge" else len(response.body)
        lines = [
            f"HTTP/1.1 {response.status} {_reason(response.status)}",
            f"Server: {_SERVER}",
            f"Content-Type: {response.content_type}",
            f"Content-Length: {length}",
            f"Connection: {'keep-alive' if keep_alive else 'close'}",
        ]
        lines += [f"{name}: {value}" for name, value in (*response.headers, *extra_headers)]
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        if method == "HEAD":
            writer.write(head)
        elif response.mode == "huge":
            # A valid JSON array, so a client without a size cap really tries to parse it.
            writer.write(head + b"[")
            unit = item + b","
            per_chunk = max(1, 65536 // len(unit))
            chunk = unit * per_chunk
            remaining = count - 1
            while remaining > 0:
                n = min(per_chunk, remaining)
                writer.write(chunk if n == per_chunk else unit * n)
                remaining -= n
                await writer.drain()
            writer.write(item + b"]")
        elif response.mode == "slow_drip":
            writer.write(head)
            for offset in range(len(response.body)):
                await writer.drain()
                await asyncio.sleep(self._drip_interval)
                writer.write(response.body[offset : offset + 1])
        else:
            writer.write(head + response.body)
        await writer.drain()

    @staticmethod
    async def _hang(reader: asyncio.StreamReader) -> None:
        # Never answer, but notice when the client gives up so the socket is freed.
        while await reader.read(65536):
            pass

    # -- policy -------------------------------------------------------------------

    def _take_quota(self, request: _Request) -> tuple[list[tuple[str, str]], int | None]:
        """Count the request; return the rate-limit headers and, when over quota,
        the seconds until the window resets (else ``None``)."""
        now = time.monotonic()
        elapsed = max(0.0, now - self._started_at)
        window_index = int(elapsed // self._window)
        reset_in = self._started_at + (window_index + 1) * self._window - now
        key = request.headers.get("authorization", "")
        bucket = self._buckets.get(key)
        if bucket is None or bucket[0] != window_index:
            bucket = self._buckets[key] = [window_index, 0]
        bucket[1] += 1
        allowed = bucket[1] <= self._quota
        remaining = max(0, self._quota - bucket[1])
        seconds = max(1, math.ceil(reset_in))
        window = int(self._window) if float(self._window).is_integer() else self._window
        headers = [
            ("RateLimit", f'"api";r={remaining};t={seconds}'),
            ("RateLimit-Policy", f'"fixed window";"api";q={self._quota};w={window}'),
        ]
        return headers, None if allowed else seconds

    def _route(self, request: _Request) -> _Response:
        path = request.path.rstrip("/") or "/"
        if not path.startswith("/api/models"):
            return _error(404, "Not Found")
        if request.method not in ("GET", "HEAD"):
            return _error(405, "Method Not Allowed")
        token = request.token
        if token is not None and self._valid_tokens is not None and token not in self._valid_tokens:
            return _error(401, "Invalid credentials in Authorization header")
        if path == "/api/models":
            return self._listing(request)
        if not path.startswith("/api/models/"):
            return _error(404, "Not Found")
        repo_id = path[len("/api/models/") :]
        auth_check = repo_id.endswith("/auth-check")
        if auth_check:
            repo_id = repo_id[: -len("/auth-check")]
        return self._repo_endpoint(request, repo_id, auth_check)

    def _listing(self, request: _Request) -> _Response:
        filters = [value for key, value in request.query if key == "filter"]
        for value in filters:
            behavior = self._behaviors.get(value)
            if behavior is not None:
                return self._behave(behavior, request, lambda: self._listing_page(request))
        fault = self._draw_fault(request.query_string)
        if fault is not None:
            self._stats.injected_faults += 1
            return fault
        return self._listing_page(request)

    def _listing_page(self, request: _Request) -> _Response:
        cached = self._listing_cache.get(request.query_string)
        if cached is not None:
            return cached
        try:
            response = self._build_listing(request)
        except _BadRequest as exc:
            response = _error(exc.status, str(exc))
        if len(self._listing_cache) >= _LISTING_CACHE_SIZE:
            self._listing_cache.clear()
        self._listing_cache[request.query_string] = response
        return response

    def _build_listing(self, request: _Request) -> _Response:
        params = request.query
        filters = list(dict.fromkeys(value for key, value in params if key == "filter"))
        expand = [value for key, value in params if key in ("expand[]", "expand")]
        unknown = [value for value in expand if value not in EXPANDABLE_FIELDS]
        if unknown:
            raise _BadRequest(
                400,
                f'"expand" must be one of {sorted(EXPANDABLE_FIELDS)}; got {unknown[0]!r}',
            )
        raw_limit = request.last("limit")
        limit = _DEFAULT_LIMIT
        if raw_limit is not None:
            try:
                limit = int(raw_limit)
            except ValueError:
                raise _BadRequest(400, '"limit" must be a number') from None
            if limit < 1:
                raise _BadRequest(400, '"limit" must be a positive number')
            limit = min(limit, _MAX_LIMIT)
        offset = 0
        cursor = request.last("cursor")
        if cursor is not None:
            offset = _decode_cursor(cursor)
        if filters:
            candidates = min((self._by_tag.get(tag, []) for tag in filters), key=len)
            wanted = frozenset(filters)
            repos = [repo for repo in candidates if wanted <= repo.tagset]
        else:
            repos = list(self._public)
        search = request.last("search")
        if search:
            needle = search.lower()
            repos = [repo for repo in repos if needle in repo.id.lower()]
        author = request.last("author")
        if author:
            repos = [repo for repo in repos if repo.id.split("/", 1)[0] == author]
        sort = request.last("sort")
        if sort in ("downloads", "likes"):
            # The Hub sorts descending whatever ``direction`` says; ties by id for stable pages.
            repos.sort(key=lambda repo: repo.id)
            repos.sort(key=lambda repo: getattr(repo, sort), reverse=True)
        elif sort == "lastModified":
            repos.sort(key=lambda repo: (repo.last_modified, repo.id), reverse=True)
        page = repos[offset : offset + limit]
        body = [repo.listing_item(expand) for repo in page]
        headers: list[tuple[str, str]] = []
        if offset + limit < len(repos):
            next_query = [(k, v) for k, v in params if k != "cursor"]
            next_query.append(("cursor", _encode_cursor(offset + limit)))
            link = f"{self.url}/api/models?{urlencode(next_query)}"
            headers.append(("Link", f'<{link}>; rel="next"'))
        return _json_response(200, body, headers)

    def _draw_fault(self, query_string: str) -> _Response | None:
        if self._fail_rate <= 0.0:
            return None
        # The n-th request for one query fails or not whatever else runs concurrently.
        attempt = self._attempts[query_string]
        self._attempts[query_string] = attempt + 1
        rng = random.Random(f"{self._seed}\0{query_string}\0{attempt}")
        if rng.random() >= self._fail_rate:
            return None
        status = rng.choice(FAULT_STATUSES)
        if status == 429:
            return _Response(
                429,
                b'{"error":"You have exceeded our rate limit. Retry later."}',
                (("Retry-After", "1"),),
            )
        if status == 502:
            # Gateways answer in HTML, not JSON.
            return _Response(
                502, b"<html><body><h1>502 Bad Gateway</h1></body></html>", (), "text/html"
            )
        if status == 503:
            return _Response(503, b'{"error":"Service Unavailable"}', (("Retry-After", "1"),))
        return _error(500, "Internal Error - We're working hard to fix this as soon as possible!")

    def _behave(
        self, behavior: str, request: _Request, normal: Callable[[], _Response]
    ) -> _Response:
        """The hostile answer ``behavior``; ``normal`` makes the honest one (for slow_drip)."""
        if behavior == "not_json":
            return _Response(200, b"<!DOCTYPE html><html><body>Hugging Face</body></html>")
        if behavior == "wrong_shape":
            return _json_response(200, {"models": 1})
        if behavior == "huge":
            return _Response(200, mode="huge")
        if behavior == "slow_drip":
            honest = normal()
            return _Response(honest.status, honest.body, honest.headers, mode="slow_drip")
        if behavior == "redirect":
            # Another host: a client must not follow it with the token, or at all.
            location = f"http://127.0.0.2:{self._port}{request.target}"
            return _Response(302, b"", (("Location", location),), "text/plain")
        if behavior == "hang":
            return _Response(0, mode="hang")
        match = _STATUS_BEHAVIOR.fullmatch(behavior)
        if match is None:  # pragma: no cover - behaviours are validated when set
            raise ValueError(behavior)
        status = int(match.group(1))
        code = match.group(2) or _DEFAULT_ERROR_CODES.get(status)
        response = _error(status, f"simulated {status} {_reason(status)}", code)
        if status in (429, 503):
            response = _Response(status, response.body, (*response.headers, ("Retry-After", "1")))
        return response

    def _repo_endpoint(self, request: _Request, repo_id: str, auth_check: bool) -> _Response:
        repo = self._repos.get(repo_id)
        behavior = self._behaviors.get(repo_id) or (repo.behavior if repo else None)
        if behavior is not None:
            return self._behave(
                behavior, request, lambda: self._repo_answer(request, repo, auth_check)
            )
        return self._repo_answer(request, repo, auth_check)

    def _repo_answer(self, request: _Request, repo: _Repo | None, auth_check: bool) -> _Response:
        token = request.token
        if repo is None or (repo.private and token not in repo.approved_tokens):
            if token is None:
                # The Hub does not tell an anonymous caller whether a repo exists.
                return _error(401, "Invalid username or password.", "RepoNotFound")
            return _error(404, "Repository not found", "RepoNotFound")
        if not auth_check:
            return _json_response(200, repo.metadata())
        if repo.gated is False:
            return _json_response(200, {"ok": True})
        if token is None:
            return _error(
                401,
                f"Access to model {repo.id} is restricted. You must have access to it and "
                "be authenticated to access it. Please log in.",
                "GatedRepo",
            )
        if token not in repo.approved_tokens:
            return _error(
                403,
                f"Access to model {repo.id} is restricted and you are not in the authorized "
                f"list. Visit https://huggingface.co/{repo.id} to ask for access.",
                "GatedRepo",
            )
        return _json_response(200, {"ok": True})

    def _control(self, request: _Request) -> _Response:
        route = (request.method, request.path.rstrip("/"))
        if route == ("GET", "/_sim/stats"):
            return _json_response(200, self._stats.to_dict())
        if route == ("POST", "/_sim/reset"):
            self.reset_stats()
            return _json_response(200, {"reset": True})
        if route == ("GET", "/_sim/config"):
            return _json_response(200, self.config())
        if route == ("POST", "/_sim/config"):
            # Settings come as query parameters because request bodies are ignored.
            try:
                self.configure(**_config_params(request))
            except (TypeError, ValueError) as exc:
                return _error(400, str(exc))
            return _json_response(200, self.config())
        return _error(404, "Not Found")


def _config_params(request: _Request) -> dict[str, Any]:
    converters: dict[str, Callable[[str], Any]] = {
        "latency": float,
        "quota": int,
        "window": float,
        "fail_rate": float,
        "seed": int,
    }
    params: dict[str, Any] = {}
    for key, value in request.query:
        if key not in converters:
            raise ValueError(f"unknown setting {key!r}")
        params[key] = converters[key](value)
    return params


def _huge_item(size: int) -> tuple[bytes, int]:
    """One listing item of the ``huge`` body and how many of them make ``size`` bytes."""
    item = json.dumps(
        {"_id": "0" * 24, "id": "sim/huge", "downloads": 0, "tags": ["x" * 120]},
        separators=(",", ":"),
    ).encode()
    return item, max(1, (size - 1) // (len(item) + 1))


def _encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, value = text.partition(":")
        offset = int(value)
    except ValueError:
        raise _BadRequest(400, "Invalid cursor") from None
    if kind != "o" or offset < 0:
        raise _BadRequest(400, "Invalid cursor")
    return offset


# --------------------------------------------------------------------------- threads


class ThreadedHubSimulator:
    """A ``HubSimulator`` served by its own event loop in a daemon thread.

    Made by ``run_in_thread``; usable as a context manager (stops on exit).
    ``stats`` is a snapshot taken on the server's loop, so it is safe to read here.
    """

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_event: asyncio.Event | None = None
        self._sim: HubSimulator | None = None
        self._error: BaseException | None = None
        self._final_stats: SimulatorStats | None = None
        self._thread = threading.Thread(target=self._run, name="hub-simulator", daemon=True)

    def _start(self, timeout: float) -> None:
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError("the Hub simulator did not start in time")
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # handed to the starting thread, never lost
            self._error = exc
            self._ready.set()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop_event = asyncio.Event()
        async with HubSimulator(**self._options) as sim:
            self._sim = sim
            self._ready.set()
            await self._stop_event.wait()
            self._final_stats = sim.stats.copy()

    def _call(self, function: Callable[[HubSimulator], _T]) -> _T:
        loop, sim = self._loop, self._sim
        if loop is None or sim is None or not self._thread.is_alive():
            raise RuntimeError("the simulator is not running")

        async def call() -> _T:
            return function(sim)

        return asyncio.run_coroutine_threadsafe(call(), loop).result(timeout=30)

    @property
    def url(self) -> str:
        """The endpoint to give a client."""
        if self._sim is None:
            raise RuntimeError("the simulator is not started")
        return self._sim.url

    @property
    def port(self) -> int:
        """The bound port."""
        if self._sim is None:
            raise RuntimeError("the simulator is not started")
        return self._sim.port

    @property
    def stats(self) -> SimulatorStats:
        """A snapshot of the counters (the final ones once stopped)."""
        if self._final_stats is not None and not self._thread.is_alive():
            return self._final_stats.copy()
        return self._call(lambda sim: sim.stats.copy())

    def reset_stats(self) -> None:
        """Forget all counters, the quota used and the fault-injection history."""
        self._call(lambda sim: sim.reset_stats())

    def configure(self, **settings: Any) -> None:
        """Change settings of the running simulator (see ``HubSimulator.configure``)."""
        self._call(lambda sim: sim.configure(**settings))

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving and wait for the thread; calling it twice is harmless."""
        loop, stop_event = self._loop, self._stop_event
        if loop is not None and stop_event is not None and self._thread.is_alive():
            # RuntimeError: the loop closed meanwhile, so the thread is finishing anyway.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(stop_event.set)
        if self._thread.is_alive():
            self._thread.join(timeout)

    def __enter__(self) -> ThreadedHubSimulator:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def run_in_thread(
    fixture: Mapping[str, Any] | str | os.PathLike[str] | None = None,
    *,
    latency: float = 0.0,
    quota: int = DEFAULT_QUOTA,
    window: float = DEFAULT_WINDOW,
    fail_rate: float = 0.0,
    seed: int = 0,
    host: str = "127.0.0.1",
    port: int = 0,
    behaviors: Mapping[str, str] | None = None,
    valid_tokens: Collection[str] | None = None,
    drip_interval: float = 1.0,
    huge_size: int = 50_000_000,
    start_timeout: float = 30.0,
) -> ThreadedHubSimulator:
    """Start a ``HubSimulator`` in a background thread and return once it listens.

    For synchronous code and pytest fixtures::

        with run_in_thread(quota=5) as sim:
            httpx.get(f"{sim.url}/api/models")

    The arguments are those of ``HubSimulator``. Call ``.stop()`` (or leave the
    ``with`` block) to shut it down.
    """
    handle = ThreadedHubSimulator(
        fixture=fixture,
        latency=latency,
        quota=quota,
        window=window,
        fail_rate=fail_rate,
        seed=seed,
        host=host,
        port=port,
        behaviors=behaviors,
        valid_tokens=valid_tokens,
        drip_interval=drip_interval,
        huge_size=huge_size,
    )
    handle._start(start_timeout)
    return handle


# --------------------------------------------------------------------------- CLI


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m hf_model_registry.simulator",
        description="Serve a simulated Hugging Face Hub API on a loopback address.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind")
    parser.add_argument("--port", type=int, default=0, help="port (0: any free port)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before each answer")
    parser.add_argument("--quota", type=int, default=DEFAULT_QUOTA, help="requests per window")
    parser.add_argument("--window", type=float, default=DEFAULT_WINDOW, help="window seconds")
    parser.add_argument("--fail-rate", type=float, default=0.0, help="share of failed listings")
    parser.add_argument("--seed", type=int, default=0, help="seed of faults and fixtures")
    parser.add_argument("--per-type", type=int, default=6, help="generated items per type")
    parser.add_argument(
        "--behavior",
        action="append",
        default=[],
        metavar="KEY=BEHAVIOR",
        help="hostile behaviour for a hub type or repo id (repeatable)",
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--fixture", help="fixture JSON file to serve")
    source.add_argument(
        "--all-architectures",
        action="store_true",
        help="generate a fixture for every type in data/architectures.json",
    )
    source.add_argument("--types", help="comma-separated hub types to generate a fixture for")
    parser.add_argument("--write-fixture", metavar="FILE", help="write the fixture and exit")
    return parser.parse_args(argv)


def _fixture_from_args(args: argparse.Namespace) -> dict[str, Any]:
    if args.fixture:
        return load_fixture(args.fixture)
    if args.all_architectures:
        return fixture_for_all_architectures(per_type=args.per_type, seed=args.seed)
    types = [t for t in args.types.split(",") if t] if args.types else DEFAULT_HUB_TYPES
    return synthetic_fixture(types, args.per_type, args.seed)


async def _serve_until_signalled(sim: HubSimulator) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        # No signal handlers on Windows: there Ctrl-C raises KeyboardInterrupt instead.
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    async with sim:
        print(f"listening on {sim.url}", flush=True)
        await stop.wait()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the simulator from the command line; see ``--help``."""
    args = _parse_args(argv)
    behaviors: dict[str, str] = {}
    for spec in args.behavior:
        key, sep, behavior = spec.partition("=")
        if not sep:
            print(f"error: --behavior expects KEY=BEHAVIOR, got {spec!r}", file=sys.stderr)
            return 2
        behaviors[key] = behavior
    try:
        fixture = _fixture_from_args(args)
        if args.write_fixture:
            text = json.dumps(fixture, indent=1) + "\n"
            Path(args.write_fixture).write_text(text, encoding="utf-8")
            return 0
        sim = HubSimulator(
            fixture,
            latency=args.latency,
            quota=args.quota,
            window=args.window,
            fail_rate=args.fail_rate,
            seed=args.seed,
            host=args.host,
            port=args.port,
            behaviors=behaviors,
        )
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(_serve_until_signalled(sim))
    except (OSError, ValueError) as exc:
        # Bad input or a busy port: one line for the user, not a traceback.
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
