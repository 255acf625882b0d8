"""The sync facade: instant answers from the registry, the async core only when needed.

It holds no logic of its own: it answers from memory or the registry file on
the fast path and hands everything else to ``aio.lookup``. The fast path
imports no HTTP or async library.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from . import _config
from ._bridge import run_sync
from ._chain import (
    Answer,
    RegistryCache,
    _warned,
    before_the_hub,
    find_entry,
    forget_hub_answers,
    last_resort,
    model_for,
)
from ._names import resolve_name

if TYPE_CHECKING:
    from ._settings import HubSettings

__all__ = ["HubStep", "clear_cache", "get_recommended_default_model", "lookup"]

# A replacement for the chain's Hub step: registry name -> answer, or None to fall back.
HubStep = Callable[[str], Answer | None]

# How often a memoised answer re-checks the registry file for changes. A stat per
# call would dominate a warm lookup; a second is far below any refresh cadence.
STAT_INTERVAL_SECONDS = 1.0

_CACHE = RegistryCache()
# (model_type, explicit registry, HF_MODEL_REGISTRY, own Hub step, explicit endpoint)
# -> (answer, path, signature, checked_at)
_MEMO: dict[
    tuple[str, str | None, str | None, bool, str | None],
    tuple[Answer, str, tuple[int, int, int] | None, float],
] = {}


def clear_cache() -> None:
    """Forget memoised answers and parsed registries (for tests and long-lived processes)."""
    _MEMO.clear()
    _CACHE.clear()
    _warned.clear()
    forget_hub_answers()


def lookup(
    model_type: str,
    *,
    registry: str | os.PathLike[str] | None = None,
    hub: HubStep | None = None,
    settings: HubSettings | None = None,
) -> Answer:
    """The recommended default for ``model_type`` and where it came from, blocking.

    Safe to call inside a running event loop: the network step then runs in a
    worker thread. See ``aio.lookup`` for the chain. ``hub`` replaces the chain's
    Hub step (the legacy module routes it through its patchable
    ``query_huggingface_api``); with it, only fresh registry answers are memoised,
    so every other call reaches the step again. ``settings`` says how to ask the
    Hub (default: ``HubSettings.from_env().for_lookup()``, built only when needed).
    """
    explicit = None if registry is None else os.fspath(registry)
    key = (
        model_type,
        explicit,
        os.environ.get("HF_MODEL_REGISTRY"),
        hub is not None,
        None if settings is None else settings.endpoint,
    )
    hit = _MEMO.get(key)
    if hit is not None:
        answer, path_text, signature, checked_at = hit
        now = time.monotonic()
        if now - checked_at < STAT_INTERVAL_SECONDS:
            return answer
        # Still the file that applies (a ./huggingface_model_types.json created since
        # takes precedence), and unchanged: the answer stands for another interval.
        if (
            _config.read_registry_path(registry) == path_text
            and RegistryCache.signature(path_text) == signature
        ):
            _MEMO[key] = (answer, path_text, signature, now)
            return answer
        _MEMO.pop(key, None)  # another thread may have dropped it already
    path = _config.read_registry_path(registry)
    answer = _compute(model_type, registry, path, hub, settings)
    if hub is not None and answer.source != "registry":
        return answer
    _MEMO[key] = (
        answer._replace(source="memo"),
        path,
        RegistryCache.signature(path),
        time.monotonic(),
    )
    return answer


def _compute(
    model_type: str,
    registry: str | os.PathLike[str] | None,
    path: str,
    hub: HubStep | None,
    settings: HubSettings | None,
) -> Answer:
    name, aliases = resolve_name(model_type)
    entry = find_entry(_CACHE.get(path), name, aliases)
    answer, fallback = before_the_hub(
        model_type, name, entry, None if settings is None else settings.endpoint
    )
    if answer is not None:
        return answer
    if hub is not None:
        answer = hub(name)
        return answer if answer is not None else last_resort(fallback, model_type)
    # Not fresh: the async core owns the rest of the chain (Hub, stale, static).
    from . import aio
    from ._settings import HubSettings

    if settings is None:
        # Built once here, at the edge, and only now: a fresh answer needs none.
        settings = HubSettings.from_env().for_lookup()
    hub_settings = settings
    return run_sync(lambda: aio.lookup(model_type, registry=registry, settings=hub_settings))


def get_recommended_default_model(
    model_type: str, *, registry: str | os.PathLike[str] | None = None, tiny: bool = False
) -> str:
    """The recommended default model id for ``model_type``, blocking and instant when fresh.

    With ``tiny=True``, the architecture's random-weight test model
    (``hf-internal-testing/tiny-random-*`` and the like) when the registry knows one,
    else the default. Raises ``InvalidModelType`` for a bad name, ``UnknownModelType``
    when no registry entry, Hub answer or static default exists.
    """
    return model_for(lookup(model_type, registry=registry), tiny=tiny)
