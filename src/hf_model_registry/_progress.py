"""The refresh progress bar of the command line (rich, on stderr, only on a terminal).

Front-end code only; the library below never prints.
"""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._refresh import Outcome

__all__ = ["RefreshProgress"]


class RefreshProgress:
    """A rich progress bar on stderr, or nothing when disabled (not a TTY, ``--quiet``)."""

    def __init__(self, total: int, *, enabled: bool, console: Any = None) -> None:
        self._total = total
        self._enabled = enabled
        self._console = console
        self._progress: Any = None
        self._task: Any = None
        self.failed = 0

    def __enter__(self) -> RefreshProgress:
        if self._enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._progress = Progress(
                TextColumn("refreshing"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("eta"),
                TimeRemainingColumn(),
                TextColumn("{task.fields[last]}"),
                console=self._console or Console(stderr=True),
                transient=False,
            )
            self._progress.__enter__()
            self._task = self._progress.add_task("refresh", total=self._total, last="")
        return self

    def advance(self, outcome: Outcome) -> None:
        """Count one finished architecture."""
        if outcome.status == "failed":
            self.failed += 1
        if self._progress is not None:
            self._progress.update(
                self._task, advance=1, last=f"{outcome.model_type} {outcome.status}"
            )

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.__exit__(exc_type, exc, tb)
