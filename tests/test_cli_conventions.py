"""The command line follows the conventions of tools people like (issue 12, items 8-14)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
import typer

from helpers import files_in, run_cli
from hf_model_registry import __version__, _config, _lookup
from hf_model_registry._cli import app, hoist_global_flags
from hf_model_registry._registry import dumps_registry, read_registry
from hf_model_registry._units import parse_size
from hf_model_registry.simulator import ThreadedHubSimulator

# -- 8. -v/-q anywhere, -h everywhere, --version ----------------------------------------------


def test_version_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(capsys, "--version") == (0, f"hf-model-registry {__version__}\n", "")


@pytest.mark.parametrize(
    "args", [["-h"], ["show", "-h"], ["refresh", "-h"], ["pin", "-h"], ["check", "-h"]]
)
def test_dash_h_is_help_everywhere(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, *args)
    assert code == 0 and out.startswith("Usage: hf-model-registry") and err == ""


@pytest.mark.parametrize("where", ["before", "after"])
def test_verbose_works_before_and_after_the_command(
    where: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    args = ["-v", "recommend", "bert"] if where == "before" else ["recommend", "bert", "-v"]
    code, out, _ = run_cli(capsys, *args)
    assert (code, out) == (0, "google-bert/bert-base-uncased\n")
    # -v: this tool's own decisions; the HTTP stack's internals stay quiet until -vv.
    assert logging.getLogger("hf_model_registry").getEffectiveLevel() == logging.DEBUG
    assert logging.getLogger("httpcore").getEffectiveLevel() > logging.DEBUG


def test_double_verbose_shows_the_http_stack(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert run_cli(capsys, "recommend", "bert", "-vv")[0] == 0
    assert logging.getLogger("httpcore").getEffectiveLevel() == logging.DEBUG


@pytest.mark.parametrize("where", ["before", "after"])
def test_double_quiet_silences_warnings_before_and_after_the_command(
    where: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    reg = tmp_path / "reg.json"
    reg.write_text("garbage")  # a corrupt registry: the lookup warns and answers statically
    cmd = ["recommend", "bert", "--registry", str(reg)]
    assert run_cli(capsys, *cmd)[2].startswith("WARNING")
    _lookup.clear_cache()  # the warning is given once per process and file version
    assert run_cli(capsys, *cmd, "-q")[2].startswith("WARNING")  # as pip: -q keeps warnings
    _lookup.clear_cache()
    args = ["-qq", *cmd] if where == "before" else [*cmd, "-qq"]
    assert run_cli(capsys, *args) == (0, "google-bert/bert-base-uncased\n", "")
    assert reg.read_text() == "garbage"


def test_hoisting_keeps_option_values_and_a_commands_own_flags() -> None:
    group = typer.main.get_command(app)
    argv = ["refresh", "bert", "--token", "-v", "-q", "-vv", "--", "-v"]
    assert hoist_global_flags(group, argv) == [
        "-vv",
        "refresh",
        "bert",
        "--token",
        "-v",
        "-q",
        "--",
        "-v",
    ]
    assert hoist_global_flags(group, ["show", "-q", "bert"]) == ["-q", "show", "bert"]
    assert hoist_global_flags(group, ["nonsense", "-v"]) == ["nonsense", "-v"]


# -- 9. model types as people type them ---------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Bert", "google-bert/bert-base-uncased"),
        ("GPT2", "openai-community/gpt2"),
        ("gpt_j", "EleutherAI/gpt-j-6b"),
        ("GPT-J", "EleutherAI/gpt-j-6b"),
    ],
)
def test_model_types_are_case_and_separator_insensitive(
    typed: str, expected: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert run_cli(capsys, "recommend", typed) == (0, f"{expected}\n", "")


@pytest.mark.parametrize(
    "command",
    [["recommend", "bret"], ["show", "bret"], ["explain", "bret"], ["unpin", "bret"]],
)
@pytest.mark.usefixtures("sim_in_env")
def test_a_typo_gets_did_you_mean_and_exit_2_without_a_request(
    command: list[str],
    sim: ThreadedHubSimulator,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run_cli(capsys, *command)
    assert code == 2 and out == ""
    assert err == "error: unknown model type 'bret'; did you mean 'bert'?\n"
    assert sim.stats.requests == 0 and files_in(tmp_path) == set()


def test_pin_refuses_a_typo_but_adds_a_new_type_when_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # pin asks the Hub for the canonical id otherwise
    reg = tmp_path / "reg.json"
    code, out, err = run_cli(capsys, "pin", "bret", "me/model", "--registry", str(reg))
    assert code == 2 and out == "" and "did you mean 'bert'? (pass --new" in err
    assert files_in(tmp_path) == set()
    assert run_cli(capsys, "pin", "bret", "me/model", "--registry", str(reg), "--new")[0] == 0
    assert read_registry(reg)["bret"]["default_model"] == "me/model"
    # Once in the registry, the type is known: no --new needed, no suggestion given.
    assert run_cli(capsys, "pin", "Bret", "me/other", "--registry", str(reg))[0] == 0
    assert read_registry(reg)["bret"]["default_model"] == "me/other"


def test_refresh_of_a_likely_typo_warns_with_the_suggestion(
    sim: ThreadedHubSimulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reg = tmp_path / "reg.json"
    reg.write_text(dumps_registry({}))
    code, _, err = run_cli(
        capsys, "refresh", "bret", "--registry", str(reg), "--endpoint", sim.url, "--json"
    )
    assert code == 0 and "did you mean 'bert'?" in err
    assert read_registry(reg) == {}  # the Hub knows no 'bret': nothing was added


# -- 10. --json, --endpoint, sizes and durations as printed, strict environment -----------------


def test_recommend_has_json_and_endpoint(
    sim: ThreadedHubSimulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(capsys, "recommend", "gpt2", "--endpoint", sim.url, "--json")
    assert code == 0 and json.loads(out) == {
        "model_type": "gpt2",
        "model_id": "openai-community/gpt2",
        "source": "hub",
    }
    assert sim.stats.listing_requests == 1 and files_in(tmp_path) == set()


@pytest.mark.parametrize(
    ("text", "value"), [("2B", 2e9), ("500M", 5e8), ("1.5b", 1.5e9), ("2e9", 2e9)]
)
def test_size_flags_accept_what_the_tool_prints(text: str, value: float) -> None:
    assert parse_size(text) == value


def test_a_bad_size_is_exit_2_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(
        capsys, "refresh", "bert", "--max-params", "2Q", "--registry", str(tmp_path / "r.json")
    )
    assert code == 2 and out == "" and "not a size: '2Q'" in err
    assert files_in(tmp_path) == set()


def test_ttl_accepts_the_durations_of_max_age(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_MODEL_REGISTRY_TTL", "12h")
    assert _config.ttl_seconds() == 12 * 3600
    monkeypatch.setenv("HF_MODEL_REGISTRY_TTL", "90")
    assert _config.ttl_seconds() == 90


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("USE_STATIC_REGISTRY", "maybe"),
        ("HF_HUB_OFFLINE", "2"),
        ("HF_HUB_DISABLE_PROGRESS_BARS", "y es"),
        ("HF_MODEL_REGISTRY_TTL", "soon"),
    ],
)
def test_an_environment_value_not_understood_is_exit_2(
    name: str,
    value: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(name, value)
    code, out, err = run_cli(capsys, "recommend", "bert", "--registry", str(tmp_path / "r.json"))
    assert code == 2 and out == ""
    assert err.startswith(f"error: {name}") and err.count("\n") == 1
    assert files_in(tmp_path) == set()


def test_check_json_statuses_use_one_style(
    sim: ThreadedHubSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(
        capsys, "check", "openai-community/gpt2", "--endpoint", sim.url, "--json"
    )
    assert code == 0 and json.loads(out)["status"] == "available"
    code, out, _ = run_cli(capsys, "check", "nobody/nothing-here", "--endpoint", sim.url, "--json")
    assert code == 1 and json.loads(out)["status"] == "not-found"
    assert "RepoNotFound" in json.loads(out)["detail"]


def test_recommend_refuses_a_bad_endpoint_like_refresh_and_check(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run_cli(capsys, "recommend", "bert", "--endpoint", "not a url")
    assert (code, out) == (2, "") and err.startswith("error: endpoint")
    monkeypatch.setenv("HF_ENDPOINT", "not a url")
    code, out, err = run_cli(capsys, "recommend", "bert")
    assert (code, out) == (2, "") and err.startswith("error: endpoint")


@pytest.mark.parametrize("flag", ["--rate", "--timeout", "--connect-timeout"])
@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_a_number_flag_that_is_not_finite_says_so(
    flag: str, value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = str(tmp_path / "r.json")
    code, out, err = run_cli(capsys, "refresh", "bert", flag, value, "--registry", registry)
    assert (code, out) == (2, "") and err.count("\n") == 1
    assert f"'{flag}': must be a finite number, not '{value}'" in err
    assert files_in(tmp_path) == set()


@pytest.mark.parametrize(("flag", "value"), [("--rate", "0"), ("--timeout", "3601")])
def test_a_number_flag_out_of_range_names_the_range(
    flag: str, value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = str(tmp_path / "r.json")
    code, out, err = run_cli(capsys, "refresh", "bert", flag, value, "--registry", registry)
    assert (code, out) == (2, "") and f"'{flag}'" in err
    assert "between" in err and value in err


@pytest.mark.parametrize(
    "argv",
    [
        ["recommend", "bert"],
        ["refresh", "bert", "--registry", "r.json"],
        ["explain", "bert"],
        ["check", "openai-community/gpt2"],
        ["pin", "bert", "google-bert/bert-base-uncased", "--registry", "r.json"],
    ],
    ids=lambda argv: argv[0],
)
@pytest.mark.parametrize("where", ["flag", "environment"])
def test_a_bad_endpoint_is_echoed_as_typed(
    argv: list[str],
    where: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if where == "flag":
        argv = [*argv, "--endpoint", "http://"]
    else:
        monkeypatch.setenv("HF_ENDPOINT", "http://")
    code, out, err = run_cli(capsys, *argv)
    assert (code, out) == (2, "") and err.count("\n") == 1
    assert "not 'http://'" in err, err
    assert files_in(tmp_path) == set()
