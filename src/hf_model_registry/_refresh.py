"""Fan-out over architectures: bounded workers, per-type outcomes, one merge, one write.

Each architecture is fetched and ranked independently; a failure is that
architecture's outcome and leaves its previous entry untouched. When nothing has
succeeded and the first requests all failed (for any reason: unreachable, 429,
5xx, a wrong endpoint path) the fan-out stops early instead of retrying hundreds
of architectures against a Hub that cannot answer. The registry is written once,
atomically, under the cross-process lock, after all fetches.
"""

from __future__ import annotations

import functools
import logging
import os
import time
from collections.abc import Callable, Iterable
from contextlib import aclosing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import anyio
import httpx

from . import _config
from ._architectures import all_architectures, get_architecture
from ._chain import find_entry
from ._defaults import is_static_source
from ._errors import (
    HubResponseError,
    HubUnavailable,
    HubUnusable,
    InvalidInput,
    RateLimited,
    RegistryCorrupt,
    RegistryError,
    RegistryUnreadable,
    TokenRejected,
)
from ._hub import HubClient
from ._names import resolve_name
from ._original import with_registry_keys
from ._registry import (
    Entry,
    check_endpoint,
    check_writable,
    entry_age_seconds,
    locked_update,
    merge_entries,
    read_registry,
    utc_now_iso,
    with_endpoint,
)
from ._selection import Policy, Ranking, Verdict, rank
from ._settings import HubSettings
from ._values import Architecture, Candidate

__all__ = [
    "Outcome",
    "RefreshReport",
    "Status",
    "fetch_ranking",
    "make_entry",
    "refresh",
]

log = logging.getLogger("hf_model_registry.refresh")

Status = Literal["updated", "unchanged", "failed", "skipped", "pinned", "no-candidates"]

# How many of the models a ranking keeps in the entry ("models" and "downloads").
ENTRY_MODELS = 10
LISTING_LIMIT = 100
MAX_PAGES = 3
# A run in which the first this-many architectures failed and none succeeded stops.
EARLY_STOP_AFTER = 8


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one architecture in a refresh."""

    model_type: str
    status: Status
    old_default: str | None = None
    new_default: str | None = None
    reason: str = ""
    entry: Entry | None = None
    error: RegistryError | None = None
    # What the Hub listed, ranked: kept only when the caller asks (``keep_rankings``),
    # so a refresh of every architecture does not hold every listing.
    ranking: Ranking | None = None


@dataclass(slots=True)
class RefreshReport:
    """All outcomes of a refresh, with the figures a summary needs."""

    outcomes: dict[str, Outcome] = field(default_factory=dict)
    requests: int = 0
    rate_limited: int = 0
    retries: int = 0
    seconds: float = 0.0
    registry: str | None = None
    written: bool = False

    def names(self, *statuses: Status) -> list[str]:
        """Sorted architecture names whose outcome has one of ``statuses``."""
        return sorted(n for n, o in self.outcomes.items() if o.status in statuses)

    @property
    def failed(self) -> dict[str, str]:
        """Failed architectures and why."""
        return {n: self.outcomes[n].reason for n in self.names("failed")}

    @property
    def changed(self) -> list[Outcome]:
        """Outcomes whose default changed (including new entries)."""
        return [self.outcomes[n] for n in self.names("updated")]

    def as_json(self) -> dict[str, Any]:
        """The machine-readable summary the CLI prints with ``--json``."""
        return {
            "refreshed": self.names("updated"),
            "unchanged": self.names("unchanged"),
            "no_candidates": self.names("no-candidates"),
            "failed": self.failed,
            "skipped": self.names("skipped", "pinned"),
            "changes": {
                o.model_type: {"old": o.old_default, "new": o.new_default} for o in self.changed
            },
            "requests": self.requests,
            "rate_limited": self.rate_limited,
            "retries": self.retries,
            "seconds": round(self.seconds, 3),
            "registry": None if self.registry is None else str(self.registry),
            "written": self.written,
        }


def make_entry(ranking: Ranking, now: datetime) -> Entry | None:
    """The registry entry a ranking supports, or None when it chose nothing."""
    chosen = ranking.chosen
    if chosen is None:
        return None
    kept = [j for j in ranking.judgements if j.verdict is not Verdict.REJECTED][:ENTRY_MODELS]
    chosen_judgement = next(j for j in kept if j.candidate.id == chosen.id)
    entry: Entry = {
        "default_model": chosen.id,
        "models": [j.candidate.id for j in kept],
        "downloads": {j.candidate.id: j.candidate.downloads for j in kept},
        "updated_at": utc_now_iso(now),
        "source": "hub",
        "reason": ranking.reason,
        "hub_type": ranking.architecture.hub_type,
    }
    if chosen_judgement.params is not None:
        entry["parameters"] = chosen_judgement.params
        if chosen_judgement.params_source is not None:
            entry["parameters_source"] = chosen_judgement.params_source
    if chosen_judgement.tier is not None:
        entry["tier"] = str(chosen_judgement.tier)
    if ranking.test_model is not None:
        entry["test_model"] = ranking.test_model.id
    return entry


async def fetch_ranking(
    hub: HubClient,
    arch: Architecture,
    policy: Policy,
    *,
    limit: int = LISTING_LIMIT,
    max_pages: int = MAX_PAGES,
) -> Ranking:
    """Fetch candidates page by page, ranking as they come; stop at the first choice.

    A further page is fetched only when the page was full and nothing on it could
    be chosen, so the usual cost is one request per architecture.
    """
    candidates: list[Candidate] = []
    skipped: list[str] = []
    ranking = rank([], arch, policy)
    # Closed here, not by the garbage collector: stopping at a choice leaves the pages
    # generator suspended, and trio warns (ResourceWarning) about one finalized late.
    pages = hub.iter_listing(arch.hub_type, limit=limit, max_pages=max_pages)
    async with aclosing(pages):
        async for page in pages:
            for reason in page.skipped:
                log.info("%s: skipped a malformed listing item: %s", arch.name, reason)
            skipped.extend(page.skipped)
            candidates.extend(page.candidates)
            ranking = rank(candidates, arch, policy)
            if ranking.chosen is not None:
                break
    if not candidates and skipped:
        # Not "no candidates": the Hub sent items we could not read, which is its
        # failure to report, not an empty architecture.
        raise HubResponseError(
            f"all {len(skipped)} listing items were malformed (first: {skipped[0]})"
        )
    return ranking


def _architecture(name: str) -> Architecture:
    # A type missing from the table (a new transformers release, a user's own) is
    # still refreshable: its Hub tag is its name and any task is acceptable.
    return get_architecture(name) or Architecture(name=name, hub_type=name)


def _resolve_types(types: Iterable[str]) -> list[Architecture]:
    names = [resolve_name(t)[0] for t in types]  # validates every name before any request
    return [_architecture(n) for n in dict.fromkeys(names)]


def _skip_reason(entry: Entry | None, max_age: float, now: datetime) -> tuple[Status, str] | None:
    if entry is None:
        return None
    if entry.get("pinned") is True:
        return "pinned", "pinned by the user"
    if max_age > 0 and not is_static_source(entry.get("source")):
        age = entry_age_seconds(entry, now)
        if age is not None and 0 <= age < max_age:
            return "skipped", f"refreshed {age:.0f} s ago (max age {max_age:.0f} s)"
    return None


class _EarlyStop:
    """Stops the fan-out when nothing has succeeded and the first requests all failed.

    Any failure counts, not only "unreachable": a Hub that answers only 429, only
    5xx, only 404 (a wrong endpoint path) or only slow drips would otherwise be
    retried for every architecture, each within its own bounds, for hours.
    """

    def __init__(self, *, unreachable: int, any_failure: int) -> None:
        # A Hub that cannot be reached is clear after each worker's first try; other
        # failures may be one odd architecture, so a few more must agree.
        self.unreachable_threshold = max(1, unreachable)
        self.threshold = max(1, any_failure)
        self.successes = 0
        self.failures = 0
        self.all_unreachable = True
        self.first: RegistryError | None = None
        self.stopped = False

    def record(self, exc: RegistryError | None) -> bool:
        """Record one result; True when the fan-out should stop."""
        if exc is None:
            self.successes += 1
            return False
        self.failures += 1
        if self.first is None:
            self.first = exc
        if not isinstance(exc, HubUnavailable) or isinstance(exc, HubUnusable):
            self.all_unreachable = False
        threshold = self.unreachable_threshold if self.all_unreachable else self.threshold
        if self.successes == 0 and self.failures >= threshold:
            self.stopped = True
        return self.stopped

    def error(self, endpoint: str) -> RegistryError:
        """The error that ends a stopped run, naming the first failure."""
        first = self.first
        if isinstance(first, InvalidInput):
            return first  # the caller's mistake (a rejected token): its own exit code
        if isinstance(first, HubUnavailable) and not isinstance(first, HubUnusable):
            return HubUnavailable(f"the Hub at {endpoint} is unreachable: {first}")
        status = getattr(first, "status_code", None)
        retry_after = first.retry_after if isinstance(first, RateLimited) else None
        if status == 404:
            message = (
                f"{endpoint} does not look like a Hub API: GET /api/models returned 404 "
                "(check --endpoint or HF_ENDPOINT: it is the site's root URL, without /api)"
            )
        else:
            message = (
                f"the Hub at {endpoint} failed the first {self.failures} "
                f"architecture{'s' if self.failures != 1 else ''} and answered none: {first}"
            )
        return HubUnusable(message, status_code=status, retry_after=retry_after)


def _detached(exc: RegistryError) -> RegistryError:
    """The error without its traceback and chained exceptions, to keep in an Outcome.

    The traceback holds the frames of the body reader, and a chained JSON error
    holds the whole document: kept for hundreds of failed architectures, that is
    gigabytes. Type, message and attributes are all a report needs.
    """
    exc.__traceback__ = None
    exc.__context__ = None
    exc.__cause__ = None
    return exc


async def refresh(
    types: Iterable[str],
    settings: HubSettings,
    policy: Policy | None = None,
    registry: str | os.PathLike[str] | None = None,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    max_age: float = 0.0,
    write: bool = True,
    on_corrupt: Literal["raise", "move-aside"] = "raise",
    on_outcome: Callable[[Outcome], None] | None = None,
    lock_timeout: float | None = None,
    allow_other_endpoint: bool = False,
    keep_rankings: bool = False,
) -> RefreshReport:
    """Refresh the registry entries of ``types`` from the Hub; write once at the end.

    ``settings`` says where the Hub is and how patiently to ask it (its
    ``concurrency`` is also the number of architectures fetched at once);
    ``policy`` defaults to ``settings.policy()``. ``registry`` is the file to
    update (see ``_config.write_registry_path``).
    ``lock_timeout`` (default 120 s) bounds the wait for another process's lock
    on the registry; past it, ``RegistryLocked`` (the fetched answers are lost).
    Before the first request, a registry that cannot be written raises
    ``RegistryNotWritable`` (or ``RegistryDirectoryMissing``), and one holding entries
    from another endpoint ``EndpointMismatch`` unless ``allow_other_endpoint``.
    ``keep_rankings``: each fetched architecture's ``Outcome.ranking`` holds what the
    Hub listed, ranked (one listing serves a caller that shows it too).
    Returns a report of per-architecture outcomes. Raises ``InvalidModelType``
    before any request for a bad name, ``HubOffline`` when ``settings.offline``,
    ``HubUnavailable`` (registry untouched) when the Hub cannot be reached and
    ``TokenRejected`` (registry untouched) when the Hub refuses the token.
    """
    if max_age < 0:
        raise ValueError("max_age must not be negative")
    concurrency = settings.concurrency
    archs = _resolve_types(types)
    policy = policy or settings.policy()
    path = _config.write_registry_path(registry)
    try:
        # File I/O off the event loop: the caller may be an async app doing other work.
        current = await anyio.to_thread.run_sync(read_registry, path)
    except RegistryCorrupt as exc:
        # Garbage can be moved aside at the write; an unreadable path cannot be written.
        if write and (on_corrupt == "raise" or isinstance(exc, RegistryUnreadable)):
            raise
        current = {}  # moved aside under the lock when the result is written
    report = RefreshReport(registry=path if write else None)
    started = time.monotonic()
    now = datetime.now(UTC)

    def finish(outcome: Outcome) -> None:
        report.outcomes[outcome.model_type] = outcome
        if on_outcome is not None:
            on_outcome(outcome)

    pending: list[Architecture] = []
    for arch in archs:
        skip = _skip_reason(find_entry(current, arch.name, arch.aliases), max_age, now)
        if skip is None:
            pending.append(arch)
        else:
            old = find_entry(current, arch.name, arch.aliases)
            default = None if old is None else old["default_model"]
            finish(Outcome(arch.name, skip[0], default, default, skip[1]))

    early_stop = _EarlyStop(
        unreachable=min(concurrency, len(pending), EARLY_STOP_AFTER),
        any_failure=min(len(pending), EARLY_STOP_AFTER),
    )
    rejected: list[TokenRejected] = []
    # Workers pulling from one shared iterator, not a task per architecture parked
    # on a limiter: memory stays flat in the number of architectures (~5 KiB per
    # waiting task otherwise). next() cannot interleave with another worker: no await.
    todo = iter(pending)

    async with HubClient(settings, transport=transport) as hub:
        if write:
            # Here, after the endpoint is validated and before the first request.
            await anyio.to_thread.run_sync(
                _check_can_write, path, current, hub.endpoint, allow_other_endpoint
            )

        async def one(arch: Architecture, scope: anyio.CancelScope) -> None:
            old = find_entry(current, arch.name, arch.aliases)
            old_default = None if old is None else old["default_model"]
            try:
                ranking = await fetch_ranking(hub, arch, policy)
            except TokenRejected as exc:
                # Every request with this token fails alike: stop, and say why once.
                rejected.append(exc)
                scope.cancel()
                return
            except RegistryError as exc:
                error = _detached(exc)
                if early_stop.record(error):
                    scope.cancel()
                finish(
                    Outcome(arch.name, "failed", old_default, old_default, str(error), error=error)
                )
                return
            early_stop.record(None)
            entry = make_entry(ranking, datetime.now(UTC))
            kept = ranking if keep_rankings else None
            if entry is None:
                finish(
                    Outcome(
                        arch.name,
                        "no-candidates",
                        old_default,
                        old_default,
                        ranking.reason,
                        ranking=kept,
                    )
                )
                return
            status: Status = "unchanged" if entry["default_model"] == old_default else "updated"
            finish(
                Outcome(
                    arch.name,
                    status,
                    old_default,
                    entry["default_model"],
                    ranking.reason,
                    entry,
                    ranking=kept,
                )
            )

        async def worker(scope: anyio.CancelScope) -> None:
            for arch in todo:
                await one(arch, scope)

        async with anyio.create_task_group() as tg:
            for _ in range(min(concurrency, len(pending))):
                tg.start_soon(worker, tg.cancel_scope)

    report.requests = hub.stats.requests
    report.rate_limited = hub.stats.rate_limited
    report.retries = hub.stats.retries
    if rejected:
        raise rejected[0]
    if early_stop.stopped:
        report.seconds = time.monotonic() - started
        raise early_stop.error(hub.endpoint)

    updates = {
        name: with_endpoint(outcome.entry, hub.endpoint)
        for name, outcome in report.outcomes.items()
        if outcome.entry is not None
    }
    if write and updates:
        aliases = {arch.name: arch.aliases for arch in archs}
        # In a worker thread: waiting for another process's lock must not stall the loop.
        # Keys are chosen against the latest file: an original file's "gpt-j" stays "gpt-j".
        await anyio.to_thread.run_sync(
            functools.partial(
                locked_update,
                path,
                lambda latest: merge_entries(latest, with_registry_keys(latest, updates, aliases)),
                on_corrupt=on_corrupt,
                **({} if lock_timeout is None else {"lock_timeout": lock_timeout}),
            )
        )
        report.written = True
    report.seconds = time.monotonic() - started
    return report


def _check_can_write(
    path: str, current: dict[str, Entry], endpoint: str, allow_other_endpoint: bool
) -> None:
    check_writable(path)
    if not allow_other_endpoint:
        check_endpoint(path, current, endpoint)


def all_names(registry: str | os.PathLike[str] | None = None) -> list[str]:
    """Every name of the architecture table, then the registry's keys the table lacks.

    A key that is an alias of a table entry (an older file's ``gpt-j``) is not
    added again; an unreadable registry adds nothing (refresh-all moves it aside).
    """
    names = [a.name for a in all_architectures()]
    try:
        current = read_registry(_config.write_registry_path(registry))
    except RegistryCorrupt:
        return names
    extra = sorted(k for k in current if get_architecture(k) is None)
    return names + extra
