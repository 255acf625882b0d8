"""hf-model-registry: the best default Hugging Face Hub model for every architecture.

The synchronous API lives here; the async API is ``hf_model_registry.aio``.
Importing this package is cheap: the HTTP stack (httpx, anyio, tenacity) is
imported only when a lookup has to go to the network.
"""

from __future__ import annotations

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
from ._lookup import clear_cache, get_recommended_default_model, lookup
from ._version import __version__

__all__ = [
    "Answer",
    "EndpointMismatch",
    "HubOffline",
    "HubResponseError",
    "HubUnavailable",
    "HubUnusable",
    "InvalidEndpoint",
    "InvalidInput",
    "InvalidModelId",
    "InvalidModelType",
    "InvalidToken",
    "NoAnswerOffline",
    "RateLimited",
    "RegistryCorrupt",
    "RegistryDirectoryMissing",
    "RegistryError",
    "RegistryLocked",
    "RegistryNotWritable",
    "RegistryUnreadable",
    "TokenRejected",
    "UnknownModelType",
    "__version__",
    "clear_cache",
    "get_recommended_default_model",
    "lookup",
]
