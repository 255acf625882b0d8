"""The one exception tree of the package.

Every failure a caller can see is a ``RegistryError``; httpx exceptions are
translated into these at one boundary (``_hub``), so callers never need to
import httpx to handle errors. The tree (all importable from ``hf_model_registry``;
``MalformedItem`` is defined in ``_candidates``)::

    RegistryError
    +-- HubResponseError                the Hub answered, unusably
        +-- MalformedItem               one listing item is malformed
        +-- RateLimited                 429 after retries or the quota-wait budget
    +-- HubUnavailable                  the Hub cannot be reached
        +-- HubOffline                  HF_HUB_OFFLINE: nothing may be sent
        +-- HubUnusable                 it answered, but failed every first request
    +-- InvalidInput (also ValueError)  the caller's mistake: exit 2 on the command line
        +-- EndpointMismatch
        +-- InvalidEndpoint
        +-- InvalidModelId
        +-- InvalidModelType
        +-- InvalidToken
            +-- TokenRejected           the Hub refused the token (401)
        +-- RegistryDirectoryMissing
    +-- RegistryCorrupt                 the registry file cannot be parsed or validated
        +-- RegistryUnreadable          ... or not even read
    +-- RegistryLocked
    +-- RegistryNotWritable
    +-- UnknownModelType (also LookupError)
        +-- NoAnswerOffline (also HubUnavailable)
"""

from __future__ import annotations

import re

__all__ = [
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
    "printable",
    "safe_repr",
]


# C0 and C1 controls, DEL, and the bidirectional overrides and isolates: what lets
# text move the cursor, clear the screen, set a window title or reorder a line.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with control characters escaped (``\\x1b``), safe to show on a terminal.

    For text from the Hub or a file (an ``X-Error-Code``, a tag) on its way to a
    terminal or a log: ``ESC ] 0 ; ... BEL`` would set the window title.
    """
    return _UNPRINTABLE.sub(_escape, text)


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
    """The Hub token is unusable; the message never shows it.

    Raised as is when the token cannot be sent (not printable ASCII), and as
    ``TokenRejected`` when the Hub refuses it.
    """


class TokenRejected(InvalidToken):
    """The Hub answered 401 "Invalid credentials": the token is invalid or expired.

    The Hub refuses every request that carries such a token, so nothing is retried
    and nothing can be answered until the token is fixed or unset.
    """


class UnknownModelType(RegistryError, LookupError):
    """No registry entry, Hub answer or static default exists for a model type."""


class RegistryCorrupt(RegistryError):
    """The registry file cannot be read, parsed or validated."""


class RegistryLocked(RegistryError):
    """Another process held the registry's lock longer than this caller would wait."""


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


class HubUnusable(HubUnavailable):
    """The Hub answered, but failed every first request of a run (errors, 429s, a wrong path).

    The run stopped early instead of retrying hundreds of architectures against it;
    ``status_code`` and ``retry_after`` are those of the first failure.
    """

    def __init__(
        self, message: str, *, status_code: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.retry_after = retry_after


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
