"""The local links of the fallback chain, shared by the sync and async front ends.

memo -> fresh registry entry -> (Hub, done by the caller) -> stale entry -> static default.
Standard library only: this is the fast path that legacy code calls in a loop.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal, NamedTuple

from . import _config, _hub_memory, _log
from ._config import env_flag
from ._defaults import is_static_source, static_fallback, static_test_model
from ._errors import (
    HubOffline,
    HubUnavailable,
    NoAnswerOffline,
    RegistryCorrupt,
    RegistryError,
    UnknownModelType,
    safe_repr,
)
from ._registry import Entry, Registry, StrPath, entry_age_seconds, read_registry

if TYPE_CHECKING:
    from ._settings import HubSettings

__all__ = [
    "Answer",
    "RegistryCache",
    "Source",
    "before_the_hub",
    "find_entry",
    "last_resort",
    "local_answer",
    "model_for",
    "tiny_model_of",
    "warn_unreadable",
]

Source = Literal["memo", "registry", "hub", "stale-registry", "static", "documented"]


class Answer(NamedTuple):
    """A recommended default and where it came from.

    A NamedTuple rather than a dataclass: dataclasses imports inspect, ~10 ms of a
    cold lookup.
    """

    model_type: str
    model_id: str
    source: Source
    entry: Entry | None = None


def find_entry(registry: Registry, name: str, aliases: tuple[str, ...] = ()) -> Entry | None:
    """The entry under the registry name, else under one of its aliases (older files)."""
    entry = registry.get(name)
    if entry is not None:
        return entry
    for alias in aliases:
        entry = registry.get(alias)
        if entry is not None:
            return entry
    return None


def _is_fresh(entry: Entry, now: datetime, ttl: float) -> bool:
    if entry.get("pinned") is True:
        return True
    # Static entries were never checked against the Hub: they are a floor, not an answer.
    if is_static_source(entry.get("source")):
        return False
    age = entry_age_seconds(entry, now)
    return age is not None and age <= ttl


def local_answer(
    name: str, entry: Entry | None, now: datetime, ttl: float
) -> tuple[Answer | None, Answer | None]:
    """(fresh answer, fallback answer) from the registry entry and static defaults.

    The fresh answer ends the chain; the fallback is what to return when the Hub
    cannot be asked or fails.
    """
    if entry is not None:
        model_id: str = entry["default_model"]
        if _is_fresh(entry, now, ttl):
            return Answer(name, model_id, "registry", entry), None
        source = entry.get("source")
        stale: Source = source if is_static_source(source) else "stale-registry"
        return None, Answer(name, model_id, stale, entry)
    found = static_fallback(name)
    if found is not None:
        return None, Answer(name, found[0], found[1])
    return None, None


def before_the_hub(
    model_type: str, name: str, entry: Entry | None, settings: HubSettings | None
) -> tuple[Answer | None, Answer | None]:
    """The chain up to the Hub: (the answer when the Hub need not be asked, the fallback).

    A fresh entry, offline's last resort, or a Hub answer this process remembers from
    the endpoint ends the chain; otherwise the caller asks the Hub and falls back to the
    second item. ``settings`` says whether the Hub is off and where it is; without them
    (the fast path builds none), the environment does, as ``HubSettings.from_env`` would.
    """
    ttl = _config.ttl_seconds()
    fresh, fallback = local_answer(name, entry, datetime.now(UTC), ttl)
    if fresh is not None:
        return fresh, None
    offline = env_flag("HF_HUB_OFFLINE") if settings is None else settings.offline
    static_mode = env_flag("USE_STATIC_REGISTRY")
    if offline or static_mode:
        # USE_STATIC_REGISTRY is a choice to answer locally, so a type nothing local
        # knows is "not found" there, not "offline".
        reason = HubOffline("offline (HF_HUB_OFFLINE is set)") if not static_mode else None
        return last_resort(fallback, model_type, reason), None
    endpoint = _config.hub_endpoint() if settings is None else settings.endpoint
    return _hub_memory.recall_answer(name, endpoint, ttl), fallback


def last_resort(
    fallback: Answer | None, model_type: object, hub_error: RegistryError | None = None
) -> Answer:
    """The fallback answer, else one error that says why the Hub did not answer either.

    ``hub_error`` is why the Hub was not asked or failed: when it is unreachable or
    offline the error is ``NoAnswerOffline`` (an ``UnknownModelType`` that is also a
    ``HubUnavailable``: the command line exits 3), else ``UnknownModelType``.
    """
    if fallback is not None:
        return fallback
    nothing = f"no registry entry or static default for model type {safe_repr(model_type)}"
    if isinstance(hub_error, HubUnavailable):
        raise NoAnswerOffline(f"{hub_error}, and there is {nothing}")
    if hub_error is not None:
        raise UnknownModelType(f"{nothing}, and the Hub lookup failed: {hub_error}")
    raise UnknownModelType(
        f"no registry entry, Hub result or static default for model type {safe_repr(model_type)}"
    )


def tiny_model_of(answer: Answer) -> str | None:
    """The answer's random-weight test model, or None when none is known.

    The entry's ``test_model``; an offline answer (``static`` or ``documented``) without
    one, from no entry or a file built before static test models, takes its
    ``_defaults.STATIC_TEST_MODELS`` one. A Hub answer never does: its entry says what the
    Hub listed, and a listing without a fixture is an answer too.
    """
    test_model = None if answer.entry is None else answer.entry.get("test_model")
    if isinstance(test_model, str):
        return test_model
    if is_static_source(answer.source):
        return static_test_model(answer.model_type)
    return None


def model_for(answer: Answer, *, tiny: bool) -> str:
    """The answer's model id, or with ``tiny`` its random-weight test model.

    Without a test model (``tiny_model_of`` is None) the default stands, with a warning
    in the log, so a caller asking for a tiny model still gets a loadable one and knows
    it is not tiny.
    """
    if not tiny:
        return answer.model_id
    test_model = tiny_model_of(answer)
    if test_model is not None:
        return test_model
    _log.warning(
        "hf_model_registry",
        "no test model known for %s (a refresh from the Hub records one); using the default %s",
        answer.model_type,
        answer.model_id,
    )
    return answer.model_id


_warned: set[tuple[str, tuple[int, int, int] | None]] = set()


def warn_unreadable(path: StrPath, exc: RegistryCorrupt) -> None:
    """Warn that the registry is unreadable: once per process and version of the file."""
    key = (str(path), RegistryCache.signature(path))
    if key in _warned:
        return
    _warned.add(key)
    _log.warning(
        "hf_model_registry", "ignoring unreadable registry (%s); using static defaults", exc
    )


class RegistryCache:
    """The parsed registry per path, re-read only when the file's mtime or size changes.

    An unreadable file warns once (per change of the file) and reads as empty, so
    lookups keep answering from static defaults.
    """

    def __init__(self) -> None:
        self._cache: dict[str, tuple[tuple[int, int, int] | None, Registry]] = {}

    @staticmethod
    def signature(path: StrPath) -> tuple[int, int, int] | None:
        """The file's identity for change detection, or None when it cannot be stat'ed."""
        try:
            st = os.stat(path)
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def get(self, path: StrPath) -> Registry:
        """The registry at ``path``, from memory when the file has not changed."""
        key = str(path)
        signature = self.signature(path)
        cached = self._cache.get(key)
        if cached is not None and cached[0] == signature:
            return cached[1]
        registry = self.load(path)
        self._cache[key] = (signature, registry)
        return registry

    @staticmethod
    def load(path: StrPath) -> Registry:
        """Read the registry, degrading a corrupt file to empty with one warning."""
        try:
            return read_registry(path)
        except RegistryCorrupt as exc:
            warn_unreadable(path, exc)
            return {}

    def clear(self) -> None:
        """Forget every cached registry."""
        self._cache.clear()
