"""Constants and counters shared by the simulator's fixture, server and CLI."""

from __future__ import annotations

import copy
import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar

logger = logging.getLogger(__name__)

DEFAULT_QUOTA: Final = 10**9
"""Requests per window when no quota is given: effectively unlimited."""

DEFAULT_WINDOW: Final = 300.0
"""The Hub's fixed rate-limit window, in seconds."""

EXPANDABLE_FIELDS: Final = frozenset(
    {
        "downloads",
        "likes",
        "tags",
        "pipeline_tag",
        "library_name",
        "gated",
        "safetensors",
        "config",
        "gguf",
        "lastModified",
        "private",
        "transformersInfo",
    }
)
"""The ``expand[]`` values the listing accepts; any other value is a 400, as on the Hub."""

FAULT_STATUSES: Final = (500, 502, 503, 429)
"""Statuses drawn for injected listing failures (``fail_rate``)."""

SIM_APPROVED_TOKEN: Final = "hf_sim_approved_token"
"""The token the simulator's ``data/sim_overrides.json`` approves for its gated/private repos."""

DEFAULT_HUB_TYPES: Final = (
    "gpt2",
    "t5",
    "gptj",
    "bert",
    "vit",
    "whisper",
    "llama",
    "qwen2",
    "phi3",
    "roberta",
)
"""Hub types of the default fixture: the ones with realistic overrides."""

_PLAIN_BEHAVIORS: Final = frozenset(
    {"not_json", "wrong_shape", "huge", "slow_drip", "redirect", "hang"}
)
_STATUS_BEHAVIOR = re.compile(r"status:(\d{3})(?::([A-Za-z]+))?")
# X-Error-Code the Hub sends with these statuses when a behaviour does not name one.
_DEFAULT_ERROR_CODES: Final = {401: "RepoNotFound", 403: "GatedRepo", 404: "RepoNotFound"}
_MAX_LIMIT: Final = 1000
_DEFAULT_LIMIT: Final = 100
_MAX_HEAD_BYTES: Final = 64 * 1024
_MAX_BODY_BYTES: Final = 1 << 20
_LISTING_CACHE_SIZE: Final = 8192
_JSON: Final = "application/json; charset=utf-8"
_SERVER: Final = "hf-model-registry-simulator"

_T = TypeVar("_T")


# --------------------------------------------------------------------------- stats


@dataclass
class SimulatorStats:
    """Counters of one simulator, reset by ``reset_stats()`` or ``POST /_sim/reset``.

    Only Hub API requests are counted; the ``/_sim/`` control endpoints are not.
    ``listings_by_filter`` counts each distinct ``filter`` value of a listing request
    (``filter=bert&filter=transformers`` adds one to both). ``authorizations_by_host``
    maps each ``Host`` header seen to the ``Authorization`` values sent with it
    (a host seen only anonymously maps to an empty set). ``max_in_flight`` is the most
    API requests being served at once, which shows a client's real concurrency.
    """

    requests: int = 0
    listing_requests: int = 0
    listings_by_filter: Counter[str] = field(default_factory=Counter)
    by_status: Counter[int] = field(default_factory=Counter)
    rate_limited: int = 0
    """Responses with status 429, from the quota or from fault injection."""
    injected_faults: int = 0
    authorizations_by_host: dict[str, set[str]] = field(default_factory=dict)
    connections: int = 0
    open_connections: int = 0
    max_open_connections: int = 0
    in_flight: int = 0
    max_in_flight: int = 0

    def copy(self) -> SimulatorStats:
        """Return an independent snapshot."""
        return copy.deepcopy(self)

    def to_dict(self) -> dict[str, Any]:
        """Return the counters as JSON-ready data (sets become sorted lists)."""
        return {
            "requests": self.requests,
            "listing_requests": self.listing_requests,
            "listings_by_filter": dict(sorted(self.listings_by_filter.items())),
            "by_status": {str(code): n for code, n in sorted(self.by_status.items())},
            "rate_limited": self.rate_limited,
            "injected_faults": self.injected_faults,
            "authorizations_by_host": {
                host: sorted(values) for host, values in sorted(self.authorizations_by_host.items())
            },
            "connections": self.connections,
            "open_connections": self.open_connections,
            "max_open_connections": self.max_open_connections,
            "in_flight": self.in_flight,
            "max_in_flight": self.max_in_flight,
        }
