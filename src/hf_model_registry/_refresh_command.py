"""The refresh both command lines run: the bar, the refresh, what the report means as an exit code.

``hf-model-registry refresh``/``refresh-all`` and ``find-models --update-registry`` parse
their own flags and print their own layout; running the refresh, sizing its progress bar
and deciding when the bar shows are done here, once. Front-end code: the bar draws on
stderr; the library below never prints.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from . import _config
from ._exitcodes import EXIT_FAILED, EXIT_OK

if TYPE_CHECKING:
    import os

    from ._refresh import RefreshReport
    from ._selection import Policy
    from ._settings import HubSettings

__all__ = ["progress_wanted", "refresh_exit_code", "run_refresh"]


def progress_wanted(*, quiet: bool = False) -> bool:
    """Whether a refresh draws its bar: on a terminal, unless quiet or progress bars are off."""
    return not quiet and not _config.progress_disabled() and sys.stderr.isatty()


def run_refresh(
    types: Sequence[str] | None,
    *,
    registry: str | os.PathLike[str] | None,
    settings: HubSettings,
    policy: Policy | None = None,
    max_age: float = 0.0,
    allow_other_endpoint: bool = False,
    write: bool = True,
    progress: bool = False,
) -> RefreshReport:
    """Refresh ``types`` from the Hub, blocking; None: every architecture, as ``refresh_all``.

    Every architecture is the table's and the registry's own extra types, and an
    unreadable registry is then moved aside and replaced; given types refuse it.
    With ``progress`` a bar on stderr counts the architectures the refresh visits.
    """
    from . import aio
    from ._bridge import run_sync
    from ._progress import RefreshProgress
    from ._refresh import all_names

    names = all_names(registry) if types is None else list(types)
    with RefreshProgress(len(set(names)), enabled=progress) as bar:
        return run_sync(
            lambda: aio.refresh(
                names,
                registry=registry,
                settings=settings,
                policy=policy,
                max_age=max_age,
                write=write,
                on_corrupt="move-aside" if types is None else "raise",
                on_outcome=bar.advance,
                allow_other_endpoint=allow_other_endpoint,
            )
        )


def refresh_exit_code(report: RefreshReport) -> int:
    """1 when an architecture failed (its entry is kept), else 0."""
    return EXIT_FAILED if report.failed else EXIT_OK
