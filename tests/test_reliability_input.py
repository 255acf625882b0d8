"""Bad user input: one clear line on stderr, exit 2, no request sent and nothing written.

Every command that takes a model type or a model id gets path traversal, query
injection, URL-encoded tricks, whitespace, control characters, Unicode look-alikes and
10 kB strings; the Hub-facing commands get malformed flag values. The Hub endpoint is a
live simulator, so any request a bad input slipped through would be counted.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest

import find_models
from hf_model_registry import InvalidModelId, InvalidModelType, _lookup, aio
from hf_model_registry._cli import main
from hf_model_registry._registry import dumps_registry
from hf_model_registry.simulator import ThreadedHubSimulator, run_in_thread

BAD_MODEL_TYPES = [
    "../etc/passwd",
    "..",
    "bert/../../x",
    "/etc/passwd",
    "bert\\..\\x",
    "C:\\x",
    "./bert",
    ".bert",
    "bert&author=x",
    "bert?filter=x",
    "bert#frag",
    "bert;rm -rf /",
    "bert\r\nX-Injected: 1",
    "%2e%2e%2f",
    "%2e%2e/x",
    "bert%26x",
    "bert%00",
    "bert%0a",
    " bert",
    "bert ",
    "\tbert",
    "bert\n",
    "ber t",
    "",
    " ",
    "bert\x00",
    "bert\x1b[31m",
    "bert\x7f",
    "b\u0435rt",  # Cyrillic e
    "\uff42\uff45\uff52\uff54",  # full-width letters
    "\u212aernel",  # Kelvin sign, lower()s to k
    "bert\u200b",  # zero-width space
    "\u202ebert",  # right-to-left override
    "\ufeffbert",  # byte-order mark
    "bert\u0301",  # combining accent
    "caf\u00e9",
    "\u01c6",  # a single-code-point digraph
    # ("BERT" and "Bert" are accepted since issue 12: ASCII case is folded, see
    # test_cli_conventions; non-ASCII look-alikes above still are not.)
    "b" * 65,
    "b" * 10_000,
    "-",
]
BAD_MODEL_IDS = [
    "../../etc/passwd",
    "org/../x",
    "..",
    "org/name/extra",
    "org//name",
    "/abs",
    "org/",
    "/name",
    "org/name/",
    "org\\name",
    "org/name?x=1",
    "org/name#x",
    "org/name&author=x",
    "https://evil.example/x",
    "org%2Fname",
    "%2e%2e/x",
    "org/na%20me",
    "org/na me",
    " org/name",
    "org/name\n",
    "org/name\x00",
    "org/name\x1b[2J",
    "\u043erg/name",  # Cyrillic o
    "org/n\u0430me",  # Cyrillic a
    "org/name\u200b",
    "org/name.git",
    "org--x/name",
    "org/.name",
    "org/name.",
    "",
    "a" * 10_000 + "/b",
    "org/" + "n" * 10_000,
]
# (argv after the command's positional arguments, for the Hub commands)
BAD_REFRESH_FLAGS = [
    ["--concurrency", "-1"],
    ["--concurrency", "0"],
    ["--concurrency", "257"],
    ["--concurrency", "many"],
    ["--concurrency", "1.5"],
    ["--concurrency", ""],
    ["--timeout", "0"],
    ["--timeout", "-1"],
    ["--timeout", "nan"],
    ["--timeout", "soon"],
    ["--timeout", ""],
    ["--connect-timeout", "0"],
    ["--connect-timeout", "-0.5"],
    ["--max-age", "-5"],
    ["--max-age", "-1d"],
    ["--max-age", "5x"],
    ["--max-age", "1e3"],
    ["--max-age", "nan"],
    ["--max-age", "inf"],
    ["--max-age", ""],
    ["--max-age", "5 minutes"],
    ["--max-age", "1h30m"],
    ["--rate", "0"],
    ["--rate", "-1"],
    ["--rate", "nan"],
    ["--rate", "fast"],
    ["--max-params", "-1"],
    ["--max-params", "nan"],
    ["--max-params", "big"],
    ["--min-downloads", "-1"],
    ["--min-downloads", "1.5"],
    ["--endpoint", "ftp://hub.example"],
    ["--endpoint", "not-a-url"],
    ["--endpoint", "file:///etc/passwd"],
    ["--no-such-flag"],
]
# Once tracebacks (non-finite numbers, unparsable endpoints); now usage errors.
EDGE_FLAGS = [
    pytest.param(["--rate", "inf"]),
    pytest.param(["--max-params", "inf"]),
    pytest.param(["--max-params", "1e400"]),
    *[
        pytest.param(["--endpoint", endpoint])
        for endpoint in ("http://[::1", "http://127.0.0.1:99999")
    ],
]


@pytest.fixture(scope="module")
def server() -> Iterator[ThreadedHubSimulator]:
    with run_in_thread() as sim:
        yield sim


@pytest.fixture
def sim(
    server: ThreadedHubSimulator, monkeypatch: pytest.MonkeyPatch
) -> Iterator[ThreadedHubSimulator]:
    # Lookups that go to the network go here too, so a slipped request is counted.
    monkeypatch.setenv("HF_ENDPOINT", server.url)
    server.reset_stats()
    yield server
    assert server.stats.requests == 0, "a bad input reached the Hub"


def _assert_usage_error(argv: list[str], capsys: pytest.CaptureFixture[str], registry: Path) -> str:
    before = registry.read_bytes() if registry.exists() else None
    code = main(argv)
    out, err = capsys.readouterr()
    shown = repr(argv)[:200]
    assert code == 2, f"{shown}: exit {code}, stderr {err[:300]!r}"
    assert out == "", shown
    assert err.startswith("error: "), shown
    assert err.count("\n") == 1 and err.endswith("\n"), shown
    assert len(err) < 600, f"{shown}: the error line echoes too much ({len(err)} chars)"
    if before is None:
        assert not registry.exists(), f"{shown}: created {registry}"
    else:
        assert registry.read_bytes() == before, f"{shown}: changed {registry}"
    return err


EXISTING = dumps_registry(
    {
        "bert": {
            "default_model": "google-bert/bert-base-uncased",
            "models": ["google-bert/bert-base-uncased"],
            "downloads": {},
            "updated_at": "2026-01-02T03:04:05+00:00",
            "pinned": True,
        }
    }
)


@pytest.mark.parametrize("bad", BAD_MODEL_TYPES, ids=[repr(b)[:40] for b in BAD_MODEL_TYPES])
def test_a_bad_model_type_is_one_line_exit_2_for_every_command(
    bad: str, sim: ThreadedHubSimulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = tmp_path / "reg.json"
    reg = ["--registry", str(registry)]
    hub = ["--endpoint", sim.url]
    commands = [
        ["recommend", bad, *reg],
        ["show", bad, *reg],
        ["pin", bad, "google-bert/bert-base-uncased", *reg],
        ["unpin", bad, *reg],
        ["refresh", bad, *reg, *hub],
        ["refresh", "bert", bad, "gpt2", *reg, *hub],  # one bad name stops them all
        ["explain", bad, *hub],
    ]
    for argv in commands:
        _assert_usage_error(argv, capsys, registry)
    assert list(tmp_path.iterdir()) == []  # not even a lock file
    registry.write_text(EXISTING)
    for argv in commands:
        _assert_usage_error(argv, capsys, registry)


@pytest.mark.parametrize("bad", BAD_MODEL_IDS, ids=[repr(b)[:40] for b in BAD_MODEL_IDS])
def test_a_bad_model_id_is_one_line_exit_2_for_pin_and_check(
    bad: str, sim: ThreadedHubSimulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = tmp_path / "reg.json"
    commands = [
        ["pin", "bert", bad, "--registry", str(registry)],
        ["check", bad, "--endpoint", sim.url],
        ["check", bad, "--endpoint", sim.url, "--json"],
    ]
    for argv in commands:
        err = _assert_usage_error(argv, capsys, registry)
        assert "invalid model id" in err or "No such option" in err
    assert list(tmp_path.iterdir()) == []
    registry.write_text(EXISTING)
    _assert_usage_error(commands[0], capsys, registry)


@pytest.mark.parametrize(
    "flags", [*BAD_REFRESH_FLAGS, *EDGE_FLAGS], ids=lambda f: " ".join(f)[:40] or "empty"
)
def test_a_bad_flag_value_is_one_line_exit_2_and_writes_nothing(
    flags: list[str],
    sim: ThreadedHubSimulator,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    registry = tmp_path / "reg.json"
    hub = [] if flags[0] == "--endpoint" else ["--endpoint", sim.url]
    for existing in (False, True):
        if existing:
            registry.write_text(EXISTING)
        for command in (["refresh", "bert"], ["refresh-all"]):
            argv = [*command, "--registry", str(registry), *hub, *flags]
            err = _assert_usage_error(argv, capsys, registry)
            assert flags[0].lstrip("-") in err or "No such option" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["explain", "bert", "--max-params", "-1"],
        ["explain", "bert", "--min-downloads", "-5"],
        ["explain", "bert", "--max-params", "lots"],
        pytest.param(
            ["explain", "bert", "--max-params", "inf"],
        ),
        ["explain", "bert", "--endpoint", "ftp://hub.example"],
        ["check", "org/name", "--endpoint", "not-a-url"],
        pytest.param(
            ["explain", "bert", "--endpoint", "http://[::1"],
        ),
        ["recommend"],
        ["pin", "bert"],
        ["show", "bert", "extra"],
        ["refresh"],
    ],
    ids=lambda a: " ".join(a)[:40],
)
def test_other_bad_invocations_are_one_line_exit_2(
    argv: list[str], sim: ThreadedHubSimulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = tmp_path / "reg.json"
    hub = (
        ["--endpoint", sim.url]
        if argv[0] in ("explain", "check") and "--endpoint" not in argv
        else []
    )
    _assert_usage_error([*argv, *hub], capsys, registry)


@pytest.mark.parametrize("bad", BAD_MODEL_TYPES, ids=[repr(b)[:40] for b in BAD_MODEL_TYPES])
def test_the_sync_library_rejects_a_bad_model_type_before_any_io(
    bad: str, sim: ThreadedHubSimulator, tmp_path: Path
) -> None:
    registry = tmp_path / "reg.json"
    with pytest.raises(InvalidModelType):
        _lookup.get_recommended_default_model(bad, registry=registry)
    # The legacy function keeps the original's promise, a string: its last resort.
    assert find_models.get_recommended_default_model(bad, registry) == f"{bad}-base"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.anyio
@pytest.mark.parametrize("bad", BAD_MODEL_TYPES, ids=[repr(b)[:40] for b in BAD_MODEL_TYPES])
async def test_the_async_library_rejects_a_bad_model_type_before_any_io(
    bad: str, sim: ThreadedHubSimulator, tmp_path: Path
) -> None:
    registry = tmp_path / "reg.json"
    with pytest.raises(InvalidModelType):
        await aio.lookup(bad, registry=registry)
    with pytest.raises(InvalidModelType):
        await aio.refresh(["gpt2", bad], registry=registry, endpoint=sim.url)
    with pytest.raises(InvalidModelType):
        await aio.explain(bad, endpoint=sim.url)
    assert [p async for p in anyio.Path(tmp_path).iterdir()] == []


@pytest.mark.anyio
@pytest.mark.parametrize("bad", BAD_MODEL_IDS, ids=[repr(b)[:40] for b in BAD_MODEL_IDS])
async def test_the_library_rejects_a_bad_model_id_before_any_request(
    bad: str, sim: ThreadedHubSimulator
) -> None:
    with pytest.raises(InvalidModelId):
        await aio.check_model_access(bad, endpoint=sim.url)


@pytest.mark.parametrize(
    "argv",
    [
        ["recommend", "../etc/passwd"],
        ["refresh", "bert&author=x"],
        ["explain", "b\u0435rt"],
        ["pin", "bert", "%2e%2e/x"],
        ["check", "org/name?x=1"],
        ["show", "b" * 10_000],
        ["refresh-all", "--concurrency", "-3"],
        ["refresh", "bert", "--max-age", "soon"],
    ],
    ids=lambda a: " ".join(a)[:30],
)
def test_the_installed_command_gives_one_line_and_exit_2(
    argv: list[str], server: ThreadedHubSimulator, tmp_path: Path
) -> None:
    """The same through a real process: argv decoding, the entry point, the exit status."""
    registry = tmp_path / "reg.json"
    command = [sys.executable, "-m", "hf_model_registry", *argv]
    if argv[0] in ("refresh", "refresh-all", "pin", "recommend", "show"):
        command += ["--registry", str(registry)]
    if argv[0] in ("refresh", "refresh-all", "explain", "check"):
        command += ["--endpoint", server.url]
    server.reset_stats()
    proc = subprocess.run(
        command, capture_output=True, text=True, cwd=tmp_path, timeout=60, check=False
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    assert proc.stderr.startswith("error: ") and proc.stderr.count("\n") == 1
    assert "Traceback" not in proc.stderr
    assert not registry.exists()
    assert server.stats.requests == 0
