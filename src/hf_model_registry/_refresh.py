"""Fan-out over architectures: bounded workers, per-type outcomes, one merge, one write.

Each architecture is fetched and ranked independently; a failure is that
architecture's outcome and leaves its previous entry untouched. When every
request fails to connect from the start the fan-out stops early instead of
retrying hundreds of times against a Hub that is not there. The registry is
written once, atomically, under the cross-process lock, after all fetches.
"""

from __future__ import annotations

import functools
import logging
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import anyio
import httpx

from . import _config
from ._architectures import all_architectures, get_architecture
from ._chain import find_entry
from ._errors import (
    HubResponseError,
    HubUnavailable,
    RegistryCorrupt,
    RegistryError,
    RegistryUnreadable,
)
from ._hub import HubClient, RetryPolicy
from ._models import Architecture, Candidate
from ._names import resolve_name
from ._original import with_registry_keys
from ._registry import (
    Entry,
    entry_age_seconds,
    locked_update,
    merge_entries,
    read_registry,
    utc_now_iso,
)
from ._selection import Policy, Ranking, Verdict, rank

__all__ = [
    "Outcome",
    "RefreshReport",
    "Status",
    "fetch_ranking",
    "make_entry",
    "refresh",
    "resolve_token",
]

log = logging.getLogger("hf_model_registry.refresh")

Status = Literal["updated", "unchanged", "failed", "skipped", "pinned", "no-candidates"]

# How many of the models a ranking keeps in the entry ("models" and "downloads").
ENTRY_MODELS = 10
LISTING_LIMIT = 100
MAX_PAGES = 3


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
        entry["parameters_source"] = chosen_judgement.params_source
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
    async for page in hub.iter_listing(arch.hub_type, limit=limit, max_pages=max_pages):
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


async def resolve_token(token: str | None) -> str | None:
    """The Hub token (argument, environment or ``$HF_HOME/token``), read off the event loop."""
    return await anyio.to_thread.run_sync(_config.hub_token, token)


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
    if max_age > 0 and entry.get("source") != "static":
        age = entry_age_seconds(entry, now)
        if age is not None and 0 <= age < max_age:
            return "skipped", f"refreshed {age:.0f} s ago (max age {max_age:.0f} s)"
    return None


class _FailFast:
    """Stops the fan-out when the first requests all fail to reach the Hub."""

    def __init__(self, threshold: int) -> None:
        self.threshold = max(1, threshold)
        self.successes = 0
        self.unreachable = 0
        self.error: HubUnavailable | None = None

    def record(self, exc: BaseException | None) -> bool:
        """Record one result; True when the fan-out should stop."""
        if exc is None or not isinstance(exc, HubUnavailable):
            self.successes += 1
            return False
        self.unreachable += 1
        if self.successes == 0 and self.unreachable >= self.threshold:
            self.error = exc
            return True
        return False


async def refresh(
    types: Iterable[str],
    *,
    registry: str | os.PathLike[str] | None = None,
    endpoint: str | None = None,
    token: str | None = None,
    concurrency: int = 8,
    max_age: float = 0.0,
    policy: Policy | None = None,
    rate: float | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    retry: RetryPolicy | None = None,
    connect_timeout: float = 5.0,
    request_timeout: float = 30.0,
    max_quota_wait: float | None = None,
    write: bool = True,
    on_corrupt: Literal["raise", "move-aside"] = "raise",
    on_outcome: Callable[[Outcome], None] | None = None,
) -> RefreshReport:
    """Refresh the registry entries of ``types`` from the Hub; write once at the end.

    ``request_timeout`` is the deadline of one attempt (connect, send, read the whole
    body): a server that drips its answer cannot hold a worker longer.
    ``max_quota_wait`` (default: no limit) fails an architecture with
    ``RateLimited`` instead of waiting longer than that for the quota to reset.
    Returns a report of per-architecture outcomes. Raises ``InvalidModelType``
    before any request for a bad name, ``HubOffline`` when ``HF_HUB_OFFLINE`` is
    set and ``HubUnavailable`` (registry untouched) when the Hub cannot be reached.
    """
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    if max_age < 0:
        raise ValueError("max_age must not be negative")
    archs = _resolve_types(types)
    token = await resolve_token(token)
    policy = policy or Policy(allow_gated=token is not None)
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

    fail_fast = _FailFast(threshold=min(concurrency, len(pending), 8))
    # Workers pulling from one shared iterator, not a task per architecture parked
    # on a limiter: memory stays flat in the number of architectures (~5 KiB per
    # waiting task otherwise). next() cannot interleave with another worker: no await.
    todo = iter(pending)

    async with HubClient(
        endpoint=endpoint,
        token=token,
        transport=transport,
        connections=concurrency,
        retry=retry,
        rate=rate,
        connect_timeout=connect_timeout,
        read_timeout=request_timeout,
        attempt_timeout=request_timeout,
        max_quota_wait=max_quota_wait,
    ) as hub:

        async def one(arch: Architecture, scope: anyio.CancelScope) -> None:
            old = find_entry(current, arch.name, arch.aliases)
            old_default = None if old is None else old["default_model"]
            try:
                ranking = await fetch_ranking(hub, arch, policy)
            except RegistryError as exc:
                if fail_fast.record(exc):
                    scope.cancel()
                finish(Outcome(arch.name, "failed", old_default, old_default, str(exc), error=exc))
                return
            fail_fast.record(None)
            entry = make_entry(ranking, datetime.now(UTC))
            if entry is None:
                finish(
                    Outcome(arch.name, "no-candidates", old_default, old_default, ranking.reason)
                )
                return
            status: Status = "unchanged" if entry["default_model"] == old_default else "updated"
            finish(
                Outcome(
                    arch.name, status, old_default, entry["default_model"], ranking.reason, entry
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
    if fail_fast.error is not None:
        report.seconds = time.monotonic() - started
        raise HubUnavailable(f"the Hub at {hub.endpoint} is unreachable: {fail_fast.error}")

    updates = {
        name: outcome.entry
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
            )
        )
        report.written = True
    report.seconds = time.monotonic() - started
    return report


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
