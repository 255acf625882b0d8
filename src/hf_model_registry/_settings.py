"""How to talk to the Hub, as one frozen value built once at the edges.

``HubSettings.from_env()`` is called by the front ends (the CLI, the legacy
module, a lookup that must go to the network); everything below them takes the
value as it is and reads no environment. In the spirit of httpx's ``Timeout`` and
``Limits``: plain, typed, immutable, cheap to copy with ``dataclasses.replace``.

Only the standard library here (no httpx): a lookup builds settings before it
knows whether it will send anything.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypedDict

from . import _config

if TYPE_CHECKING:
    from typing import Unpack

    from ._selection import Policy

__all__ = [
    "DEFAULT_QUOTA_WAIT",
    "LOOKUP_RETRY",
    "HubSettings",
    "RetryPolicy",
    "Tuning",
    "check_endpoint",
]

# The total a refresh waits for quota resets before failing what is left: six of the
# Hub's 5-minute windows, more than a refresh-all of every architecture needs
# anonymously, and a bound against a server that keeps announcing resets.
DEFAULT_QUOTA_WAIT = 1800.0


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When and how long to retry a failed request.

    Retried: transport errors, timeouts, 408, 429, 500, 502, 503, 504. Waits grow
    exponentially with jitter; a ``Retry-After`` header or the RateLimit reset
    replaces the backoff. ``max_total_wait`` caps the sum of waits between
    attempts (time spent waiting for the quota to reset is not counted).
    """

    max_attempts: int = 5
    connect_attempts: int = 2
    initial_wait: float = 0.5
    max_wait: float = 30.0
    max_total_wait: float = 120.0
    jitter: float = 0.5

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or self.connect_attempts < 1:
            raise ValueError("attempts must be at least 1")
        if min(self.initial_wait, self.max_wait, self.max_total_wait, self.jitter) < 0:
            raise ValueError("waits must not be negative")


# A lookup is interactive: fewer, shorter retries than a bulk refresh.
LOOKUP_RETRY = RetryPolicy(max_attempts=2, connect_attempts=1, max_wait=2.0, max_total_wait=4.0)


def check_endpoint(endpoint: str) -> None:
    """Raise ``InvalidEndpoint`` unless ``endpoint`` is an http(s) root URL a path can follow.

    The one check both command lines and the client use: scheme, host, a port in
    range, no spaces or control characters, no query or fragment. ``endpoint`` may end
    in ``/``; messages quote it as given (front ends pass ``_config.given_endpoint``).
    """
    from urllib.parse import urlsplit  # off the lookup's fast path

    from ._errors import InvalidEndpoint, safe_repr

    try:
        # Trailing slashes are trimmed where the endpoint is used, but the messages
        # quote it as given: "http://" trimmed is "http:", which nobody typed.
        parts = urlsplit(endpoint.rstrip("/"))
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidEndpoint(f"endpoint must be an http(s) URL, not {safe_repr(endpoint)}")
    if any(c.isspace() or not c.isprintable() for c in endpoint):
        raise InvalidEndpoint(f"endpoint has spaces or control characters: {safe_repr(endpoint)}")
    if parts.query or parts.fragment or "?" in endpoint or "#" in endpoint:
        # Paths are appended to the endpoint: a query or fragment would swallow them.
        raise InvalidEndpoint(f"endpoint must not have a query or fragment: {safe_repr(endpoint)}")


class Tuning(TypedDict, total=False):
    """The settings ``HubSettings.from_env`` takes as given (none of them is in the environment)."""

    connect_timeout: float
    request_timeout: float
    retry: RetryPolicy
    rate: float | None
    concurrency: int
    max_quota_wait: float | None


@dataclass(frozen=True, slots=True)
class HubSettings:
    """Where the Hub is, who asks, and how patiently.

    ``endpoint``: the Hub's root URL, no trailing slash (checked when a client
    opens: a lookup answered locally never needs it). ``token``: the resolved
    token, or None (anonymous); never shown by ``repr``. ``offline``: no request
    may be sent (``HF_HUB_OFFLINE``). ``connect_timeout``: seconds to wait for a
    connection. ``request_timeout``: the deadline of one attempt (connect, send,
    read the whole body) and the longest silence between bytes. ``retry``: the
    retry policy. ``rate``: a client-side cap in requests per second (None: only
    the server's RateLimit headers pace). ``concurrency``: requests in flight at
    once (and connections). ``max_quota_wait``: the total time that may be spent
    waiting for quota resets (None: no limit). ``token_source``: where the token was
    found (``HF_TOKEN``, a token file's path ...), for messages about it; never the token.
    """

    endpoint: str = _config.DEFAULT_ENDPOINT
    token: str | None = field(default=None, repr=False)
    offline: bool = False
    connect_timeout: float = 5.0
    request_timeout: float = 30.0
    retry: RetryPolicy = RetryPolicy()
    rate: float | None = None
    concurrency: int = 8
    max_quota_wait: float | None = DEFAULT_QUOTA_WAIT
    token_source: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if not (self.connect_timeout > 0 and self.request_timeout > 0):
            raise ValueError("timeouts must be positive")
        if self.rate is not None and not (self.rate > 0 and math.isfinite(self.rate)):
            raise ValueError("rate must be a positive number of requests per second")
        if self.max_quota_wait is not None and not self.max_quota_wait >= 0:
            raise ValueError("max_quota_wait must not be negative")

    def __repr__(self) -> str:
        # The token is never shown, not even in a debugger or a log of this value.
        shown = ", ".join(
            f"{f.name}={'***' if f.name == 'token' and self.token else getattr(self, f.name)!r}"
            for f in dataclasses.fields(self)
        )
        return f"HubSettings({shown})"

    @classmethod
    def from_env(
        cls,
        *,
        endpoint: str | None = None,
        token: str | None = None,
        offline: bool | None = None,
        **tuning: Unpack[Tuning],
    ) -> HubSettings:
        """Settings from the arguments, then the environment, as the Hub's own client reads it.

        ``endpoint``: argument > ``HF_ENDPOINT`` > https://huggingface.co (an explicit
        empty string stays empty, and is refused when a client opens). ``token``:
        argument > ``HF_TOKEN`` > ``HUGGING_FACE_HUB_TOKEN`` > the token file
        (``HF_TOKEN_PATH``, else ``$HF_HOME/token``); reading the file is blocking
        I/O, so async callers run this in a worker thread. ``offline``: argument >
        ``HF_HUB_OFFLINE``. The rest (``Tuning``) is taken as given.
        """
        found, source = _config.hub_token_and_source(token)
        return cls(
            endpoint=_config.hub_endpoint(endpoint),
            token=found,
            token_source=source,
            offline=_config.env_flag("HF_HUB_OFFLINE") if offline is None else offline,
            **tuning,
        )

    def for_lookup(self) -> HubSettings:
        """These settings with a lookup's patience: it has a local answer to fall back on."""
        return dataclasses.replace(
            self,
            retry=LOOKUP_RETRY,
            connect_timeout=3.0,
            request_timeout=10.0,
            max_quota_wait=LOOKUP_RETRY.max_total_wait,
        )

    @property
    def allow_gated(self) -> bool:
        """Whether a gated model may be a default: only when requests carry a token.

        The one place this is decided; ``policy`` is what callers use.
        """
        return self.token is not None

    def policy(self, *, max_params: int | None = None, min_downloads: int | None = None) -> Policy:
        """The default selection policy for these settings, with optional limits."""
        from ._selection import Policy

        policy = Policy(allow_gated=self.allow_gated)
        if max_params is not None:
            policy = dataclasses.replace(policy, max_params=max_params)
        if min_downloads is not None:
            policy = dataclasses.replace(policy, min_downloads=min_downloads)
        return policy
