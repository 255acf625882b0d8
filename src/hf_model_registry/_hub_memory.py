"""What lookups in this process remember about Hubs, per endpoint.

Lookups never write the registry file (a CI checkout must stay clean, and the original
tool never wrote from a lookup). This memory is what stops them from sending a request
on every call instead: the answers a Hub gave, the types it had nothing for, and the
Hubs that failed to answer a moment ago. Standard library only (the lookup fast path
imports it); ``forget`` clears it all.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from ._errors import HubUnavailable

if TYPE_CHECKING:
    from ._chain import Answer

__all__ = [
    "BACKOFF_SECONDS",
    "back_off",
    "backing_off",
    "backing_off_reason",
    "forget",
    "recall_answer",
    "recently_had_nothing",
    "remember_answer",
    "remember_nothing",
]

# How long a failed Hub, or a type a Hub had nothing for, is left alone: a legacy loop
# over 500 types must not wait out 500 timeouts, nor send 500 requests for nothing.
BACKOFF_SECONDS = 300.0

# (registry name, endpoint) -> (answer, monotonic time)
_answers: dict[tuple[str, str], tuple[Answer, float]] = {}
# (registry name, endpoint) -> monotonic time the Hub had no answer (no candidates, or
# a failure of that type alone)
_nothing: dict[tuple[str, str], float] = {}
# endpoint -> monotonic time until which lookups leave it alone. Per endpoint: a mirror
# that is down says nothing of another.
_down_until: dict[str, float] = {}


def remember_answer(name: str, endpoint: str, answer: Answer) -> None:
    """Keep a lookup's Hub answer in memory for this process."""
    _answers[(name, endpoint)] = (answer, time.monotonic())


def recall_answer(name: str, endpoint: str, ttl: float) -> Answer | None:
    """The Hub answer a lookup found for ``name`` within ``ttl`` seconds (source ``hub``)."""
    found = _answers.get((name, endpoint))
    if found is None or time.monotonic() - found[1] > ttl:
        return None
    return found[0]


def remember_nothing(name: str, endpoint: str) -> None:
    """Note that the Hub at ``endpoint`` had no answer for ``name`` just now."""
    _nothing[(name, endpoint)] = time.monotonic()


def recently_had_nothing(name: str, endpoint: str) -> bool:
    """Whether the Hub at ``endpoint`` had no answer for ``name`` within the back-off."""
    asked = _nothing.get((name, endpoint))
    return asked is not None and time.monotonic() - asked < BACKOFF_SECONDS


def back_off(endpoint: str, seconds: float = BACKOFF_SECONDS) -> None:
    """Make lookups in this process leave the Hub at ``endpoint`` alone for ``seconds``."""
    _down_until[endpoint] = time.monotonic() + seconds


def backing_off(endpoint: str) -> bool:
    """True while lookups in this process leave the Hub at ``endpoint`` alone."""
    return time.monotonic() < _down_until.get(endpoint, 0.0)


def backing_off_reason(endpoint: str) -> HubUnavailable | None:
    """Why the Hub at ``endpoint`` was not asked, while lookups leave it alone; else None."""
    seconds = _down_until.get(endpoint, 0.0) - time.monotonic()
    if seconds <= 0:
        return None
    return HubUnavailable(
        f"the Hub at {endpoint} failed to answer a lookup moments ago; "
        f"lookups in this process ask it again in {seconds:.0f} s"
    )


def forget() -> None:
    """Forget every answer, every type a Hub had nothing for, and every back-off."""
    _answers.clear()
    _nothing.clear()
    _down_until.clear()
