"""The command line never loses, disguises or invents registry data (issue 12, items 1-4, 6, 7).

Every test checks the exact exit code and that nothing was written where nothing should be.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

import pytest

from helpers import closed_port, entry, files_in, run_cli
from hf_model_registry import Entry, RegistryCorrupt
from hf_model_registry._config import packaged_registry_path
from hf_model_registry._git import tracked_by_git
from hf_model_registry._registry import (
    dumps_registry,
    parse_registry,
    pin_entry,
    read_registry,
    unpin_entry,
    with_endpoint,
)
from hf_model_registry.simulator import ThreadedHubSimulator


def hub_entry(model_id: str, *, days_old: float = 0, **extra: Any) -> Entry:
    """An entry as a refresh writes it, with its reason and size."""
    fields = {
        "models": [model_id, "other/model"],
        "downloads": {model_id: 1234},
        "source": "hub",
        "reason": f"most downloaded original: {model_id}",
        "parameters": 124_000_000,
        "parameters_source": "safetensors",
        **extra,
    }
    return entry(model_id, age=timedelta(days=days_old), **fields)


# -- 1. unpin restores what the pin replaced ------------------------------------------------


def test_unpin_restores_the_entry_the_pin_replaced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    reg = tmp_path / "reg.json"
    original = hub_entry("openai-community/gpt2", note="mine")
    reg.write_text(dumps_registry({"gpt2": original}))

    code, out, err = run_cli(capsys, "pin", "gpt2", "not-a-real/model", "--registry", str(reg))
    assert (code, err) == (0, "") and out == f"pinned gpt2 -> not-a-real/model in {reg}\n"
    code, out, _ = run_cli(capsys, "show", "gpt2", "--registry", str(reg), "--json")
    pinned = json.loads(out)["gpt2"]
    assert code == 0 and pinned["default_model"] == "not-a-real/model"
    # The pin shows only what the user chose, not the replaced model's Hub data.
    assert pinned["source"] == "user" and pinned["pinned"] is True and pinned["note"] == "mine"
    assert "reason" not in pinned and "parameters" not in pinned

    code, out, err = run_cli(capsys, "unpin", "gpt2", "--registry", str(reg))
    assert (code, err) == (0, "")
    assert out == f"unpinned gpt2 in {reg}; restored openai-community/gpt2\n"
    assert read_registry(reg) == {"gpt2": original}
    assert run_cli(capsys, "recommend", "gpt2", "--registry", str(reg))[:2] == (
        0,
        "openai-community/gpt2\n",
    )


def test_repinning_then_unpinning_restores_the_original_not_the_first_pin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # pin asks the Hub for the canonical id otherwise
    reg = tmp_path / "reg.json"
    original = hub_entry("openai-community/gpt2")
    reg.write_text(dumps_registry({"gpt2": original}))
    assert run_cli(capsys, "pin", "gpt2", "first/pin", "--registry", str(reg))[0] == 0
    assert run_cli(capsys, "pin", "gpt2", "second/pin", "--registry", str(reg))[0] == 0
    assert read_registry(reg)["gpt2"]["default_model"] == "second/pin"
    assert run_cli(capsys, "unpin", "gpt2", "--registry", str(reg))[0] == 0
    assert read_registry(reg) == {"gpt2": original}


def test_unpin_of_a_pin_that_replaced_nothing_removes_the_entry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    reg = tmp_path / "reg.json"
    reg.write_text(dumps_registry({"bert": hub_entry("google-bert/bert-base-uncased")}))
    assert run_cli(capsys, "pin", "gpt2", "not-a-real/model", "--registry", str(reg))[0] == 0
    code, out, _ = run_cli(capsys, "unpin", "gpt2", "--registry", str(reg))
    assert code == 0 and "removed its entry" in out
    assert set(read_registry(reg)) == {"bert"}
    # Nothing disguises the pinned id any more: the lookup falls back to the static default.
    assert run_cli(capsys, "recommend", "gpt2", "--registry", str(reg))[:2] == (
        0,
        "openai-community/gpt2\n",
    )


def test_unpin_of_a_missing_registry_exits_1_and_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(capsys, "unpin", "gpt2", "--registry", str(tmp_path / "nope.json"))
    assert code == 1 and out == "" and "is not pinned" in err
    assert files_in(tmp_path) == set()


def test_pin_entry_and_unpin_entry_round_trip() -> None:
    original = hub_entry("a/b", note="kept")
    pinned = pin_entry(original, "c/d")
    assert pinned["pinned_over"] == original
    assert unpin_entry(pin_entry(pinned, "e/f")) == original
    assert unpin_entry(pin_entry(None, "c/d")) is None


def test_a_nested_or_malformed_pinned_over_is_a_corrupt_registry() -> None:
    pinned = pin_entry(hub_entry("a/b"), "c/d")
    assert parse_registry(dumps_registry({"gpt2": pinned}).encode())["gpt2"] == pinned
    bads: tuple[object, ...] = ({"default_model": 3}, pinned, "a/b")
    for bad in bads:
        # A cast, not a check: the malformed entry is what this test writes.
        malformed = cast(Entry, {**pinned, "pinned_over": bad})
        text = dumps_registry({"gpt2": malformed}).encode()
        with pytest.raises(RegistryCorrupt, match=r"pinned_over|must be an object|default_model"):
            parse_registry(text)


# -- 2. reads never create anything -----------------------------------------------------------


@pytest.mark.usefixtures("sim_in_env")
def test_recommend_with_a_mistyped_registry_creates_no_file(
    sim: ThreadedHubSimulator,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run_cli(capsys, "recommend", "t5", "--registry", str(tmp_path / "regsitry.json"))
    assert code == 0 and out.startswith("google-t5/")
    assert sim.stats.listing_requests == 1  # the Hub was asked...
    assert files_in(tmp_path) == set()  # ...and nothing was written


@pytest.mark.usefixtures("sim_in_env")
def test_registry_variable_naming_a_missing_file_creates_nothing(
    sim: ThreadedHubSimulator,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HF_MODEL_REGISTRY", str(tmp_path / "missing.json"))
    code, out, _ = run_cli(capsys, "recommend", "gpt2")
    assert (code, out) == (0, "openai-community/gpt2\n")
    assert files_in(tmp_path) == set()


def test_show_with_a_missing_registry_exits_1_and_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(capsys, "show", "--registry", str(tmp_path / "typo.json"))
    assert code == 1 and out == "" and "no such file" in err
    assert files_in(tmp_path) == set()


def test_refresh_into_a_missing_directory_exits_2_before_any_request(
    sim: ThreadedHubSimulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "nope" / "dir" / "reg.json"
    code, out, err = run_cli(
        capsys, "refresh", "gpt2", "--registry", str(target), "--endpoint", sim.url
    )
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "does not exist; create it first" in err
    assert sim.stats.requests == 0
    assert files_in(tmp_path) == set()


def test_a_write_to_a_new_file_says_it_created_it(
    sim: ThreadedHubSimulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "new.json"
    code, _, err = run_cli(
        capsys, "refresh", "gpt2", "--registry", str(target), "--endpoint", sim.url, "--quiet"
    )
    assert code == 0 and err == f"created a new registry file {target}\n"
    code, _, err = run_cli(
        capsys, "refresh", "bert", "--registry", str(target), "--endpoint", sim.url, "--quiet"
    )
    assert code == 0 and err == ""  # the second write is to an existing file


# -- 3 and 4. a registry that cannot be written is refused before the first request ---------


@pytest.fixture
def read_only() -> Iterator[Callable[[Path], None]]:
    """chmod paths read-only for one test and give their write bits back afterwards."""
    changed: list[Path] = []

    def make(path: Path) -> None:
        path.chmod(path.stat().st_mode & ~0o222)
        changed.append(path)

    yield make
    for path in changed:
        path.chmod(path.stat().st_mode | stat.S_IWUSR)


READ_ONLY = [
    ("directory", ["refresh-all"]),
    ("directory", ["refresh", "gpt2", "bert"]),
    ("file", ["refresh", "gpt2"]),
    ("file", ["refresh-all"]),
    ("file", ["pin", "gpt2", "me/model"]),
    ("lock file", ["refresh", "gpt2"]),
]


@pytest.mark.parametrize(("what", "command"), READ_ONLY)
def test_a_read_only_directory_registry_or_lock_file_is_refused_before_any_request(
    what: str,
    command: list[str],
    sim: ThreadedHubSimulator,
    tmp_path: Path,
    read_only: Callable[[Path], None],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Refused even as root, who could write anyway: the read-only bit is someone's intent."""
    directory = tmp_path / "ro"
    directory.mkdir()
    reg = directory / "reg.json"
    lock = directory / "reg.json.lock"
    if what == "lock file":
        lock.write_text("")
    else:
        reg.write_text(dumps_registry({"gpt2": hub_entry("a/b", endpoint=sim.url)}))
    target = {"directory": directory, "file": reg, "lock file": lock}[what]
    read_only(target)
    before = {p.name: p.read_bytes() for p in directory.iterdir()}
    code, out, err = run_cli(capsys, *command, "--registry", str(reg), "--endpoint", sim.url)
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and f"the {what} {target} is read-only" in err
    assert sim.stats.requests == 0
    assert {p.name: p.read_bytes() for p in directory.iterdir()} == before
    assert stat.S_IMODE(target.stat().st_mode) & 0o222 == 0


@pytest.mark.usefixtures("sim_in_env")
def test_a_lookup_does_not_save_into_a_read_only_registry(
    sim: ThreadedHubSimulator,
    tmp_path: Path,
    read_only: Callable[[Path], None],
    capsys: pytest.CaptureFixture[str],
) -> None:
    reg = tmp_path / "reg.json"
    reg.write_text(dumps_registry({"gpt2": hub_entry("old/gpt2", days_old=30, endpoint=sim.url)}))
    read_only(reg)
    before = reg.read_bytes()
    assert run_cli(capsys, "recommend", "gpt2", "--registry", str(reg))[:2] == (
        0,
        "openai-community/gpt2\n",
    )
    assert reg.read_bytes() == before and files_in(tmp_path) == {"reg.json"}


# -- 6. offline with nothing local: one message, exit 3 ---------------------------------------


def test_unreachable_hub_and_no_local_answer_is_one_error_with_exit_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{closed_port()}")
    code, out, err = run_cli(capsys, "recommend", "afmoe")
    assert code == 3 and out == ""
    assert err.count("\n") == 1, err  # no warning about a "local answer" that does not exist
    assert err.startswith("error: ") and "unreachable" in err
    assert "no registry entry or static default for model type 'afmoe'" in err
    assert files_in(tmp_path) == set()


def test_unreachable_hub_with_a_static_default_still_answers(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{closed_port()}")
    code, out, err = run_cli(capsys, "recommend", "bert")
    assert (code, out) == (0, "google-bert/bert-base-uncased\n")
    assert "using the local answer" in err


# -- 7. entries from different endpoints are never mixed silently ----------------------------


def test_refresh_from_another_endpoint_into_a_public_hub_registry_is_refused(
    sim: ThreadedHubSimulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reg = tmp_path / "reg.json"
    reg.write_text(dumps_registry({"bert": hub_entry("google-bert/bert-base-uncased")}))
    before = reg.read_bytes()
    code, out, err = run_cli(
        capsys, "refresh", "gpt2", "--registry", str(reg), "--endpoint", sim.url
    )
    assert code == 2 and out == ""
    assert err.count("\n") == 1
    assert "holds entries from https://huggingface.co" in err and "--force" in err
    assert sim.stats.requests == 0 and reg.read_bytes() == before

    code, _, _ = run_cli(
        capsys, "refresh", "gpt2", "--registry", str(reg), "--endpoint", sim.url, "--force"
    )
    after = read_registry(reg)
    assert code == 0 and after["gpt2"]["endpoint"] == sim.url
    assert after["bert"] == parse_registry(before)["bert"]


def git(checkout: Path, *args: str) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    subprocess.run(["git", "-C", str(checkout), *args], check=True, capture_output=True)


def git_init(checkout: Path) -> None:
    checkout.mkdir(parents=True)
    git(checkout, "init", "-q")


def test_a_simulator_refresh_cannot_overwrite_the_committed_file_of_a_checkout(
    sim: ThreadedHubSimulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    checkout = tmp_path / "checkout"
    committed = checkout / "huggingface_model_types.json"
    git_init(checkout)
    shutil.copyfile(packaged_registry_path(), committed)  # static entries only
    git(checkout, "add", committed.name)
    before = committed.read_bytes()
    os.chdir(checkout)
    code, out, err = run_cli(capsys, "refresh", "gpt2", "bert", "--endpoint", sim.url)
    assert code == 2 and out == "" and "committed in a git checkout" in err
    assert sim.stats.requests == 0 and committed.read_bytes() == before
    # The quickstart's way: a new file in the same checkout is fine, and says where it came from.
    code, _, _ = run_cli(
        capsys, "refresh", "gpt2", "--registry", "sim.json", "--endpoint", sim.url, "--quiet"
    )
    assert code == 0 and read_registry(checkout / "sim.json")["gpt2"]["endpoint"] == sim.url
    # Once the file holds that endpoint's entries, refreshing it again needs no --force.
    assert (
        run_cli(capsys, "refresh", "bert", "--registry", "sim.json", "--endpoint", sim.url)[0] == 0
    )


def test_an_untracked_registry_inside_a_checkout_is_not_the_committed_one(
    sim: ThreadedHubSimulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A scratch copy under an ignored folder of some project (a TMPDIR inside a
    # checkout, say) is no committed file: a simulator refresh may write it.
    checkout = tmp_path / "project"
    git_init(checkout)
    (checkout / ".gitignore").write_text("scratch/\n")
    scratch = checkout / "scratch" / "reg.json"
    scratch.parent.mkdir()
    shutil.copyfile(packaged_registry_path(), scratch)
    code, _, err = run_cli(
        capsys, "refresh", "gpt2", "--registry", str(scratch), "--endpoint", sim.url, "--quiet"
    )
    assert (code, err) == (0, "")
    assert read_registry(scratch)["gpt2"]["endpoint"] == sim.url


def test_the_committed_check_reads_the_path_literally_and_ignores_the_callers_git_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checkout = tmp_path / "repo"
    git_init(checkout)
    for name in ("reg1.json", "reg[1].json"):
        (checkout / name).write_text("{}")
    git(checkout, "add", "--", "reg1.json")
    # "reg[1].json" as a glob would match the tracked reg1.json.
    assert tracked_by_git(checkout / "reg[1].json") is False
    assert tracked_by_git(checkout / "reg1.json") is True
    # Inside a git hook, GIT_DIR and GIT_INDEX_FILE name another repository's index.
    other = tmp_path / "other"
    git_init(other)
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    monkeypatch.setenv("GIT_INDEX_FILE", str(other / ".git" / "index"))
    assert tracked_by_git(checkout / "reg1.json") is True


def test_a_symlink_from_outside_does_not_hide_the_committed_file(tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    git_init(checkout)
    (checkout / "reg.json").write_text("{}")
    git(checkout, "add", "--", "reg.json")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "link.json").symlink_to(checkout / "reg.json")
    assert tracked_by_git(outside / "link.json") is True  # a write would land in the checkout
    (checkout / "out.json").symlink_to(outside / "elsewhere.json")
    (outside / "elsewhere.json").write_text("{}")
    assert tracked_by_git(checkout / "out.json") is False  # a write would not


def test_the_committed_check_runs_no_command_the_checkouts_config_names(tmp_path: Path) -> None:
    checkout = tmp_path / "untrusted"
    git_init(checkout)
    (checkout / "reg.json").write_text("{}")
    git(checkout, "add", "--", "reg.json")
    marker = tmp_path / "ran"
    git(checkout, "config", "core.fsmonitor", f"touch {marker}; false")
    assert tracked_by_git(checkout / "reg.json") is True
    assert not marker.exists()


def test_when_git_cannot_tell_a_file_in_a_checkout_is_treated_as_committed(
    sim: ThreadedHubSimulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    checkout = tmp_path / "broken"
    (checkout / ".git").mkdir(parents=True)  # not a repository git can read
    reg = checkout / "huggingface_model_types.json"
    shutil.copyfile(packaged_registry_path(), reg)
    before = reg.read_bytes()
    code, out, err = run_cli(
        capsys, "refresh", "gpt2", "--registry", str(reg), "--endpoint", sim.url
    )
    assert code == 2 and out == ""
    assert "git could not tell whether it is committed" in err and "--force" in err
    assert sim.stats.requests == 0 and reg.read_bytes() == before


@pytest.mark.usefixtures("sim_in_env")
def test_a_lookup_never_saves_another_endpoints_answer_into_the_registry(
    sim: ThreadedHubSimulator,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    reg = tmp_path / "reg.json"
    reg.write_text(dumps_registry({"gpt2": hub_entry("old/gpt2", days_old=30)}))
    before = reg.read_bytes()
    assert run_cli(capsys, "recommend", "gpt2", "--registry", str(reg))[:2] == (
        0,
        "openai-community/gpt2\n",
    )
    assert reg.read_bytes() == before


def test_only_a_non_default_endpoint_is_recorded_in_the_entry() -> None:
    entry = hub_entry("a/b")
    assert with_endpoint(entry, "https://huggingface.co") == entry
    assert with_endpoint(entry, "http://127.0.0.1:8000")["endpoint"] == "http://127.0.0.1:8000"
