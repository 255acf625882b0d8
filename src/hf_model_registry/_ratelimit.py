"""Pacing shared by every request of a client, from the Hub's own ``RateLimit`` headers.

The Hub counts requests in fixed windows and reports, on every response,
``RateLimit: "api";r=<remaining>;t=<seconds to reset>``. The pacer turns that
into a budget: the smallest ``r`` reported in the current window minus the
requests still in flight. When the budget is spent, every worker waits for the
reset instead of sending requests the Hub would refuse, so a bulk refresh uses
each request of the quota once and sees at most one 429 per window (when
something else shares the quota).

An optional client-side rate (requests per second) spaces request starts.

Every wait is bounded: ``t`` is rounded, so the wait is ``t + 1`` s (as
huggingface_hub does) to avoid a 429 at the window's edge, but never longer than
the announced policy window (or a ceiling when none is announced), and the sum
of all waits of one pacer can be capped (``max_wait``): a server announcing
resets in a billion seconds, or a quota of zero, cannot hang the caller.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "RESET_MARGIN",
    "Pacer",
    "RateLimitInfo",
    "parse_ratelimit",
    "parse_ratelimit_policy",
    "reset_ceiling",
]

# The Hub rounds t to whole seconds; waiting one more avoids a 429 at the window's edge.
RESET_MARGIN = 1.0
# No wait is longer than the announced window, nor than this when none is announced
# (the Hub's window is 300 s) or when the announced one is absurd.
DEFAULT_RESET_CEILING = 300.0
MAX_RESET_CEILING = 3600.0

# Counts of more than 15 digits are not counts (and int() of thousands of digits
# raises): such a header is malformed. Seconds may be any length: float() takes
# them, and every wait is capped anyway.
_COUNT = r"(\d{1,15})(?!\d)"
_SECONDS = r"(\d+(?:\.\d+)?)"


def _param(value: str, key: str, number: str) -> str | None:
    """The number of parameter ``key`` (``;key=<number>``) of a structured header, or None."""
    match = re.search(rf"(?:^|;)\s*{key}\s*=\s*{number}", value)
    return None if match is None else match.group(1)


@dataclass(frozen=True, slots=True)
class RateLimitInfo:
    """What one response says of the quota: remaining requests and seconds to reset."""

    remaining: int
    reset_seconds: float


def parse_ratelimit(value: str | None) -> RateLimitInfo | None:
    """Parse ``"api";r=<remaining>;t=<seconds>``; None when absent or malformed."""
    r = _param(value or "", "r", _COUNT)
    t = _param(value or "", "t", _SECONDS)
    return None if r is None or t is None else RateLimitInfo(int(r), float(t))


def parse_ratelimit_policy(value: str | None) -> tuple[int, float] | None:
    """Parse ``"fixed window";"api";q=<quota>;w=<window>`` into (quota, window seconds)."""
    q = _param(value or "", "q", _COUNT)
    w = _param(value or "", "w", _SECONDS)
    return None if q is None or w is None else (int(q), float(w))


def reset_ceiling(window: float | None) -> float:
    """The longest wait for a reset: the announced window (bounded), else the default."""
    if window is None or not (window > 0 and math.isfinite(window)):
        return DEFAULT_RESET_CEILING
    return min(window, MAX_RESET_CEILING)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        value = headers.get(name.lower())
    return value


class Pacer:
    """Decides when each request may be sent; one per client, shared by all its tasks.

    ``acquire()`` returns a ticket; pass it to ``observe()`` with the response's
    headers, or to ``forget()`` when no response came. The budget is the
    smallest ``r`` seen in the current window (the server's count only goes
    down within a window, and responses may arrive out of order) minus the
    requests still in flight (they may not have been counted yet). That never
    over-sends and becomes exact as responses come in. The clock and sleep are
    injectable so tests run without waiting.
    """

    def __init__(
        self,
        *,
        rate: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        max_wait: float | None = None,
    ) -> None:
        if rate is not None and not (rate > 0 and math.isfinite(rate)):
            raise ValueError("rate must be a positive number of requests per second")
        self._interval = 1.0 / rate if rate else 0.0
        # The total of every wait of this pacer: an interactive caller (a lookup)
        # would rather fail over to its local answer than wait out a spent quota
        # window (300 s on the Hub), and a budget on each wait alone is no bound:
        # a server announcing 1-second resets forever keeps each one under it.
        self._max_wait = max_wait
        self._clock = clock
        self._sleep = sleep
        self._lock: Any = None
        self._changed: Any = None
        self._next_ticket = 1
        self._in_flight: set[int] = set()
        # The current window: its smallest reported remaining count, and the
        # earliest upper bound on its end (monotonic time).
        self._window_min: int | None = None
        self._window_end: float | None = None
        self._next_start = 0.0
        self.quota: int | None = None
        self.window: float | None = None
        self.waited_seconds = 0.0

    def budget(self) -> int | None:
        """Requests that may still be sent in this window, or None when unknown."""
        if self._window_min is None:
            return None
        return self._window_min - len(self._in_flight)

    async def _pause(self, seconds: float) -> None:
        if seconds <= 0:
            return
        self.waited_seconds += seconds
        if self._sleep is not None:
            await self._sleep(seconds)
        else:
            import anyio

            await anyio.sleep(seconds)

    async def acquire(self) -> int:
        """Wait until a request may be sent; return its ticket."""
        import anyio

        if self._lock is None:
            self._lock = anyio.Lock()
            self._changed = anyio.Event()
        # One gate: while the quota is spent, the first waiter waits and the rest
        # queue behind it, so the reset is awaited once, not once per task.
        async with self._lock:
            while True:
                # Until the first answer the budget is unknown and up to `concurrency`
                # requests go out: the Hub's quotas (500+ per window) dwarf that.
                budget = self.budget()
                if budget is None or budget > 0:
                    break
                if self._in_flight:
                    # Answers still to come may show quota left, or a new window.
                    await self._changed.wait()
                    continue
                now = self._clock()
                # No reset time known (no header yet): look again soon rather than stall.
                end = self._window_end if self._window_end is not None else now + 1.0
                self._check_budget(end - now, "API quota spent; it resets in")
                await self._pause(end - now)
                self._start_window()
            if self._interval:
                now = self._clock()
                start = max(now, self._next_start)
                self._check_budget(start - now, "client-side rate: the next request may start in")
                self._next_start = start + self._interval
                await self._pause(start - now)
            ticket = self._next_ticket
            self._next_ticket += 1
            self._in_flight.add(ticket)
            return ticket

    def _check_budget(self, seconds: float, what: str) -> None:
        if self._max_wait is None or seconds <= 0:
            return
        if self.waited_seconds + seconds > self._max_wait:
            from ._errors import RateLimited

            raise RateLimited(
                f"{what} {seconds:.0f} s, past the budget of {self._max_wait:g} s of waiting "
                f"({self.waited_seconds:.0f} s waited already)",
                retry_after=seconds,
            )

    def _start_window(self) -> None:
        # A quota of 0 is no quota the client can live by: probe with one request
        # and learn the real count from its answer, rather than wait forever.
        self._window_min = self.quota or None
        self._window_end = None

    def _notify(self) -> None:
        if self._changed is not None:
            import anyio

            self._changed.set()
            self._changed = anyio.Event()

    def forget(self, ticket: int) -> None:
        """Request ``ticket`` got no response (transport error, timeout)."""
        self._in_flight.discard(ticket)
        self._notify()

    def observe(self, ticket: int, headers: Mapping[str, str], status_code: int) -> None:
        """Learn from the response to request ``ticket`` (its headers and status)."""
        self._in_flight.discard(ticket)
        try:
            self._learn(headers, status_code)
        finally:
            self._notify()

    def _learn(self, headers: Mapping[str, str], status_code: int) -> None:
        policy = parse_ratelimit_policy(_header(headers, "RateLimit-Policy"))
        if policy is not None:
            self.quota, self.window = policy
        info = parse_ratelimit(_header(headers, "RateLimit"))
        remaining = None if info is None else info.remaining
        reset_in = None if info is None else info.reset_seconds + RESET_MARGIN
        if status_code == 429 and not remaining:
            # A 429 with quota left (r > 0) is a passing refusal that the retry layer
            # waits out; without it, the quota is spent until the reset.
            remaining = 0
            retry_after = _header(headers, "Retry-After")
            if retry_after is not None and retry_after.strip().isdigit():
                # Both say when to come back; the later one is the one that holds.
                reset_in = max(reset_in or 0.0, float(retry_after.strip()))
        if remaining is None:
            return
        if reset_in is not None:
            reset_in = min(reset_in, reset_ceiling(self.window) + RESET_MARGIN)
        now = self._clock()
        end = None if reset_in is None else now + reset_in
        if (
            end is not None
            and self._window_end is not None
            and end > self._window_end + self._gap()
        ):
            # This response was counted in a later window than the one we track.
            self._window_min, self._window_end = remaining, end
            return
        if self._window_min is None or remaining < self._window_min:
            self._window_min = remaining
        # With the margin added to the rounded t, every response bounds the end
        # from above and the smallest bound is the closest to the truth.
        if end is not None and (self._window_end is None or end < self._window_end):
            self._window_end = end

    def _gap(self) -> float:
        # Two end estimates of one window differ by at most the rounding of t (1 s)
        # plus a round trip; windows are far longer than that on the Hub (300 s).
        return max(1.5, (self.window or 0.0) / 2)
