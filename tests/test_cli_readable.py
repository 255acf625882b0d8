"""The command line reads well and answers in JSON everywhere (issue 12, items 10-13).

Also: `pin`/`unpin` keep an original registry's spelling of a key.
"""

from __future__ import annotations

import json
import re
import socket
import ssl
import threading
from pathlib import Path
from typing import Any

import pytest

import helpers
from helpers import python_m, run_cli
from hf_model_registry import Entry
from hf_model_registry._registry import dumps_registry, read_registry


def hub_entry(model_id: str, **extra: Any) -> Entry:
    return helpers.entry(model_id, **{"downloads": {model_id: 1234}, "source": "hub", **extra})


# -- pin and unpin keep the spelling of the key the registry already has ---------------------


@pytest.mark.parametrize("typed", ["gpt-j", "gptj", "GPT_J"])
def test_pin_and_unpin_update_an_original_spelling_not_a_twin(
    typed: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], offline: None
) -> None:
    reg = tmp_path / "r.json"
    reg.write_text(dumps_registry({"gpt-j": hub_entry("EleutherAI/gpt-j-6b")}))
    code, out, err = run_cli(capsys, "pin", typed, "me/my-gptj", "--registry", str(reg))
    assert (code, err) == (0, "") and out == f"pinned gpt-j -> me/my-gptj in {reg}\n"
    data = read_registry(reg)
    assert set(data) == {"gpt-j"} and data["gpt-j"]["default_model"] == "me/my-gptj"
    code, out, err = run_cli(capsys, "unpin", typed, "--registry", str(reg))
    assert (code, err) == (0, "") and out.endswith("restored EleutherAI/gpt-j-6b\n")
    data = read_registry(reg)
    assert set(data) == {"gpt-j"} and data["gpt-j"]["default_model"] == "EleutherAI/gpt-j-6b"
    assert not data["gpt-j"].get("pinned")


def test_pin_keeps_a_transformers_spelling_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], offline: None
) -> None:
    reg = tmp_path / "r.json"
    reg.write_text(dumps_registry({"gptj": hub_entry("EleutherAI/gpt-j-6b")}))
    assert run_cli(capsys, "pin", "gpt-j", "me/my-gptj", "--registry", str(reg))[0] == 0
    assert set(read_registry(reg)) == {"gptj"}


# -- 10. --json for validate, pin and unpin ----------------------------------------------------


def test_validate_json_for_a_valid_and_an_invalid_registry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reg = tmp_path / "r.json"
    reg.write_text(dumps_registry({"bert": hub_entry("a/b"), "gpt2": hub_entry("c/d")}))
    code, out, err = run_cli(capsys, "validate", "--registry", str(reg), "--json")
    assert (code, err) == (0, "")
    assert json.loads(out) == {"registry": str(reg), "valid": True, "entries": 2, "error": None}
    reg.write_text("{")
    code, out, err = run_cli(capsys, "validate", "--registry", str(reg), "--json")
    document = json.loads(out)
    assert (code, err) == (1, "") and document["valid"] is False and document["entries"] is None
    assert str(reg) in document["error"]
    assert reg.read_text() == "{"  # validating never repairs


def test_validate_says_entry_for_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    reg = tmp_path / "r.json"
    reg.write_text(dumps_registry({"bert": hub_entry("a/b")}))
    assert run_cli(capsys, "validate", "--registry", str(reg)) == (
        0,
        f"ok: {reg} holds 1 valid entry\n",
        "",
    )


def test_pin_and_unpin_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], offline: None
) -> None:
    reg = tmp_path / "r.json"
    reg.write_text(dumps_registry({"bert": hub_entry("google-bert/bert-base-uncased")}))
    code, out, err = run_cli(capsys, "pin", "Bert", "me/bert", "--registry", str(reg), "--json")
    assert (code, err) == (0, "")
    assert json.loads(out) == {
        "model_type": "bert",
        "model_id": "me/bert",
        "requested_id": None,
        "registry": str(reg),
    }
    code, out, err = run_cli(capsys, "unpin", "bert", "--registry", str(reg), "--json")
    assert (code, err) == (0, "")
    assert json.loads(out) == {
        "model_type": "bert",
        "registry": str(reg),
        "restored": "google-bert/bert-base-uncased",
        "removed": False,
    }
    # A pin that replaced nothing: unpin removes the entry and says so.
    assert run_cli(capsys, "pin", "gpt2", "me/gpt2", "--registry", str(reg), "--json")[0] == 0
    code, out, _ = run_cli(capsys, "unpin", "gpt2", "--registry", str(reg), "--json")
    assert code == 0 and json.loads(out)["removed"] is True and json.loads(out)["restored"] is None
    assert set(read_registry(reg)) == {"bert"}
    # An error stays one line on stderr, nothing on stdout, exit 1.
    code, out, err = run_cli(capsys, "unpin", "gpt2", "--registry", str(reg), "--json")
    assert (code, out) == (1, "") and err.startswith("error: ") and err.count("\n") == 1


# -- 13. an endpoint addressed with the wrong scheme fails at once, with a hint ---------------

TLS_DATA = Path(__file__).resolve().parent / "data" / "loopback-tls"


class LoopbackServer:
    """A loopback TCP server that counts connections; ``tls``: the socket is TLS-wrapped.

    Plain: a request line that looks like HTTP gets ``HTTP/1.0 400``, as any HTTP
    server answers; other bytes (a TLS ClientHello) get the same at once, or with
    ``stall`` no answer at all (a server waiting for the end of a request line).
    """

    def __init__(self, *, tls: bool = False, stall: bool = False) -> None:
        self.connections = 0
        self._stall = stall
        self._tls = tls
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = int(self._listener.getsockname()[1])
        self._context: ssl.SSLContext | None = None
        if tls:
            self._context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self._context.load_cert_chain(TLS_DATA / "cert.pem", TLS_DATA / "key.pem")
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._serve, daemon=True)]

    def __enter__(self) -> LoopbackServer:
        self._threads[0].start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)
        self._listener.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            self.connections += 1
            thread = threading.Thread(target=self._answer, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _answer(self, conn: socket.socket) -> None:
        conn.settimeout(0.1)
        with conn:
            if self._context is not None:
                try:
                    with self._context.wrap_socket(conn, server_side=True) as tls:
                        tls.recv(1024)
                except (OSError, ssl.SSLError):
                    pass  # a plain request on a TLS port: the handshake fails, as on any server
                return
            first = b""
            while not self._stop.is_set():
                try:
                    first = conn.recv(1024)
                    break
                except TimeoutError:
                    continue
            if self._stall and not first[:1].isalpha():
                while not self._stop.is_set() and self._still_open(conn):
                    pass
                return
            conn.sendall(b"HTTP/1.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

    def _still_open(self, conn: socket.socket) -> bool:
        try:
            return conn.recv(1024) != b""
        except TimeoutError:
            return True
        except OSError:
            return False


@pytest.mark.parametrize("stall", [False, True], ids=["answers-400", "waits"])
def test_https_to_a_plain_http_server_fails_at_once_with_a_hint(
    stall: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reg = tmp_path / "r.json"
    with LoopbackServer(stall=stall) as server:
        endpoint = f"https://127.0.0.1:{server.port}"
        argv = ["refresh", "bert", "--registry", str(reg), "--endpoint", endpoint]
        code, out, err = run_cli(capsys, *argv, "--connect-timeout", "0.5")
        connections = server.connections
    assert (code, out) == (3, "")
    hint = (
        f"{endpoint} answers in plain HTTP, not TLS; did you mean http://127.0.0.1:{server.port}?"
    )
    assert hint in err
    assert connections == 2  # one attempt and one probe: no retries
    assert not reg.exists()


def test_http_to_a_tls_server_fails_at_once_with_a_hint(capsys: pytest.CaptureFixture[str]) -> None:
    with LoopbackServer(tls=True) as server:
        endpoint = f"http://127.0.0.1:{server.port}"
        code, out, err = run_cli(capsys, "check", "a/b", "--endpoint", endpoint, "--json")
        connections = server.connections
    document = json.loads(out)
    assert (code, err) == (3, "") and document["status"] == "unreachable"
    assert document["detail"] == (
        f"{endpoint} answers in TLS; did you mean https://127.0.0.1:{server.port}?"
    )
    assert connections == 2  # one attempt and one probe: no retries


# -- 11. help that reads well ------------------------------------------------------------------

COMMANDS = [
    "recommend",
    "show",
    "types",
    "validate",
    "refresh",
    "refresh-all",
    "explain",
    "pin",
    "unpin",
    "check",
]


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_has_no_python_types_braces_or_doubled_brackets(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(capsys, *([command] if command else []), "--help")
    assert (code, err) == (0, "")
    for junk in ("<str>", "<list", "<float>", "<int>", "[[", "]]", "{", "}", "default: ("):
        assert junk not in out, (command, junk)
    assert "......" not in out


def test_help_writes_usage_and_defaults_as_people_do(capsys: pytest.CaptureFixture[str]) -> None:
    out = run_cli(capsys, "refresh", "--help")[1]
    assert "Usage: hf-model-registry refresh [OPTIONS] TYPE...\n" in out
    assert "[default: 2B]" in " ".join(out.split())
    assert "[default: 0 (refresh all)]" in " ".join(out.split())
    out = run_cli(capsys, "show", "--help")[1]
    assert "Usage: hf-model-registry show [OPTIONS] [MODEL_TYPE]\n" in out
    out = run_cli(capsys, "pin", "--help")[1]
    assert "Usage: hf-model-registry pin [OPTIONS] MODEL_TYPE MODEL_ID\n" in out


def test_command_summaries_are_whole_sentences(capsys: pytest.CaptureFixture[str]) -> None:
    out = run_cli(capsys, "--help")[1]
    listed = out.split("Commands:\n", 1)[1].splitlines()
    summaries = {line.split()[0]: line.split(None, 1)[1] for line in listed if line.strip()}
    assert list(summaries) == COMMANDS
    for command, summary in summaries.items():
        assert summary[0].isupper() and summary.endswith(".") and "..." not in summary, command


def test_simulator_help_lists_defaults_and_behaviours() -> None:
    from hf_model_registry.simulator._state import _PLAIN_BEHAVIORS, DEFAULT_HUB_TYPES

    result = python_m("hf_model_registry.simulator", "--help")
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.split())
    for default in ("127.0.0.1", "300.0", "6"):
        assert f"(default: {default})" in text
    assert "(default: unlimited)" in text
    for behaviour in _PLAIN_BEHAVIORS:
        assert f" {behaviour} " in text
    assert "status:CODE[:X-Error-Code]" in text and ", ".join(DEFAULT_HUB_TYPES) in text


# -- 12. output for people on a terminal, stable lines in a pipe -------------------------------


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """stdout looks like a 100-column terminal to the command line."""
    from hf_model_registry import _cli

    monkeypatch.setattr(_cli, "_stdout_isatty", lambda: True)
    monkeypatch.setenv("COLUMNS", "100")


def test_show_on_a_terminal_is_a_table_with_a_header_and_markup_stays_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], terminal: None, offline: None
) -> None:
    reg = tmp_path / "r.json"
    odd = hub_entry("org/x", source="[red]odd[/red]")
    reg.write_text(dumps_registry({"bert": odd, "gpt2": hub_entry("openai-community/gpt2")}))
    assert run_cli(capsys, "pin", "gpt2", "me/gpt2", "--registry", str(reg))[0] == 0
    code, out, err = run_cli(capsys, "show", "--registry", str(reg))
    assert (code, err) == (0, "")
    plain = re.sub(r"\x1b\[[0-9;]*m", "", out)
    header = next(line for line in plain.splitlines() if "model type" in line)
    assert header.split() == ["model", "type", "default", "model", "updated", "notes"]
    rows = {line.split()[0]: line for line in plain.splitlines() if line.strip()[:1].islower()}
    assert "[red]odd[/red]" in rows["bert"]  # text, not read as markup
    assert "me/gpt2" in rows["gpt2"] and "pinned" in rows["gpt2"]
    # Aligned: every row's model id starts in the header's column.
    column = header.index("default model")
    assert rows["bert"].index("org/x") == rows["gpt2"].index("me/gpt2") == column


@pytest.mark.parametrize("no_color", [False, True])
def test_colour_only_on_a_terminal_and_never_with_no_color(
    no_color: bool,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    terminal: None,
) -> None:
    reg = tmp_path / "r.json"
    reg.write_text(dumps_registry({"bert": hub_entry("a/b", source="static")}))
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    out = run_cli(capsys, "show", "--registry", str(reg))[1]
    colours = re.findall(r"\x1b\[([0-9;]*)m", out)
    assert any(code in ("1", "2") for code in colours)  # bold header, dim notes: styles
    # No foreground or background colour codes (30-49, 90-107) under NO_COLOR.
    coloured = [c for c in colours for n in c.split(";") if n and 30 <= int(n) <= 107]
    assert not coloured if no_color else True


def test_show_in_a_pipe_stays_one_plain_line_per_entry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reg = tmp_path / "r.json"
    entry = hub_entry("a/b", source="static")
    reg.write_text(dumps_registry({"bert": entry}))
    out = run_cli(capsys, "show", "--registry", str(reg))[1]
    assert out == f"{'bert':<28} a/b  {entry['updated_at']}  [static, hand-checked]\n"


def test_summary_drops_zero_counts_and_agrees_in_number() -> None:
    from hf_model_registry._refresh import Outcome, RefreshReport
    from hf_model_registry._render import summary_lines

    report = RefreshReport(registry=None)
    report.outcomes["bert"] = Outcome("bert", "updated")
    report.requests = 1
    first = summary_lines(report)[0]
    assert first.startswith("1 architecture in ") and first.endswith(
        ", 1 request: 1 updated, 0 failed"
    )
    report.outcomes["gpt2"] = Outcome("gpt2", "updated")
    report.requests, report.retries = 3, 1
    first = summary_lines(report)[0]
    assert first.startswith("2 architectures in ")
    assert first.endswith(", 3 requests (1 retried): 2 updated, 0 failed")


def test_progress_shows_an_eta() -> None:
    import io

    from rich.console import Console

    from hf_model_registry._progress import RefreshProgress
    from hf_model_registry._refresh import Outcome

    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=120, no_color=True)
    with RefreshProgress(4, enabled=True, console=console) as progress:
        progress.advance(Outcome("bert", "updated"))
    assert "eta" in screen.getvalue() and "1/4" in screen.getvalue()


def test_ctrl_c_says_interrupted_and_exits_130(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from hf_model_registry import _registry

    def interrupt(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(_registry, "read_registry", interrupt)
    assert run_cli(capsys, "show") == (130, "", "interrupted\n")


def test_explain_on_a_terminal_highlights_the_chosen_row_and_fits_the_width(
    capsys: pytest.CaptureFixture[str], terminal: None
) -> None:
    from hf_model_registry.simulator import run_in_thread

    with run_in_thread() as sim:
        code, out, err = run_cli(capsys, "explain", "gpt2", "--endpoint", sim.url)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    chosen = next(line for line in lines if "openai-community/gpt2 " in line)
    assert "\x1b[1;32m" in chosen  # bold green
    plain = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in lines]
    assert max(len(line.rstrip()) for line in plain) <= 100  # wrapped to COLUMNS
    assert "default: openai-community/gpt2: the documented checkpoint" in out
