"""The loopback Hub simulator answers like the Hub, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import runpy
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import anyio
import anyio.abc
import httpx
import pytest
from anyio.streams.buffered import BufferedByteReceiveStream

from hf_model_registry.simulator import (
    DEFAULT_HUB_TYPES,
    EXPANDABLE_FIELDS,
    FAULT_STATUSES,
    SIM_APPROVED_TOKEN,
    HubSimulator,
    ThreadedHubSimulator,
    fixture_for_all_architectures,
    load_fixture,
    run_in_thread,
    synthetic_fixture,
)

SRC = Path(__file__).resolve().parents[1] / "src"
RATELIMIT = re.compile(r'^"api";r=(\d+);t=(\d+)$')
# Every fixture item has every field a listing can expand, but those only some repos have.
ITEM_KEYS = {"id", *EXPANDABLE_FIELDS} - {"config", "gguf", "transformersInfo"}


def listing_params(hub_type: str, *extra: tuple[str, str]) -> httpx.QueryParams:
    """The query a client sends for one type: repeated filters, sorted by downloads."""
    pairs: list[tuple[str, str | int | float | bool | None]] = [
        ("filter", hub_type),
        ("filter", "transformers"),
        ("sort", "downloads"),
        *extra,
    ]
    return httpx.QueryParams(pairs)


_T = TypeVar("_T")


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def concurrently(calls: list[Callable[[], Awaitable[_T]]]) -> list[_T]:
    """Await every call at once (in one task group, on either backend); results in order."""
    results: dict[int, _T] = {}

    async def run(index: int, call: Callable[[], Awaitable[_T]]) -> None:
        results[index] = await call()

    async with anyio.create_task_group() as group:
        for index, call in enumerate(calls):
            group.start_soon(run, index, call)
    return [results[index] for index in range(len(calls))]


@pytest.fixture(scope="module")
def sim() -> Iterator[ThreadedHubSimulator]:
    with run_in_thread() as server:
        yield server


@pytest.fixture
def client(sim: ThreadedHubSimulator) -> Iterator[httpx.Client]:
    sim.reset_stats()
    with httpx.Client(base_url=sim.url, timeout=5) as http:
        yield http


# --------------------------------------------------------------------------- listing


def test_listing_ands_filters_sorts_by_downloads_and_hides_private(client: httpx.Client) -> None:
    response = client.get(
        "/api/models",
        params=listing_params("bert", ("expand[]", "downloads"), ("expand[]", "tags")),
    )
    assert response.status_code == 200
    items = response.json()
    ids = [item["id"] for item in items]
    assert ids[0] == "google-bert/bert-base-uncased"
    assert "sim-private/bert-internal" not in ids
    assert all({"bert", "transformers"} <= set(item["tags"]) for item in items)
    downloads = [item["downloads"] for item in items]
    assert downloads == sorted(downloads, reverse=True)

    gguf = client.get("/api/models", params=listing_params("gpt2", ("filter", "gguf"))).json()
    assert [item["id"] for item in gguf] == ["QuantFactory/gpt2-GGUF"]
    assert client.get("/api/models", params=[("filter", "no-such-type")]).json() == []


def test_listing_expand_returns_only_id_and_requested_fields(client: httpx.Client) -> None:
    params = listing_params("gpt2", ("expand[]", "safetensors"), ("expand[]", "gated"))
    items = client.get("/api/models", params=params).json()
    assert items
    for item in items:
        assert set(item) <= {"_id", "id", "safetensors", "gated"}
        assert {"_id", "id", "gated"} <= set(item)
    gpt2 = next(item for item in items if item["id"] == "openai-community/gpt2")
    assert gpt2["safetensors"] == {"parameters": {"F32": 137022720}, "total": 137022720}

    plain = client.get("/api/models", params=listing_params("gpt2")).json()
    assert {"_id", "id", "downloads", "likes", "tags", "modelId"} <= set(plain[0])
    assert "safetensors" not in plain[0]


def test_unknown_expand_value_is_a_400_with_a_json_error(client: httpx.Client) -> None:
    response = client.get("/api/models", params=listing_params("bert", ("expand[]", "bogus")))
    assert response.status_code == 400
    assert "bogus" in response.json()["error"]
    every = [("expand[]", name) for name in sorted(EXPANDABLE_FIELDS)]
    assert client.get("/api/models", params=listing_params("bert", *every)).status_code == 200


@pytest.mark.parametrize("bad", ["abc", "0", "-3", ""])
def test_bad_limit_is_a_400(client: httpx.Client, bad: str) -> None:
    response = client.get("/api/models", params=listing_params("bert", ("limit", bad)))
    assert response.status_code == 400
    assert "limit" in response.json()["error"]


@pytest.mark.anyio
async def test_limit_defaults_to_100_and_is_capped_at_1000() -> None:
    fixture = {"models": [{"id": f"org/m{i}", "tags": ["x"], "downloads": i} for i in range(1005)]}
    async with HubSimulator(fixture) as sim, httpx.AsyncClient(base_url=sim.url) as http:
        default = await http.get("/api/models", params={"filter": "x"})
        assert len(default.json()) == 100
        assert "link" in default.headers
        capped = await http.get("/api/models", params={"filter": "x", "limit": "5000"})
        assert len(capped.json()) == 1000
        small = await http.get("/api/models", params={"filter": "x", "limit": "2", "sort": "likes"})
        assert len(small.json()) == 2


def test_pagination_follows_absolute_link_headers_to_the_end(
    client: httpx.Client, sim: ThreadedHubSimulator
) -> None:
    everything = client.get("/api/models", params=listing_params("gpt2")).json()
    assert len(everything) == 8
    response = client.get("/api/models", params=listing_params("gpt2", ("limit", "3")))
    pages = [response.json()]
    while "link" in response.headers:
        match = re.fullmatch(r'<([^>]+)>; rel="next"', response.headers["link"])
        assert match is not None
        assert match.group(1).startswith(f"{sim.url}/api/models?")
        response = client.get(match.group(1))
        pages.append(response.json())
    assert [len(page) for page in pages] == [3, 3, 2]
    assert [item["id"] for page in pages for item in page] == [i["id"] for i in everything]
    bad = client.get("/api/models", params=listing_params("gpt2", ("cursor", "!!nope")))
    assert bad.status_code == 400


# --------------------------------------------------------------------------- rate limits


def test_every_response_carries_ratelimit_headers_and_quota_gives_429() -> None:
    with run_in_thread(quota=3, window=300) as server, httpx.Client(base_url=server.url) as http:
        remaining = []
        for path in ("/api/models", "/api/models/nobody/nothing", "/api/models"):
            response = http.get(path)
            assert response.headers["ratelimit-policy"] == '"fixed window";"api";q=3;w=300'
            match = RATELIMIT.match(response.headers["ratelimit"])
            assert match is not None
            assert 1 <= int(match.group(2)) <= 300
            remaining.append(int(match.group(1)))
        assert remaining == [2, 1, 0]

        throttled = http.get("/api/models")
        assert throttled.status_code == 429
        assert 1 <= int(throttled.headers["retry-after"]) <= 300
        assert RATELIMIT.match(throttled.headers["ratelimit"])
        assert throttled.headers["ratelimit"].startswith('"api";r=0;')
        # Another caller (a token) has a quota of its own, as on the Hub.
        assert http.get("/api/models", headers=auth("hf_other")).status_code == 200
        assert server.stats.rate_limited == 1


def test_quota_comes_back_when_the_fixed_window_ends() -> None:
    with run_in_thread(quota=1, window=1) as server, httpx.Client(base_url=server.url) as http:
        assert http.get("/api/models").status_code == 200
        throttled = http.get("/api/models")
        assert throttled.status_code == 429
        assert throttled.headers["retry-after"] == "1"
        time.sleep(1.05)
        assert http.get("/api/models").status_code == 200


# --------------------------------------------------------------------------- faults


def _statuses(url: str, queries: list[str]) -> list[int]:
    with httpx.Client(base_url=url) as http:
        return [http.get(f"/api/models?filter={q}").status_code for q in queries]


def test_fail_rate_is_deterministic_for_a_seed_and_mixes_statuses() -> None:
    queries = [t for _ in range(6) for t in DEFAULT_HUB_TYPES]
    runs = []
    for seed in (7, 7, 8):
        with run_in_thread(fail_rate=0.4, seed=seed) as server:
            runs.append(_statuses(server.url, queries))
            assert server.stats.injected_faults == sum(s != 200 for s in runs[-1])
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]
    failures = [s for s in runs[0] if s != 200]
    assert set(failures) <= set(FAULT_STATUSES)
    assert 0.15 * len(queries) < len(failures) < 0.65 * len(queries)
    with run_in_thread(fail_rate=1.0) as server:
        every = _statuses(server.url, queries)
    assert 200 not in every
    assert len(set(every)) >= 3
    with run_in_thread(fail_rate=0.0) as server:
        assert set(_statuses(server.url, queries)) == {200}


@pytest.mark.anyio
async def test_fail_rate_outcomes_do_not_depend_on_request_interleaving() -> None:
    queries = [t for _ in range(4) for t in DEFAULT_HUB_TYPES]

    async def outcomes(concurrent: bool) -> dict[str, Counter[int]]:
        async with (
            HubSimulator(fail_rate=0.5, seed=3) as sim,
            httpx.AsyncClient(base_url=sim.url) as http,
        ):
            if concurrent:
                responses = await concurrently(
                    [partial(http.get, "/api/models", params={"filter": q}) for q in queries]
                )
            else:
                responses = [await http.get("/api/models", params={"filter": q}) for q in queries]
        result: dict[str, Counter[int]] = {}
        for query, response in zip(queries, responses, strict=True):
            result.setdefault(query, Counter())[response.status_code] += 1
        return result

    assert await outcomes(concurrent=False) == await outcomes(concurrent=True)


# --------------------------------------------------------------------------- repos


def test_model_metadata_answers_like_the_hub(client: httpx.Client) -> None:
    gpt2 = client.get("/api/models/openai-community/gpt2")
    assert gpt2.status_code == 200
    assert gpt2.json()["id"] == "openai-community/gpt2"
    assert gpt2.json()["downloads"] > 10_000_000
    gated = client.get("/api/models/meta-llama/Llama-3.2-1B")
    assert gated.status_code == 200
    assert gated.json()["gated"] == "manual"
    assert "approved_tokens" not in gated.json()

    for repo in ("nobody/nothing", "sim-private/bert-internal"):
        anonymous = client.get(f"/api/models/{repo}")
        assert anonymous.status_code == 401
        assert anonymous.headers["x-error-code"] == "RepoNotFound"
        with_token = client.get(f"/api/models/{repo}", headers=auth("hf_someone"))
        assert with_token.status_code == 404
        assert with_token.headers["x-error-code"] == "RepoNotFound"
    owner = client.get("/api/models/sim-private/bert-internal", headers=auth(SIM_APPROVED_TOKEN))
    assert owner.status_code == 200


def test_auth_check_distinguishes_open_gated_and_approved(client: httpx.Client) -> None:
    assert client.get("/api/models/openai-community/gpt2/auth-check").status_code == 200
    path = "/api/models/meta-llama/Llama-3.2-1B/auth-check"
    anonymous = client.get(path)
    assert anonymous.status_code == 401
    assert anonymous.headers["x-error-code"] == "GatedRepo"
    refused = client.get(path, headers=auth("hf_not_approved"))
    assert refused.status_code == 403
    assert refused.headers["x-error-code"] == "GatedRepo"
    assert client.get(path, headers=auth(SIM_APPROVED_TOKEN)).status_code == 200
    missing = client.get("/api/models/nobody/nothing/auth-check", headers=auth("hf_x"))
    assert missing.status_code == 404


def test_an_invalid_token_is_a_401_when_valid_tokens_are_configured() -> None:
    with run_in_thread(valid_tokens={"hf_good"}) as server, httpx.Client(base_url=server.url) as h:
        assert h.get("/api/models", headers=auth("hf_good")).status_code == 200
        assert h.get("/api/models", headers=auth("hf_bad")).status_code == 401
        assert h.get("/api/models").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/api/models",
        "/api/models/openai-community/gpt2",
        "/api/models/openai-community/gpt2/auth-check",
        "/api/models/nobody/nothing",
    ],
)
def test_an_invalid_token_gets_the_hubs_invalid_credentials_answer_on_every_call(
    path: str,
) -> None:
    with run_in_thread(valid_tokens={"hf_good"}) as server, httpx.Client(base_url=server.url) as h:
        answer = h.get(path, headers=auth("hf_bad"))
    assert answer.status_code == 401
    assert answer.headers["x-error-message"] == "Invalid credentials in Authorization header"
    assert "x-error-code" not in answer.headers


# The real Hub's answers for legacy ids (huggingface_hub's recorded cassettes, 2025).
LEGACY = {
    "bert-base-uncased": "google-bert/bert-base-uncased",
    "t5-small": "google-t5/t5-small",
    "meta-llama/Meta-Llama-3.1-8B-Instruct": "meta-llama/Llama-3.1-8B-Instruct",
}


def test_a_legacy_id_answers_307_with_a_relative_location_to_the_canonical_id() -> None:
    fixture = {**synthetic_fixture(["bert"]), "redirects": LEGACY}
    with run_in_thread(fixture) as server, httpx.Client(base_url=server.url) as h:
        for legacy, canonical in LEGACY.items():
            moved = h.get(f"/api/models/{legacy}")
            assert moved.status_code == 307
            assert moved.headers["location"] == f"/api/models/{canonical}"
            check = h.get(f"/api/models/{legacy}/auth-check")
            assert check.status_code == 307
            assert check.headers["location"] == f"/api/models/{canonical}/auth-check"
        followed = h.get("/api/models/bert-base-uncased", follow_redirects=True)
    assert followed.status_code == 200
    assert followed.json()["id"] == "google-bert/bert-base-uncased"


@pytest.mark.parametrize("redirects", [["a"], {"a": 1}, {"": "x/y"}])
def test_a_fixture_with_malformed_redirects_is_refused(redirects: object) -> None:
    with pytest.raises(ValueError, match="redirects"):
        HubSimulator({"models": [], "redirects": redirects})


# --------------------------------------------------------------------------- behaviours

HOSTILE = {
    "bert": "not_json",
    "gpt2": "wrong_shape",
    "t5": "redirect",
    "vit": "status:403",
    "roberta": "status:404:RepoNotFound",
    "phi3": "status:503",
    "whisper": "hang",
    "llama": "slow_drip",
    "qwen2": "huge",
    "openai-community/gpt2": "not_json",
}


@pytest.fixture(scope="module")
def hostile() -> Iterator[ThreadedHubSimulator]:
    with run_in_thread(behaviors=HOSTILE, drip_interval=0.05) as server:
        yield server


def test_hostile_bodies_not_json_and_wrong_shape(hostile: ThreadedHubSimulator) -> None:
    with httpx.Client(base_url=hostile.url) as http:
        not_json = http.get("/api/models", params=listing_params("bert"))
        assert not_json.status_code == 200
        with pytest.raises(json.JSONDecodeError):
            json.loads(not_json.content)
        assert http.get("/api/models", params=listing_params("gpt2")).json() == {"models": 1}
        # A behaviour keyed by repo id applies to that repo's endpoints.
        with pytest.raises(json.JSONDecodeError):
            json.loads(http.get("/api/models/openai-community/gpt2").content)


def test_redirect_points_at_another_host(hostile: ThreadedHubSimulator) -> None:
    with httpx.Client(base_url=hostile.url) as http:
        response = http.get("/api/models", params=listing_params("t5", ("limit", "5")))
    assert response.status_code == 302
    location = response.headers["location"]
    assert location.startswith(f"http://127.0.0.2:{hostile.port}/api/models?")
    assert "filter=t5" in location
    assert "limit=5" in location


def test_status_behaviours_send_the_status_and_error_code(hostile: ThreadedHubSimulator) -> None:
    with httpx.Client(base_url=hostile.url) as http:
        forbidden = http.get("/api/models", params=listing_params("vit"))
        assert forbidden.status_code == 403
        assert forbidden.headers["x-error-code"] == "GatedRepo"
        assert "error" in forbidden.json()
        missing = http.get("/api/models", params=listing_params("roberta"))
        assert missing.status_code == 404
        assert missing.headers["x-error-code"] == "RepoNotFound"
        unavailable = http.get("/api/models", params=listing_params("phi3"))
        assert unavailable.status_code == 503
        assert unavailable.headers["retry-after"] == "1"


def test_hang_never_answers_but_does_not_block_others(hostile: ThreadedHubSimulator) -> None:
    timeout = httpx.Timeout(5.0, read=0.3)
    with httpx.Client(base_url=hostile.url, timeout=timeout) as http:
        with pytest.raises(httpx.ReadTimeout):
            http.get("/api/models", params=listing_params("whisper"))
        assert http.get("/api/models", params=listing_params("gptj")).status_code == 200


def test_slow_drip_sends_the_body_one_byte_at_a_time(hostile: ThreadedHubSimulator) -> None:
    with (
        httpx.Client(base_url=hostile.url) as http,
        http.stream("GET", "/api/models", params=listing_params("llama")) as response,
    ):
        assert response.status_code == 200
        assert int(response.headers["content-length"]) > 100
        chunks = []
        for chunk in response.iter_raw():
            chunks.append(chunk)
            if len(chunks) == 3:
                break
    assert chunks == [b"[", b"{", b'"']


def test_huge_announces_about_50_mb_and_streams_it(hostile: ThreadedHubSimulator) -> None:
    with (
        httpx.Client(base_url=hostile.url) as http,
        http.stream("GET", "/api/models", params=listing_params("qwen2")) as response,
    ):
        assert response.status_code == 200
        assert 49_000_000 <= int(response.headers["content-length"]) <= 50_000_000
        received = 0
        for chunk in response.iter_raw():
            received += len(chunk)
            if received > 1_000_000:
                break
    assert received > 1_000_000


@pytest.mark.anyio
async def test_huge_body_is_one_valid_json_array_of_the_announced_size() -> None:
    sim = HubSimulator(behaviors={"bert": "huge"}, huge_size=300_000)
    async with sim, httpx.AsyncClient() as http:
        response = await http.get(f"{sim.url}/api/models", params={"filter": "bert"})
    assert len(response.content) == int(response.headers["content-length"])
    assert 290_000 < len(response.content) <= 300_000
    assert isinstance(response.json(), list)


def test_fixture_file_behaviours_and_unknown_behaviours(tmp_path: Path) -> None:
    fixture = {
        "models": [{"id": "org/a", "tags": ["x"]}, {"id": "org/b", "__behavior__": "status:500"}],
        "behaviors": {"x": "wrong_shape"},
    }
    path = tmp_path / "fixture.json"
    path.write_text(json.dumps(fixture))
    with run_in_thread(path) as server, httpx.Client(base_url=server.url) as http:
        assert http.get("/api/models?filter=x").json() == {"models": 1}
        assert http.get("/api/models/org/b").status_code == 500
        assert http.get("/api/models/org/a").status_code == 200
    with pytest.raises(ValueError, match="unknown simulator behavior"):
        HubSimulator(fixture, behaviors={"x": "explode"})


# --------------------------------------------------------------------------- stats


def test_stats_count_requests_statuses_filters_and_authorizations(
    client: httpx.Client, sim: ThreadedHubSimulator
) -> None:
    client.get("/api/models", params=listing_params("bert"))
    client.get("/api/models", params=listing_params("bert"), headers=auth("hf_a"))
    client.get("/api/models", params=[("filter", "t5")], headers={"Host": "hub.example"})
    client.get("/api/models/nobody/nothing")
    client.get("/_sim/stats")  # control requests are not counted

    stats = sim.stats
    assert stats.requests == 4
    assert stats.listing_requests == 3
    assert stats.listings_by_filter == Counter({"bert": 2, "transformers": 2, "t5": 1})
    assert stats.by_status == Counter({200: 3, 401: 1})
    assert stats.authorizations_by_host[f"127.0.0.1:{sim.port}"] == {"Bearer hf_a"}
    assert stats.authorizations_by_host["hub.example"] == set()
    assert stats.connections == 1  # keep-alive: one connection for everything

    over_http = client.get("/_sim/stats").json()
    assert over_http == stats.to_dict()
    assert over_http["by_status"] == {"200": 3, "401": 1}

    assert client.post("/_sim/reset").json() == {"reset": True}
    assert sim.stats.requests == 0
    client.get("/api/models")
    sim.reset_stats()
    assert sim.stats.requests == 0
    assert sim.stats.listings_by_filter == Counter()


def test_runtime_configuration_over_http(client: httpx.Client) -> None:
    try:
        assert client.post("/_sim/config?fail_rate=1").json()["fail_rate"] == 1.0
        assert client.get("/api/models").status_code in FAULT_STATUSES
        assert client.post("/_sim/config?fail_rate=2").status_code == 400
        assert client.post("/_sim/config?colour=blue").status_code == 400
    finally:
        client.post("/_sim/config?fail_rate=0")
    assert client.get("/api/models").status_code == 200


@pytest.mark.anyio
async def test_latency_is_awaited_concurrently_not_serially() -> None:
    async with HubSimulator(latency=0.2) as sim:
        limits = httpx.Limits(max_connections=10)
        async with httpx.AsyncClient(base_url=sim.url, limits=limits) as http:
            started = time.monotonic()
            responses = await concurrently([lambda: http.get("/api/models")] * 10)
            elapsed = time.monotonic() - started
        assert {r.status_code for r in responses} == {200}
        assert elapsed >= 0.2
        assert sim.stats.max_in_flight == 10
        assert sim.stats.max_open_connections == 10


@pytest.mark.anyio
async def test_async_context_manager_stops_serving_on_exit() -> None:
    async with HubSimulator() as sim:
        url = sim.url
        async with httpx.AsyncClient() as http:
            assert (await http.get(f"{url}/api/models")).status_code == 200
    with pytest.raises(RuntimeError):
        _ = sim.url
    async with httpx.AsyncClient() as http:
        with pytest.raises(httpx.ConnectError):
            await http.get(f"{url}/api/models")


# --------------------------------------------------------------------------- raw HTTP


def _exchange(port: int, payload: bytes, responses: int) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(payload)
        data = b""
        while data.count(b"HTTP/1.1 ") < responses or not data.endswith((b"]", b"}")):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        return data


def test_pipelined_requests_with_bodies_keep_the_connection_framed(
    sim: ThreadedHubSimulator,
) -> None:
    payload = (
        b"POST /_sim/reset HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5\r\nhello\r\n0\r\n\r\n"
        b"POST /_sim/reset HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
        b"GET /api/models?filter=gpt2&limit=1 HTTP/1.1\r\nHost: x\r\n\r\n"
    )
    data = _exchange(sim.port, payload, 3)
    assert data.count(b"HTTP/1.1 200 OK") == 3
    assert data.endswith(b"]")


def test_malformed_and_oversized_requests_are_rejected(sim: ThreadedHubSimulator) -> None:
    assert _exchange(sim.port, b"NONSENSE\r\n\r\n", 1).startswith(b"HTTP/1.1 400 ")
    huge_header = b"GET / HTTP/1.1\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n"
    assert _exchange(sim.port, huge_header, 1).startswith(b"HTTP/1.1 431 ")


def test_head_sends_headers_only(client: httpx.Client) -> None:
    response = client.head("/api/models/openai-community/gpt2")
    assert response.status_code == 200
    assert int(response.headers["content-length"]) > 0
    assert response.content == b""


@pytest.mark.parametrize("host", ["0.0.0.0", "10.1.2.3", "example.com"])
def test_only_loopback_hosts_are_accepted(host: str) -> None:
    with pytest.raises(ValueError, match="loopback"):
        HubSimulator(host=host)


# --------------------------------------------------------------------------- fixtures


def test_synthetic_fixture_is_deterministic_and_realistic() -> None:
    types = ["mamba", "swin", "gpt2", "t5", "gptj", "llama"]
    fixture = synthetic_fixture(types, per_type=7, seed=1)
    assert fixture == synthetic_fixture(types, per_type=7, seed=1)
    assert fixture != synthetic_fixture(types, per_type=7, seed=2)
    # Each type has its own random stream: adding types changes nothing else.
    alone = synthetic_fixture(["mamba"], per_type=7, seed=1)["models"]
    assert [m for m in fixture["models"] if "mamba" in m["tags"]] == alone

    assert len(alone) == 7
    for item in fixture["models"]:
        assert set(item) >= ITEM_KEYS
        assert "transformers" in item["tags"]
    assert any(m["id"].endswith("/mamba-base") and m["safetensors"] for m in alone)
    assert any("base_model:finetune:" in tag for m in alone for tag in m["tags"])
    assert any(m["library_name"] == "gguf" and "gguf" in m["tags"] for m in alone)
    downloads = [m["downloads"] for m in alone]
    assert max(downloads) >= 100 * max(1, min(downloads))

    by_id = {m["id"]: m for m in fixture["models"]}
    assert by_id["openai-community/gpt2"]["downloads"] > 10_000_000
    assert by_id["openai-community/gpt2-large"]["safetensors"]["total"] == 774_030_080
    assert "distilbert/distilgpt2" in by_id
    assert "datificate/gpt2-small-spanish" in by_id
    assert by_id["amazon/chronos-t5-small"]["pipeline_tag"] == "time-series-forecasting"
    assert "google-t5/t5-small" in by_id
    assert by_id["mmnga/aibuncho-japanese-novel-gpt-j-6b-gguf"]["library_name"] == "gguf"
    assert "hf-internal-testing/tiny-random-GPTJForCausalLM" in by_id
    assert by_id["meta-llama/Llama-3.2-1B"]["gated"] == "manual"


def test_recorded_items_are_served_as_recorded_and_the_rest_is_marked_made_up() -> None:
    """Keeps the provenance note beside ``sim_overrides.json`` true (the simulator's ``data/``)."""
    recorded_dir = Path(__file__).parent / "data" / "real_hub" / "model-info"
    recorded = {
        item["id"]: item
        for item in (json.loads(p.read_text(encoding="utf-8")) for p in recorded_dir.glob("*.json"))
    }
    served = synthetic_fixture(DEFAULT_HUB_TYPES)["models"]
    shared = {item["id"]: item for item in served if item["id"] in recorded}
    assert sorted(shared) == [
        "deepset/roberta-base-squad2",
        "google-bert/bert-base-uncased",
        "google-t5/t5-small",
        "google/flan-t5-large",
        "google/vit-base-patch16-224",
        "meta-llama/Llama-3.1-8B-Instruct",
        "openai-community/gpt2",
    ]
    for model_id, item in shared.items():
        assert item["_source"].startswith("recorded: tests/data/real_hub/model-info/")
        for key in ITEM_KEYS | {"config", "transformersInfo"}:
            assert item[key] == recorded[model_id][key], (model_id, key)
    made_up = [item for item in served if item["id"] not in recorded]
    assert len(made_up) == 56
    assert all(item["_source"] == "made up: scripts/simulator_items.toml" for item in made_up)


BUILD_SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "build_simulator_data.py"
SIM_DATA = SRC / "hf_model_registry" / "simulator" / "data" / "sim_overrides.json"


def run_generator(*args: str) -> subprocess.CompletedProcess[str]:
    """``scripts/build_simulator_data.py args`` in a real process."""
    return subprocess.run(
        [sys.executable, str(BUILD_SCRIPT), *args], capture_output=True, text=True, timeout=60
    )


def test_committed_simulator_data_is_what_its_generator_makes() -> None:
    """CI's guard against a hand-edited or stale ``sim_overrides.json``."""
    result = run_generator("--check")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "sim_overrides.json is up to date\n"


def test_generator_check_names_what_differs(tmp_path: Path) -> None:
    data = json.loads(SIM_DATA.read_text(encoding="utf-8"))
    data["types"]["gpt2"][0]["downloads"] += 1
    del data["types"]["bert"][-1]
    stale = tmp_path / "sim_overrides.json"
    stale.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    result = run_generator("--check", "--output", str(stale))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert "  gpt2: openai-community/gpt2 differs in downloads" in lines
    assert "  bert: sim-private/bert-internal is generated but not committed" in lines
    assert lines[-1] == f"run: python scripts/build_simulator_data.py --output {stale}"


@pytest.mark.parametrize(
    "committed",
    [b'{"types": {"gpt2": [1]}}', b'"a string"', b'{"types": {"gpt2": [{"id": ["x"]}]}}', b"\xff"],
    ids=["item-not-an-object", "not-an-object", "unhashable-id", "not-utf-8"],
)
def test_generator_check_of_a_malformed_file_says_so_without_a_traceback(
    committed: bytes, tmp_path: Path
) -> None:
    target = tmp_path / "sim_overrides.json"
    target.write_bytes(committed)
    result = run_generator("--check", "--output", str(target))
    assert result.returncode == 1
    assert "is not what" in result.stderr and "Traceback" not in result.stderr


def test_generator_says_when_it_cannot_write(tmp_path: Path) -> None:
    target = tmp_path / "missing-dir" / "sim_overrides.json"
    result = run_generator("--output", str(target))
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: cannot write {target}: ")
    assert "Traceback" not in result.stderr


@pytest.fixture(scope="module")
def build_script() -> dict[str, Any]:
    """The script's functions, without running its command line."""
    return runpy.run_path(str(BUILD_SCRIPT))


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"gated": True}, "gated is true"),
        ({"tags": ["transformers"]}, "not tagged 'bert'"),
        ({"lastModified": "2024-01-01"}, "lastModified must look like"),
        ({"colour": "blue"}, "unknown fields ['colour']"),
    ],
)
def test_generator_refuses_items_the_recordings_do_not_support(
    build_script: dict[str, Any], item: dict[str, object], message: str
) -> None:
    base = {"id": "org/m", "downloads": 1, "likes": 0, "tags": ["bert"]}
    base["lastModified"] = "2024-01-01T00:00:00.000Z"
    spec = {"types": [{"hub_type": "bert", "items": [{**base, **item}]}]}
    table = {"architectures": [{"hub_type": "bert", "checkpoint": None}]}
    with pytest.raises(build_script["SpecError"], match=re.escape(message)):
        build_script["build"](spec, build_script["load_recordings"](), table)


def test_generator_requires_the_documented_checkpoint(build_script: dict[str, Any]) -> None:
    item = {"id": "org/m", "downloads": 1, "likes": 0, "tags": ["bert"]}
    item["lastModified"] = "2024-01-01T00:00:00.000Z"
    spec = {"types": [{"hub_type": "bert", "items": [item]}]}
    table = {"architectures": [{"hub_type": "bert", "checkpoint": "Org/M"}]}
    build, recordings = build_script["build"], build_script["load_recordings"]()
    assert [item["id"] for item in build(spec, recordings, table)["types"]["bert"]] == ["org/m"]
    table["architectures"][0]["checkpoint"] = "google-bert/bert-base-uncased"
    with pytest.raises(build_script["SpecError"], match="checkpoint google-bert/bert-base-uncased"):
        build(spec, recordings, table)


def test_large_synthetic_models_sometimes_exceed_two_billion_parameters() -> None:
    fixture = synthetic_fixture([f"type{i}" for i in range(20)], seed=0)
    sizes = [
        sum(m["safetensors"]["parameters"].values())
        for m in fixture["models"]
        if m["id"].endswith("-large")
    ]
    assert len(sizes) == 20
    assert any(size > 2_000_000_000 for size in sizes)
    assert any(size < 2_000_000_000 for size in sizes)
    with pytest.raises(ValueError):
        synthetic_fixture(["x"], per_type=0)


def test_fixture_for_all_architectures_reads_hub_types_and_tasks(tmp_path: Path) -> None:
    path = tmp_path / "architectures.json"
    architectures = [
        {"name": "bert", "hub_type": "bert"},
        {"name": "gpt-j", "hub_type": "gptj"},
        {"name": "mamba", "hub_type": "mamba", "tasks": ["feature-extraction", "text-generation"]},
    ]
    path.write_text(json.dumps({"architectures": architectures}))
    fixture = fixture_for_all_architectures(path, per_type=3)
    tags = {tag for item in fixture["models"] for tag in item["tags"]}
    assert {"bert", "gptj", "mamba"} <= tags
    mamba = [m for m in fixture["models"] if "mamba" in m["tags"]]
    assert len(mamba) == 3
    assert {m["pipeline_tag"] for m in mamba} == {"text-generation"}


# --------------------------------------------------------------------------- CLI


CLI = [sys.executable, "-m", "hf_model_registry.simulator"]


def _env() -> dict[str, str]:
    path = os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path}


def test_cli_writes_a_fixture_then_serves_it_until_sigterm(tmp_path: Path) -> None:
    fixture_path = tmp_path / "fixture.json"
    args = ["--types", "bert,mamba", "--per-type", "3", "--write-fixture", str(fixture_path)]
    written = subprocess.run([*CLI, *args], env=_env(), capture_output=True, timeout=30)
    assert written.returncode == 0, written.stderr
    fixture = load_fixture(fixture_path)
    assert {"google-bert/bert-base-uncased"} <= {m["id"] for m in fixture["models"]}

    server = subprocess.Popen(
        [*CLI, "--port", "0", "--quota", "50", "--fixture", str(fixture_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        match = re.fullmatch(r"listening on (http://127\.0\.0\.1:\d+)\n", line)
        assert match is not None, line
        response = httpx.get(f"{match.group(1)}/api/models", params={"filter": "mamba"})
        assert len(response.json()) == 3
        assert "q=50" in response.headers["ratelimit-policy"]
    finally:
        server.send_signal(signal.SIGTERM)
        out, err = server.communicate(timeout=30)
    assert server.returncode == 0, err
    assert out == ""


@pytest.mark.anyio
async def test_shutdown_drops_idle_and_hanging_connections_quietly(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with HubSimulator(behaviors={"bert": "hang"}) as sim:
        hanging = await anyio.connect_tcp("127.0.0.1", sim.port)
        await hanging.send(b"GET /api/models?filter=bert HTTP/1.1\r\nHost: x\r\n\r\n")
        idle_socket = await anyio.connect_tcp("127.0.0.1", sim.port)
        idle = BufferedByteReceiveStream(idle_socket)
        await idle_socket.send(b"GET /api/models?limit=1 HTTP/1.1\r\nHost: x\r\n\r\n")
        assert (await idle.receive_until(b"\r\n\r\n", 65536)).startswith(b"HTTP/1.1 200 ")
        await anyio.sleep(0.05)
        assert sim.stats.open_connections == 2
        assert sim.stats.in_flight == 1
    try:
        with anyio.fail_after(5):
            assert await read_to_end(hanging) == b""
            assert (await read_to_end(idle)).endswith(b"]")
    finally:
        await hanging.aclose()
        await idle.aclose()
    # Shutdown cancels the connection tasks; none of them may log that as an error.
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


async def read_to_end(stream: anyio.abc.ByteReceiveStream) -> bytes:
    data = b""
    with contextlib.suppress(anyio.EndOfStream, anyio.BrokenResourceError):
        while True:
            data += await stream.receive()
    return data


def test_importing_the_simulator_does_not_import_httpx() -> None:
    code = "import sys, hf_model_registry.simulator; print('httpx' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], env=_env(), capture_output=True, text=True, timeout=30
    )
    assert result.stdout.strip() == "False", result.stderr
