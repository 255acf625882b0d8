"""Registry entries as values: the entry type, timestamps, endpoints, merge and pins.

Pure functions on entries, no I/O (``_registry`` reads and writes the file). Standard
library only: the fast lookup path imports it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final, TypedDict, cast

from ._config import DEFAULT_ENDPOINT

__all__ = [
    "MANAGED_KEYS",
    "PINNED_OVER",
    "Entry",
    "Registry",
    "entry_age_seconds",
    "entry_endpoint",
    "is_naive_timestamp",
    "match_timestamp_style",
    "merge_entries",
    "parse_timestamp",
    "pin_entry",
    "unpin_entry",
    "utc_now_iso",
    "with_endpoint",
]


class _RequiredEntry(TypedDict):
    # A base of its own: Required[] is not seen at runtime under postponed annotations.
    default_model: str


class Entry(_RequiredEntry, total=False):
    """One architecture's registry entry, as the file holds it.

    Only ``default_model`` is required. The other keys are the ones this package
    reads or writes; a file may hold more (an original tool's ``description``, a
    user's note), which are kept as they are: at runtime an entry is a plain dict.
    """

    models: list[str]
    downloads: dict[str, int]
    updated_at: str
    source: str
    reason: str
    hub_type: str
    parameters: int
    parameters_source: str
    tier: str
    test_model: str
    pinned: bool
    pinned_over: Entry
    endpoint: str


Registry = dict[str, Entry]
# Inside a pinned entry: the entry the pin replaced, so that unpin can restore it.
PINNED_OVER: Final = "pinned_over"


def utc_now_iso(now: datetime | None = None) -> str:
    """A timezone-aware UTC ISO 8601 timestamp, to the second."""
    moment = now or datetime.now(UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def parse_timestamp(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        return moment
    # The original tool wrote datetime.now().isoformat(): naive, meaning local time.
    try:
        return moment.astimezone()
    except (OverflowError, OSError):
        # Local time undefined at the edges of the calendar (year 1, 9999): read as UTC.
        return moment.replace(tzinfo=UTC)


def is_naive_timestamp(value: object) -> bool:
    """True for an ISO 8601 timestamp without a UTC offset (the original tool's style)."""
    if not isinstance(value, str):
        return False
    try:
        return datetime.fromisoformat(value).tzinfo is None
    except ValueError:
        return False


def _naive_local(value: str) -> str:
    # The same instant as the original tool would have written it: naive local time.
    moment = parse_timestamp(value)
    if moment is None:
        return value
    try:
        return moment.astimezone().replace(tzinfo=None).isoformat(timespec="seconds")
    except (OverflowError, OSError):
        return value


def match_timestamp_style(current: Mapping[str, Entry], updated: Registry) -> Registry:
    """``updated`` with the timestamps it adds or changes in the style ``current`` uses.

    A file holding any naive ``updated_at`` came from (or is shared with) the
    original tool, whose clients compute ``datetime.now() - datetime.fromisoformat(...)``
    and cannot compare an aware value; new timestamps written into such a file
    are naive local time too. Any other file gets timezone-aware UTC. Entries
    this write does not change are left exactly as they are.
    """
    if not any(is_naive_timestamp(e.get("updated_at")) for e in current.values()):
        return updated
    styled: Registry = {}
    for key, entry in updated.items():
        stamp = entry.get("updated_at")
        if current.get(key) != entry and isinstance(stamp, str) and not is_naive_timestamp(stamp):
            entry = {**entry, "updated_at": _naive_local(stamp)}
        styled[key] = entry
    return styled


def entry_age_seconds(entry: Mapping[str, Any], now: datetime) -> float | None:
    """Seconds since the entry was updated, or None when it has no usable timestamp."""
    moment = parse_timestamp(entry.get("updated_at"))
    if moment is None:
        return None
    return (now - moment).total_seconds()


def entry_endpoint(entry: Mapping[str, Any]) -> str | None:
    """The Hub endpoint an entry came from; None for entries no Hub produced (static, pins)."""
    if entry.get("source") != "hub":
        return None
    endpoint = entry.get("endpoint")
    return endpoint if isinstance(endpoint, str) else DEFAULT_ENDPOINT


def with_endpoint(entry: Entry, endpoint: str) -> Entry:
    """The entry marked with its endpoint, unless that is the public Hub (the common case)."""
    if endpoint == DEFAULT_ENDPOINT:
        return entry
    return {**entry, "endpoint": endpoint}


# Keys a refresh owns; any other key in an entry is the user's and survives a refresh.
MANAGED_KEYS = frozenset(
    {
        "default_model",
        "models",
        "downloads",
        "updated_at",
        "source",
        "reason",
        "hub_type",
        "parameters",
        "parameters_source",
        "tier",
        "test_model",
        "endpoint",
    }
)


def merge_entries(current: Mapping[str, Entry], updates: Mapping[str, Entry]) -> Registry:
    """Overlay ``updates`` on ``current``; pinned entries in ``current`` never change.

    Pure: entries not named in ``updates`` are kept as they are, so a partial
    refresh never drops anything, and keys a refresh does not own (an original
    tool's ``description``, a user's note) are carried over into the new entry.
    """
    merged: Registry = dict(current)
    for key, entry in updates.items():
        old = merged.get(key)
        if old is not None and old.get("pinned") is True:
            continue
        kept = {} if old is None else {k: v for k, v in old.items() if k not in MANAGED_KEYS}
        merged[key] = cast(Entry, {**kept, **entry}) if kept else entry
    return merged


def _user_keys(entry: Mapping[str, Any]) -> dict[str, Any]:
    return {
        k: v for k, v in entry.items() if k not in MANAGED_KEYS and k not in ("pinned", PINNED_OVER)
    }


def pin_entry(current: Entry | None, model_id: str, now: datetime | None = None) -> Entry:
    """A pinned entry for ``model_id`` that keeps the entry it replaces, for ``unpin_entry``.

    The pin describes only what the user chose: the replaced entry's Hub data (its
    reason, parameter count, candidates) belongs to another model and is kept
    aside, not shown as the pin's. Re-pinning keeps the original replaced entry.
    """
    replaced = current.get(PINNED_OVER) if current and current.get("pinned") is True else current
    pin: Entry = {
        "default_model": model_id,
        "models": [model_id],
        "downloads": {},
        "updated_at": utc_now_iso(now),
        "source": "user",
        "pinned": True,
    }
    # A user's own keys are kept; they come first, as they did in the file.
    entry = cast(Entry, {**({} if current is None else _user_keys(current)), **pin})
    if replaced is not None:
        entry[PINNED_OVER] = replaced
    return entry


def unpin_entry(entry: Entry) -> Entry | None:
    """The entry a pin replaced, or None when it replaced nothing (drop the key then).

    Dropping, rather than keeping the pinned model as if the Hub had chosen it,
    lets the next lookup or refresh fill the entry; keys the user added survive.
    """
    replaced = entry.get(PINNED_OVER)
    if not isinstance(replaced, dict):
        return None
    return cast(Entry, {**replaced, **_user_keys(entry)})
