"""The async API: the same functions as the sync facade, as coroutines.

    from hf_model_registry import aio
    model_id = await aio.get_recommended_default_model("bert")

Works under any anyio backend (asyncio or trio).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Literal

from . import _config, _hub_memory
from ._chain import (
    Answer,
    RegistryCache,
    before_the_hub,
    find_entry,
    last_resort,
)
from ._errors import (
    HubUnavailable,
    HubUnusable,
    RateLimited,
    RegistryError,
    TokenRejected,
)
from ._names import resolve_name
from ._registry import Registry
from ._settings import LOOKUP_RETRY as _LOOKUP_RETRY
from ._settings import HubSettings

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Unpack

    import httpx

    from ._access import Access
    from ._refresh import Outcome, RefreshReport
    from ._selection import Policy, Ranking
    from ._settings import Tuning
    from ._values import Candidate

__all__ = [
    "Answer",
    "HubSettings",
    "check_model_access",
    "explain",
    "get_recommended_default_model",
    "lookup",
    "query_huggingface_api",
    "refresh",
    "refresh_all",
]

_log = logging.getLogger("hf_model_registry")


async def _read(path: str) -> Registry:
    import anyio

    # The sync reader, in a worker thread (under asyncio and trio alike): it is the
    # one that enforces the size cap and refuses what is not a regular file, and it
    # warns once about an unreadable registry.
    return await anyio.to_thread.run_sync(RegistryCache.load, path)


async def lookup(
    model_type: str,
    *,
    registry: str | os.PathLike[str] | None = None,
    settings: HubSettings | None = None,
) -> Answer:
    """The recommended default for ``model_type`` and where it came from.

    The chain: fresh registry entry -> Hub (unless ``USE_STATIC_REGISTRY`` or
    ``HF_HUB_OFFLINE``) -> stale entry -> static default. Raises
    ``InvalidModelType`` for a bad name and ``UnknownModelType`` when nothing knows it.
    ``settings`` (default: ``HubSettings.from_env().for_lookup()``, built only when
    the Hub is asked) says how to ask the Hub.

    A lookup never writes the registry file: a Hub answer is kept in memory for
    this process (for the registry TTL); ``refresh`` is what updates the file.
    """
    name, aliases = resolve_name(model_type)
    path = _config.read_registry_path(registry)
    entry = find_entry(await _read(path), name, aliases)
    answer, fallback = before_the_hub(model_type, name, entry, settings)
    if answer is not None:
        return answer
    try:
        if settings is None:
            settings = await _from_env(lookup=True)
        hub_answer = await _from_hub(name, path, settings)
    except RegistryError as exc:
        if fallback is None:
            # One message saying both: the Hub failed and nothing local exists.
            return last_resort(None, model_type, exc)
        _log.warning("Hub lookup for %s failed (%s); using the local answer", name, exc)
    else:
        if hub_answer is not None:
            _hub_memory.remember_answer(name, settings.endpoint, hub_answer)
            return hub_answer
    # No Hub answer: the listing had nothing, or the Hub is being left alone after it
    # failed a moment ago, which is still "unreachable" for a type nothing local knows.
    reason = None if settings is None else _hub_memory.backing_off_reason(settings.endpoint)
    return last_resort(fallback, model_type, reason)


async def _from_env(
    *,
    endpoint: str | None = None,
    token: str | None = None,
    lookup: bool = False,
    **tuning: Unpack[Tuning],
) -> HubSettings:
    import anyio

    def build() -> HubSettings:
        settings = HubSettings.from_env(endpoint=endpoint, token=token, **tuning)
        return settings.for_lookup() if lookup else settings

    # The token file is read here: off the event loop.
    return await anyio.to_thread.run_sync(build)


async def _settings(
    settings: HubSettings | None,
    endpoint: str | None,
    token: str | None,
    tuning: Tuning,
    *,
    lookup: bool = False,
) -> HubSettings:
    """The caller's settings, or settings from these fields and the environment."""
    if settings is None:
        return await _from_env(endpoint=endpoint, token=token, lookup=lookup, **tuning)
    given = [k for k, v in (("endpoint", endpoint), ("token", token)) if v is not None]
    if given or tuning:
        raise TypeError(
            f"pass settings or {', '.join([*given, *tuning])}, not both "
            "(dataclasses.replace(settings, ...) changes a field)"
        )
    return settings


async def _from_hub(name: str, path: str, settings: HubSettings) -> Answer | None:
    if _hub_memory.backing_off(settings.endpoint):
        return None
    if _hub_memory.recently_had_nothing(name, settings.endpoint):
        return None  # asked a moment ago, and it had nothing
    from ._refresh import refresh as _refresh

    try:
        # Lookups never write the registry; the caller remembers the answer.
        report = await _refresh([name], settings, None, path, write=False)
    except TokenRejected:
        # A refused token is refused on every call too: no use asking again at once.
        _hub_memory.back_off(settings.endpoint)
        raise
    except HubUnavailable as exc:
        retry_after = exc.retry_after if isinstance(exc, HubUnusable) else None
        _hub_memory.back_off(settings.endpoint, retry_after or _hub_memory.BACKOFF_SECONDS)
        raise
    outcome = report.outcomes.get(name)
    if outcome is not None and isinstance(outcome.error, RateLimited):
        # The quota is spent: later lookups in this process answer locally until it resets.
        _hub_memory.back_off(
            settings.endpoint, outcome.error.retry_after or _hub_memory.BACKOFF_SECONDS
        )
    if outcome is None or outcome.entry is None:
        if outcome is not None and outcome.status == "failed":
            _log.warning("Hub lookup for %s failed: %s", name, outcome.reason)
        _hub_memory.remember_nothing(name, settings.endpoint)
        return None
    return Answer(name, outcome.entry["default_model"], "hub", outcome.entry)


async def get_recommended_default_model(
    model_type: str, *, registry: str | os.PathLike[str] | None = None, tiny: bool = False
) -> str:
    """The recommended default model id for ``model_type`` (see ``lookup``).

    With ``tiny=True``, its random-weight test model when one is known, else the default.
    """
    from ._chain import model_for

    return model_for(await lookup(model_type, registry=registry), tiny=tiny)


async def refresh(
    types: Iterable[str],
    *,
    registry: str | os.PathLike[str] | None = None,
    settings: HubSettings | None = None,
    policy: Policy | None = None,
    max_age: float = 0.0,
    transport: httpx.AsyncBaseTransport | None = None,
    write: bool = True,
    on_corrupt: Literal["raise", "move-aside"] = "raise",
    on_outcome: Callable[[Outcome], None] | None = None,
    lock_timeout: float | None = None,
    allow_other_endpoint: bool = False,
    endpoint: str | None = None,
    token: str | None = None,
    **tuning: Unpack[Tuning],
) -> RefreshReport:
    """Refresh the registry entries of ``types`` from the Hub and write the registry once.

    How to ask the Hub: ``settings`` (a ``HubSettings``), or its fields as keywords
    (``endpoint``, ``token``, ``concurrency`` (default 8), ``rate`` (requests/second
    cap), ``connect_timeout`` (default 5 s), ``request_timeout`` (deadline of one
    attempt, default 30 s), ``retry``, ``max_quota_wait``), the rest read from the
    environment as ``HubSettings.from_env`` does. ``registry``: the file to update.
    ``max_age``: seconds; skip entries refreshed more recently. ``policy``: the
    selection policy (default: ``settings.policy()``, gated models only with a
    token). ``transport``: an ``httpx.AsyncBaseTransport``. ``write=False``: fetch
    and report, write nothing. ``on_corrupt="move-aside"``: an unparsable registry
    is moved aside and replaced (default: ``RegistryCorrupt``). ``on_outcome``:
    called with each architecture's ``Outcome``. ``lock_timeout``,
    ``allow_other_endpoint``: see the CLI's ``--force`` and docs/RELIABILITY.md.
    """
    from ._refresh import refresh as _refresh

    hub = await _settings(settings, endpoint, token, tuning)
    return await _refresh(
        types,
        hub,
        policy,
        registry,
        transport=transport,
        max_age=max_age,
        write=write,
        on_corrupt=on_corrupt,
        on_outcome=on_outcome,
        lock_timeout=lock_timeout,
        allow_other_endpoint=allow_other_endpoint,
    )


async def refresh_all(
    *,
    registry: str | os.PathLike[str] | None = None,
    settings: HubSettings | None = None,
    policy: Policy | None = None,
    max_age: float = 0.0,
    transport: httpx.AsyncBaseTransport | None = None,
    write: bool = True,
    on_corrupt: Literal["raise", "move-aside"] = "move-aside",
    on_outcome: Callable[[Outcome], None] | None = None,
    lock_timeout: float | None = None,
    allow_other_endpoint: bool = False,
    endpoint: str | None = None,
    token: str | None = None,
    **tuning: Unpack[Tuning],
) -> RefreshReport:
    """Refresh every architecture of the table, and the registry's own extra types.

    Types a user added that the table does not know are refreshed too (see
    ``refresh`` for the arguments).

    An unreadable registry file is moved aside to ``<name>.corrupt-<timestamp>``
    and a valid one is written in its place (``on_corrupt="raise"`` raises
    ``RegistryCorrupt`` instead).
    """
    import anyio

    from ._refresh import all_names

    hub = await _settings(settings, endpoint, token, tuning)
    return await refresh(
        await anyio.to_thread.run_sync(all_names, registry),
        registry=registry,
        settings=hub,
        policy=policy,
        max_age=max_age,
        transport=transport,
        write=write,
        on_corrupt=on_corrupt,
        on_outcome=on_outcome,
        lock_timeout=lock_timeout,
        allow_other_endpoint=allow_other_endpoint,
    )


async def explain(
    model_type: str,
    *,
    settings: HubSettings | None = None,
    endpoint: str | None = None,
    token: str | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    policy: Policy | None = None,
) -> Ranking:
    """Query the Hub for ``model_type`` and return the full ranking with every reason.

    ``policy`` defaults to ``settings.policy()``; ``settings`` (or ``endpoint`` and
    ``token``) as for ``refresh``.
    """
    from ._hub import HubClient
    from ._refresh import _architecture, fetch_ranking

    name, _ = resolve_name(model_type)
    hub_settings = await _settings(settings, endpoint, token, {})
    async with HubClient(hub_settings, transport=transport) as hub:
        return await fetch_ranking(hub, _architecture(name), policy or hub_settings.policy())


async def query_huggingface_api(
    model_type: str,
    limit: int = 5,
    min_downloads: int = 1000,
    *,
    settings: HubSettings | None = None,
    endpoint: str | None = None,
    token: str | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> list[dict[str, Any]]:
    """The most downloaded models of ``model_type`` (the original's contract).

    Each item: ``id``, ``downloads``, ``likes``, ``tags``, ``pipeline_tag`` and
    ``parameters`` (None when the Hub does not know it). One request.
    """
    from ._hub import HubClient
    from ._refresh import _architecture

    if limit < 1:
        raise ValueError("limit must be at least 1")
    name, _ = resolve_name(model_type)
    arch = _architecture(name)
    hub_settings = await _settings(settings, endpoint, token, {})
    async with HubClient(hub_settings, transport=transport) as hub:
        page = await hub.list_page(arch.hub_type, limit=max(limit, 20))
    found = [c for c in page.candidates if c.downloads >= min_downloads]
    found.sort(key=lambda c: (-c.downloads, c.id))
    return [_summary(c) for c in found[:limit]]


def _summary(candidate: Candidate) -> dict[str, Any]:
    """A listed model as ``query`` (and the legacy ``query_huggingface_api``) return it."""
    return {
        "id": candidate.id,
        "downloads": candidate.downloads,
        "likes": candidate.likes,
        "tags": list(candidate.tags),
        "pipeline_tag": candidate.pipeline_tag,
        "parameters": candidate.parameters,
    }


async def check_model_access(
    model_id: str,
    *,
    settings: HubSettings | None = None,
    endpoint: str | None = None,
    token: str | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Access:
    """Whether ``model_id`` can be downloaded: available, gated, not found, unreachable.

    ``settings`` (default: from the environment, with a lookup's short retries), or
    ``endpoint`` and ``token``.
    """
    from ._access import check_access
    from ._hub import HubClient

    hub_settings = (
        settings
        if settings is not None
        else await _from_env(endpoint=endpoint, token=token, retry=_LOOKUP_RETRY)
    )
    if settings is not None and (endpoint is not None or token is not None):
        raise TypeError("pass settings or endpoint/token, not both")
    hub = HubClient(hub_settings, transport=transport)
    try:
        async with hub:
            return await check_access(hub, model_id)
    except HubUnavailable as exc:  # also HF_HUB_OFFLINE
        from ._access import Access, AccessStatus

        return Access(model_id, AccessStatus.UNREACHABLE, str(exc))
