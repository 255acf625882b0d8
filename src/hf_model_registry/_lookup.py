"""The sync facade: instant answers from the registry, the async core only when needed.

It holds no logic of its own: it answers from memory or the registry file on
the fast path and hands everything else to ``aio.lookup``. The fast path
imports no HTTP or async library.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from . import _config, _hub_memory
from ._bridge import run_sync
from ._chain import (
    Answer,
    RegistryCache,
    _warned,
    before_the_hub,
    find_entry,
    last_resort,
    model_for,
)
from ._names import resolve_name
from ._registry import entry_age_seconds

if TYPE_CHECKING:
    from ._settings import HubSettings

__all__ = ["HubStep", "clear_cache", "get_recommended_default_model", "lookup"]

# A replacement for the chain's Hub step: registry name -> answer, or None to fall back.
HubStep = Callable[[str], Answer | None]

# How often a memoised answer re-checks the registry file for changes. A stat per
# call would dominate a warm lookup; a second is far below any refresh cadence.
STAT_INTERVAL_SECONDS = 1.0

_CACHE = RegistryCache()
# (model_type, explicit registry, HF_MODEL_REGISTRY, own Hub step, explicit (endpoint, offline))
# -> (answer as shown, answer as the chain gave it, path, signature, checked_at, expires_at,
#     the environment it was found in); times are time.monotonic(). Like the file, the
#     environment is looked at once per STAT_INTERVAL_SECONDS, not on every call.
_MEMO: dict[
    tuple[str, str | None, str | None, bool, tuple[str, bool] | None],
    tuple[Answer, Answer, str, tuple[int, int, int] | None, float, float, tuple[str, ...]],
] = {}

# What else decides the chain's answer: whether the Hub may be asked, which Hub, and
# how long an entry stays fresh. Raw values: any change is a change.
_ENVIRONMENT = ("HF_HUB_OFFLINE", "USE_STATIC_REGISTRY", "HF_ENDPOINT", "HF_MODEL_REGISTRY_TTL")


def _environment() -> tuple[str, ...]:
    return tuple(os.environ.get(name, "") for name in _ENVIRONMENT)


def clear_cache() -> None:
    """Forget memoised answers, parsed registries and what lookups learnt of Hubs (answers,
    types a Hub had nothing for, Hubs left alone after a failure), for tests and
    long-lived processes.
    """
    _MEMO.clear()
    _CACHE.clear()
    _warned.clear()
    _hub_memory.forget()


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
    return _remembered(model_type, registry, hub, settings)[0]


def _remembered(
    model_type: str,
    registry: str | os.PathLike[str] | None,
    hub: HubStep | None,
    settings: HubSettings | None,
) -> tuple[Answer, Answer]:
    """(the answer as ``lookup`` shows it, the answer as the chain gave it).

    From memory the first says ``memo``; the second keeps the chain's source, which
    says what the answer is (a static one has a static test model).
    """
    explicit = None if registry is None else os.fspath(registry)
    key = (
        model_type,
        explicit,
        os.environ.get("HF_MODEL_REGISTRY"),
        hub is not None,
        None if settings is None else (settings.endpoint, settings.offline),
    )
    hit = _MEMO.get(key)
    if hit is not None:
        shown, answer, path_text, signature, checked_at, expires_at, environment = hit
        now = time.monotonic()
        if now - checked_at < STAT_INTERVAL_SECONDS and now < expires_at:
            return shown, answer
        # Still the file that applies (a ./huggingface_model_types.json created since
        # takes precedence), unchanged, in the same environment, and the answer not yet
        # due for a new look (a fresh entry turns stale, a Hub answer ages past the
        # TTL): it stands.
        if (
            now < expires_at
            and environment == _environment()
            and _config.read_registry_path(registry) == path_text
            and RegistryCache.signature(path_text) == signature
        ):
            _MEMO[key] = (shown, answer, path_text, signature, now, expires_at, environment)
            return shown, answer
        _MEMO.pop(key, None)  # another thread may have dropped it already
    path = _config.read_registry_path(registry)
    # Taken before the chain reads them: a file or variable changed while it runs makes
    # the next check see a change, instead of the old answer stored as the new file's.
    signature = RegistryCache.signature(path)
    environment = _environment()
    answer = _compute(model_type, registry, path, hub, settings)
    if hub is not None and answer.source != "registry":
        return answer, answer
    now = time.monotonic()
    _MEMO[key] = (
        answer._replace(source="memo"),
        answer,
        path,
        signature,
        now,
        now + _lifetime(answer),
        environment,
    )
    return answer, answer


def _lifetime(answer: Answer) -> float:
    """Seconds the memo may keep ``answer``: until the chain could answer differently.

    A fresh entry until it turns stale (a pinned one for good), a Hub answer until the
    TTL after it was fetched, a fallback (the Hub failed, had nothing, or is off) for as
    long as lookups leave a Hub alone after that, ``_hub_memory.BACKOFF_SECONDS`` (at most
    the TTL): then the Hub may be back.
    """
    ttl = _config.ttl_seconds()
    if answer.source not in ("registry", "hub"):
        return min(ttl, _hub_memory.BACKOFF_SECONDS)
    entry = answer.entry
    if entry is not None:
        if entry.get("pinned") is True:
            return math.inf
        age = entry_age_seconds(entry, datetime.now(UTC))
        if age is not None:
            return max(0.0, ttl - age)
    return ttl


def _compute(
    model_type: str,
    registry: str | os.PathLike[str] | None,
    path: str,
    hub: HubStep | None,
    settings: HubSettings | None,
) -> Answer:
    name, aliases = resolve_name(model_type)
    entry = find_entry(_CACHE.get(path), name, aliases)
    answer, fallback = before_the_hub(model_type, name, entry, settings)
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
    return model_for(_remembered(model_type, registry, None, None)[1], tiny=tiny)
