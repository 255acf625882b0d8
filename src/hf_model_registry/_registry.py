"""The registry file: schema, validation, load, atomic write, cross-process lock, merge.

This is the only module that touches the registry file. Reading uses the
standard library alone (the fast lookup path imports it); the lock library is
imported only by writers.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from . import _log
from ._candidates import validate_model_id
from ._config import packaged_registry_path
from ._errors import InvalidModelId, RegistryCorrupt, RegistryError, RegistryUnreadable, safe_repr

__all__ = [
    "Entry",
    "Registry",
    "StrPath",
    "dumps_registry",
    "entry_age_seconds",
    "is_naive_timestamp",
    "locked_update",
    "match_timestamp_style",
    "merge_entries",
    "parse_registry",
    "read_registry",
    "save_json",
    "utc_now_iso",
    "validate_registry",
    "write_registry",
]

Entry = dict[str, Any]
Registry = dict[str, Entry]
if TYPE_CHECKING:
    from pathlib import Path

# Paths arrive as str or os.PathLike; the read path never builds a pathlib.Path
# (pathlib costs ~3 ms of a cold lookup), writers do.
StrPath = str | os.PathLike[str]

# A registry is a handful of kB per hundred entries; anything this large is not one,
# and reading it whole would only waste memory before failing validation.
_MAX_FILE_BYTES = 64 * 1024 * 1024
_LOCK_TIMEOUT_SECONDS = 120.0
_TEMP_MARK = ".tmp-"


def utc_now_iso(now: datetime | None = None) -> str:
    """A timezone-aware UTC ISO 8601 timestamp, to the second."""
    moment = now or datetime.now(UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _parse_timestamp(value: object) -> datetime | None:
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
    moment = _parse_timestamp(value)
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
    moment = _parse_timestamp(entry.get("updated_at"))
    if moment is None:
        return None
    return (now - moment).total_seconds()


def _problem(source: str, key: str, message: str) -> RegistryCorrupt:
    return RegistryCorrupt(f"{source}: entry {safe_repr(key)}: {message}")


def _validate_entry(source: str, key: str, entry: object) -> Entry:
    if not isinstance(entry, dict):
        raise _problem(source, key, f"must be an object, not {type(entry).__name__}")
    default = entry.get("default_model")
    if not isinstance(default, str):
        raise _problem(source, key, "'default_model' must be a string")
    try:
        validate_model_id(default)
    except InvalidModelId as exc:
        raise _problem(source, key, f"'default_model' is not a model id: {exc}") from None
    models = entry.get("models", [])
    if not isinstance(models, list) or not all(isinstance(m, str) for m in models):
        raise _problem(source, key, "'models' must be a list of strings")
    downloads = entry.get("downloads", {})
    if not isinstance(downloads, dict) or not all(
        isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool)
        for k, v in downloads.items()
    ):
        raise _problem(source, key, "'downloads' must map model ids to integers")
    if "updated_at" in entry and _parse_timestamp(entry["updated_at"]) is None:
        raise _problem(source, key, "'updated_at' must be an ISO 8601 timestamp")
    if "pinned" in entry and not isinstance(entry["pinned"], bool):
        raise _problem(source, key, "'pinned' must be true or false")
    return entry


def validate_registry(obj: object, *, source: str = "registry") -> Registry:
    """Check a parsed registry document; return it typed, or raise ``RegistryCorrupt``.

    Extra keys inside an entry are allowed (the format is open for additions);
    the original's four keys are checked for type.
    """
    from ._architectures import validate_model_type

    if not isinstance(obj, dict):
        raise RegistryCorrupt(f"{source}: top level must be an object, not {type(obj).__name__}")
    registry: Registry = {}
    for key, entry in obj.items():
        try:
            validate_model_type(key)
        except RegistryError:
            raise RegistryCorrupt(f"{source}: {safe_repr(key)} is not a valid model type") from None
        registry[key] = _validate_entry(source, key, entry)
    return registry


def parse_registry(data: bytes, *, source: str = "registry") -> Registry:
    """Parse and validate registry bytes."""
    if not data.strip():
        raise RegistryCorrupt(f"{source}: file is empty")
    try:
        obj = json.loads(data)
    except (ValueError, RecursionError) as exc:
        # ValueError: bad JSON, bad UTF-8, integers past the digit limit;
        # RecursionError: nesting deeper than the parser can follow.
        raise RegistryCorrupt(f"{source}: not valid JSON ({type(exc).__name__})") from None
    registry = validate_registry(obj, source=source)
    if b"\\ud" in data.lower():
        # An escaped lone surrogate parses but can never be written back as UTF-8,
        # which would make every later write fail; refuse it now. (Checked only when
        # such an escape is present: the encode costs as much as the parse.)
        try:
            dumps_registry(registry).encode("utf-8")
        except UnicodeEncodeError:
            raise RegistryCorrupt(f"{source}: contains an unpaired surrogate escape") from None
    return registry


def read_registry(path: StrPath, *, missing_ok: bool = True) -> Registry:
    """Read, parse and validate the registry at ``path``.

    A missing file is an empty registry when ``missing_ok``; any other problem
    (a directory, no permission, garbage, wrong schema) is ``RegistryCorrupt``.
    """
    try:
        with open(path, "rb") as handle:
            data = handle.read(_MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        if missing_ok:
            return {}
        raise RegistryCorrupt(f"{path}: no such file") from None
    except IsADirectoryError:
        raise RegistryUnreadable(f"{path}: is a directory, not a registry file") from None
    except PermissionError:
        raise RegistryUnreadable(f"{path}: permission denied") from None
    except OSError as exc:
        raise RegistryUnreadable(f"{path}: cannot be read ({exc.strerror})") from None
    if len(data) > _MAX_FILE_BYTES:
        raise RegistryCorrupt(f"{path}: larger than {_MAX_FILE_BYTES} bytes")
    return parse_registry(data, source=str(path))


_JSON_FORMAT: dict[str, Any] = {"indent": 2, "sort_keys": True, "ensure_ascii": False}


def dumps_registry(registry: Mapping[str, Entry]) -> str:
    """Serialize with sorted keys and indentation, so a refresh diffs well in git."""
    return json.dumps(registry, **_JSON_FORMAT) + "\n"


def _refuse_packaged(path: StrPath) -> None:
    with contextlib.suppress(OSError):
        if os.path.realpath(path) == packaged_registry_path():
            raise RegistryError(
                f"{path} is the read-only snapshot shipped in the package; "
                "pass --registry PATH or set HF_MODEL_REGISTRY"
            )


def write_registry(path: StrPath, registry: Mapping[str, Entry]) -> None:
    """Replace the file atomically: a reader sees the old file or the new one, never a part.

    The temp file lives in the same directory (``os.replace`` is atomic only
    within a file system), is flushed and fsynced before the rename, keeps the
    old file's mode, and is removed if anything fails.
    """
    from pathlib import Path

    path = Path(path)
    _refuse_packaged(path)
    validate_registry(dict(registry), source=str(path))
    _write_json_atomically(path, registry)


def save_json(path: StrPath, data: Any) -> None:
    """Write any JSON document atomically, in the registry's format, under the registry lock.

    For callers that hand over a whole document of their own (the original's
    ``save_model_registry``): no schema check, but the same guarantees as a
    registry write, and never the packaged snapshot. Raises ``OSError``,
    ``TypeError`` (not JSON-serialisable) or ``RegistryError``.
    """
    from pathlib import Path

    path = Path(path)
    _refuse_packaged(path)
    with _lock(path):
        _write_json_atomically(path, data)


def _write_json_atomically(path: Path, data: Any) -> None:
    directory = path.parent
    try:
        mode = os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o644
    import tempfile  # writers only; the read path stays light

    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}{_TEMP_MARK}", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            # Streamed, in the same format as dumps_registry: the whole text never sits
            # in memory, so a refresh's peak stays flat in the number of entries.
            json.dump(data, handle, **_JSON_FORMAT)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, mode)
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
    _fsync_directory(directory)


def _fsync_directory(directory: StrPath) -> None:
    # Makes the rename itself durable across a power cut; not all platforms allow it.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _remove_stale_temps(path: Path) -> None:
    # Only the lock holder writes temp files, so under the lock any leftover is
    # from a writer that was killed mid-write.
    directory = path.parent
    for leftover in directory.glob(f".{path.name}{_TEMP_MARK}*"):
        with contextlib.suppress(OSError):
            leftover.unlink()
            _log.info(__name__, "removed %s left behind by an interrupted write", leftover)


def _move_aside(path: Path, reason: RegistryCorrupt) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    counter = 1
    while target.exists():
        counter += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{counter}")
    os.replace(path, target)
    _log.warning(
        __name__, "registry %s was unreadable (%s); moved it aside to %s", path, reason, target
    )
    return target


@contextlib.contextmanager
def _lock(path: Path) -> Iterator[None]:
    # filelock: a tested cross-process lock (fcntl on POSIX, msvcrt on Windows)
    # that handles stale lock files; hand-rolled flock code gets that wrong.
    from filelock import FileLock, Timeout

    lock = FileLock(f"{path}.lock", timeout=_LOCK_TIMEOUT_SECONDS)
    try:
        with lock:
            yield
    except Timeout:
        raise RegistryError(
            f"{path}: could not take the lock {path}.lock within {_LOCK_TIMEOUT_SECONDS:.0f} s; "
            "is another refresh still running?"
        ) from None


def locked_update(
    path: StrPath,
    mutate: Callable[[Registry], Registry],
    *,
    on_corrupt: Literal["raise", "move-aside"] = "raise",
) -> Registry:
    """Read-modify-write under the cross-process lock; return what was written.

    ``mutate`` receives the current registry (re-read under the lock, so
    concurrent writers never lose each other's entries) and returns the new one.
    With ``on_corrupt="move-aside"`` an unreadable file is renamed to
    ``<name>.corrupt-<UTC timestamp>`` and the update starts from empty.
    Timestamps the update adds follow the file's style (``match_timestamp_style``).
    """
    from pathlib import Path

    path = Path(path)
    _refuse_packaged(path)
    try:
        with _lock(path):
            _remove_stale_temps(path)
            try:
                current = read_registry(path)
            except RegistryCorrupt as exc:
                # Only garbage in a readable file is replaced; a directory or a file we
                # may not read is the user's, and is never renamed away.
                if on_corrupt == "raise" or isinstance(exc, RegistryUnreadable):
                    raise
                _move_aside(path, exc)
                current = {}
            updated = match_timestamp_style(current, mutate(current))
            if updated != current or not path.exists():
                write_registry(path, updated)
            return updated
    except OSError as exc:  # read-only directory, disk full, lock file not creatable
        raise RegistryError(f"{path}: cannot write ({exc.strerror or exc})") from None


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
        merged[key] = {**kept, **entry} if kept else entry
    return merged
