"""Failures that once escaped the error tree or the fallback chain, found by review."""

from __future__ import annotations

import errno
import json
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

import find_models
from helpers import entry
from hf_model_registry import RateLimited, RegistryError, _lookup, _registry, aio
from hf_model_registry._cli import main
from hf_model_registry._hub import HubClient, RetryPolicy
from hf_model_registry._ratelimit import Pacer
from hf_model_registry._registry import dumps_registry, read_registry
from hf_model_registry._settings import HubSettings

ENDPOINT = "http://hub.test"
NO_RETRY = RetryPolicy(max_attempts=1, connect_attempts=1)


def listing(request: httpx.Request) -> httpx.Response:
    return httpx.Response(
        200, json=[{"id": "org/model", "downloads": 5000, "tags": ["transformers"]}]
    )


def _bad_gzip_for_bert(request: httpx.Request) -> httpx.Response:
    # Only bert's listing is broken: a run in which every architecture fails stops
    # early as "Hub unusable" (exit 3), which is not what these tests are about.
    if "bert" not in request.url.params.get_list("filter"):
        return listing(request)
    return httpx.Response(200, headers={"Content-Encoding": "gzip"}, content=b"not gzip at all")


def test_an_undecodable_body_fails_its_architecture_not_the_refresh(tmp_path: Path) -> None:
    bad_gzip = _bad_gzip_for_bert
    report = anyio.run(
        lambda: aio.refresh(
            ["bert", "gpt2"],
            registry=tmp_path / "r.json",
            endpoint=ENDPOINT,
            transport=httpx.MockTransport(bad_gzip),
            retry=NO_RETRY,
        )
    )
    assert "undecodable" in report.failed["bert"]


@pytest.mark.parametrize("header", ["location", "link"])
def test_a_server_sent_url_with_a_bad_port_is_refused_not_a_crash(header: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if header == "location":
            return httpx.Response(302, headers={"Location": "http://hub.test:99999/x"})
        link = '<http://hub.test:99999/api/models?cursor=2>; rel="next"'
        return httpx.Response(200, headers={"Link": link}, json=[])

    async def main_() -> Any:
        async with HubClient(
            HubSettings(endpoint=ENDPOINT), transport=httpx.MockTransport(handler)
        ) as hub:
            return await hub.list_page("bert")

    if header == "location":
        with pytest.raises(RegistryError, match="another origin"):
            anyio.run(main_)
    else:
        assert anyio.run(main_).next_url is None


def test_a_directory_at_the_registry_path_is_never_moved_aside(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "myproject"
    project.mkdir()
    (project / "notes.txt").write_text("important")
    transport = httpx.MockTransport(listing)
    with pytest.raises(RegistryError, match="directory"):
        anyio.run(lambda: aio.refresh_all(registry=project, endpoint=ENDPOINT, transport=transport))
    assert (project / "notes.txt").read_text() == "important"
    assert not list(tmp_path.glob("myproject.corrupt-*"))


def test_an_unwritable_registry_is_a_registry_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def read_only(path: Path, *args: Any) -> Any:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(_registry, "_lock", read_only)
    with pytest.raises(RegistryError, match="cannot write"):
        _registry.locked_update(tmp_path / "r.json", lambda current: current)


def test_a_lookup_does_not_write_into_a_registry_it_cannot_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = tmp_path / "reg.json"
    registry.write_text(
        dumps_registry({"bert": entry("a/old", age=timedelta(days=30), source="hub")})
    )
    before = registry.read_bytes()
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    calls: list[Any] = []

    async def fake_refresh(types: Any, *args: Any, **options: Any) -> Any:
        calls.append(options)
        raise RegistryError("no Hub here")

    import hf_model_registry._refresh as refresh_module

    monkeypatch.setattr(refresh_module, "refresh", fake_refresh)
    monkeypatch.setenv("HF_ENDPOINT", ENDPOINT)
    assert _lookup.get_recommended_default_model("bert", registry=registry) == "a/old"
    assert calls and calls[0]["write"] is False
    assert registry.read_bytes() == before


def test_a_lookup_does_not_wait_out_a_spent_quota() -> None:
    clock = [0.0]
    pacer = Pacer(clock=lambda: clock[0], max_wait=4.0)

    async def spend_then_acquire() -> None:
        ticket = await pacer.acquire()
        pacer.observe(ticket, {"RateLimit": '"api";r=0;t=300'}, 200)
        await pacer.acquire()

    with pytest.raises(RateLimited) as info:
        anyio.run(spend_then_acquire)
    assert info.value.retry_after == pytest.approx(301.0)  # t + 1: t is rounded


def test_the_memo_notices_a_registry_file_created_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(_lookup, "STAT_INTERVAL_SECONDS", 0.0)
    assert _lookup.lookup("bert").source == "static"
    Path("huggingface_model_types.json").write_text(
        dumps_registry({"bert": entry("my-org/my-bert", pinned=True)})
    )
    assert _lookup.get_recommended_default_model("bert") == "my-org/my-bert"


@pytest.mark.parametrize(
    ("env", "args"),
    [
        ({}, ["--verify", "openai-community/gpt2", "--endpoint", "http://127.0.0.1:99999"]),
        ({"HF_TOKEN": "hf_abc d\u00e9f"}, ["--verify", "openai-community/gpt2"]),
    ],
)
def test_find_models_exits_2_for_a_bad_endpoint_or_token(
    env: dict[str, str],
    args: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    if "--endpoint" not in args:
        args = [*args, "--endpoint", "http://127.0.0.1:1"]
    assert find_models.main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "d\u00e9f" not in err


def test_cli_refresh_with_an_undecodable_body_exits_1_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real_init = HubClient.__init__

    def with_bad_gzip(self: HubClient, settings: HubSettings, **kwargs: Any) -> None:
        kwargs["transport"] = httpx.MockTransport(_bad_gzip_for_bert)
        real_init(self, settings, **kwargs)

    monkeypatch.setattr(HubClient, "__init__", with_bad_gzip)
    code = main(
        [
            "refresh",
            "bert",
            "gpt2",
            "--registry",
            str(tmp_path / "r.json"),
            "--endpoint",
            ENDPOINT,
            "--json",
        ]
    )
    out, err = capsys.readouterr()
    assert code == 1 and "Traceback" not in err
    assert "undecodable" in json.loads(out)["failed"]["bert"]
    assert set(read_registry(tmp_path / "r.json")) == {"gpt2"}
