"""refresh and refresh-all end to end, against the loopback Hub simulator over real HTTP."""

from __future__ import annotations

import json
import socket
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from helpers import closed_port, entry, write_refreshed
from hf_model_registry import HubUnavailable, _lookup, aio
from hf_model_registry._architectures import all_architectures
from hf_model_registry._cli import main
from hf_model_registry._hub import RetryPolicy
from hf_model_registry._original import registry_key
from hf_model_registry._registry import dumps_registry, read_registry
from hf_model_registry.simulator import (
    ThreadedHubSimulator,
    run_in_thread,
)

FAST_RETRY = RetryPolicy(max_attempts=6, initial_wait=0.01, max_wait=0.05, jitter=0.01)
ALL = [a.name for a in all_architectures()]
HUB_TYPES = {a.hub_type for a in all_architectures()}


async def refresh_all(sim_all: ThreadedHubSimulator, registry: Path, **options: Any) -> Any:
    return await aio.refresh_all(
        registry=registry, endpoint=sim_all.url, retry=FAST_RETRY, **options
    )


@pytest.mark.anyio
async def test_refresh_all_sends_exactly_one_listing_per_architecture(
    sim_all: ThreadedHubSimulator, tmp_path: Path
) -> None:
    registry = tmp_path / "reg.json"
    report = await refresh_all(sim_all, registry, concurrency=16)
    stats = sim_all.stats
    assert stats.listing_requests == len(ALL) == report.requests
    # One request per architecture: a Hub tag shared by two (gpt-sw3 uses gpt2's) is asked twice.
    for hub_type in HUB_TYPES:
        sharing = sum(a.hub_type == hub_type for a in all_architectures())
        assert stats.listings_by_filter[hub_type] == sharing, hub_type
    assert stats.listings_by_filter["transformers"] == stats.listing_requests
    assert report.failed == {}
    data = read_registry(registry, missing_ok=False)
    assert set(report.names("updated", "no-candidates")) == set(ALL)
    assert data["gpt2"]["default_model"] == "openai-community/gpt2"
    assert data["t5"]["default_model"].startswith("google-t5/")
    assert data["gpt2"]["source"] == "hub" and "reason" in data["gpt2"]


@pytest.mark.anyio
async def test_refresh_all_completes_with_twenty_percent_injected_faults(
    sim_all: ThreadedHubSimulator, tmp_path: Path
) -> None:
    registry = tmp_path / "reg.json"
    sim_all.configure(fail_rate=0.2, seed=7)
    report = await refresh_all(sim_all, registry, concurrency=16)
    assert sim_all.stats.injected_faults > 50
    assert set(report.outcomes) == set(ALL)
    for name, outcome in report.outcomes.items():
        assert outcome.status in {"updated", "no-candidates", "failed"}, name
        if outcome.status == "failed":
            assert outcome.reason, name
    assert len(report.failed) < len(ALL) // 20  # retries absorb almost all faults
    written = read_registry(registry)
    # Each under its registry name, or the original tool's spelling (gpt-j) for a new entry.
    by_name = {a.name: registry_key(a.name, a.aliases, written) for a in all_architectures()}
    assert {by_name[n] for n in report.names("updated")} <= set(written)


@pytest.mark.anyio
async def test_quota_smaller_than_the_table_gives_at_most_one_429_per_window(
    all_fixture: dict[str, Any], tmp_path: Path
) -> None:
    quota, window = 200, 2.0
    with run_in_thread(all_fixture, quota=quota, window=window) as server:
        started = time.monotonic()
        report = await refresh_all(server, tmp_path / "reg.json", concurrency=16)
        elapsed = time.monotonic() - started
        windows = int(elapsed / window) + 1
        assert server.stats.rate_limited <= windows
        assert report.failed == {}
        assert server.stats.listing_requests == len(ALL) + server.stats.rate_limited


@pytest.mark.anyio
async def test_failed_architectures_keep_their_previous_entry(
    sim_all: ThreadedHubSimulator, tmp_path: Path
) -> None:
    registry = tmp_path / "reg.json"
    registry.write_text(dumps_registry({"bert": entry("kept/bert"), "gpt2": entry("old/gpt2")}))
    sim_all.configure(behaviors={"bert": "not_json"})
    report = await aio.refresh(
        ["bert", "gpt2"], registry=registry, endpoint=sim_all.url, retry=FAST_RETRY
    )
    assert "not JSON" in report.failed["bert"]
    data = read_registry(registry)
    assert data["bert"] == entry("kept/bert") | {"updated_at": data["bert"]["updated_at"]}
    assert data["gpt2"]["default_model"] == "openai-community/gpt2"
    assert report.changed[0].old_default == "old/gpt2"


@pytest.mark.anyio
async def test_pinned_entries_are_not_requested_or_changed(
    sim_all: ThreadedHubSimulator, tmp_path: Path
) -> None:
    registry = tmp_path / "reg.json"
    registry.write_text(dumps_registry({"gpt2": entry("me/my-gpt2", pinned=True)}))
    report = await aio.refresh(["gpt2", "t5"], registry=registry, endpoint=sim_all.url)
    assert report.outcomes["gpt2"].status == "pinned"
    assert sim_all.stats.listings_by_filter["gpt2"] == 0
    assert read_registry(registry)["gpt2"]["default_model"] == "me/my-gpt2"


@pytest.mark.anyio
async def test_max_age_skips_recent_entries_without_a_request(
    sim_all: ThreadedHubSimulator, tmp_path: Path
) -> None:
    registry = tmp_path / "reg.json"
    old = (datetime.now(UTC) - timedelta(days=3)).isoformat(timespec="seconds")
    registry.write_text(
        dumps_registry(
            {
                "bert": entry("a/b", source="hub", endpoint=sim_all.url),
                "t5": entry("c/d", source="hub", endpoint=sim_all.url) | {"updated_at": old},
            }
        )
    )
    report = await aio.refresh(
        ["bert", "t5"], registry=registry, endpoint=sim_all.url, max_age=86400
    )
    assert report.outcomes["bert"].status == "skipped"
    assert report.outcomes["t5"].status == "updated"
    assert sim_all.stats.listings_by_filter["bert"] == 0


def test_unreachable_endpoint_exits_3_fast_and_leaves_registry_identical(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = tmp_path / "reg.json"
    registry.write_text(dumps_registry({"bert": entry("a/b")}))
    before = registry.read_bytes()
    started = time.monotonic()
    code = main(
        [
            "refresh-all",
            "--registry",
            str(registry),
            "--endpoint",
            f"http://127.0.0.1:{closed_port()}",
        ]
    )
    elapsed = time.monotonic() - started
    _, err = capsys.readouterr()
    assert code == 3
    assert elapsed < 10
    assert "unreachable" in err and err.count("\n") == 1
    assert registry.read_bytes() == before


def test_offline_refresh_is_a_clear_error_without_a_socket(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")

    def no_connect(*args: object, **kwargs: object) -> None:
        raise AssertionError("a connection was attempted")

    monkeypatch.setattr(socket.socket, "connect", no_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", no_connect)
    code = main(["refresh", "bert", "--registry", str(tmp_path / "r.json")])
    assert code == 3
    assert "HF_HUB_OFFLINE" in capsys.readouterr().err


def test_cli_refresh_json_summary(
    sim_all: ThreadedHubSimulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = write_refreshed(
        tmp_path / "reg.json", sim_all.url, {"gpt2": "datificate/gpt2-small-spanish"}
    )
    code = main(
        [
            "refresh",
            "gpt2",
            "t5",
            "gpt-j",
            "--registry",
            str(registry),
            "--endpoint",
            sim_all.url,
            "--json",
        ]
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert set(out) >= {"refreshed", "unchanged", "failed", "skipped", "requests", "seconds"}
    assert out["changes"]["gpt2"] == {
        "old": "datificate/gpt2-small-spanish",
        "new": "openai-community/gpt2",
    }
    assert out["requests"] == 3 and out["failed"] == {}


def test_cli_refresh_human_summary_lists_changed_defaults(
    sim_all: ThreadedHubSimulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = write_refreshed(
        tmp_path / "reg.json", sim_all.url, {"gpt2": "datificate/gpt2-small-spanish"}
    )
    code = main(["refresh", "gpt2", "bert", "--registry", str(registry), "--endpoint", sim_all.url])
    out = capsys.readouterr().out
    assert code == 0
    assert "gpt2: datificate/gpt2-small-spanish -> openai-community/gpt2" in out
    assert "2 architectures" in out


def test_cli_partial_failure_exits_1(
    sim_all: ThreadedHubSimulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sim_all.configure(behaviors={"bert": "status:403"})
    code = main(
        [
            "refresh",
            "gpt2",
            "bert",
            "--registry",
            str(tmp_path / "r.json"),
            "--endpoint",
            sim_all.url,
        ]
    )
    out = capsys.readouterr().out
    assert code == 1
    assert "bert: listing 'bert': HTTP 403" in out


def test_stale_lookup_goes_to_the_hub_once_and_writes_nothing(
    sim_all: ThreadedHubSimulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = tmp_path / "huggingface_model_types.json"
    write_refreshed(registry, sim_all.url, {"gpt2": "old/gpt2"}, age=timedelta(days=30))
    before = registry.read_bytes()
    monkeypatch.setenv("HF_ENDPOINT", sim_all.url)
    answer = _lookup.lookup("gpt2")
    assert (answer.model_id, answer.source) == ("openai-community/gpt2", "hub")
    assert registry.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["huggingface_model_types.json"]
    assert _lookup.lookup("gpt2").source == "memo"
    # The file changing drops the sync memo; the Hub answer is still remembered.
    monkeypatch.setattr(_lookup, "STAT_INTERVAL_SECONDS", 0.0)
    stale = entry("old/gpt2", age=timedelta(days=30), source="hub", x=1)
    registry.write_text(dumps_registry({"gpt2": stale}))
    requests = sim_all.stats.requests
    assert _lookup.lookup("gpt2").model_id == "openai-community/gpt2"
    assert sim_all.stats.requests == requests


def test_lookup_falls_back_when_the_hub_is_down(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{closed_port()}")
    started = time.monotonic()
    assert _lookup.get_recommended_default_model("bert") == "google-bert/bert-base-uncased"
    assert _lookup.get_recommended_default_model("t5") == "google-t5/t5-small"
    assert time.monotonic() - started < 5


@pytest.mark.anyio
async def test_refresh_all_raises_hub_unavailable_in_the_library(tmp_path: Path) -> None:
    with pytest.raises(HubUnavailable):
        await aio.refresh_all(
            registry=tmp_path / "r.json",
            endpoint=f"http://127.0.0.1:{closed_port()}",
            retry=FAST_RETRY,
        )
    assert not (tmp_path / "r.json").exists()


def test_explain_and_check_against_the_simulator(
    sim_all: ThreadedHubSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["explain", "gpt2", "--endpoint", sim_all.url]) == 0
    out = capsys.readouterr().out
    first_row = next(line for line in out.splitlines() if line.startswith("*"))
    assert "openai-community/gpt2" in first_row
    assert "default: openai-community/gpt2" in out
    assert main(["explain", "t5", "--endpoint", sim_all.url, "--json"]) == 0
    ranking = json.loads(capsys.readouterr().out)
    chronos = next(c for c in ranking["candidates"] if c["id"] == "amazon/chronos-t5-small")
    # Ranked, never rejected: another organisation's original, after the canonical family.
    assert (chronos["verdict"], chronos["tier"]) == ("ranked", "original")
    assert ranking["chosen"].startswith("google-t5/")
    assert main(["check", "openai-community/gpt2", "--endpoint", sim_all.url]) == 0
    assert "available" in capsys.readouterr().out
    assert main(["check", "nobody/nothing-here", "--endpoint", sim_all.url]) == 1
    assert "not found" in capsys.readouterr().out
    assert (
        main(["check", "openai-community/gpt2", "--endpoint", f"http://127.0.0.1:{closed_port()}"])
        == 3
    )


@pytest.mark.anyio
@pytest.mark.parametrize("source", ["static", "documented"])
async def test_max_age_never_skips_an_entry_built_offline(
    sim_all: ThreadedHubSimulator, tmp_path: Path, source: str
) -> None:
    registry = tmp_path / "reg.json"
    registry.write_text(dumps_registry({"align": entry("kakaobrain/align-base", source=source)}))
    report = await aio.refresh(["align"], registry=registry, endpoint=sim_all.url, max_age=86400)
    assert report.outcomes["align"].status != "skipped"
    assert sim_all.stats.listings_by_filter["align"] == 1
    assert read_registry(registry)["align"]["source"] == "hub"


def test_a_just_built_documented_entry_still_sends_the_lookup_to_the_hub(
    sim_all: ThreadedHubSimulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = tmp_path / "reg.json"
    registry.write_text(
        dumps_registry({"align": entry("kakaobrain/align-base", source="documented")})
    )
    monkeypatch.setenv("HF_ENDPOINT", sim_all.url)
    answer = _lookup.lookup("align", registry=registry)
    assert answer.source == "hub"
    assert sim_all.stats.listings_by_filter["align"] == 1


def test_explain_names_the_offline_fallback_and_its_source(
    sim_all: ThreadedHubSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["explain", "gpt2", "--endpoint", sim_all.url]) == 0
    out = capsys.readouterr().out
    assert "offline: openai-community/gpt2 (static, hand-checked)" in out.splitlines()
    assert main(["explain", "align", "--endpoint", sim_all.url, "--json"]) in (0, 1)
    offline = json.loads(capsys.readouterr().out)["offline"]
    assert offline == {"model_id": "kakaobrain/align-base", "source": "documented"}
    assert main(["explain", "encoder-decoder", "--endpoint", sim_all.url]) in (0, 1)
    assert "offline: none" in capsys.readouterr().out.splitlines()
