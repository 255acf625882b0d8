"""Exit codes and the error line shared by the two command lines (hf-model-registry and
find-models)."""

from __future__ import annotations

from ._errors import HubUnavailable, InvalidInput, printable

__all__ = ["EXIT_FAILED", "EXIT_OK", "EXIT_UNREACHABLE", "EXIT_USAGE", "error_line", "exit_code"]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_UNREACHABLE = 3


def exit_code(exc: BaseException) -> int:
    """The exit code for a library error: 2 bad input, 3 Hub unreachable, else 1."""
    if isinstance(exc, InvalidInput):
        return EXIT_USAGE
    if isinstance(exc, HubUnavailable):
        return EXIT_UNREACHABLE
    return EXIT_FAILED


def error_line(message: object) -> str:
    """``error: <message>`` on one line, control characters escaped (it may quote the Hub)."""
    return f"error: {printable(' '.join(str(message).split()))}"
