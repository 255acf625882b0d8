"""Pacing from the Hub's RateLimit headers (``_ratelimit``): parsing, budget, waits, rate."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable

import anyio
import anyio.lowlevel
import httpx
import pytest

from helpers import FakeClock
from hf_model_registry import RateLimited
from hf_model_registry._ratelimit import (
    Pacer,
    RateLimitInfo,
    parse_ratelimit,
    parse_ratelimit_policy,
)

POLICY_500 = '"fixed window";"api";q=500;w=300'
# Every acquire in these tests must return at once or after fake sleeps only; a real
# second means it is blocked for good (waiting for answers that will never come).
DEADLINE = 1.0


def ratelimit(remaining: int, reset: float) -> dict[str, str]:
    return {"RateLimit": f'"api";r={remaining};t={reset:g}'}


def make_pacer(clock: FakeClock, rate: float | None = None) -> Pacer:
    return Pacer(rate=rate, clock=clock, sleep=clock.sleep)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(start=0.0)


@pytest.fixture
def pacer(clock: FakeClock) -> Pacer:
    """A pacer on ``clock`` with no rate of its own."""
    return make_pacer(clock)


async def acquire(pacer: Pacer) -> int:
    with anyio.fail_after(DEADLINE):
        return await pacer.acquire()


async def acquire_n(pacer: Pacer, n: int) -> list[int]:
    return [await acquire(pacer) for _ in range(n)]


# -- parse_ratelimit ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('"api";r=499;t=120', RateLimitInfo(remaining=499, reset_seconds=120.0)),
        ('"api";r=0;t=12', RateLimitInfo(remaining=0, reset_seconds=12.0)),
        ('"api"; r=7; t=3', RateLimitInfo(remaining=7, reset_seconds=3.0)),
        ('"api" ; r = 7 ; t = 3', RateLimitInfo(remaining=7, reset_seconds=3.0)),
        ('"api";t=3;r=7', RateLimitInfo(remaining=7, reset_seconds=3.0)),
        ('"api";r=1;t=2.5', RateLimitInfo(remaining=1, reset_seconds=2.5)),
        ("r=4;t=9", RateLimitInfo(remaining=4, reset_seconds=9.0)),
    ],
)
def test_parse_ratelimit_reads_remaining_and_reset(value: str, expected: RateLimitInfo) -> None:
    assert parse_ratelimit(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        '"api";r=5',  # no reset
        '"api";t=5',  # no remaining
        "garbage",
        '"api";r=abc;t=5',
        '"api";r=-1;t=5',  # a negative count is not a count
        '"api";xr=5;t=5',  # parameter names are matched whole, not as suffixes
        '"api";r=5;xt=5',
    ],
)
def test_parse_ratelimit_returns_none_for_missing_or_malformed(value: str | None) -> None:
    assert parse_ratelimit(value) is None


# -- parse_ratelimit_policy -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (POLICY_500, (500, 300.0)),
        ('"fixed window"; "api"; q=1000; w=300', (1000, 300.0)),
        ('"fixed window";"api";w=60;q=5', (5, 60.0)),
        ('"fixed window";"api";q = 5 ;w = 2.5', (5, 2.5)),
    ],
)
def test_parse_ratelimit_policy_reads_quota_and_window(
    value: str, expected: tuple[int, float]
) -> None:
    assert parse_ratelimit_policy(value) == expected


@pytest.mark.parametrize(
    "value",
    [None, "", '"fixed window";"api";q=500', '"fixed window";"api";w=300', "nonsense", "q=x;w=1"],
)
def test_parse_ratelimit_policy_returns_none_for_missing_or_malformed(value: str | None) -> None:
    assert parse_ratelimit_policy(value) is None


# -- Pacer: budget accounting ----------------------------------------------------------------
#
# The budget is the smallest ``r`` reported in the current window minus the requests
# still in flight (acquired, neither observed nor forgotten): they may not have been
# counted by the server yet.


@pytest.mark.anyio
async def test_tickets_are_numbered_in_order_and_budget_starts_unknown(pacer: Pacer) -> None:
    assert pacer.budget() is None
    assert await acquire_n(pacer, 3) == [1, 2, 3]
    assert pacer.budget() is None


@pytest.mark.anyio
async def test_budget_is_smallest_remaining_minus_requests_in_flight(pacer: Pacer) -> None:
    await acquire_n(pacer, 4)
    # Request 2's answer: 10 remain. Requests 1, 3 and 4 are still out.
    pacer.observe(2, ratelimit(10, 60), 200)
    assert pacer.budget() == 7
    pacer.observe(3, ratelimit(9, 60), 200)
    assert pacer.budget() == 7  # 9 remain, 1 and 4 still out
    await acquire(pacer)
    assert pacer.budget() == 6


@pytest.mark.anyio
async def test_late_answer_with_a_larger_count_does_not_raise_the_budget(pacer: Pacer) -> None:
    await acquire_n(pacer, 3)
    pacer.observe(3, ratelimit(5, 60), 200)
    assert pacer.budget() == 3
    # Request 1's answer arrives late and claims more remain than request 3's: old news.
    pacer.observe(1, ratelimit(50, 60), 200)
    assert pacer.budget() == 4  # still 5 remaining, now only request 2 out


@pytest.mark.anyio
async def test_answer_from_the_next_window_replaces_the_count(
    clock: FakeClock, pacer: Pacer
) -> None:
    policy = {"RateLimit-Policy": '"fixed window";"api";q=100;w=30'}
    await acquire_n(pacer, 2)
    pacer.observe(1, {**ratelimit(1, 10), **policy}, 200)  # this window ends by 10
    clock.now = 15.0
    pacer.observe(2, {**ratelimit(80, 25), **policy}, 200)  # the next one, ending by 40
    assert pacer.budget() == 80


@pytest.mark.anyio
async def test_forget_releases_a_request_that_got_no_answer(pacer: Pacer) -> None:
    await acquire_n(pacer, 2)
    pacer.observe(1, ratelimit(3, 60), 200)
    assert pacer.budget() == 2
    pacer.forget(2)
    assert pacer.budget() == 3


@pytest.mark.anyio
async def test_answer_without_ratelimit_header_leaves_the_count_unknown(pacer: Pacer) -> None:
    await acquire(pacer)
    pacer.observe(1, {"Content-Type": "application/json"}, 200)
    assert pacer.budget() is None


@pytest.mark.anyio
async def test_headers_are_read_case_insensitively(pacer: Pacer) -> None:
    await acquire(pacer)
    pacer.observe(1, {"ratelimit": '"api";r=9;t=5', "ratelimit-policy": POLICY_500}, 200)
    assert pacer.budget() == 9
    assert (pacer.quota, pacer.window) == (500, 300.0)
    await acquire(pacer)
    pacer.observe(2, httpx.Headers({"RATELIMIT": '"api";r=3;t=5'}), 200)
    assert pacer.budget() == 3


@pytest.mark.anyio
async def test_acquire_does_not_wait_while_budget_remains(clock: FakeClock, pacer: Pacer) -> None:
    await acquire(pacer)
    pacer.observe(1, ratelimit(2, 30), 200)
    await acquire_n(pacer, 2)
    assert clock.sleeps == []
    assert pacer.budget() == 0


# -- Pacer: waiting for answers and for the reset ------------------------------------------------


@pytest.mark.anyio
async def test_spent_budget_waits_for_reset_then_starts_window_with_policy_quota() -> None:
    clock = FakeClock(start=100.0)
    pacer = make_pacer(clock)
    await acquire(pacer)
    pacer.observe(1, {**ratelimit(0, 30), "RateLimit-Policy": POLICY_500}, 200)
    assert pacer.budget() == 0

    ticket = await acquire(pacer)

    assert ticket == 2
    assert clock.sleeps == [31.0]  # t + 1: t is rounded
    assert clock.now == 131.0
    assert pacer.waited_seconds == 31.0
    assert pacer.budget() == 499  # the new window's quota, minus the request just admitted


@pytest.mark.anyio
async def test_new_window_without_known_policy_has_unknown_budget(
    clock: FakeClock, pacer: Pacer
) -> None:
    await acquire(pacer)
    pacer.observe(1, ratelimit(0, 5), 200)
    await acquire(pacer)
    assert clock.sleeps == [6.0]
    assert pacer.budget() is None


@pytest.mark.anyio
async def test_spent_budget_with_requests_in_flight_waits_for_their_answers(
    clock: FakeClock, pacer: Pacer
) -> None:
    await acquire(pacer)
    pacer.observe(1, {**ratelimit(0, 10), "RateLimit-Policy": '"fixed window";"api";q=2;w=10'}, 200)
    await acquire_n(pacer, 2)  # the reset at 10 (+1), then both requests of the new window
    assert clock.now == 11.0
    admitted: list[float] = []

    async def third() -> None:
        await pacer.acquire()
        admitted.append(clock.now)

    with anyio.fail_after(DEADLINE):
        async with anyio.create_task_group() as tg:
            tg.start_soon(third)
            for _ in range(20):
                await anyio.lowlevel.checkpoint()
            assert admitted == []  # nothing may go out while answers are pending
            pacer.observe(2, ratelimit(1, 10), 200)
            for _ in range(20):
                await anyio.lowlevel.checkpoint()
            assert admitted == []  # one remains, but request 3 may take it
            pacer.observe(3, ratelimit(0, 10), 200)
    # Both answers in, the window is spent: the third request waits for its end.
    assert admitted == [22.0]


@pytest.mark.anyio
async def test_forgotten_request_lets_a_waiting_acquire_through(
    clock: FakeClock, pacer: Pacer
) -> None:
    await acquire_n(pacer, 2)
    pacer.observe(1, ratelimit(1, 60), 200)
    assert pacer.budget() == 0
    with anyio.fail_after(DEADLINE):
        async with anyio.create_task_group() as tg:
            tg.start_soon(pacer.acquire)
            await anyio.lowlevel.checkpoint()
            pacer.forget(2)  # request 2 failed without an answer: it was never counted
    assert clock.sleeps == []
    assert pacer.budget() == 0


@pytest.mark.anyio
async def test_wait_uses_the_smallest_reset_bound_seen(clock: FakeClock, pacer: Pacer) -> None:
    await acquire_n(pacer, 2)
    pacer.observe(1, ratelimit(1, 30), 200)  # the window ends by 31 (t + 1)
    clock.now = 5.0
    # A slow answer: t was measured a second earlier, so this bound (32) is looser.
    pacer.observe(2, ratelimit(0, 26), 200)
    await acquire(pacer)
    assert clock.sleeps == [26.0]


@pytest.mark.anyio
async def test_a_tighter_later_reset_bound_replaces_the_earlier_one(
    clock: FakeClock, pacer: Pacer
) -> None:
    await acquire_n(pacer, 2)
    pacer.observe(1, {**ratelimit(1, 30), "RateLimit-Policy": POLICY_500}, 200)  # by 31
    clock.now = 1.0
    pacer.observe(2, ratelimit(0, 20), 200)  # by 22
    await acquire(pacer)
    assert clock.sleeps == [21.0]


@pytest.mark.anyio
async def test_spent_next_window_waits_for_the_next_reset(clock: FakeClock, pacer: Pacer) -> None:
    policy = {"RateLimit-Policy": '"fixed window";"api";q=100;w=30'}
    await acquire_n(pacer, 2)
    pacer.observe(1, {**ratelimit(3, 10), **policy}, 200)  # this window ends by 11
    clock.now = 15.0  # it rolled over unseen; something else spent the next one
    pacer.observe(2, {**ratelimit(0, 25), **policy}, 200)  # ends by 41
    await acquire(pacer)
    assert clock.sleeps == [26.0]


@pytest.mark.parametrize(
    "headers",
    [{}, {"RateLimit": '"api";r=0;t=8'}, {"Retry-After": "8"}],
    ids=["no header", "ratelimit", "retry-after"],
)
@pytest.mark.anyio
async def test_429_without_quota_left_sets_budget_to_zero(
    headers: dict[str, str], clock: FakeClock, pacer: Pacer
) -> None:
    await acquire(pacer)
    pacer.observe(1, {**ratelimit(40, 60), "RateLimit-Policy": POLICY_500}, 200)
    await acquire(pacer)
    pacer.observe(2, headers, 429)
    assert pacer.budget() == 0
    await acquire(pacer)
    assert len(clock.sleeps) == 1  # it waited before sending again


@pytest.mark.parametrize(
    ("headers", "wait"),
    [
        ({"RateLimit": '"api";r=0;t=8'}, 9.0),  # t is rounded: one more second
        ({"Retry-After": "8"}, 8.0),
        ({"Retry-After": " 8 "}, 8.0),
    ],
)
@pytest.mark.anyio
async def test_429_waits_for_the_reset_it_announces(
    headers: dict[str, str], wait: float, clock: FakeClock, pacer: Pacer
) -> None:
    await acquire(pacer)
    pacer.observe(1, headers, 429)
    await acquire(pacer)
    assert clock.sleeps == [wait]


@pytest.mark.anyio
async def test_429_with_quota_left_is_a_passing_refusal(pacer: Pacer) -> None:
    await acquire(pacer)
    pacer.observe(1, ratelimit(40, 8), 429)
    assert pacer.budget() == 40


# -- Pacer: client-side rate -------------------------------------------------------------------


@pytest.mark.anyio
async def test_rate_spaces_request_starts_by_its_interval() -> None:
    clock = FakeClock(start=0.0)
    pacer = make_pacer(clock, rate=4.0)
    starts = []
    for _ in range(4):
        await acquire(pacer)
        starts.append(clock.now)
    assert starts == pytest.approx([0.0, 0.25, 0.5, 0.75])


@pytest.mark.anyio
async def test_rate_does_not_wait_when_the_interval_already_passed() -> None:
    clock = FakeClock(start=0.0)
    pacer = make_pacer(clock, rate=2.0)
    await acquire(pacer)
    clock.now = 10.0
    await acquire(pacer)
    assert clock.sleeps == []


@pytest.mark.anyio
async def test_no_rate_means_no_spacing(clock: FakeClock, pacer: Pacer) -> None:
    await acquire_n(pacer, 5)
    assert clock.sleeps == []


@pytest.mark.parametrize("rate", [0, 0.0, -1.0, math.nan, math.inf, -math.inf])
def test_invalid_rate_raises_value_error(rate: float) -> None:
    with pytest.raises(ValueError, match="rate"):
        Pacer(rate=rate)


# -- Pacer under concurrency ---------------------------------------------------------------------


class FixedWindowServer:
    """A model of the Hub's fixed-window quota on a fake clock.

    Counts each request in the window it arrives in and answers with the Hub's
    headers; a request beyond the quota gets a 429.
    """

    def __init__(self, clock: FakeClock, quota: int, window: int) -> None:
        self.clock = clock
        self.quota = quota
        self.window = window
        self.per_window: Counter[int] = Counter()
        self.statuses: Counter[int] = Counter()

    def receive(self) -> tuple[int, dict[str, str]]:
        now = self.clock()
        index = math.floor(now / self.window)
        self.per_window[index] += 1
        used = self.per_window[index]
        reset = math.ceil((index + 1) * self.window - now)
        status = 200 if used <= self.quota else 429
        self.statuses[status] += 1
        headers = {
            "RateLimit": f'"api";r={max(0, self.quota - used)};t={reset}',
            "RateLimit-Policy": f'"fixed window";"api";q={self.quota};w={self.window}',
        }
        return status, headers


async def _request(pacer: Pacer, server: FixedWindowServer, latency: int) -> None:
    ticket = await pacer.acquire()
    status, headers = server.receive()  # the server counts the request when it is sent
    for _ in range(latency):  # the answer comes back some scheduling rounds later
        await anyio.lowlevel.checkpoint()
    pacer.observe(ticket, headers, status)


@pytest.mark.parametrize(
    "latency",
    [lambda i: 0, lambda i: 1 + i % 3, lambda i: 5, lambda i: 50 if i % 5 == 0 else 0],
    ids=["instant", "mixed", "slow", "stragglers"],
)
@pytest.mark.anyio
async def test_concurrent_tasks_never_exceed_the_quota_of_a_window(
    latency: Callable[[int], int], clock: FakeClock, pacer: Pacer
) -> None:
    """20 tasks share one pacer against quota 5 per window: at most 5 admitted per window."""
    server = FixedWindowServer(clock, quota=5, window=10)
    # The first answer tells the pacer where it stands; before it the budget is unknown.
    await _request(pacer, server, latency=0)

    with anyio.fail_after(5):
        async with anyio.create_task_group() as tg:
            for i in range(20):
                tg.start_soon(_request, pacer, server, latency(i))

    assert sum(server.per_window.values()) == 21
    assert max(server.per_window.values()) <= 5
    assert server.statuses[429] == 0
    assert len(server.per_window) == 5  # 21 requests need ceil(21 / 5) windows, no more
    assert pacer.budget() == 4


@pytest.mark.anyio
async def test_a_lookup_does_not_wait_out_a_spent_quota() -> None:
    """A lookup's pacer has a short max_wait: past it, RateLimited says when to come back."""
    clock = FakeClock(start=0.0)
    pacer = Pacer(clock=clock, sleep=clock.sleep, max_wait=4.0)

    async def spend_then_acquire() -> None:
        ticket = await pacer.acquire()
        pacer.observe(ticket, {"RateLimit": '"api";r=0;t=300'}, 200)
        await pacer.acquire()

    with pytest.raises(RateLimited) as info:
        await spend_then_acquire()
    assert info.value.retry_after == pytest.approx(301.0)  # t + 1: t is rounded
    assert clock.sleeps == []
