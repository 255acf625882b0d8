"""Secrets: the Hub token never leaves the process except as the endpoint's Authorization header.

Real `hf-model-registry` processes run with ``HF_TOKEN`` set and ``--verbose`` (DEBUG
logging of this package, httpx and httpcore) against the simulator, through success
paths, error statuses, a redirect to another host and a failing command. Their stdout,
stderr, every file they leave behind, the exceptions raised in-process and every log
record are searched for the token; the simulators report which hosts saw which
Authorization header.
"""

from __future__ import annotations

import logging
import os
import subprocess
import traceback
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from helpers import HubPair, fresh, hub_and_other_host, python_m
from hf_model_registry import Entry, RegistryError, TokenRejected, aio
from hf_model_registry._hub import HubClient, RetryPolicy
from hf_model_registry._registry import dumps_registry
from hf_model_registry._settings import HubSettings
from hf_model_registry.simulator import (
    ThreadedHubSimulator,
    run_in_thread,
)

TOKEN = "hf_SECRET_xyz_7Qm2Lp9Vt4Rk8Wn3"
# Pieces of the token, to catch a truncated or split echo of it too.
FRAGMENTS = (TOKEN, TOKEN[:16], TOKEN[-12:], "SECRET_xyz")
RETRY = RetryPolicy(max_attempts=2, connect_attempts=1, initial_wait=0.01, max_wait=0.05)
BEHAVIOURS = {
    "bert": "redirect",
    "t5": "wrong_shape",
    "albert": "status:401:RepoNotFound",
    "roberta": "not_json",
    "vit": "status:403:GatedRepo",
    "openai-community/gpt2": "redirect",
    "google-t5/t5-small": "status:404:RepoNotFound",
}


def _leaks(text: str) -> list[str]:
    return [fragment for fragment in FRAGMENTS if fragment in text]


@pytest.fixture(scope="module")
def sims(all_fixture: dict[str, Any]) -> Iterator[HubPair]:
    with hub_and_other_host(all_fixture, behaviors=BEHAVIOURS) as pair:
        yield pair


@pytest.fixture
def hub(sims: HubPair) -> Iterator[ThreadedHubSimulator]:
    server = fresh(sims, BEHAVIOURS)
    other = sims[1]
    yield server
    # Wherever the token went, it went only to the endpoint's own host.
    seen = {host: auth for host, auth in server.stats.authorizations_by_host.items() if auth}
    assert set(seen) <= {f"127.0.0.1:{server.port}"}, seen
    if other is not None:
        assert other.stats.requests == 0, "a redirect to 127.0.0.2 was followed"
        assert not any(other.stats.authorizations_by_host.values())


def _cli(
    args: list[str], cwd: Path, env: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    # -vv: the HTTP stack's own debug logs too, where a leaked header would show.
    return python_m("hf_model_registry", "-vv", *args, cwd=cwd, env=env, timeout=timeout)


def _stale_registry(path: Path, endpoint: str) -> None:
    old = (datetime.now(UTC) - timedelta(days=60)).isoformat(timespec="seconds")
    entries: dict[str, Entry] = {
        name: {
            "default_model": model,
            "models": [model],
            "downloads": {},
            "updated_at": old,
            "source": "hub",
            "endpoint": endpoint,
        }
        for name, model in (("bert", "old/bert"), ("gpt2", "old/gpt2"), ("t5", "old/t5"))
    }
    path.write_text(dumps_registry(entries))


def _files_text(root: Path) -> dict[str, str]:
    texts = {}
    for path in root.rglob("*"):
        if path.is_file():
            texts[str(path)] = path.read_bytes().decode("utf-8", "replace")
    return texts


def test_token_never_appears_in_output_files_or_foreign_requests_of_real_processes(
    hub: ThreadedHubSimulator, tmp_path: Path
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    registry = work / "huggingface_model_types.json"
    _stale_registry(registry, hub.url)
    env = {
        **os.environ,
        "HF_TOKEN": TOKEN,
        "HF_ENDPOINT": hub.url,
        "HF_HOME": str(tmp_path / "hf_home"),
        "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    }
    reg = ["--registry", str(registry)]
    runs: list[tuple[list[str], set[int]]] = [
        # success, redirect, wrong shape, 401, non-JSON and 403 in one refresh
        (["refresh", "bert", "gpt2", "t5", "albert", "roberta", "vit", *reg], {1}),
        (["refresh", "bert", *reg, "--json"], {3}),  # its only architecture failed
        (["explain", "gpt2"], {0}),
        (["explain", "bert"], {1}),  # a redirect: an error path with a logged traceback
        (["explain", "t5", "--json"], {1}),  # a body of the wrong shape
        (["check", "google-bert/bert-base-uncased"], {0}),
        (["check", "openai-community/gpt2"], {1, 3}),  # a redirect: no answer
        (["check", "google-t5/t5-small", "--json"], {1}),  # 404 RepoNotFound
        (["check", "nobody/nothing-here"], {1}),
        (["recommend", "bert", *reg], {0}),  # stale -> Hub (redirect) -> stale answer
        (["recommend", "gpt2", *reg], {0}),  # stale -> Hub -> written back
        (["show", "--json", *reg], {0}),
        (["validate", *reg], {0}),
    ]
    outputs: list[str] = []
    for args, codes in runs:
        proc = _cli(args, work, env)
        assert proc.returncode in codes, (args, proc.returncode, proc.stderr[-2000:])
        outputs.append(proc.stdout + proc.stderr)
        assert _leaks(proc.stdout) == [], args
        assert _leaks(proc.stderr) == [], args
    assert any("Traceback" in text for text in outputs), "no error path was exercised"
    assert any("redirected to another origin" in text for text in outputs)
    assert any("DEBUG" in text for text in outputs), "--verbose did not log at DEBUG"
    for name, text in _files_text(tmp_path).items():
        assert _leaks(text) == [], name
    # The token was really in use: the endpoint saw it on every request.
    assert hub.stats.authorizations_by_host[f"127.0.0.1:{hub.port}"] == {f"Bearer {TOKEN}"}


def test_token_from_the_flag_or_the_token_file_never_appears_either(
    hub: ThreadedHubSimulator, tmp_path: Path
) -> None:
    home = tmp_path / "hf_home"
    home.mkdir()
    (home / "token").write_text(TOKEN + "\n")
    env = {**os.environ, "HF_HOME": str(home), "HF_ENDPOINT": hub.url}
    env.pop("HF_TOKEN", None)
    registry = tmp_path / "reg.json"
    texts = []
    for args in (
        ["refresh", "bert", "gpt2", "--registry", str(registry)],  # token from the file
        ["explain", "bert", "--token", TOKEN],  # token from the flag, redirect error
        ["check", "openai-community/gpt2", "--token", TOKEN],
    ):
        proc = _cli(args, tmp_path, env)
        assert proc.returncode in (1, 3), proc.stderr[-2000:]
        texts.append(proc.stdout + proc.stderr)
    assert all(_leaks(text) == [] for text in texts)
    assert _leaks(registry.read_text()) == []
    assert hub.stats.authorizations_by_host[f"127.0.0.1:{hub.port}"] == {f"Bearer {TOKEN}"}


def test_refresh_all_with_debug_logging_never_shows_the_token(
    hub: ThreadedHubSimulator, tmp_path: Path
) -> None:
    registry = tmp_path / "huggingface_model_types.json"
    env = {**os.environ, "HF_TOKEN": TOKEN, "HF_HUB_DISABLE_PROGRESS_BARS": "1"}
    proc = _cli(
        ["refresh-all", "--registry", str(registry), "--endpoint", hub.url, "--concurrency", "16"],
        tmp_path,
        env,
    )
    assert proc.returncode == 1  # the hostile architectures failed, the rest were written
    assert proc.stderr.count("\n") > 1000  # DEBUG logs of every request
    assert _leaks(proc.stdout) == [] and _leaks(proc.stderr) == []
    assert _leaks(registry.read_text()) == []
    assert "bert: redirected to another origin" in proc.stdout


@pytest.mark.anyio
async def test_exceptions_reports_and_log_records_in_process_never_hold_the_token(
    hub: ThreadedHubSimulator, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger: this package, httpx, httpcore
    hub.configure(behaviors={**BEHAVIOURS, "xlnet": "status:500"})  # retries, then failure
    registry = tmp_path / "reg.json"
    report = await aio.refresh(
        ["bert", "gpt2", "t5", "albert", "roberta", "vit", "xlnet"],
        registry=registry,
        endpoint=hub.url,
        token=TOKEN,
        retry=RETRY,
    )
    assert set(report.failed) == {"bert", "t5", "albert", "roberta", "vit", "xlnet"}
    assert report.retries > 0
    texts = [repr(report), str(report.as_json()), registry.read_text()]
    for call in (
        lambda: aio.explain("bert", endpoint=hub.url, token=TOKEN),
        lambda: aio.explain("t5", endpoint=hub.url, token=TOKEN),
        lambda: aio.refresh(
            ["bert"], registry=tmp_path / "r2.json", endpoint=hub.url, token=TOKEN, retry=RETRY
        ),
    ):
        try:
            result: Any = await call()
        except RegistryError as exc:
            texts += [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
        else:
            texts.append(repr(result))
    access = await aio.check_model_access("google-t5/t5-small", endpoint=hub.url, token=TOKEN)
    texts.append(repr(access))
    settings = HubSettings(endpoint=hub.url, token=TOKEN)
    client = HubClient(settings)
    texts += [repr(settings), str(settings)]
    texts += [repr(client), str(client)]
    for record in caplog.records:
        texts.append(record.getMessage())
        if record.exc_info:
            texts.append("".join(traceback.format_exception(*record.exc_info)))
    assert len(caplog.records) > 20
    assert [text for text in texts if _leaks(text)] == []


@pytest.mark.anyio
async def test_an_invalid_token_rejected_by_the_hub_is_not_echoed(tmp_path: Path) -> None:
    with (
        run_in_thread(valid_tokens={"hf_the_only_valid_token"}) as server,
        pytest.raises(TokenRejected) as info,
    ):
        await aio.refresh(
            ["gpt2", "bert"],
            registry=tmp_path / "reg.json",
            endpoint=server.url,
            token=TOKEN,
            retry=RETRY,
        )
    assert "invalid or expired" in str(info.value)
    text = "".join(traceback.format_exception(info.value))
    assert _leaks(text) == [] and _leaks(repr(info.value)) == []
    assert not (tmp_path / "reg.json").exists()


@pytest.mark.anyio
async def test_a_token_is_sent_only_to_the_endpoint_origin_not_to_a_same_named_other_port(
    tmp_path: Path,
) -> None:
    seen: list[tuple[str, int | None, str | None]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((request.url.host, request.url.port, request.headers.get("authorization")))
        if request.url.port is None:
            # Same host name, another port: a different origin.
            return httpx.Response(302, headers={"location": "https://hub.test:8443/api/models"})
        return httpx.Response(200, json=[])

    with pytest.raises(RegistryError, match="redirected to another origin"):
        await aio.refresh(
            ["bert"],
            registry=tmp_path / "reg.json",
            endpoint="https://hub.test",
            token=TOKEN,
            transport=httpx.MockTransport(handler),
            retry=RETRY,
        )
    assert seen == [("hub.test", None, f"Bearer {TOKEN}")]


def test_a_malformed_token_gives_one_line_error_without_echoing_it(
    hub: ThreadedHubSimulator, tmp_path: Path
) -> None:
    bad_token = "hf_SECRET_xyz_\u00e9t\u00e9"
    env = {**os.environ, "HF_TOKEN": bad_token, "HF_ENDPOINT": hub.url}
    proc = python_m("hf_model_registry", "explain", "gpt2", cwd=tmp_path, env=env, timeout=60)
    assert "SECRET_xyz" not in proc.stdout + proc.stderr
    assert proc.returncode == 2, proc.stderr[-1500:]
    assert proc.stderr.startswith("error: ") and proc.stderr.count("\n") == 1
