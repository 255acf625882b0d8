"""The async Hub client (``_hub``): retries, waits, pagination, token safety, request shape.

No network: every test talks to an ``httpx.MockTransport`` and sleeps on a fake clock
that records each wait, so nothing actually waits.
"""

from __future__ import annotations

import contextlib
import email.utils
import json
import logging
import traceback
from collections.abc import AsyncIterator, Callable
from contextlib import aclosing
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio
import anyio.lowlevel
import httpx
import pytest

import helpers
from hf_model_registry._candidates import MalformedItem, parse_item
from hf_model_registry._errors import (
    HubOffline,
    HubResponseError,
    HubUnavailable,
    InvalidInput,
    InvalidToken,
    RateLimited,
    RegistryError,
    TokenRejected,
)
from hf_model_registry._hub import (
    BODY_RETRIES,
    DEFAULT_MAX_BODY_BYTES,
    LISTING_FIELDS,
    HubClient,
    ListingPage,
    RetryPolicy,
    parse_retry_after,
)
from hf_model_registry._ratelimit import Pacer
from hf_model_registry._settings import HubSettings

ENDPOINT = "https://hub.test"
TOKEN = "hf_TESTtokenZq8Xv3Lw9Kp2"
ITEM = {"id": "org/model-base", "downloads": 10, "tags": ["transformers"]}

Step = Callable[[httpx.Request], httpx.Response] | type[Exception]


class FakeClock(helpers.FakeClock):
    """The shared fake clock, with the client's retry waits and the pacer's kept apart."""

    def __init__(self) -> None:
        super().__init__(start=1000.0)
        self.retry_sleeps: list[float] = []
        self.pacer_sleeps: list[float] = []

    async def retry_sleep(self, seconds: float) -> None:
        self.retry_sleeps.append(seconds)
        await self.sleep(seconds)

    async def pacer_sleep(self, seconds: float) -> None:
        self.pacer_sleeps.append(seconds)
        await self.sleep(seconds)


class Script:
    """A mock Hub that plays its steps in order (the last one repeats) and records requests."""

    def __init__(self, *steps: Step, clock: FakeClock | None = None) -> None:
        self.steps = steps
        self.clock = clock
        self.requests: list[httpx.Request] = []
        self.times: list[float] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.clock is not None:
            self.times.append(self.clock.now)
        step = self.steps[min(len(self.requests), len(self.steps)) - 1]
        if isinstance(step, type):
            raise step("simulated failure", request=request)
        return step(request)


def reply(
    status: int = 200,
    *,
    body: Any = None,
    content: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Callable[[httpx.Request], httpx.Response]:
    """A step answering with a fresh response each time (a Response must not be reused)."""

    def build(request: httpx.Request) -> httpx.Response:
        if content is not None:
            return httpx.Response(status, content=content, headers=headers)
        return httpx.Response(status, json=[] if body is None else body, headers=headers)

    return build


def make_hub(
    script: Script,
    clock: FakeClock,
    *,
    retry: RetryPolicy | None = None,
    endpoint: str = ENDPOINT,
    token: str | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
) -> HubClient:
    settings = HubSettings(
        endpoint=endpoint,
        token=token,
        retry=retry or RetryPolicy(max_attempts=4, connect_attempts=2),
    )
    hub = HubClient(
        settings,
        transport=httpx.MockTransport(script),
        max_body_bytes=max_body_bytes,
        sleep=clock.retry_sleep,
    )
    # The same pacer, on the fake clock, so quota waits are recorded and take no time.
    hub.pacer = Pacer(clock=clock, sleep=clock.pacer_sleep)
    return hub


async def get_until_it_gives_up(script: Script, clock: FakeClock, retry: RetryPolicy) -> None:
    """GET /api/models from ``script`` until the client gives up with a HubResponseError."""
    async with make_hub(script, clock, retry=retry) as hub:
        with pytest.raises(HubResponseError):
            await hub.get("/api/models")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


# -- retry rules ---------------------------------------------------------------------------


@pytest.mark.parametrize("error", [httpx.ReadError, httpx.ReadTimeout, httpx.WriteError])
@pytest.mark.anyio
async def test_transport_errors_are_retried_up_to_max_attempts_then_hub_unavailable(
    clock: FakeClock, error: type[Exception]
) -> None:
    script = Script(error)
    async with make_hub(script, clock, retry=RetryPolicy(max_attempts=4)) as hub:
        with pytest.raises(HubUnavailable, match=error.__name__):
            await hub.get("/api/models")
    assert len(script.requests) == 4
    assert len(clock.retry_sleeps) == 3
    assert hub.stats.retries == 3


@pytest.mark.anyio
async def test_a_protocol_error_is_retried_then_reported_as_a_bad_answer_not_unreachable(
    clock: FakeClock,
) -> None:
    """Something answered, but not in HTTP: a broken server, not a missing one."""
    script = Script(httpx.RemoteProtocolError)
    async with make_hub(script, clock, retry=RetryPolicy(max_attempts=3)) as hub:
        with pytest.raises(HubResponseError, match="not HTTP") as info:
            await hub.get("/api/models")
    assert not isinstance(info.value, HubUnavailable)
    assert len(script.requests) == 3


@pytest.mark.parametrize(
    ("max_attempts", "connect_attempts", "sent"),
    [(5, 2, 2), (1, 3, 1)],
    ids=["gives-up-after-connect-attempts", "never-more-than-max-attempts"],
)
@pytest.mark.anyio
async def test_a_connect_error_is_tried_the_smaller_of_the_two_budgets(
    clock: FakeClock, max_attempts: int, connect_attempts: int, sent: int
) -> None:
    script = Script(httpx.ConnectError)
    retry = RetryPolicy(max_attempts=max_attempts, connect_attempts=connect_attempts)
    async with make_hub(script, clock, retry=retry) as hub:
        with pytest.raises(HubUnavailable, match="cannot connect"):
            await hub.get("/api/models")
    assert len(script.requests) == sent
    assert len(clock.retry_sleeps) == sent - 1  # a wait between tries, none after the last


@pytest.mark.anyio
async def test_attempt_deadline_ends_a_stalled_response_and_is_retried(clock: FakeClock) -> None:
    requests: list[httpx.Request] = []

    async def stall(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        await anyio.sleep_forever()
        raise AssertionError("unreachable")

    hub = HubClient(
        HubSettings(endpoint=ENDPOINT, retry=RetryPolicy(max_attempts=2), request_timeout=0.05),
        transport=httpx.MockTransport(stall),
        sleep=clock.retry_sleep,
    )
    async with hub:
        with pytest.raises(HubUnavailable, match=r"no complete response within 0\.05 s"):
            await hub.get("/api/models")
    assert len(requests) == 2
    assert len(clock.retry_sleeps) == 1


@pytest.mark.anyio
async def test_attempt_deadline_covers_reading_the_body(clock: FakeClock) -> None:
    calls = 0

    async def trickle() -> AsyncIterator[bytes]:
        yield b"["
        await anyio.sleep_forever()

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(200, content=trickle())

    hub = HubClient(
        HubSettings(endpoint=ENDPOINT, retry=RetryPolicy(max_attempts=2), request_timeout=0.05),
        transport=httpx.MockTransport(handler),
        sleep=clock.retry_sleep,
    )
    async with hub:
        with pytest.raises(HubUnavailable, match="no complete response"):
            await hub.get("/api/models")
    assert calls == 2


@pytest.mark.parametrize("status", [408, 500, 502, 503, 504])
@pytest.mark.anyio
async def test_retryable_status_is_retried_then_raises_hub_response_error(
    clock: FakeClock, status: int
) -> None:
    script = Script(reply(status))
    async with make_hub(script, clock, retry=RetryPolicy(max_attempts=3)) as hub:
        with pytest.raises(HubResponseError) as info:
            await hub.get("/api/models")
    assert not isinstance(info.value, RateLimited)
    assert info.value.status_code == status
    assert len(script.requests) == 3
    assert hub.stats.statuses[status] == 3


@pytest.mark.anyio
async def test_429_is_retried_then_raises_rate_limited(clock: FakeClock) -> None:
    script = Script(reply(429, headers={"Retry-After": "2"}))
    async with make_hub(script, clock, retry=RetryPolicy(max_attempts=3)) as hub:
        with pytest.raises(RateLimited) as info:
            await hub.get("/api/models")
    assert info.value.status_code == 429
    assert info.value.retry_after == 2.0
    assert len(script.requests) == 3
    assert hub.stats.rate_limited == 3


@pytest.mark.parametrize("status", [400, 401, 403, 404])
@pytest.mark.anyio
async def test_client_error_status_is_not_retried(clock: FakeClock, status: int) -> None:
    script = Script(reply(status, body={"error": "no"}))
    async with make_hub(script, clock) as hub:
        response = await hub.get("/api/models/org/name")
    assert response.status_code == status
    assert len(script.requests) == 1
    assert clock.retry_sleeps == []
    assert hub.stats.retries == 0


@pytest.mark.parametrize("status", [400, 401, 403, 404])
@pytest.mark.anyio
async def test_listing_client_error_raises_after_exactly_one_request(
    clock: FakeClock, status: int
) -> None:
    script = Script(reply(status, body={"error": "Invalid expand"}))
    async with make_hub(script, clock) as hub:
        with pytest.raises(HubResponseError) as info:
            await hub.list_page("bert")
    assert info.value.status_code == status
    assert len(script.requests) == 1


@pytest.mark.anyio
async def test_success_after_failures_returns_the_body(clock: FakeClock) -> None:
    script = Script(reply(503), httpx.ReadError, reply(502), reply(200, body=[ITEM]))
    async with make_hub(script, clock, retry=RetryPolicy(max_attempts=4)) as hub:
        response = await hub.get("/api/models")
    assert json.loads(response.body) == [ITEM]
    assert len(script.requests) == 4
    assert hub.stats.retries == 3
    assert hub.stats.requests == 4


@pytest.mark.anyio
async def test_max_total_wait_stops_retrying_before_max_attempts(clock: FakeClock) -> None:
    script = Script(reply(503))
    retry = RetryPolicy(max_attempts=10, initial_wait=1.0, jitter=0.0, max_total_wait=2.5)
    await get_until_it_gives_up(script, clock, retry)
    assert clock.retry_sleeps  # it did retry...
    assert sum(clock.retry_sleeps) <= 2.5  # ...within the budget...
    assert len(script.requests) < 10  # ...and stopped before max_attempts
    assert len(script.requests) == len(clock.retry_sleeps) + 1


# -- Retry-After and the RateLimit reset -----------------------------------------------------


@pytest.mark.anyio
async def test_retry_after_delta_seconds_replaces_the_backoff(clock: FakeClock) -> None:
    script = Script(reply(503, headers={"Retry-After": "7"}), reply(200))
    async with make_hub(script, clock) as hub:
        await hub.get("/api/models")
    assert clock.retry_sleeps == [7.0]


@pytest.mark.anyio
async def test_retry_after_http_date_waits_until_that_moment(clock: FakeClock) -> None:
    moment = datetime.now(UTC) + timedelta(seconds=20)
    header = email.utils.format_datetime(moment, usegmt=True)
    script = Script(reply(503, headers={"Retry-After": header}), reply(200))
    async with make_hub(script, clock) as hub:
        await hub.get("/api/models")
    [wait] = clock.retry_sleeps
    assert 17.0 <= wait <= 20.0  # the header has whole seconds; the test takes some time


@pytest.mark.anyio
async def test_retry_after_http_date_in_the_past_retries_at_once(clock: FakeClock) -> None:
    header = email.utils.format_datetime(datetime.now(UTC) - timedelta(hours=1), usegmt=True)
    script = Script(reply(503, headers={"Retry-After": header}), reply(200))
    async with make_hub(script, clock) as hub:
        await hub.get("/api/models")
    assert clock.retry_sleeps == [0.0]


@pytest.mark.parametrize("garbage", ["soon", "-", "12 seconds", "nan", "Thu, 99 Foo 2026"])
@pytest.mark.anyio
async def test_garbage_retry_after_falls_back_to_exponential_backoff(
    clock: FakeClock, garbage: str
) -> None:
    script = Script(reply(503, headers={"Retry-After": garbage}), reply(200))
    retry = RetryPolicy(initial_wait=0.5, jitter=0.25)
    async with make_hub(script, clock, retry=retry) as hub:
        await hub.get("/api/models")
    [wait] = clock.retry_sleeps
    assert 0.5 <= wait <= 0.75


@pytest.mark.anyio
async def test_retry_after_is_capped_by_max_wait(clock: FakeClock) -> None:
    script = Script(reply(503, headers={"Retry-After": "3600"}), reply(200))
    async with make_hub(script, clock, retry=RetryPolicy(max_wait=10.0)) as hub:
        await hub.get("/api/models")
    assert clock.retry_sleeps == [10.0]


@pytest.mark.anyio
async def test_ratelimit_reset_is_the_wait_for_429_without_retry_after(clock: FakeClock) -> None:
    script = Script(reply(429, headers={"RateLimit": '"api";r=0;t=12'}), reply(200))
    async with make_hub(script, clock) as hub:
        await hub.get("/api/models")
    assert clock.retry_sleeps == [13.0]  # t is rounded: one more second


@pytest.mark.anyio
async def test_retry_after_wins_over_ratelimit_reset_for_429(clock: FakeClock) -> None:
    headers = {"Retry-After": "3", "RateLimit": '"api";r=0;t=12'}
    script = Script(reply(429, headers=headers), reply(200))
    async with make_hub(script, clock) as hub:
        await hub.get("/api/models")
    assert clock.retry_sleeps == [3.0]


@pytest.mark.anyio
async def test_ratelimit_reset_is_not_a_retry_wait_for_5xx(clock: FakeClock) -> None:
    script = Script(reply(503, headers={"RateLimit": '"api";r=100;t=250'}), reply(200))
    retry = RetryPolicy(initial_wait=0.5, jitter=0.0)
    async with make_hub(script, clock, retry=retry) as hub:
        await hub.get("/api/models")
    assert clock.retry_sleeps == [0.5]


@pytest.mark.anyio
async def test_after_429_the_retry_waits_for_the_quota_reset_beyond_max_wait() -> None:
    """max_wait caps the retry backoff, not the wait for the quota to come back."""
    clock = FakeClock()
    script = Script(reply(429, headers={"RateLimit": '"api";r=0;t=12'}), reply(200), clock=clock)
    async with make_hub(script, clock, retry=RetryPolicy(max_wait=5.0)) as hub:
        await hub.get("/api/models")
    assert clock.retry_sleeps == [5.0]
    assert clock.pacer_sleeps == [8.0]
    first, second = script.times
    assert second - first == 13.0


@pytest.mark.anyio
async def test_spent_quota_delays_the_next_request_until_reset(clock: FakeClock) -> None:
    script = Script(reply(200, headers={"RateLimit": '"api";r=0;t=30'}), clock=clock)
    async with make_hub(script, clock) as hub:
        await hub.get("/api/models")
        await hub.get("/api/models")
    assert clock.pacer_sleeps == [31.0]  # t + 1
    assert script.times[1] - script.times[0] == 31.0
    assert clock.retry_sleeps == []


@pytest.mark.anyio
async def test_answers_feed_the_clients_pacer(clock: FakeClock) -> None:
    script = Script(reply(200, headers={"RateLimit": '"api";r=7;t=30'}))
    async with make_hub(script, clock) as hub:
        await hub.get("/api/models")
    assert hub.pacer.budget() == 7


@pytest.mark.anyio
async def test_request_that_failed_without_an_answer_holds_no_quota(clock: FakeClock) -> None:
    script = Script(
        reply(200, headers={"RateLimit": '"api";r=1;t=60'}), httpx.ReadError, reply(200)
    )
    async with make_hub(script, clock) as hub:
        await hub.get("/api/models")
        with anyio.fail_after(2):  # a leaked ticket would block the retry for good
            await hub.get("/api/models")
    assert len(script.requests) == 3
    assert clock.pacer_sleeps == []


@pytest.mark.anyio
async def test_client_rate_spaces_request_starts() -> None:
    sleeps: list[float] = []

    async def record(seconds: float) -> None:
        sleeps.append(seconds)

    hub = HubClient(
        HubSettings(endpoint=ENDPOINT, rate=2.0),
        transport=httpx.MockTransport(reply(200)),
        sleep=record,
    )
    async with hub:
        await hub.get("/api/models")
        await hub.get("/api/models")
    [wait] = sleeps
    assert 0.3 < wait <= 0.5


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        ("  3 ", 3.0),
        ("0", 0.0),
        ("1.5", 1.5),
        ("-5", 0.0),
        ("Thu, 01 Jan 2026 12:00:30 GMT", 30.0),
        ("Thu, 01 Jan 2026 12:00:30 +0000", 30.0),
        ("Thu, 01 Jan 2026 13:00:30 +0100", 30.0),
        ("Thu, 01 Jan 2026 12:00:30", 30.0),  # no zone: read as UTC
        ("Thu, 01 Jan 2026 11:59:00 GMT", 0.0),  # in the past
    ],
)
def test_parse_retry_after_reads_seconds_and_http_dates(value: str, expected: float) -> None:
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after(value, now=now) == expected


@pytest.mark.parametrize(
    "value", [None, "", "   ", "soon", "nan", "inf", "1e400", "12 seconds", "Thu, 99 Foo 2026"]
)
def test_parse_retry_after_ignores_missing_and_garbage(value: str | None) -> None:
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after(value, now=now) is None


# -- backoff -------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_backoff_grows_exponentially_with_jitter_within_bounds(clock: FakeClock) -> None:
    script = Script(reply(503))
    retry = RetryPolicy(
        max_attempts=7, initial_wait=0.5, jitter=0.25, max_wait=1000, max_total_wait=1000
    )
    await get_until_it_gives_up(script, clock, retry)
    assert len(clock.retry_sleeps) == 6
    for n, wait in enumerate(clock.retry_sleeps):
        assert 0.5 * 2**n <= wait <= 0.5 * 2**n + 0.25
    assert clock.retry_sleeps == sorted(clock.retry_sleeps)
    # The jitter is really drawn: six waits all exactly on the bare exponential is no jitter.
    assert any(wait != 0.5 * 2**n for n, wait in enumerate(clock.retry_sleeps))


@pytest.mark.anyio
async def test_backoff_without_jitter_doubles_from_initial_wait(clock: FakeClock) -> None:
    script = Script(reply(500))
    retry = RetryPolicy(max_attempts=5, initial_wait=0.5, jitter=0.0)
    await get_until_it_gives_up(script, clock, retry)
    assert clock.retry_sleeps == [0.5, 1.0, 2.0, 4.0]


@pytest.mark.anyio
async def test_backoff_is_capped_by_max_wait(clock: FakeClock) -> None:
    script = Script(reply(502))
    retry = RetryPolicy(max_attempts=6, initial_wait=1.0, jitter=0.5, max_wait=3.0)
    await get_until_it_gives_up(script, clock, retry)
    assert max(clock.retry_sleeps) <= 3.0
    assert clock.retry_sleeps[-3:] == [3.0, 3.0, 3.0]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_attempts": 0},
        {"connect_attempts": 0},
        {"initial_wait": -1.0},
        {"max_wait": -1.0},
        {"max_total_wait": -0.1},
        {"jitter": -0.5},
    ],
)
def test_retry_policy_rejects_invalid_values(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        RetryPolicy(**kwargs)


@pytest.mark.parametrize("endpoint", ["ftp://hub.test", "hub.test", "https://"])
def test_hub_client_rejects_an_endpoint_that_is_not_an_http_url(endpoint: str) -> None:
    with pytest.raises(ValueError):
        HubClient(HubSettings(endpoint=endpoint))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"concurrency": 0},
        {"request_timeout": 0},
        {"request_timeout": -1},
        {"connect_timeout": 0},
        {"rate": 0},
        {"rate": float("inf")},
        {"max_quota_wait": -1},
    ],
)
def test_hub_settings_reject_invalid_values(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        HubSettings(endpoint=ENDPOINT, **kwargs)


@pytest.mark.anyio
async def test_request_outside_async_with_raises_runtime_error() -> None:
    hub = HubClient(HubSettings(endpoint=ENDPOINT), transport=httpx.MockTransport(reply(200)))
    with pytest.raises(RuntimeError, match="async with"):
        await hub.get("/api/models")


# -- pagination ------------------------------------------------------------------------------


def page(n: int, next_url: str | None) -> Callable[[httpx.Request], httpx.Response]:
    headers = {"Link": f'<{next_url}>; rel="next"'} if next_url else {}
    return reply(200, body=[{"id": f"org/model-{n}", "downloads": 100 - n}], headers=headers)


@pytest.mark.anyio
async def test_iter_listing_fetches_no_more_pages_than_consumed(clock: FakeClock) -> None:
    script = Script(page(1, f"{ENDPOINT}/api/models?cursor=abc"))
    seen: list[ListingPage] = []
    # Closed at once, as the refresh closes it, instead of by the garbage collector.
    async with make_hub(script, clock) as hub, aclosing(hub.iter_listing("bert")) as pages:
        async for listing_page in pages:
            seen.append(listing_page)
            break
    assert [c.id for c in seen[0].candidates] == ["org/model-1"]
    assert len(script.requests) == 1


@pytest.mark.anyio
async def test_iter_listing_follows_next_links_until_there_is_none(clock: FakeClock) -> None:
    script = Script(
        page(1, f"{ENDPOINT}/api/models?cursor=c2"),
        page(2, "/api/models?cursor=c3"),  # relative: resolved against the page's URL
        page(3, None),
    )
    async with make_hub(script, clock) as hub:
        pages = [p async for p in hub.iter_listing("bert", max_pages=10)]
    assert [c.id for p in pages for c in p.candidates] == [
        "org/model-1",
        "org/model-2",
        "org/model-3",
    ]
    assert [str(r.url) for r in script.requests[1:]] == [
        f"{ENDPOINT}/api/models?cursor=c2",
        f"{ENDPOINT}/api/models?cursor=c3",
    ]
    assert hub.stats.listing_requests == 3


@pytest.mark.anyio
async def test_iter_listing_respects_max_pages(clock: FakeClock) -> None:
    script = Script(page(1, f"{ENDPOINT}/api/models?cursor=more"))
    async with make_hub(script, clock) as hub:
        pages = [p async for p in hub.iter_listing("bert", max_pages=2)]
    assert len(pages) == 2
    assert len(script.requests) == 2


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.test/steal?cursor=x",
        "http://hub.test/api/models/org/name?cursor=x",  # another origin: clear text
        "https://hub.test:8443/api/models-x?cursor=x",
        "//evil.test/",
    ],
)
@pytest.mark.anyio
async def test_next_link_to_another_origin_and_path_is_ignored(
    clock: FakeClock, next_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    script = Script(page(1, next_url))
    async with make_hub(script, clock, token=TOKEN) as hub:
        pages = [p async for p in hub.iter_listing("bert", max_pages=5)]
    assert len(pages) == 1
    assert pages[0].next_url is None
    assert len(script.requests) == 1
    assert "another host" in caplog.text


@pytest.mark.parametrize(
    "next_url",
    [
        "https://huggingface.co/api/models?filter=bert&cursor=c2",  # a mirror passing it through
        "https://evil.test/api/models?filter=bert&cursor=c2",
        "http://hub.test/api/models?filter=bert&cursor=c2",  # never downgraded to clear text
        "https://hub.test:8443/api/models?filter=bert&cursor=c2",
        "//evil.test/api/models?filter=bert&cursor=c2",
    ],
)
@pytest.mark.anyio
async def test_next_listing_link_on_another_host_is_rebuilt_on_the_endpoint(
    clock: FakeClock, next_url: str
) -> None:
    script = Script(page(1, next_url), page(2, None))
    async with make_hub(script, clock, token=TOKEN) as hub:
        pages = [p async for p in hub.iter_listing("bert", max_pages=5)]
    assert [c.id for p in pages for c in p.candidates] == ["org/model-1", "org/model-2"]
    assert str(script.requests[1].url) == f"{ENDPOINT}/api/models?filter=bert&cursor=c2"
    # The token went to the endpoint only, on both pages.
    assert [(r.url.host, r.url.scheme, r.url.port) for r in script.requests] == [
        ("hub.test", "https", None)
    ] * 2
    assert all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in script.requests)


@pytest.mark.anyio
async def test_mirror_under_a_path_prefix_gets_the_rebuilt_link_under_its_prefix(
    clock: FakeClock,
) -> None:
    script = Script(page(1, "https://huggingface.co/api/models?cursor=c2"), page(2, None))
    async with make_hub(script, clock, endpoint="https://mirror.test/hf") as hub:
        pages = [p async for p in hub.iter_listing("bert", max_pages=5)]
    assert len(pages) == 2
    assert str(script.requests[1].url) == "https://mirror.test/hf/api/models?cursor=c2"


@pytest.mark.parametrize("link", ["garbage", '<>; rel="next"', '<https://hub.test/x>; rel="prev"'])
@pytest.mark.anyio
async def test_malformed_or_non_next_link_header_means_no_next_page(
    clock: FakeClock, link: str
) -> None:
    script = Script(reply(200, body=[ITEM], headers={"Link": link}))
    async with make_hub(script, clock) as hub:
        result = await hub.list_page("bert")
    assert result.next_url is None


# -- the token -------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_token_is_sent_as_bearer_to_the_endpoint(clock: FakeClock) -> None:
    script = Script(reply(200))
    async with make_hub(script, clock, token=TOKEN) as hub:
        await hub.get("/api/models")
        await hub.get(f"{ENDPOINT}/api/models/org/name")
    assert [r.headers.get("authorization") for r in script.requests] == [f"Bearer {TOKEN}"] * 2


@pytest.mark.anyio
async def test_no_authorization_header_without_a_token(clock: FakeClock) -> None:
    script = Script(reply(200))
    async with make_hub(script, clock) as hub:
        await hub.get("/api/models")
    assert "authorization" not in script.requests[0].headers


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.test/api/models",
        "http://hub.test/api/models",
        "https://hub.test:444/api/models",
        "https://hub.test.evil.test/api/models",
    ],
)
@pytest.mark.anyio
async def test_token_is_never_sent_to_another_origin(clock: FakeClock, url: str) -> None:
    script = Script(reply(200))
    async with make_hub(script, clock, token=TOKEN) as hub:
        await hub.get(url)
    assert "authorization" not in script.requests[0].headers


@pytest.mark.anyio
async def test_token_is_sent_to_the_endpoint_with_explicit_default_port(clock: FakeClock) -> None:
    script = Script(reply(200))
    async with make_hub(script, clock, token=TOKEN) as hub:
        await hub.get("https://HUB.test:443/api/models")
    assert script.requests[0].headers["authorization"] == f"Bearer {TOKEN}"


@pytest.mark.parametrize(
    ("location", "origin"),
    [
        ("https://evil.test/steal", "https://evil.test"),
        ("http://hub.test/api/models/org/name", "http://hub.test"),  # downgrade to clear text
        ("https://hub.test:8443/api/models/org/name", "https://hub.test:8443"),  # same host
        ("https://user:pw@evil.test/steal?q=1", "https://evil.test"),  # no user info shown
        ("//evil.test/steal", "https://evil.test"),
    ],
)
@pytest.mark.anyio
async def test_redirect_to_another_origin_is_not_followed(
    clock: FakeClock, location: str, origin: str
) -> None:
    script = Script(reply(302, headers={"Location": location}), reply(200))
    async with make_hub(script, clock, token=TOKEN) as hub:
        with pytest.raises(HubResponseError) as info:
            await hub.get("/api/models/org/name")
    assert str(info.value) == f"redirected to another origin ({origin}); not followed"
    assert info.value.status_code == 302
    assert len(script.requests) == 1
    assert all(r.url.host == "hub.test" and r.url.scheme == "https" for r in script.requests)


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.anyio
async def test_same_host_redirect_is_followed_with_the_token(clock: FakeClock, status: int) -> None:
    script = Script(
        reply(status, headers={"Location": "/api/models/org/renamed"}),
        reply(200, body={"id": "org/renamed"}),
    )
    async with make_hub(script, clock, token=TOKEN) as hub:
        response = await hub.get("/api/models/org/name")
    assert response.status_code == 200
    assert json.loads(response.body) == {"id": "org/renamed"}
    assert script.requests[1].url.path == "/api/models/org/renamed"
    assert script.requests[1].headers["authorization"] == f"Bearer {TOKEN}"


# What the Hub answers to every request that carries an invalid or expired token.
INVALID_CREDENTIALS = reply(
    401,
    body={"error": "Invalid credentials in Authorization header"},
    headers={"X-Error-Message": "Invalid credentials in Authorization header"},
)


@pytest.mark.anyio
async def test_a_rejected_token_fails_a_listing_at_once_with_its_own_error(
    clock: FakeClock,
) -> None:
    script = Script(INVALID_CREDENTIALS)
    async with make_hub(script, clock, token=TOKEN) as hub:
        with pytest.raises(TokenRejected) as info:
            await hub.list_page("bert")
    assert len(script.requests) == 1 and clock.retry_sleeps == []
    message = str(info.value)
    assert "invalid or expired" in message and "HF_TOKEN" in message
    assert TOKEN not in message and TOKEN not in repr(info.value)
    # A kind of bad input (exit code 2), and an InvalidToken for those who catch that.
    assert isinstance(info.value, InvalidToken) and isinstance(info.value, InvalidInput)


@pytest.mark.anyio
async def test_after_a_rejected_token_the_client_sends_nothing_more(clock: FakeClock) -> None:
    script = Script(INVALID_CREDENTIALS, reply(200))
    async with make_hub(script, clock, token=TOKEN) as hub:
        with pytest.raises(TokenRejected):
            await hub.model_info("org/name")
        with pytest.raises(TokenRejected):
            await hub.list_page("bert")
    assert len(script.requests) == 1


@pytest.mark.anyio
async def test_a_401_to_an_anonymous_request_is_not_a_rejected_token(clock: FakeClock) -> None:
    script = Script(INVALID_CREDENTIALS)
    async with make_hub(script, clock) as hub:
        response = await hub.model_info("org/name")
        with pytest.raises(HubResponseError, match="HTTP 401") as info:
            await hub.list_page("bert")
    assert response.status_code == 401
    assert not isinstance(info.value, TokenRejected)


@pytest.mark.anyio
async def test_a_401_without_the_invalid_credentials_message_is_not_a_rejected_token(
    clock: FakeClock,
) -> None:
    # Private or missing repo, with a token that is fine: the Hub's other 401s.
    script = Script(reply(401, headers={"X-Error-Code": "GatedRepo"}))
    async with make_hub(script, clock, token=TOKEN) as hub:
        response = await hub.auth_check("org/name")
    assert response.status_code == 401


def test_repr_does_not_show_the_token() -> None:
    settings = HubSettings(endpoint=ENDPOINT, token=TOKEN)
    hub = HubClient(settings)
    assert TOKEN not in repr(hub)
    assert TOKEN not in repr(settings)
    assert TOKEN not in str(settings)
    assert "***" in repr(hub)
    assert hub.has_token


FAILURES: dict[str, tuple[Step, ...]] = {
    "5xx": (reply(503),),
    "429": (reply(429, headers={"Retry-After": "1"}),),
    "connect": (httpx.ConnectError,),
    "read": (httpx.ReadError,),
    "timeout": (httpx.ReadTimeout,),
    "redirect": (reply(302, headers={"Location": f"https://evil.test/?t={TOKEN}"}),),
    "not json": (reply(200, content=b"<html>" + TOKEN.encode()),),
    "too big": (reply(200, content=b"x" * 100),),
}


@pytest.mark.parametrize("failure", sorted(FAILURES))
@pytest.mark.anyio
async def test_token_never_appears_in_errors_or_logs(
    clock: FakeClock, failure: str, caplog: pytest.LogCaptureFixture
) -> None:
    # Explicit levels: other code (the CLI) may have raised the httpx logger's level.
    for name in (None, "httpx", "hf_model_registry"):
        caplog.set_level(logging.DEBUG, logger=name)
    script = Script(*FAILURES[failure])
    async with make_hub(
        script, clock, token=TOKEN, retry=RetryPolicy(max_attempts=2), max_body_bytes=50
    ) as hub:
        with pytest.raises(RegistryError) as info:
            await hub.list_page("bert")
    assert script.requests[0].headers["authorization"] == f"Bearer {TOKEN}"  # it was in play
    exc = info.value
    assert TOKEN not in str(exc)
    assert TOKEN not in repr(exc)
    assert TOKEN not in "".join(traceback.format_exception(exc))
    assert caplog.records  # logging was captured, so the check below means something
    for record in caplog.records:
        assert TOKEN not in record.getMessage()
    assert TOKEN not in caplog.text


# -- the listing request ---------------------------------------------------------------------


@pytest.mark.anyio
async def test_listing_request_has_the_documented_shape(clock: FakeClock) -> None:
    script = Script(reply(200, body=[ITEM]))
    async with make_hub(script, clock) as hub:
        await hub.list_page("phi3", limit=50)
    [request] = script.requests
    assert request.method == "GET"
    assert request.url.host == "hub.test"
    assert request.url.path == "/api/models"
    params = request.url.params
    assert params.get_list("filter") == ["phi3", "transformers"]
    assert params.get_list("sort") == ["downloads"]
    assert params.get_list("limit") == ["50"]
    assert params.get_list("expand[]") == list(LISTING_FIELDS)
    assert "search" not in params
    assert "direction" not in params


# An item with every field the parser could read set away from its default, and fields the
# Hub sends that nothing reads.
FULL_ITEM = {
    "_id": "621ffdc036468d709f17434d",
    "id": "org/model-base",
    "author": "org",
    "sha": "0123456789abcdef",
    "createdAt": "2024-01-01T00:00:00.000Z",
    "downloads": 1234,
    "likes": 56,
    "tags": ["transformers", "gptq", "4-bit"],
    "pipeline_tag": "text-generation",
    "library_name": "transformers",
    "gated": "manual",
    "private": True,
    "safetensors": {"parameters": {"F32": 1000}, "total": 1000},
    "lastModified": "2025-01-01T00:00:00.000Z",
    "transformersInfo": {"auto_model": "AutoModelForCausalLM", "pipeline_tag": "fill-mask"},
    "config": {"quantization_config": {"quant_method": "gptq"}},
}


def test_listing_fields_are_exactly_the_ones_the_parser_reads() -> None:
    assert len(set(LISTING_FIELDS)) == len(LISTING_FIELDS)
    full = parse_item(FULL_ITEM)
    requested = {k: v for k, v in FULL_ITEM.items() if k == "id" or k in LISTING_FIELDS}
    assert parse_item(requested) == full, "the parser reads a field the listing does not ask for"
    for field in LISTING_FIELDS:
        without = {k: v for k, v in requested.items() if k != field}
        # A required field raises when missing: read, and missed.
        with contextlib.suppress(MalformedItem):
            assert parse_item(without) != full, f"{field} is asked for but never read"


@pytest.mark.anyio
async def test_user_agent_names_hf_model_registry(clock: FakeClock) -> None:
    script = Script(reply(200))
    async with make_hub(script, clock) as hub:
        await hub.get("/api/models")
    assert script.requests[0].headers["user-agent"].startswith("hf-model-registry/")


@pytest.mark.anyio
async def test_endpoint_from_hf_endpoint_variable_is_used(
    monkeypatch: pytest.MonkeyPatch, clock: FakeClock
) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "https://mirror.test/")
    script = Script(reply(200))
    hub = HubClient(
        HubSettings.from_env(), transport=httpx.MockTransport(script), sleep=clock.retry_sleep
    )
    async with hub:
        await hub.get("/api/models")
    assert str(script.requests[0].url) == "https://mirror.test/api/models"


# -- bodies ------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_body_declared_larger_than_the_cap_is_refused(clock: FakeClock) -> None:
    script = Script(reply(200, content=b"[" + b" " * 200 + b"]"))
    async with make_hub(script, clock, max_body_bytes=100) as hub:
        with pytest.raises(HubResponseError, match="100-byte cap") as info:
            await hub.get("/api/models")
    assert info.value.status_code == 200
    assert len(script.requests) == 1  # not retried


@pytest.mark.anyio
async def test_streamed_body_larger_than_the_cap_is_refused(clock: FakeClock) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(10):
            yield b"x" * 30

    def streamed(request: httpx.Request) -> httpx.Response:
        response = httpx.Response(200, content=chunks())
        assert "content-length" not in response.headers  # only the running count can tell
        return response

    script = Script(streamed)
    async with make_hub(script, clock, max_body_bytes=100) as hub:
        with pytest.raises(HubResponseError, match="100-byte cap"):
            await hub.get("/api/models")
    assert len(script.requests) == 1


@pytest.mark.anyio
async def test_body_exactly_at_the_cap_is_accepted(clock: FakeClock) -> None:
    body = b"[" + b" " * 98 + b"]"
    script = Script(reply(200, content=body))
    async with make_hub(script, clock, max_body_bytes=100) as hub:
        response = await hub.get("/api/models")
    assert response.body == body


# What the client refuses to use, the request it was asked for, why, and how many requests
# it sent before giving up: a redirect loop follows three hops; a listing that is not JSON
# is asked for again BODY_RETRIES times (it is usually truncated on the way).
LOOP = {"Location": "/api/models/org/name"}
NOT_JSON_TRIES = 1 + BODY_RETRIES
REFUSED = {
    "redirect-without-location": (reply(302), "get", "Location", 1),
    "redirect-loop": (reply(302, headers=LOOP), "get", "redirects", 4),
    "listing-html": (reply(200, content=b"<html>busy</html>"), "list", "not JSON", NOT_JSON_TRIES),
    "listing-bad-utf8": (reply(200, content=b"\xff\xfe\x00"), "list", "not JSON", NOT_JSON_TRIES),
    "listing-empty": (reply(200, content=b""), "list", "not JSON", NOT_JSON_TRIES),
    "listing-truncated": (reply(200, content=b"[{"), "list", "not JSON", NOT_JSON_TRIES),
    "listing-object": (reply(200, body={"error": "odd"}), "list", "JSON array", 1),
}


@pytest.mark.parametrize(("step", "call", "reason", "requests"), REFUSED.values(), ids=REFUSED)
@pytest.mark.anyio
async def test_an_answer_the_client_cannot_use_raises_with_its_reason(
    clock: FakeClock, step: Step, call: str, reason: str, requests: int
) -> None:
    script = Script(step)
    async with make_hub(script, clock) as hub:
        with pytest.raises(HubResponseError, match=reason):
            if call == "get":
                await hub.get("/api/models/org/name")
            else:
                await hub.list_page("bert")
    assert len(script.requests) == requests


@pytest.mark.anyio
async def test_malformed_listing_items_are_skipped_with_reasons(clock: FakeClock) -> None:
    body = [ITEM, {"id": "org/no-downloads"}, "not an object", {"id": "bad id!", "downloads": 1}]
    script = Script(reply(200, body=body))
    async with make_hub(script, clock) as hub:
        result = await hub.list_page("bert")
    assert [c.id for c in result.candidates] == ["org/model-base"]
    assert len(result.skipped) == 3
    assert result.skipped[0].startswith("item 1:") and "downloads" in result.skipped[0]


@pytest.mark.anyio
async def test_listing_longer_than_the_limit_is_cut_to_the_limit(clock: FakeClock) -> None:
    body = [{"id": f"org/m{i}", "downloads": 10 - i} for i in range(5)]
    script = Script(reply(200, body=body))
    async with make_hub(script, clock) as hub:
        result = await hub.list_page("bert", limit=3)
    assert [c.id for c in result.candidates] == ["org/m0", "org/m1", "org/m2"]


# -- offline -----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1", "true", "YES"])
@pytest.mark.anyio
async def test_hf_hub_offline_refuses_before_any_request(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", value)
    settings = HubSettings.from_env(endpoint=ENDPOINT)
    assert settings.offline
    script = Script(reply(200))
    with pytest.raises(HubOffline):
        async with HubClient(settings, transport=httpx.MockTransport(script)) as hub:
            await hub.get("/api/models")
    assert script.requests == []


@pytest.mark.anyio
async def test_hf_hub_offline_zero_allows_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    settings = HubSettings.from_env(endpoint=ENDPOINT)
    assert not settings.offline
    script = Script(reply(200))
    async with HubClient(settings, transport=httpx.MockTransport(script)) as hub:
        await hub.get("/api/models")
    assert len(script.requests) == 1


@pytest.mark.anyio
async def test_the_client_reads_no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings are built at the edges; a client given offline=False sends, whatever the env."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_ENDPOINT", "https://elsewhere.test")
    script = Script(reply(200))
    async with HubClient(
        HubSettings(endpoint=ENDPOINT), transport=httpx.MockTransport(script)
    ) as hub:
        await hub.get("/api/models")
    assert [str(r.url) for r in script.requests] == [f"{ENDPOINT}/api/models"]


@pytest.mark.parametrize("header", ["location", "link"])
@pytest.mark.anyio
async def test_a_server_sent_url_with_a_bad_port_is_refused_not_a_crash(
    clock: FakeClock, header: str
) -> None:
    if header == "location":
        script = Script(reply(302, headers={"Location": "http://hub.test:99999/x"}))
    else:
        link = '<http://hub.test:99999/api/models?cursor=2>; rel="next"'
        script = Script(reply(200, headers={"Link": link}))
    # The same scheme and host as the endpoint: only the port is wrong, and unparseable.
    async with make_hub(script, clock, endpoint="http://hub.test") as hub:
        if header == "location":
            with pytest.raises(RegistryError, match="another origin"):
                await hub.list_page("bert")
        else:
            assert (await hub.list_page("bert")).next_url is None
