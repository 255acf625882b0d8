"""The refresh both command lines run: the bar, the refresh, what the report means as an exit code.

``hf-model-registry refresh``/``refresh-all`` and ``find-models --update-registry`` parse
their own flags and print their own layout; running the refresh, sizing its progress bar,
deciding when the bar shows and saying that a new registry file was created are done
here, once. Front-end code: the bar and the notice go to stderr; the library below
never prints.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from typing import TYPE_CHECKING

from . import _config
from ._errors import EndpointMismatch, printable
from ._exitcodes import EXIT_FAILED, EXIT_OK

if TYPE_CHECKING:
    from ._refresh import RefreshReport
    from ._selection import Policy
    from ._settings import HubSettings

__all__ = ["announce_new_file", "progress_wanted", "refresh_exit_code", "run_refresh"]


@contextmanager
def announce_new_file(path: str) -> Iterator[None]:
    """Say on stderr when the write in the block created a new registry file."""
    existed = os.path.lexists(path)
    yield
    if not existed and os.path.lexists(path):
        print(printable(f"created a new registry file {path}"), file=sys.stderr)


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
    keep_rankings: bool = False,
    mixing_hint: str | None = None,
) -> RefreshReport:
    """Refresh ``types`` from the Hub, blocking; None: every architecture, as ``refresh_all``.

    Every architecture is the table's and the registry's own extra types, and an
    unreadable registry is then moved aside and replaced; given types refuse it.
    With ``progress`` a bar on stderr counts the architectures the refresh visits.
    A write that creates the registry file says so on stderr. ``mixing_hint`` (the
    front end's own flags) ends the message of a refusal to mix endpoints.
    ``keep_rankings``: see ``_refresh.refresh``.
    """
    from ._bridge import run_sync
    from ._progress import RefreshProgress
    from ._refresh import all_names, refresh

    names = all_names(registry) if types is None else list(types)
    with (
        announce_new_file(_config.write_registry_path(registry)) if write else nullcontext(),
        RefreshProgress(len(set(names)), enabled=progress) as bar,
    ):
        try:
            return run_sync(
                lambda: refresh(
                    names,
                    settings,
                    policy,
                    registry,
                    max_age=max_age,
                    write=write,
                    on_corrupt="move-aside" if types is None else "raise",
                    on_outcome=bar.advance,
                    allow_other_endpoint=allow_other_endpoint,
                    keep_rankings=keep_rankings,
                )
            )
        except EndpointMismatch as exc:
            if mixing_hint is None:
                raise
            raise EndpointMismatch(f"{exc} ({mixing_hint})") from exc


def refresh_exit_code(report: RefreshReport) -> int:
    """1 when an architecture failed (its entry is kept), else 0."""
    return EXIT_FAILED if report.failed else EXIT_OK
