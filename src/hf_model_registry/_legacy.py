"""The original ``find_models`` module, kept working: every public name, the same contracts.

The top-level ``find_models.py`` is a thin alias of this module, so that file can
be copied into any folder (clients load it by path) while the code lives here.
The original's promises are kept where its clients depend on them: lookups always
return a string, ``query_huggingface_api`` returns ``[]`` on any failure,
``try_model_access`` returns the original's dict. The answers themselves come
from this project (registry, selection policy, access check).

Importing this module is cheap: the HTTP stack, ``logging`` and the architecture
table are loaded only when something needs them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from . import _hub_memory
from . import _log as _logmod
from ._chain import Answer
from ._lookup import lookup
from ._original import ORIGINAL_ARCHITECTURE_TYPES, ORIGINAL_CLASS_NAME_CAPITALIZATION

if TYPE_CHECKING:
    import logging

    from ._selection import Ranking
    from ._settings import HubSettings
    from ._values import Candidate

__all__ = [
    "ARCHITECTURE_TYPES",
    "CLASS_NAME_CAPITALIZATION",
    "find_hyphenated_models",
    "find_models_in_transformers",
    "format_class_name_fix",
    "format_registry_entry",
    "generate_registry_entry",
    "get_architecture_type",
    "get_class_name_capitalization",
    "get_recommended_default_model",
    "logger",
    "main",
    "query_huggingface_api",
    "save_model_registry",
    "to_valid_identifier",
    "try_model_access",
]

# The original logged under its module name; clients configure that logger.
LOGGER_NAME = "find_models"

# Family name -> capitalisation in class names (``gpt-j`` -> ``GPTJ``). A module
# attribute, as in the original, so a client may add its own families.
CLASS_NAME_CAPITALIZATION: dict[str, str] = dict(ORIGINAL_CLASS_NAME_CAPITALIZATION)

ARCHITECTURE_TYPES: dict[str, list[str]]  # built on first access, see __getattr__
logger: logging.Logger  # created on first access, see __getattr__

# The hyphenated families the original always reported, with their model classes.
_KNOWN_HYPHENATED: tuple[tuple[str, str, str], ...] = (
    ("gpt-j", "GPTJForCausalLM", "decoder-only"),
    ("gpt-neo", "GPTNeoForCausalLM", "decoder-only"),
    ("gpt-neox", "GPTNeoXForCausalLM", "decoder-only"),
    ("xlm-roberta", "XLMRobertaForMaskedLM", "encoder-only"),
)

# The test task the original generated for each category (fill-mask otherwise).
_TASK_BY_CATEGORY = {
    "decoder-only": "text-generation",
    "encoder-decoder": "text2text-generation",
    "vision": "image-classification",
    "speech": "automatic-speech-recognition",
    "multimodal": "image-to-text",
    "vision-text": "image-to-text",
}
_INPUT_ENDING = {"fill-mask": "[MASK] model.", "text-generation": "transformer model that"}


def __getattr__(name: str) -> Any:
    # Built on first use, so that a lookup does not pay for the architecture table
    # (~3 ms) or the logging module (~8 ms). Stored once: the same object every time.
    if name == "ARCHITECTURE_TYPES":
        value: Any = _build_architecture_types()
    elif name == "logger":
        import logging

        value = logging.getLogger(LOGGER_NAME)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return globals().setdefault(name, value)


def _build_architecture_types() -> dict[str, list[str]]:
    """The original's categories and names, then every other architecture of the table."""
    from ._architectures import all_architectures

    types = {category: list(names) for category, names in ORIGINAL_ARCHITECTURE_TYPES.items()}
    listed = {name for names in types.values() for name in names}
    added: dict[str, list[str]] = {}
    for arch in all_architectures():
        # An architecture the original listed under any spelling (gptj as gpt-j) is there.
        if not listed.intersection((arch.name, *arch.aliases)):
            added.setdefault(arch.category, []).append(arch.name)
    for category in sorted(added):
        types.setdefault(category, []).extend(sorted(added[category]))
    return types


# -- lookups -------------------------------------------------------------------------


def _lookup_answer(
    model_type: str,
    registry_file: str | os.PathLike[str] | None,
    settings: HubSettings | None = None,
) -> Answer:
    """The lookup behind the original's functions; ``settings`` as a front end built them.

    Without settings, they are built from the environment when the Hub must be asked.
    """
    if query_huggingface_api is _ORIGINAL_QUERY:
        # Not patched: the library's own chain, memoised and with its Hub back-off, so
        # a loop over types stays at microseconds per call even when the Hub is down.
        return lookup(model_type, registry=registry_file, settings=settings)

    def hub_step(name: str) -> Answer | None:
        return _hub_step(model_type, name, settings)

    # Patched (the original's test seam): the Hub step is the patched function, asked
    # on every call that the registry does not answer.
    return lookup(model_type, registry=registry_file, hub=hub_step)


def _hub_step(model_type: str, name: str, settings: HubSettings | None) -> Answer | None:
    # Looked up in this module's namespace at call time: patching
    # find_models.query_huggingface_api (the original's test seam) changes what
    # the lookup sees, and [] means "the Hub did not answer".
    try:
        popular = query_huggingface_api(model_type, limit=5)
    except Exception as exc:  # a patched function may raise anything
        _logmod.warning(LOGGER_NAME, "querying the Hub for %r failed: %s", model_type, exc)
        return None
    if not popular:
        return None
    recommended = getattr(popular, "recommended", None)
    if isinstance(recommended, Answer):
        return recommended
    return _pick_from_items(name, popular, settings)


def _pick_from_items(
    name: str, items: Sequence[object], settings: HubSettings | None
) -> Answer | None:
    """The project's pick among listing items handed over by someone else (a patched query).

    The policy is ``settings``'s (from the environment when a library caller gave none).
    """
    from ._candidates import MalformedItem, parse_item
    from ._refresh import _architecture
    from ._selection import rank
    from ._settings import HubSettings

    candidates: list[Candidate] = []
    for item in items:
        try:
            candidates.append(parse_item(item))
        except MalformedItem:
            continue
    policy = (settings or HubSettings.from_env()).policy()
    chosen = rank(candidates, _architecture(name), policy).chosen
    return None if chosen is None else Answer(name, chosen.id, "hub")


def get_recommended_default_model(
    model_type: str, registry_file: str | os.PathLike[str] | None = None
) -> str:
    """The recommended default model id for ``model_type``; always a string, never raises.

    The chain: a fresh registry entry, then the Hub (unless ``USE_STATIC_REGISTRY``
    or ``HF_HUB_OFFLINE``; through this module's ``query_huggingface_api`` when a
    test has patched it, whose ``[]`` means "no answer"),
    then the stale entry, then the static defaults, and last, as in the original,
    ``f"{model_type}-base"`` with a warning. Nothing is written.
    """
    try:
        return _lookup_answer(model_type, registry_file).model_id
    except Exception as exc:  # the original's promise: a string, whatever happens
        _logmod.warning(
            LOGGER_NAME,
            "no default known for model type %r (%s); using %r",
            model_type,
            exc,
            f"{model_type}-base",
        )
        return f"{model_type}-base"


class _Listing(list[dict[str, Any]]):
    """Popular models, carrying the pick the same Hub request supports (or None)."""

    recommended: Answer | None = None


def _query(model_type: str, limit: int, min_downloads: int, settings: HubSettings) -> _Listing:
    """The Hub's most downloaded models of ``model_type``; raises the library's errors."""
    from ._bridge import run_sync
    from ._names import resolve_name

    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    name, _ = resolve_name(model_type)
    listing = run_sync(lambda: _fetch(model_type, name, limit, min_downloads, settings))
    if listing.recommended is not None:
        _hub_memory.remember_answer(name, settings.endpoint, listing.recommended)
    return listing


async def _fetch(
    model_type: str, name: str, limit: int, min_downloads: int, settings: HubSettings
) -> _Listing:
    from datetime import UTC, datetime

    from ._errors import HubUnavailable
    from ._hub import HubClient
    from ._refresh import _architecture, fetch_ranking, make_entry

    if _hub_memory.backing_off(settings.endpoint):
        raise HubUnavailable("the Hub did not answer a moment ago; not asking again yet")
    try:
        async with HubClient(settings) as hub:
            ranking = await fetch_ranking(hub, _architecture(name), settings.policy())
    except HubUnavailable:
        _hub_memory.back_off(settings.endpoint)
        raise
    listing = _Listing(_popular(ranking, model_type, limit, min_downloads))
    entry = make_entry(ranking, datetime.now(UTC))
    if entry is not None:
        listing.recommended = Answer(name, entry["default_model"], "hub", entry)
    return listing


def _popular(
    ranking: Ranking, model_type: str, limit: int, min_downloads: int
) -> list[dict[str, Any]]:
    """The most downloaded models a listing held (ranked or not), as the original listed them."""
    from . import aio

    seen = {j.candidate.id: j.candidate for j in ranking.judgements}
    popular = sorted(
        (c for c in seen.values() if c.downloads >= min_downloads),
        key=lambda c: (-c.downloads, c.id),
    )
    return [{**aio._summary(c), "model_type": model_type} for c in popular[:limit]]


def query_huggingface_api(
    model_type: str,
    limit: int = 5,
    min_downloads: int = 1000,
    *,
    endpoint: str | None = None,
) -> list[dict[str, Any]]:
    """The most downloaded Hub models of ``model_type`` with at least ``min_downloads``.

    Each item: ``id``, ``downloads``, ``likes``, ``tags``, ``pipeline_tag``,
    ``parameters`` (None when unknown) and ``model_type``. One request to
    ``endpoint`` (default ``$HF_ENDPOINT``, else https://huggingface.co).
    As in the original, any failure (Hub unreachable, offline, rate limited, a
    bad name) is logged as an error and gives ``[]``; the library's
    ``aio.query_huggingface_api`` raises instead.
    """
    from ._settings import HubSettings

    try:
        settings = HubSettings.from_env(endpoint=endpoint).for_lookup()
        return _query(model_type, limit, min_downloads, settings)
    except Exception as exc:
        import logging

        logging.getLogger(LOGGER_NAME).error("Error fetching models for %s: %s", model_type, exc)
        return []


# The function as defined here; a different object under the name means a patch.
_ORIGINAL_QUERY = query_huggingface_api


def try_model_access(model_name: str, *, endpoint: str | None = None) -> dict[str, Any]:
    """Whether ``model_name`` can be downloaded, in the original's dict shape.

    Available: ``{"id", "private", "sha", "tags"}`` (``sha`` shortened to 8
    characters and the first 3 tags, as the original gave them). Otherwise:
    ``{"error": why, "id": model_name, "private": True}``, where a gated repo
    without access, a missing or private repo, an invalid id and an unreachable
    Hub each say which. Never raises.
    """
    from . import aio
    from ._access import original_access_dict
    from ._bridge import run_sync

    try:
        access = run_sync(lambda: aio.check_model_access(model_name, endpoint=endpoint))
    except Exception as exc:
        return {"error": str(exc), "id": model_name, "private": True}
    return original_access_dict(model_name, access)


# -- names and registry entries for test generators ---------------------------------


def to_valid_identifier(text: str) -> str:
    """``text`` as a Python identifier: ``-`` becomes ``_``, other symbols go, no leading digit."""
    kept = "".join(
        ch for ch in text.replace("-", "_") if ch == "_" or (ch.isascii() and ch.isalnum())
    )
    return f"_{kept}" if kept[:1].isdigit() else kept


def get_architecture_type(model_type: str) -> str:
    """The category of ``model_type`` (``encoder-only``, ``decoder-only``, ...) or ``unknown``.

    As in the original, the first category holding a name that occurs in the
    type wins (``gpt-j-6b`` is decoder-only); a type the original's table does
    not cover gets the architecture table's category.
    """
    lowered = model_type.lower()
    for category, names in ORIGINAL_ARCHITECTURE_TYPES.items():
        if any(name in lowered for name in names):
            return category
    from ._architectures import get_architecture
    from ._errors import InvalidModelType

    try:
        arch = get_architecture(lowered)
    except InvalidModelType:
        return "unknown"
    return "unknown" if arch is None else arch.category


def get_class_name_capitalization(model_type: str) -> str:
    """How ``model_type`` is spelled in class names: ``gpt-j`` -> ``GPTJ``.

    An exact family first, then the first family that prefixes the type (its
    rest kept as given: ``gpt-j-6b`` -> ``GPTJ-6b``), else each ``-`` part
    capitalised (``foo-bar`` -> ``FooBar``).
    """
    lowered = model_type.lower()
    exact = CLASS_NAME_CAPITALIZATION.get(lowered)
    if exact is not None:
        return exact
    for family, spelled in CLASS_NAME_CAPITALIZATION.items():
        if lowered.startswith(family.lower()):
            return spelled + model_type[len(family) :]
    return "".join(part.capitalize() for part in model_type.split("-"))


def find_models_in_transformers() -> list[dict[str, Any]]:
    """The model classes the installed transformers exports, with their type and category.

    Each item: ``name`` (class), ``type`` (its ``transformers.models.<type>``
    package), ``module``, ``is_hyphenated`` and ``architecture``. Without
    transformers: a warning and ``[]``, as in the original.
    """
    try:
        import transformers  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        _logmod.warning(LOGGER_NAME, "Transformers library not available. Using static model list.")
        return []
    import inspect

    found: list[dict[str, Any]] = []
    for attribute in dir(transformers):
        if "Model" not in attribute:
            continue
        try:
            obj = getattr(transformers, attribute)
        except Exception:  # a lazy attribute whose backend is missing
            continue
        module = getattr(obj, "__module__", "") or ""
        if not inspect.isclass(obj) or not module.startswith("transformers."):
            continue
        model_type = _model_type_of(module)
        if model_type is None:
            continue
        found.append(
            {
                "name": attribute,
                "type": model_type,
                "module": module,
                "is_hyphenated": "-" in model_type,
                "architecture": get_architecture_type(model_type),
            }
        )
    return found


def _model_type_of(module: str) -> str | None:
    # transformers.models.<type>.modeling_<type>: the package names the type.
    parts = module.split(".")
    if len(parts) < 3:
        return None
    model_type = parts[2]
    if model_type in ("configuration", "modeling") and len(parts) >= 4:
        model_type = parts[3]
    return None if model_type == "auto" else model_type


def find_hyphenated_models() -> list[dict[str, Any]]:
    """Models whose type has a hyphen (they need identifier and class-name fixes).

    The hyphenated types transformers exports, then the original's known ones
    (``gpt-j``, ``gpt-neo``, ``gpt-neox``, ``xlm-roberta``) that were not found.
    """
    found = [m for m in find_models_in_transformers() if m["is_hyphenated"]]
    types = {m["type"] for m in found}
    found.extend(
        {"type": model_type, "name": name, "architecture": category}
        for model_type, name, category in _KNOWN_HYPHENATED
        if model_type not in types
    )
    return found


def generate_registry_entry(
    model_data: Mapping[str, Any], query_default: bool = False
) -> dict[str, Any]:
    """A generator's ``MODEL_REGISTRY`` entry for a model: ``type``, ``name``, ``architecture``.

    Keys: ``family_name``, ``description``, ``default_model``, ``class``,
    ``test_class``, ``module_name``, ``tasks``, ``inputs``, and for text generation
    ``task_specific_args``. ``default_model`` is the recommended default with
    ``query_default``, else the original's ``<type>-base`` placeholder.
    """
    model_type: str = model_data["type"]
    if "-" in model_type:
        family = get_class_name_capitalization(model_type)
    else:
        family = model_type.upper() if model_type == model_type.lower() else model_type
    task = _TASK_BY_CATEGORY.get(model_data["architecture"], "fill-mask")
    if query_default:
        default_model = get_recommended_default_model(model_type)
        _logmod.info(LOGGER_NAME, "Using recommended model for %s: %s", model_type, default_model)
    else:
        default_model = model_type if "-base" in model_type else f"{model_type}-base"
    entry: dict[str, Any] = {
        "family_name": family,
        "description": f"{family} models",
        "default_model": default_model,
        "class": model_data["name"],
        "test_class": "Test" + "".join(p.capitalize() for p in model_type.split("-")) + "Models",
        "module_name": f"test_hf_{to_valid_identifier(model_type)}",
        "tasks": [task],
        "inputs": {"text": f"{model_type} is a {_INPUT_ENDING.get(task, '')}"},
    }
    if task == "text-generation":
        entry["task_specific_args"] = {"text-generation": {"max_length": 50}}
    return entry


def _literal(value: object) -> str:
    import json

    # A JSON string is a valid Python string literal; plain text looks as the original's.
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else repr(value)


def format_registry_entry(model_type: str, entry: Mapping[str, Any]) -> str:
    """``entry`` as Python source for a ``MODEL_REGISTRY`` dict, in the original's layout."""
    lines = [f"    {_literal(model_type)}: {{"]
    for key, value in entry.items():
        if isinstance(value, Mapping):
            lines.append(f"        {_literal(key)}: {{")
            for inner_key, inner in value.items():
                if isinstance(inner, Mapping):
                    lines.append(f"            {_literal(inner_key)}: {{")
                    lines.extend(
                        f"                {_literal(k)}: {_literal(v)}," for k, v in inner.items()
                    )
                    lines.append("            },")
                else:
                    lines.append(f"            {_literal(inner_key)}: {_literal(inner)},")
            lines.append("        },")
        else:
            lines.append(f"        {_literal(key)}: {_literal(value)},")
    lines.append("    },")
    return "\n".join(lines)


def format_class_name_fix(model_name: str, correct_name: str) -> str:
    """One ``CLASS_NAME_FIXES`` line: ``    "GptjForCausalLM": "GPTJForCausalLM",``."""
    return f"    {_literal(model_name)}: {_literal(correct_name)},"


def save_model_registry(registry_data: Any, output_path: str | os.PathLike[str]) -> bool:
    """Write ``registry_data`` to ``output_path`` as JSON, atomically; True when written.

    A failure is logged as an error and gives False, as in the original.
    """
    import logging

    from ._errors import RegistryError
    from ._registry import save_json

    log = logging.getLogger(LOGGER_NAME)
    try:
        save_json(output_path, registry_data)
    except (OSError, TypeError, ValueError, RegistryError) as exc:
        log.error("Error saving model registry: %s", exc)
        return False
    log.info("Saved model registry to %s", output_path)
    return True


def main(argv: Sequence[str] | None = None) -> int:
    """Run the original's command line; 0 unless the command line itself is wrong (2)."""
    from ._legacy_cli import run

    return run(argv)
