"""Bounded memory, bounded time and clean output against a hostile Hub and odd files.

One section per item of the hardening issue; each test fails without its fix. The
Hub is an ``httpx.MockTransport`` (injected into every client the code under test
builds) or the pacer on a fake clock, so nothing really waits; memory figures live
in ``benchmarks/bench_hostile.py``, not here.
"""

from __future__ import annotations

import gc
import gzip
import json
import os
import threading
import tracemalloc
import types
import zlib
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import anyio
import anyio.lowlevel
import httpx
import pytest

from helpers import FakeClock, python_m
from hf_model_registry import (
    Entry,
    HubResponseError,
    HubUnavailable,
    HubUnusable,
    RateLimited,
    RegistryError,
    RegistryUnreadable,
    _lookup,
    _registry,
    aio,
)
from hf_model_registry._cli import main
from hf_model_registry._hub import HubClient, RetryPolicy
from hf_model_registry._ratelimit import Pacer, parse_ratelimit
from hf_model_registry._registry import dumps_registry, read_registry
from hf_model_registry._settings import HubSettings

ENDPOINT = "http://hub.test"
RETRY = RetryPolicy(max_attempts=2, connect_attempts=1, initial_wait=0, max_wait=0, jitter=0)
HOSTILE = "\x1b]0;pwned\x07\x1b[2J"  # sets the window title, clears the screen


def item(repo_id: str, hub_type: str, downloads: int = 50_000, **extra: Any) -> dict[str, Any]:
    return {
        "id": repo_id,
        "downloads": downloads,
        "likes": 1,
        "tags": ["transformers", "pytorch", hub_type, *extra.pop("tags", [])],
        "pipeline_tag": "text-generation",
        "library_name": "transformers",
        **extra,
    }


def listing_for(request: httpx.Request) -> httpx.Response:
    hub_type = request.url.params.get_list("filter")[0]
    return httpx.Response(200, json=[item(f"org/{hub_type}-base", hub_type)])


def hub_type_of(request: httpx.Request) -> str | None:
    filters = request.url.params.get_list("filter")
    return filters[0] if filters else None


class Recorder:
    """A mock Hub: ``handler`` answers, every request is counted."""

    def __init__(self, handler: Callable[[httpx.Request], httpx.Response]) -> None:
        self.handler = handler
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.handler(request)


@pytest.fixture
def inject(monkeypatch: pytest.MonkeyPatch) -> Callable[[Recorder], None]:
    """Make every HubClient built from now on talk to the given mock Hub."""

    def install(recorder: Recorder) -> None:
        real_init = HubClient.__init__

        def init(self: HubClient, settings: HubSettings, **kwargs: Any) -> None:
            kwargs["transport"] = httpx.MockTransport(recorder)
            real_init(self, settings, **kwargs)

        monkeypatch.setattr(HubClient, "__init__", init)

    return install


async def refresh(types_: list[str], recorder: Recorder, tmp_path: Path, **options: Any) -> Any:
    return await aio.refresh(
        types_,
        registry=tmp_path / "reg.json",
        endpoint=ENDPOINT,
        transport=httpx.MockTransport(recorder),
        retry=RETRY,
        **options,
    )


def stale_entry(model_id: str) -> Entry:
    stamp = (datetime.now(UTC) - timedelta(days=60)).isoformat(timespec="seconds")
    return {
        "default_model": model_id,
        "models": [model_id],
        "downloads": {model_id: 1},
        "updated_at": stamp,
        "source": "hub",
    }


# -- 1. failures keep no tracebacks (and so no body buffers) ---------------------------------


def _reachable(root: object) -> Iterator[object]:
    seen: set[int] = set()
    stack = [root]
    while stack:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, str | bytes | int | float | type):
            continue
        seen.add(id(obj))
        yield obj
        stack.extend(gc.get_referents(obj))


@pytest.mark.anyio
async def test_a_failed_architecture_keeps_its_message_and_type_but_no_frames(
    tmp_path: Path,
) -> None:
    big = json.dumps("x" * 200_000).encode()  # a JSON string, not a listing

    def handler(request: httpx.Request) -> httpx.Response:
        if hub_type_of(request) == "bert":
            return httpx.Response(200, content=big)
        if hub_type_of(request) == "t5":
            return httpx.Response(200, content=b'[{"id": "org/trunc')  # never parses
        return listing_for(request)

    report = await refresh(["bert", "t5", "gpt2"], Recorder(handler), tmp_path)
    assert set(report.failed) == {"bert", "t5"}
    for name in ("bert", "t5"):
        error = report.outcomes[name].error
        assert isinstance(error, HubResponseError) and str(error)
        assert error.__traceback__ is None and error.__context__ is None
    kept = [o for o in _reachable(report) if isinstance(o, types.FrameType | types.TracebackType)]
    assert kept == []


# -- 2. compression bombs and stacked encodings ----------------------------------------------


def _streamed(
    body: bytes, encoding: str, chunk: int = 1 << 16
) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        async def stream() -> AsyncIterator[bytes]:
            for start in range(0, len(body), chunk):
                yield body[start : start + chunk]

        return httpx.Response(200, headers={"Content-Encoding": encoding}, content=stream())

    return handler


async def _get(handler: Callable[[httpx.Request], httpx.Response], cap: int) -> bytes:
    async with HubClient(
        HubSettings(endpoint=ENDPOINT, retry=RETRY),
        transport=httpx.MockTransport(handler),
        max_body_bytes=cap,
    ) as hub:
        return (await hub.get("/api/models")).body


@pytest.mark.anyio
async def test_a_gzip_bomb_is_refused_without_ever_holding_more_than_the_cap() -> None:
    cap = 1 << 20
    bomb = gzip.compress(b"\0" * (64 << 20), compresslevel=9)  # ~64 kB -> 64 MiB
    assert len(bomb) < (1 << 17)
    tracemalloc.start()
    try:
        with pytest.raises(HubResponseError, match="exceeds the 1048576-byte cap"):
            await _get(_streamed(bomb, "gzip", chunk=len(bomb)), cap)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * cap  # decoding a whole chunk at once would hold 64 MiB


@pytest.mark.anyio
@pytest.mark.parametrize("encoding", ["gzip, gzip", "gzip,deflate", "br", "compress", "zstd"])
async def test_stacked_or_unasked_encodings_are_refused(encoding: str) -> None:
    body = gzip.compress(gzip.compress(b"[]"))
    with pytest.raises(HubResponseError, match="encoding"):
        await _get(_streamed(body, encoding), 1 << 20)


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, as some send
        ("identity", lambda data: data),
        ("", lambda data: data),
    ],
)
async def test_the_encodings_the_client_asks_for_still_decode(
    encoding: str, compress: Callable[[bytes], bytes]
) -> None:
    payload = json.dumps([{"id": f"org/m{i}"} for i in range(3000)]).encode()
    body = compress(payload)
    assert await _get(_streamed(body, encoding, chunk=997), 1 << 20) == payload


@pytest.mark.anyio
async def test_a_body_decoding_to_exactly_the_cap_is_accepted() -> None:
    payload = b"[" + b" " * 998 + b"]"
    assert await _get(_streamed(gzip.compress(payload), "gzip", chunk=7), 1000) == payload
    with pytest.raises(HubResponseError, match="cap"):
        await _get(_streamed(gzip.compress(payload + b" "), "gzip", chunk=7), 1000)


@pytest.mark.anyio
async def test_the_client_asks_only_for_the_encodings_it_decodes() -> None:
    recorder = Recorder(lambda request: httpx.Response(200, json=[]))
    await _get(recorder, 1000)
    assert recorder.requests[0].headers["accept-encoding"] == "gzip, deflate"


# -- 3. the async lookup enforces the registry size cap ----------------------------------------


@pytest.mark.anyio
async def test_the_async_lookup_refuses_a_registry_over_the_size_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(_registry, "_MAX_FILE_BYTES", 4096)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    path = tmp_path / "big.json"
    pinned: Entry = {**stale_entry("mine/pinned-bert"), "pinned": True}
    path.write_text(dumps_registry({"bert": pinned}) + " " * 8192)  # valid JSON, too big
    answer = await aio.lookup("bert", registry=path)
    assert answer.model_id != "mine/pinned-bert" and answer.source == "static"
    assert any("larger than 4096 bytes" in r.getMessage() for r in caplog.records)


# -- 4. RateLimit headers cannot hang a command ----------------------------------------------


async def _wait_after(headers: dict[str, str], status: int = 200) -> float:
    clock = FakeClock(start=0.0)
    pacer = Pacer(clock=clock, sleep=clock.sleep)

    async def run() -> None:
        ticket = await pacer.acquire()
        pacer.observe(ticket, headers, status)
        with anyio.fail_after(2):
            await pacer.acquire()

    await run()
    return sum(clock.sleeps)


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("headers", "status", "longest"),
    [
        ({"RateLimit": '"api";r=0;t=999999999'}, 200, 301.0),
        ({"RateLimit": '"api";r=0;t=' + "9" * 400}, 200, 301.0),
        ({"Retry-After": "999999999"}, 429, 301.0),
        (
            {
                "RateLimit": '"api";r=0;t=999999999',
                "RateLimit-Policy": '"fixed window";"api";q=500;w=60',
            },
            200,
            61.0,
        ),
    ],
    ids=["huge-t", "400-digit-t", "huge-retry-after", "policy-window"],
)
async def test_no_wait_is_longer_than_the_policy_window_or_the_ceiling(
    headers: dict[str, str], status: int, longest: float
) -> None:
    assert 0 < await _wait_after(headers, status) <= longest


@pytest.mark.anyio
async def test_the_wait_for_a_reset_is_t_plus_one_second() -> None:
    """t is rounded: waiting exactly t meets a 429 at the window's edge."""
    assert await _wait_after({"RateLimit": '"api";r=0;t=12'}) == 13.0


def test_a_count_of_thousands_of_digits_is_a_malformed_header_not_a_crash() -> None:
    assert parse_ratelimit('"api";r=' + "9" * 5000 + ";t=1") is None


@pytest.mark.anyio
async def test_a_zero_quota_with_one_second_resets_ends_in_a_named_failure_within_the_budget() -> (
    None
):
    """Each 1 s wait is under a per-wait limit: only a budget on the total ends it."""
    clock = FakeClock(start=0.0)
    pacer = Pacer(clock=clock, sleep=clock.sleep, max_wait=4.0)
    headers = {
        "RateLimit": '"api";r=0;t=1',
        "RateLimit-Policy": '"fixed window";"api";q=0;w=1',
    }

    async def run() -> None:
        for _ in range(50):
            with anyio.fail_after(2):
                ticket = await pacer.acquire()
            pacer.observe(ticket, headers, 200)

    with pytest.raises(RateLimited, match="budget of 4 s"):
        await run()
    assert sum(clock.sleeps) <= 4.0


@pytest.mark.anyio
async def test_a_429_with_a_huge_retry_after_gives_up_within_the_retry_budget() -> None:
    clock = FakeClock(start=0.0)
    recorder = Recorder(lambda r: httpx.Response(429, headers={"Retry-After": "999999999"}))

    async def run() -> None:
        hub = HubClient(
            HubSettings(
                endpoint=ENDPOINT,
                retry=RetryPolicy(max_attempts=3, max_wait=2.0, max_total_wait=4.0),
            ),
            transport=httpx.MockTransport(recorder),
            sleep=clock.sleep,
        )
        hub.pacer = Pacer(clock=clock, sleep=clock.sleep, max_wait=4.0)
        async with hub:
            await hub.get("/api/models")

    with pytest.raises(RateLimited):
        await run()
    assert sum(clock.sleeps) <= 8.0


# -- 5 and 6. a Hub that answers only errors stops the run early ------------------------------


def _status(code: int, **headers: str) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(code, headers=headers)


@pytest.mark.anyio
@pytest.mark.parametrize(
    "handler",
    [_status(429, **{"Retry-After": "0"}), _status(500), _status(503), _status(404)],
    ids=["429", "500", "503", "404"],
)
async def test_a_hub_answering_only_errors_stops_the_run_after_the_first_few(
    handler: Callable[[httpx.Request], httpx.Response], tmp_path: Path
) -> None:
    recorder = Recorder(handler)
    names = [f"type{i}" for i in range(40)]
    with pytest.raises(HubUnusable):
        await refresh(names, recorder, tmp_path, concurrency=4)
    # The first 8 failures stop it; at most 4 more were in flight; 2 attempts each.
    assert len(recorder.requests) <= 24
    assert not (tmp_path / "reg.json").exists()


@pytest.mark.anyio
async def test_failures_of_mixed_kinds_stop_the_run_too(tmp_path: Path) -> None:
    """Drips that time out and 500s: before, only "unreachable" counted."""
    count = [0]

    def handler(request: httpx.Request) -> httpx.Response:
        count[0] += 1
        if count[0] % 2:
            raise httpx.ReadTimeout("drip", request=request)
        return httpx.Response(500)

    recorder = Recorder(handler)
    with pytest.raises(HubUnavailable):
        await refresh([f"type{i}" for i in range(40)], recorder, tmp_path, concurrency=4)
    assert len(recorder.requests) <= 24


@pytest.mark.anyio
async def test_one_success_first_means_failures_are_per_architecture(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return listing_for(request) if hub_type_of(request) == "bert" else httpx.Response(500)

    report = await refresh(["bert", "gpt2", "t5"], Recorder(handler), tmp_path, concurrency=1)
    assert report.names("updated") == ["bert"] and set(report.failed) == {"gpt2", "t5"}


def test_cli_refresh_all_against_a_wrong_endpoint_path_stops_with_exit_3_and_a_hint(
    tmp_path: Path, inject: Callable[[Recorder], None], capsys: pytest.CaptureFixture[str]
) -> None:
    recorder = Recorder(_status(404))
    inject(recorder)
    registry = tmp_path / "reg.json"
    code = main(["refresh-all", "--registry", str(registry), "--endpoint", f"{ENDPOINT}/api"])
    out, err = capsys.readouterr()
    assert code == 3, err
    assert "does not look like a Hub API: GET /api/models returned 404" in err
    assert err.count("\n") == 1 and out == ""
    assert len(recorder.requests) <= 16  # not 566 (8 failures, 8 more in flight)
    assert not registry.exists()


def test_cli_refresh_all_against_a_hub_answering_only_429_exits_3(
    tmp_path: Path, inject: Callable[[Recorder], None], capsys: pytest.CaptureFixture[str]
) -> None:
    recorder = Recorder(_status(429, **{"Retry-After": "0"}))
    inject(recorder)
    code = main(["refresh-all", "--registry", str(tmp_path / "r.json"), "--quiet"])
    assert code == 3, capsys.readouterr().err
    assert len(recorder.requests) <= 8 * 2 * 5  # 8 workers, 2 rounds, 5 attempts at most


# -- 7. a lookup never waits long for another process's lock -----------------------------------


def test_a_stale_lookup_never_waits_for_a_busy_lock_because_it_never_writes(
    tmp_path: Path, inject: Callable[[Recorder], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    from filelock import FileLock

    path = tmp_path / "reg.json"
    path.write_text(
        dumps_registry({"gpt2": stale_entry("old/gpt2"), "llama": stale_entry("old/llama")})
    )
    before = path.read_bytes()
    inject(Recorder(listing_for))
    tries: list[object] = []
    real_lock = _registry._lock

    def spy(*args: Any) -> Any:
        tries.append(args)
        return real_lock(*args)

    monkeypatch.setattr(_registry, "_lock", spy)
    held = FileLock(f"{path}.lock")
    held.acquire()
    try:
        answer = _lookup.lookup("gpt2", registry=path)
        assert (answer.source, answer.model_id) == ("hub", "org/gpt2-base")
        assert _lookup.lookup("llama", registry=path).model_id == "org/llama-base"
        assert tries == []  # a lookup takes no lock: it only reads
    finally:
        held.release()
    assert path.read_bytes() == before


# -- 8. an unparsable 200 body is asked for again -------------------------------------------------


@pytest.mark.anyio
async def test_a_truncated_listing_is_retried_and_recovers(tmp_path: Path) -> None:
    calls = [0]

    def handler(request: httpx.Request) -> httpx.Response:
        calls[0] += 1
        if calls[0] == 1:
            return httpx.Response(200, content=b'[{"id": "org/bert-ba')
        return listing_for(request)

    recorder = Recorder(handler)
    report = await refresh(["bert"], recorder, tmp_path)
    assert report.names("updated") == ["bert"]
    assert len(recorder.requests) == 2 and report.retries == 1


@pytest.mark.anyio
async def test_a_listing_that_never_parses_fails_after_three_tries(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if hub_type_of(request) == "bert":
            return httpx.Response(200, content=b"[{")
        return listing_for(request)

    recorder = Recorder(handler)
    report = await refresh(["bert", "gpt2"], recorder, tmp_path, concurrency=1)
    assert "not JSON" in report.failed["bert"]
    assert sum(hub_type_of(r) == "bert" for r in recorder.requests) == 3


# -- 9. no control character from the Hub reaches the terminal -------------------------------------


def _clean(text: str) -> bool:
    return not any(c in text for c in "\x1b\x07\x9b\u202e")


def test_check_escapes_the_hubs_error_code(
    inject: Callable[[Recorder], None], capsys: pytest.CaptureFixture[str]
) -> None:
    inject(Recorder(_status(404, **{"X-Error-Code": HOSTILE})))
    for extra in ([], ["--json"]):
        code = main(["check", "org/model", "--endpoint", ENDPOINT, *extra])
        out, err = capsys.readouterr()
        assert code == 1
        assert _clean(out + err) and "pwned" in out


def test_the_refresh_summary_and_the_lookup_warning_escape_the_hubs_error_code(
    tmp_path: Path, inject: Callable[[Recorder], None], capsys: pytest.CaptureFixture[str]
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if hub_type_of(request) == "bert":
            return httpx.Response(400, headers={"X-Error-Code": HOSTILE})
        return listing_for(request)

    inject(Recorder(handler))
    registry = tmp_path / "reg.json"
    code = main(["refresh", "bert", "gpt2", "--registry", str(registry), "--endpoint", ENDPOINT])
    out, err = capsys.readouterr()
    assert code == 1 and "\\x1b]0;pwned" in out and _clean(out + err)

    registry.write_text(dumps_registry({"bert": stale_entry("old/bert")}))
    os.environ["HF_ENDPOINT"] = ENDPOINT  # the isolated fixture removes it afterwards
    assert main(["recommend", "bert", "--registry", str(registry)]) == 0
    out, err = capsys.readouterr()
    assert out == "old/bert\n" and "pwned" in err and _clean(err)


def test_explain_escapes_text_from_tags_in_the_table_and_in_json(
    inject: Callable[[Recorder], None], capsys: pytest.CaptureFixture[str]
) -> None:
    base = "evil/x\x1b]0;pwned\x07\x9b2J\u202e"

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            json=[
                item("org/bert-base", "bert"),
                item("org/bert-poetry", "bert", tags=[f"base_model:finetune:{base}"]),
            ],
        )

    inject(Recorder(handler))
    for extra in ([], ["--json"]):
        main(["explain", "bert", "--endpoint", ENDPOINT, *extra])
        out, err = capsys.readouterr()
        assert _clean(out + err), extra
    assert "pwned" in out  # the text is there, escaped
    json.loads(out)


def test_log_lines_of_the_command_line_are_escaped(capsys: pytest.CaptureFixture[str]) -> None:
    import logging

    from hf_model_registry import _cli

    _cli._root(verbose=False)
    logging.getLogger("hf_model_registry.test").warning("from the Hub: %s", HOSTILE)
    err = capsys.readouterr().err
    assert "from the Hub: \\x1b]0;pwned\\x07" in err and _clean(err)


# -- 10. paths that are not regular files; symlinks ---------------------------------------


def _within(seconds: float, call: Callable[[], object]) -> object:
    """Run ``call`` in a thread; fail (instead of hanging the suite) if it blocks."""
    result: list[object] = []

    def target() -> None:
        try:
            result.append(call())
        except BaseException as exc:  # handed to the test
            result.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "blocked"
    return result[0]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_registry_is_refused_at_once_and_left_in_place(tmp_path: Path) -> None:
    fifo = tmp_path / "reg.json"
    os.mkfifo(fifo)
    outcome = _within(20, lambda: read_registry(fifo))
    assert isinstance(outcome, RegistryUnreadable) and "not a regular file" in str(outcome)
    outcome = _within(
        20,
        lambda: _registry.locked_update(fifo, lambda current: current, on_corrupt="move-aside"),
    )
    assert isinstance(outcome, RegistryError)
    assert fifo.is_fifo() and list(tmp_path.glob("*.corrupt-*")) == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_recommend_with_a_fifo_registry_answers_from_static_defaults(tmp_path: Path) -> None:
    fifo = tmp_path / "reg.json"
    os.mkfifo(fifo)
    env = {**os.environ, "USE_STATIC_REGISTRY": "1", "HF_HOME": str(tmp_path)}
    proc = python_m(
        "hf_model_registry", "recommend", "bert", "--registry", str(fifo), env=env, timeout=60
    )
    assert proc.returncode == 0 and proc.stdout.strip()
    assert "not a regular file" in proc.stderr


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="no /dev/null")
def test_a_device_is_unreadable_never_a_corrupt_file_to_move_aside() -> None:
    with pytest.raises(RegistryUnreadable, match="not a regular file"):
        read_registry("/dev/null")


def test_a_symlinked_registry_updates_its_target_and_stays_a_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # pin asks the Hub for the canonical id otherwise
    target = tmp_path / "real.json"
    target.write_text(dumps_registry({}))
    link = tmp_path / "link.json"
    link.symlink_to(target)
    assert main(["pin", "bert", "mine/bert", "--registry", str(link)]) == 0
    assert link.is_symlink() and link.resolve() == target.resolve()
    assert read_registry(target)["bert"]["default_model"] == "mine/bert"


# -- 11. endpoints that are usage errors ------------------------------------------------------


@pytest.mark.parametrize("endpoint", ["", "http://a b", f"{ENDPOINT}?x=1", f"{ENDPOINT}#top"])
def test_an_unusable_endpoint_is_a_usage_error_before_any_request(
    endpoint: str, inject: Callable[[Recorder], None], capsys: pytest.CaptureFixture[str]
) -> None:
    recorder = Recorder(listing_for)
    inject(recorder)
    assert main(["explain", "bert", "--endpoint", endpoint]) == 2
    assert capsys.readouterr().err.startswith("error: endpoint")
    assert recorder.requests == []
