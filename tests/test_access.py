"""Can a model be downloaded? ``_access.check_access`` against a mock Hub."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from hf_model_registry._access import Access, AccessStatus, check_access
from hf_model_registry._errors import InvalidModelId
from hf_model_registry._hub import HubClient, RetryPolicy

ENDPOINT = "https://hub.test"
TOKEN = "hf_ACCESStokenP4m7Rt2"
Answer = tuple[int, dict[str, str], Any]


class MockHub:
    """Answers ``/api/models/{id}`` and ``/api/models/{id}/auth-check`` from two fixed replies."""

    def __init__(self, info: Answer, auth: Answer = (200, {}, {})) -> None:
        self.info = info
        self.auth = auth
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        status, headers, body = self.auth if request.url.path.endswith("/auth-check") else self.info
        return httpx.Response(status, headers=headers, json=body)

    @property
    def paths(self) -> list[str]:
        return [r.url.raw_path.decode("ascii") for r in self.requests]


async def no_sleep(seconds: float) -> None:
    return None


async def run_check(
    handler: Callable[[httpx.Request], httpx.Response], model_id: str, token: str | None = None
) -> Access:
    hub = HubClient(
        endpoint=ENDPOINT,
        token=token,
        transport=httpx.MockTransport(handler),
        retry=RetryPolicy(max_attempts=2, connect_attempts=1),
        sleep=no_sleep,
    )
    async with hub:
        return await check_access(hub, model_id)


def gated(mode: str | bool) -> Answer:
    return (200, {}, {"id": "org/llama", "gated": mode})


@pytest.mark.anyio
async def test_open_model_is_available_after_metadata_and_auth_check() -> None:
    hub = MockHub(info=gated(False), auth=(200, {}, {}))
    access = await run_check(hub, "org/llama")
    assert access == Access("org/llama", AccessStatus.AVAILABLE, "")
    assert access.available
    assert hub.paths == ["/api/models/org/llama", "/api/models/org/llama/auth-check"]


@pytest.mark.anyio
async def test_gated_model_with_granted_token_is_available_and_says_so() -> None:
    hub = MockHub(info=gated("manual"), auth=(200, {}, {}))
    access = await run_check(hub, "org/llama", token=TOKEN)
    assert access.status is AccessStatus.AVAILABLE
    assert access.detail == "gated (manual), access granted"
    assert all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in hub.requests)


@pytest.mark.anyio
async def test_gated_model_without_token_is_gated_no_token() -> None:
    hub = MockHub(info=gated("auto"), auth=(401, {"X-Error-Code": "GatedRepo"}, {}))
    access = await run_check(hub, "org/llama")
    assert access.status is AccessStatus.GATED_NO_TOKEN
    assert not access.available
    assert "HF_TOKEN" in access.detail


@pytest.mark.anyio
async def test_gated_model_with_token_not_yet_approved_needs_approval() -> None:
    hub = MockHub(info=gated("manual"), auth=(403, {"X-Error-Code": "GatedRepo"}, {}))
    access = await run_check(hub, "org/llama", token=TOKEN)
    assert access.status is AccessStatus.GATED_NEEDS_APPROVAL
    assert not access.available


@pytest.mark.anyio
async def test_missing_model_anonymously_is_not_found_without_auth_check() -> None:
    hub = MockHub(info=(401, {}, {"error": "Invalid username or password."}))
    access = await run_check(hub, "org/missing")
    assert access == Access("org/missing", AccessStatus.NOT_FOUND, "HTTP 401")
    assert hub.paths == ["/api/models/org/missing"]


@pytest.mark.anyio
async def test_missing_model_with_token_is_not_found_with_error_code() -> None:
    hub = MockHub(info=(404, {"X-Error-Code": "RepoNotFound"}, {"error": "Repository not found"}))
    access = await run_check(hub, "org/missing", token=TOKEN)
    assert access == Access("org/missing", AccessStatus.NOT_FOUND, "HTTP 404 (RepoNotFound)")
    assert len(hub.requests) == 1


@pytest.mark.anyio
async def test_auth_check_404_is_not_found() -> None:
    hub = MockHub(info=gated(False), auth=(404, {"X-Error-Code": "RepoNotFound"}, {}))
    access = await run_check(hub, "org/llama", token=TOKEN)
    assert access.status is AccessStatus.NOT_FOUND
    assert access.detail == "HTTP 404 (RepoNotFound)"


@pytest.mark.anyio
async def test_unexpected_metadata_status_is_unreachable() -> None:
    hub = MockHub(info=(410, {}, {}))
    access = await run_check(hub, "org/llama")
    assert access == Access("org/llama", AccessStatus.UNREACHABLE, "metadata: HTTP 410")
    assert len(hub.requests) == 1


@pytest.mark.anyio
async def test_unexpected_auth_check_status_is_unreachable() -> None:
    hub = MockHub(info=gated(False), auth=(451, {}, {}))
    access = await run_check(hub, "org/llama")
    assert access == Access("org/llama", AccessStatus.UNREACHABLE, "auth-check: HTTP 451")


@pytest.mark.anyio
async def test_connection_failure_is_unreachable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    access = await run_check(refuse, "org/llama")
    assert access.status is AccessStatus.UNREACHABLE
    assert "cannot connect" in access.detail


@pytest.mark.parametrize(
    ("status", "says"), [(500, "HTTP 500"), (503, "HTTP 503"), (429, "rate limited")]
)
@pytest.mark.anyio
async def test_persistent_server_error_is_unreachable_not_an_exception(
    status: int, says: str
) -> None:
    hub = MockHub(info=(status, {}, {"error": "overloaded"}))
    access = await run_check(hub, "org/llama")
    assert access.status is AccessStatus.UNREACHABLE
    assert says in access.detail
    assert len(hub.requests) == 2  # retried (max_attempts=2), then given up


@pytest.mark.anyio
async def test_persistent_auth_check_error_is_unreachable() -> None:
    hub = MockHub(info=gated(False), auth=(502, {}, {}))
    access = await run_check(hub, "org/llama")
    assert access.status is AccessStatus.UNREACHABLE


@pytest.mark.parametrize(
    "model_id",
    [
        "",
        "org/",
        "/name",
        "a/b/c",
        "../etc/passwd",
        "org/..",
        "org/name?expand=x",
        "org/name#x",
        "org/na me",
        "org%2Fname",
        "org/name/auth-check/x",
        "-org/name",
        "org/name.git",
        "org--x/name",
        "org/näme",
    ],
)
@pytest.mark.anyio
async def test_invalid_model_id_raises_before_any_request(model_id: str) -> None:
    hub = MockHub(info=gated(False))
    with pytest.raises(InvalidModelId):
        await run_check(hub, model_id)
    assert hub.requests == []


@pytest.mark.parametrize(
    ("model_id", "path"),
    [
        ("gpt2", "/api/models/gpt2"),
        ("Org_1/Name.v2-x_", "/api/models/Org_1/Name.v2-x_"),
        ("openai-community/gpt2", "/api/models/openai-community/gpt2"),
    ],
)
@pytest.mark.anyio
async def test_model_id_parts_are_sent_as_literal_path_segments(model_id: str, path: str) -> None:
    hub = MockHub(info=gated(False))
    access = await run_check(hub, model_id)
    assert access.model_id == model_id
    assert hub.paths == [path, f"{path}/auth-check"]
    assert [r.url.host for r in hub.requests] == ["hub.test", "hub.test"]
