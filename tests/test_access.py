"""Can a model be downloaded? ``_access.check_access`` against a mock Hub."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from hf_model_registry._access import Access, AccessStatus, check_access
from hf_model_registry._errors import InvalidModelId
from hf_model_registry._hub import HubClient, RetryPolicy
from hf_model_registry._settings import HubSettings

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
        HubSettings(
            endpoint=ENDPOINT, token=token, retry=RetryPolicy(max_attempts=2, connect_attempts=1)
        ),
        transport=httpx.MockTransport(handler),
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


# The three legacy-id redirects recorded from the real Hub (huggingface_hub's VCR
# cassettes, tests/cassettes/, Apache-2.0, January to March 2025): the Hub answers
# 307 with a relative Location to the canonical id.
RECORDED_REDIRECTS = [
    ("bert-base-uncased", "/api/models/google-bert/bert-base-uncased"),
    ("t5-small", "/api/models/google-t5/t5-small"),
    ("meta-llama/Meta-Llama-3.1-8B-Instruct", "/api/models/meta-llama/Llama-3.1-8B-Instruct"),
]


class RedirectingHub:
    """A Hub that moved ``legacy`` to ``location``: 307 for the old id, answers for the new."""

    def __init__(self, legacy: str, location: str, auth: Answer = (200, {}, {})) -> None:
        self.legacy_path = f"/api/models/{legacy}"
        self.location = location
        self.auth = auth
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if path.startswith(self.legacy_path):
            return httpx.Response(
                307, headers={"Location": self.location + path[len(self.legacy_path) :]}
            )
        if path == self.location:
            return httpx.Response(
                200, json={"id": path.removeprefix("/api/models/"), "gated": False}
            )
        if path == f"{self.location}/auth-check":
            status, headers, body = self.auth
            return httpx.Response(status, headers=headers, json=body)
        return httpx.Response(404, headers={"X-Error-Code": "RepoNotFound"}, json={})


@pytest.mark.parametrize(("legacy", "location"), RECORDED_REDIRECTS)
@pytest.mark.anyio
async def test_a_legacy_id_is_answered_under_its_canonical_id(legacy: str, location: str) -> None:
    hub = RedirectingHub(legacy, location)
    access = await run_check(hub, legacy, token=TOKEN)
    canonical = location.removeprefix("/api/models/")
    assert access == Access(canonical, AccessStatus.AVAILABLE, "", requested_id=legacy)
    # The redirect is followed once; the auth-check asks for the canonical id directly.
    assert [r.url.path for r in hub.requests] == [
        f"/api/models/{legacy}",
        location,
        f"{location}/auth-check",
    ]
    assert all(r.url.host == "hub.test" for r in hub.requests)
    assert all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in hub.requests)


@pytest.mark.anyio
async def test_a_legacy_id_keeps_its_canonical_id_when_gated() -> None:
    hub = RedirectingHub(
        "meta-llama/Meta-Llama-3.1-8B-Instruct",
        "/api/models/meta-llama/Llama-3.1-8B-Instruct",
        auth=(401, {"X-Error-Code": "GatedRepo"}, {}),
    )
    access = await run_check(hub, "meta-llama/Meta-Llama-3.1-8B-Instruct")
    assert access.model_id == "meta-llama/Llama-3.1-8B-Instruct"
    assert access.requested_id == "meta-llama/Meta-Llama-3.1-8B-Instruct"
    assert access.status is AccessStatus.GATED_NO_TOKEN


@pytest.mark.anyio
async def test_an_id_that_is_not_redirected_has_no_requested_id() -> None:
    access = await run_check(MockHub(info=gated(False)), "google-bert/bert-base-uncased")
    assert access.model_id == "google-bert/bert-base-uncased"
    assert access.requested_id is None


@pytest.mark.anyio
async def test_a_redirect_to_another_host_is_not_followed_and_not_a_canonical_id() -> None:
    hub = RedirectingHub("bert-base-uncased", "https://evil.test/api/models/evil/bert")
    access = await run_check(hub, "bert-base-uncased", token=TOKEN)
    assert access.status is AccessStatus.UNREACHABLE
    assert access.model_id == "bert-base-uncased" and access.requested_id is None
    assert "another origin (https://evil.test)" in access.detail
    assert [r.url.host for r in hub.requests] == ["hub.test"]


@pytest.mark.anyio
async def test_endless_redirects_are_bounded() -> None:
    hub = RedirectingHub("org/a", "/api/models/org/a")  # redirects to itself
    access = await run_check(hub, "org/a")
    assert access.status is AccessStatus.UNREACHABLE
    assert "redirects" in access.detail
    assert len(hub.requests) == 4


@pytest.mark.parametrize("path", ["/api/models/org/llama", "/api/models/org/llama/auth-check"])
@pytest.mark.anyio
async def test_a_rejected_token_is_its_own_status_not_not_found(path: str) -> None:
    invalid = (
        401,
        {"X-Error-Message": "Invalid credentials in Authorization header"},
        {"error": "Invalid credentials in Authorization header"},
    )
    hub = MockHub(info=invalid if path.endswith("llama") else gated(False), auth=invalid)
    access = await run_check(hub, "org/llama", token=TOKEN)
    assert access.status is AccessStatus.INVALID_TOKEN
    assert "HF_TOKEN" in access.detail and TOKEN not in access.detail
    assert hub.paths[-1] == path  # asked once, not retried


@pytest.mark.parametrize("status", list(AccessStatus))
def test_every_status_has_words_a_slug_and_an_exit_code_for_both_command_lines(
    status: AccessStatus,
) -> None:
    from hf_model_registry._access import access_exit_code, access_words, status_slug

    access = Access("org/model", status, "why")
    assert access_words(access) == f"{status} (why)"
    assert access_words(Access("org/model", status)) == str(status)
    assert re.fullmatch(r"[a-z]+(-[a-z]+)*", status_slug(status))
    expected = {
        AccessStatus.AVAILABLE: 0,
        AccessStatus.INVALID_TOKEN: 2,
        AccessStatus.UNREACHABLE: 3,
    }.get(status, 1)
    assert access_exit_code(access) == expected
