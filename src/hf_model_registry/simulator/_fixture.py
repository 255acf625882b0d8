"""Fixtures: the Hub models the simulator serves, loaded from JSON or generated."""

from __future__ import annotations

import copy
import hashlib
import importlib.resources
import json
import os
import random
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from ._state import _PLAIN_BEHAVIORS, _STATUS_BEHAVIOR, SIM_APPROVED_TOKEN

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
    transformers_info: Mapping[str, Any] | None
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
            transformers_info=item.get("transformersInfo"),
            approved_tokens=frozenset(item.get("approved_tokens") or ()),
            behavior=_validate_behavior(behavior) if behavior is not None else None,
        )

    def field_value(self, name: str) -> Any:
        """The value of an ``expand[]`` field, ``None`` when the repo has none."""
        if name == "lastModified":
            return self.last_modified
        if name == "tags":
            return list(self.tags)
        if name == "transformersInfo":
            return self.transformers_info
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
            "transformersInfo": self.transformers_info,
            "siblings": [{"rfilename": name} for name in self._files()],
        }
        return {key: value for key, value in item.items() if value is not None}

    def _files(self) -> list[str]:
        if self.library_name == "gguf":
            return ["README.md", f"{self.id.rsplit('/', 1)[-1]}.Q4_K_M.gguf"]
        weights = "model.safetensors" if self.safetensors else "pytorch_model.bin"
        return [".gitattributes", "README.md", "config.json", weights]


def load_fixture(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a fixture file: JSON ``{"models": [...], "behaviors": {...}, "redirects": {...}}``."""
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
    # Beside the simulator, not in the runtime data/: only tests, benchmarks and demos use it.
    package = importlib.resources.files("hf_model_registry.simulator")
    resource = package.joinpath("data/sim_overrides.json")
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
        if entry["library_name"] == "transformers":
            # As the Hub sends it: the auto class, and the task when there is one.
            info = {"auto_model": "AutoModel", "pipeline_tag": pipeline_tag}
            entry["transformersInfo"] = {k: v for k, v in info.items() if v is not None}
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

    Types with realistic data in the simulator's ``data/sim_overrides.json`` (``gpt2``,
    ``t5``, ``gptj``, ``bert``, ``vit``, ``whisper``, ``llama``, ``qwen2``, ``phi3``,
    ``roberta``) get that list instead of generated items, whatever ``per_type``; it is
    generated by ``scripts/build_simulator_data.py`` (recorded and made-up items, each
    marked in its ``_source``; see ``data/README.md``).
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
