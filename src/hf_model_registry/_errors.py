"""The one exception tree of the package.

Every failure a caller can see is a ``RegistryError``; httpx exceptions are
translated into these at one boundary (``_hub``), so callers never need to
import httpx to handle errors.
"""

from __future__ import annotations

__all__ = [
    "EndpointMismatch",
    "HubOffline",
    "HubResponseError",
    "HubUnavailable",
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
    "RegistryNotWritable",
    "RegistryUnreadable",
    "UnknownModelType",
]


def safe_repr(value: object, limit: int = 80) -> str:
    """Show an untrusted value in a message: escaped, quoted and truncated."""
    text = repr(value)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text


class RegistryError(Exception):
    """Base class of every error raised by hf-model-registry."""


class InvalidInput(RegistryError, ValueError):
    """Something the caller gave is unusable (a name, an id, an endpoint, a token)."""


class InvalidModelType(InvalidInput):
    """A model-type name is not a valid registry key."""


class InvalidModelId(InvalidInput):
    """A model id is not of the Hub's ``org/name`` shape."""


class InvalidEndpoint(InvalidInput):
    """The Hub endpoint is not an http(s) URL."""


class InvalidToken(InvalidInput):
    """The Hub token cannot be sent (not printable ASCII); the message never shows it."""


class UnknownModelType(RegistryError, LookupError):
    """No registry entry, Hub answer or static default exists for a model type."""


class RegistryCorrupt(RegistryError):
    """The registry file cannot be read, parsed or validated."""


class RegistryUnreadable(RegistryCorrupt):
    """The registry path cannot be read at all (a directory, no permission, I/O error).

    Unlike garbage in a readable file, this is never moved aside and replaced.
    """


class RegistryNotWritable(RegistryError):
    """The registry cannot be written (read-only file or directory, lock not usable).

    Raised before a refresh sends its first request, so no quota is spent on
    answers that could not be saved.
    """


class RegistryDirectoryMissing(InvalidInput):
    """The registry's directory does not exist; it is never created implicitly."""


class EndpointMismatch(InvalidInput):
    """Writing would mix entries from different Hub endpoints in one registry."""


class HubUnavailable(RegistryError):
    """The Hub could not be reached (connection refused, DNS, timeouts)."""


class HubOffline(HubUnavailable):
    """Network access is disabled (``HF_HUB_OFFLINE=1`` or ``USE_STATIC_REGISTRY``)."""


class HubResponseError(RegistryError):
    """The Hub answered, but with an error status or a body we cannot use."""

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


class NoAnswerOffline(UnknownModelType, HubUnavailable):
    """Nothing local knows the model type, and the Hub is unreachable or offline.

    Both an ``UnknownModelType`` (there is no answer) and a ``HubUnavailable``
    (asking again with the Hub back may give one; the command line exits 3).
    """


class RateLimited(HubResponseError):
    """The Hub refused a request for exceeding the rate limit, after retries."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message, status_code=429)
        self.retry_after = retry_after
