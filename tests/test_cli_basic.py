"""The command line's local commands: recommend, show, types, validate, pin, unpin."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import python_m, run_cli
from hf_model_registry import Entry
from hf_model_registry._registry import dumps_registry, read_registry

pytestmark = pytest.mark.usefixtures("offline")


def test_recommend_prints_the_id_alone(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(capsys, "recommend", "gpt2") == (0, "openai-community/gpt2\n", "")


@pytest.mark.parametrize(
    ("typed", "code", "start", "detail"),
    [
        ("../etc", 2, "error: invalid model type '../etc'", ""),
        (
            "no-such-type",
            3,
            "error: offline (HF_HUB_OFFLINE is set)",
            "no registry entry or static default for model type 'no-such-type'",
        ),
    ],
    ids=["path-traversal", "unknown-offline"],
)
def test_recommend_refuses_with_one_line_and_a_distinct_exit_code(
    typed: str, code: int, start: str, detail: str, capsys: pytest.CaptureFixture[str]
) -> None:
    got, out, err = run_cli(capsys, "recommend", typed)
    assert (got, out) == (code, "")
    assert err.count("\n") == 1 and err.startswith(start) and detail in err


def test_recommend_unknown_type_exits_1_in_static_registry_mode(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("USE_STATIC_REGISTRY", "true")
    code, _, err = run_cli(capsys, "recommend", "no-such-type")
    assert code == 1 and "no-such-type" in err


def test_python_dash_m_runs_the_same_cli(tmp_path: Path) -> None:
    env = {"PATH": "", "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path)}
    out = python_m("hf_model_registry", "recommend", "gpt-j", cwd=tmp_path, env=env)
    assert (out.returncode, out.stdout) == (0, "EleutherAI/gpt-j-6b\n"), out.stderr


def test_show_one_and_all_as_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    reg = tmp_path / "r.json"
    entry: Entry = {
        "default_model": "a/b",
        "models": ["a/b"],
        "downloads": {},
        "updated_at": "2026-11-27T15:00:00+00:00",
    }
    reg.write_text(dumps_registry({"bert": entry, "gpt2": {**entry, "default_model": "c/d"}}))
    code, out, _ = run_cli(capsys, "show", "bert", "--registry", str(reg), "--json")
    assert code == 0 and json.loads(out) == {"bert": entry}
    code, out, _ = run_cli(capsys, "show", "--registry", str(reg))
    assert code == 0 and "bert" in out and "c/d" in out


def test_types_json_lists_every_architecture_with_category(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run_cli(capsys, "types", "--json")
    rows = json.loads(out)
    assert code == 0 and len(rows) > 500
    by_name = {r["name"]: r["category"] for r in rows}
    assert by_name["bert"] == "encoder-only" and by_name["hubert"] == "speech"


def test_validate_accepts_the_committed_registry(capsys: pytest.CaptureFixture[str]) -> None:
    committed = Path(__file__).resolve().parent.parent / "huggingface_model_types.json"
    code, out, _ = run_cli(capsys, "validate", "--registry", str(committed))
    assert code == 0 and "valid entries" in out


@pytest.mark.parametrize("content", [b"", b"{", b'{"bert": 1}', b"\xff\xfe"])
def test_validate_names_the_problem_and_exits_1(
    content: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reg = tmp_path / "r.json"
    reg.write_bytes(content)
    code, out, err = run_cli(capsys, "validate", "--registry", str(reg))
    assert code == 1 and out == "" and "invalid registry" in err and str(reg) in err


def test_pin_survives_and_unpin_releases(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # pin asks the Hub for the canonical id otherwise
    reg = tmp_path / "r.json"
    assert run_cli(capsys, "pin", "gpt-j", "EleutherAI/gpt-j-6b", "--registry", str(reg))[0] == 0
    # A new entry takes the original tool's spelling, as a refresh writes it.
    assert read_registry(reg)["gpt-j"]["pinned"] is True
    assert run_cli(capsys, "unpin", "gptj", "--registry", str(reg))[0] == 0
    assert read_registry(reg) == {}  # the pin replaced nothing: no entry is left
    assert run_cli(capsys, "unpin", "gptj", "--registry", str(reg))[0] == 1


def test_pin_rejects_a_bad_model_id_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reg = tmp_path / "r.json"
    code, _, err = run_cli(capsys, "pin", "bert", "../../etc/passwd", "--registry", str(reg))
    assert code == 2 and "error:" in err
    assert not reg.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["refresh", "bert", "--concurrency", "-1"],
        ["refresh", "bert", "--concurrency", "0"],
        ["refresh", "bert", "--max-age", "5x"],
        ["refresh-all", "--rate", "0"],
        ["refresh", "bert&author=x"],
        ["nonsense-command"],
    ],
)
def test_bad_flags_and_inputs_exit_2_with_one_line(
    args: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = (
        run_cli(capsys, *args, "--registry", str(tmp_path / "r.json"))
        if args[0] != "nonsense-command"
        else run_cli(capsys, *args)
    )
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("error:")
    assert not (tmp_path / "r.json").exists()
