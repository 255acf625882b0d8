"""hf-model-registry: the best default Hugging Face Hub model for every architecture.

The synchronous API lives here; the async API is ``hf_model_registry.aio``.
Importing this package is cheap: the HTTP stack (httpx, anyio, tenacity) is
imported only when a lookup has to go to the network.
"""

from __future__ import annotations

from ._errors import (
    HubOffline,
    HubResponseError,
    HubUnavailable,
    InvalidModelId,
    InvalidModelType,
    RateLimited,
    RegistryCorrupt,
    RegistryError,
    UnknownModelType,
)

__version__ = "0.1.0"

__all__ = [
    "HubOffline",
    "HubResponseError",
    "HubUnavailable",
    "InvalidModelId",
    "InvalidModelType",
    "RateLimited",
    "RegistryCorrupt",
    "RegistryError",
    "UnknownModelType",
    "__version__",
]
