"""Pacing shared by every request of a client, from the Hub's own ``RateLimit`` headers.

The Hub counts requests in fixed windows and reports, on every response,
``RateLimit: "api";r=<remaining>;t=<seconds to reset>``. The pacer turns that
into a budget: it numbers requests as they are sent, and a response to request
``s`` saying ``r`` remain means ``r`` minus the requests sent after ``s`` may
still go out. When the budget is spent, every worker waits for the reset
instead of sending requests the Hub would refuse, so a bulk refresh uses each
request of the quota once and sees at most one 429 per window (when something
else shares the quota).

An optional client-side rate (requests per second) spaces request starts.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

__all__ = ["Pacer", "RateLimitInfo", "parse_ratelimit", "parse_ratelimit_policy"]

_R_RE = re.compile(r"(?:^|;)\s*r\s*=\s*(\d+)")
_T_RE = re.compile(r"(?:^|;)\s*t\s*=\s*(\d+(?:\.\d+)?)")
_Q_RE = re.compile(r"(?:^|;)\s*q\s*=\s*(\d+)")
_W_RE = re.compile(r"(?:^|;)\s*w\s*=\s*(\d+(?:\.\d+)?)")


@dataclass(frozen=True, slots=True)
class RateLimitInfo:
    """What one response says of the quota: remaining requests and seconds to reset."""

    remaining: int
    reset_seconds: float


def parse_ratelimit(value: str | None) -> RateLimitInfo | None:
    """Parse ``"api";r=<remaining>;t=<seconds>``; None when absent or malformed."""
    if not value:
        return None
    r = _R_RE.search(value)
    t = _T_RE.search(value)
    if r is None or t is None:
        return None
    return RateLimitInfo(remaining=int(r.group(1)), reset_seconds=float(t.group(1)))


def parse_ratelimit_policy(value: str | None) -> tuple[int, float] | None:
    """Parse ``"fixed window";"api";q=<quota>;w=<window>`` into (quota, window seconds)."""
    if not value:
        return None
    q = _Q_RE.search(value)
    w = _W_RE.search(value)
    if q is None or w is None:
        return None
    return int(q.group(1)), float(w.group(1))


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        value = headers.get(name.lower())
    return value


class Pacer:
    """Decides when each request may be sent; one per client, shared by all its tasks.

    ``acquire()`` returns a ticket (the request's sequence number) to pass to
    ``observe()`` with the response headers. The clock and sleep are injectable
    so tests run without waiting.
    """

    def __init__(
        self,
        *,
        rate: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        if rate is not None and not (rate > 0 and math.isfinite(rate)):
            raise ValueError("rate must be a positive number of requests per second")
        self._interval = 1.0 / rate if rate else 0.0
        self._clock = clock
        self._sleep = sleep
        self._lock: object | None = None
        self._next_seq = 1
        # Latest knowledge of the server's count: remaining after request ``_known_seq``.
        self._known_seq = 0
        self._known_remaining: int | None = None
        # Earliest upper bound seen for the current window's reset (monotonic time).
        self._reset_at: float | None = None
        self._next_start = 0.0
        self.quota: int | None = None
        self.window: float | None = None
        self.waits = 0
        self.waited_seconds = 0.0

    def budget(self) -> int | None:
        """Requests that may still be sent in this window, or None when unknown."""
        if self._known_remaining is None:
            return None
        sent_since = self._next_seq - 1 - self._known_seq
        return self._known_remaining - sent_since

    async def _pause(self, seconds: float) -> None:
        if seconds <= 0:
            return
        self.waited_seconds += seconds
        if self._sleep is not None:
            await self._sleep(seconds)
        else:
            import anyio

            await anyio.sleep(seconds)

    def _get_lock(self) -> object:
        if self._lock is None:
            import anyio

            self._lock = anyio.Lock()
        return self._lock

    async def acquire(self) -> int:
        """Wait until a request may be sent; return its ticket."""
        import anyio

        lock = self._get_lock()
        assert isinstance(lock, anyio.Lock)
        # One gate: while the quota is spent, the first waiter sleeps until the reset
        # and the rest queue behind it, so the reset is awaited once, not N times.
        async with lock:
            while True:
                budget = self.budget()
                if budget is None or budget > 0:
                    break
                now = self._clock()
                # No reset time known (no header yet): retry soon rather than stall.
                reset_at = self._reset_at if self._reset_at is not None else now + 1.0
                self.waits += 1
                await self._pause(reset_at - now)
                self._start_new_window()
            if self._interval:
                now = self._clock()
                start = max(now, self._next_start)
                self._next_start = start + self._interval
                await self._pause(start - now)
            ticket = self._next_seq
            self._next_seq += 1
            return ticket

    def _start_new_window(self) -> None:
        # Everything sent so far belongs to the old window; responses to it are old news.
        self._known_seq = self._next_seq - 1
        self._known_remaining = self.quota
        self._reset_at = None

    def observe(self, ticket: int, headers: Mapping[str, str], status_code: int) -> None:
        """Learn from the response to request ``ticket`` (its headers and status)."""
        policy = parse_ratelimit_policy(_header(headers, "RateLimit-Policy"))
        if policy is not None:
            self.quota, self.window = policy
        info = parse_ratelimit(_header(headers, "RateLimit"))
        if ticket <= self._known_seq:
            return  # sent before what we already know: it cannot tell us more
        remaining: int | None = None if info is None else info.remaining
        reset_in: float | None = None if info is None else info.reset_seconds
        if status_code == 429:
            remaining = 0
            retry_after = _header(headers, "Retry-After")
            if reset_in is None and retry_after is not None and retry_after.strip().isdigit():
                reset_in = float(retry_after.strip())
        if remaining is None:
            return
        self._known_seq = ticket
        self._known_remaining = remaining
        if reset_in is not None:
            # t is whole seconds rounded up: each response bounds the reset from above,
            # and the smallest bound is the closest to the truth.
            now = self._clock()
            upper = now + reset_in
            # A bound already in the past belongs to a window that rolled over unseen.
            if self._reset_at is None or upper < self._reset_at or self._reset_at <= now:
                self._reset_at = upper
