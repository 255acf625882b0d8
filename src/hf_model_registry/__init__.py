"""hf-model-registry: the best default Hugging Face Hub model for every architecture.

The synchronous API lives here; the async API is ``hf_model_registry.aio``.
Every type a public function takes or returns is importable from here too.
Importing this package is cheap: the HTTP stack (httpx, anyio, tenacity) is
imported only when a lookup has to go to the network, and the types whose
modules need it (``RefreshReport``, ``Access`` ...) are loaded on first access.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._chain import Answer
from ._errors import (
    EndpointMismatch,
    HubOffline,
    HubResponseError,
    HubUnavailable,
    HubUnusable,
    InvalidEndpoint,
    InvalidInput,
    InvalidModelId,
    InvalidModelType,
    InvalidToken,
    NoAnswerOffline,
    RateLimited,
    RegistryCorrupt,
    RegistryDirectoryMissing,
    RegistryError,
    RegistryLocked,
    RegistryNotWritable,
    RegistryUnreadable,
    TokenRejected,
    UnknownModelType,
)
from ._lookup import HubStep, clear_cache, get_recommended_default_model, lookup
from ._registry import Entry, Registry
from ._version import __version__

if TYPE_CHECKING:
    from ._access import Access, AccessStatus
    from ._candidates import MalformedItem
    from ._refresh import Outcome, RefreshReport, Status
    from ._selection import Judgement, ParamsSource, Policy, Ranking, Tier, Verdict
    from ._settings import HubSettings, RetryPolicy, Tuning
    from ._values import Architecture, Candidate

# Public name -> private module, imported on first access (see the module docstring).
_LAZY = {
    "Access": "_access",
    "AccessStatus": "_access",
    "Architecture": "_values",
    "Candidate": "_values",
    "HubSettings": "_settings",
    "Judgement": "_selection",
    "MalformedItem": "_candidates",
    "Outcome": "_refresh",
    "ParamsSource": "_selection",
    "Policy": "_selection",
    "Ranking": "_selection",
    "RefreshReport": "_refresh",
    "RetryPolicy": "_settings",
    "Status": "_refresh",
    "Tier": "_selection",
    "Tuning": "_settings",
    "Verdict": "_selection",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # once: later accesses are plain attribute reads
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "Access",
    "AccessStatus",
    "Answer",
    "Architecture",
    "Candidate",
    "EndpointMismatch",
    "Entry",
    "HubOffline",
    "HubResponseError",
    "HubSettings",
    "HubStep",
    "HubUnavailable",
    "HubUnusable",
    "InvalidEndpoint",
    "InvalidInput",
    "InvalidModelId",
    "InvalidModelType",
    "InvalidToken",
    "Judgement",
    "MalformedItem",
    "NoAnswerOffline",
    "Outcome",
    "ParamsSource",
    "Policy",
    "Ranking",
    "RateLimited",
    "RefreshReport",
    "Registry",
    "RegistryCorrupt",
    "RegistryDirectoryMissing",
    "RegistryError",
    "RegistryLocked",
    "RegistryNotWritable",
    "RegistryUnreadable",
    "RetryPolicy",
    "Status",
    "Tier",
    "TokenRejected",
    "Tuning",
    "UnknownModelType",
    "Verdict",
    "__version__",
    "clear_cache",
    "get_recommended_default_model",
    "lookup",
]
