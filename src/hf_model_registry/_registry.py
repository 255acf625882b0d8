"""The registry file: validation, load, atomic write, cross-process lock.

This is the only module that touches the registry file; entries as values (their
type, timestamps, merge, pins) are ``_entries``, re-exported here. Reading uses the
standard library alone (the fast lookup path imports it); the lock library is
imported only by writers.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal, cast

from . import _log
from ._candidates import validate_model_id
from ._config import DEFAULT_ENDPOINT, packaged_registry_path
from ._entries import (
    PINNED_OVER,
    Entry,
    Registry,
    entry_age_seconds,
    entry_endpoint,
    is_naive_timestamp,
    match_timestamp_style,
    merge_entries,
    parse_timestamp,
    pin_entry,
    unpin_entry,
    utc_now_iso,
    with_endpoint,
)
from ._errors import (
    EndpointMismatch,
    InvalidModelId,
    RegistryCorrupt,
    RegistryDirectoryMissing,
    RegistryError,
    RegistryLocked,
    RegistryNotWritable,
    RegistryUnreadable,
    safe_repr,
)

__all__ = [
    "Entry",
    "Registry",
    "StrPath",
    "check_endpoint",
    "check_writable",
    "dumps_registry",
    "entry_age_seconds",
    "entry_endpoint",
    "is_naive_timestamp",
    "locked_update",
    "match_timestamp_style",
    "merge_entries",
    "parse_registry",
    "pin_entry",
    "read_registry",
    "save_json",
    "unpin_entry",
    "utc_now_iso",
    "validate_registry",
    "with_endpoint",
    "write_registry",
]


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


def _problem(source: str, key: str, message: str) -> RegistryCorrupt:
    return RegistryCorrupt(f"{source}: entry {safe_repr(key)}: {message}")


def _validate_entry(source: str, key: str, entry: object, *, nested: bool = False) -> Entry:
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
    if "updated_at" in entry and parse_timestamp(entry["updated_at"]) is None:
        raise _problem(source, key, "'updated_at' must be an ISO 8601 timestamp")
    if "test_model" in entry:
        try:
            validate_model_id(entry["test_model"])
        except InvalidModelId as exc:
            raise _problem(source, key, f"'test_model' is not a model id: {exc}") from None
    if "pinned" in entry and not isinstance(entry["pinned"], bool):
        raise _problem(source, key, "'pinned' must be true or false")
    if "endpoint" in entry and not isinstance(entry["endpoint"], str):
        raise _problem(source, key, "'endpoint' must be a string")
    if PINNED_OVER in entry:
        # The entry a pin replaced, restored by unpin: one level deep, never itself a pin.
        if nested:
            raise _problem(source, key, f"{PINNED_OVER!r} cannot be nested")
        _validate_entry(source, key, entry[PINNED_OVER], nested=True)
        if entry[PINNED_OVER].get("pinned") is True:
            raise _problem(source, key, f"{PINNED_OVER!r} must not be a pinned entry")
    return cast(Entry, entry)  # checked above, key by key


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
        # Non-blocking, then checked: opening a FIFO for reading would otherwise
        # block until a writer appears, and a device would be read like a file.
        with open(path, "rb", opener=_open_nonblocking) as handle:
            status = os.fstat(handle.fileno())
            _refuse_special(path, status.st_mode)
            # Refused by its size before reading a byte; the bounded read below
            # still guards a file that grows meanwhile.
            if status.st_size > _MAX_FILE_BYTES:
                raise RegistryCorrupt(f"{path}: larger than {_MAX_FILE_BYTES} bytes")
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


def _open_nonblocking(path: str, flags: int) -> int:
    return os.open(path, flags | getattr(os, "O_NONBLOCK", 0))


def _refuse_special(path: StrPath, mode: int) -> None:
    if stat.S_ISDIR(mode):
        raise RegistryUnreadable(f"{path}: is a directory, not a registry file")
    if not stat.S_ISREG(mode):
        # A FIFO, a socket or a device (--registry /dev/null): never read, renamed
        # aside or replaced.
        raise RegistryUnreadable(f"{path}: is not a regular file")


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


def _may_write(target: str) -> bool:
    # A file or directory without any write bit was made read-only on purpose; root
    # could still replace it by rename, so the mode is honoured as well as access().
    try:
        mode = os.stat(target).st_mode
    except OSError:
        return False
    return bool(mode & 0o222) and os.access(target, os.W_OK)


def check_writable(path: StrPath) -> None:
    """Raise unless the registry at ``path`` can be written; cheap, and writes nothing.

    Called before a refresh sends its first request, so a registry that cannot be
    saved costs no quota. The directory must exist (it is never created implicitly:
    a typo in a path should not grow a tree), and the directory, an existing file
    and an existing lock file must be writable.
    """
    _refuse_packaged(path)
    text = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(text))
    if not os.path.isdir(directory):
        raise RegistryDirectoryMissing(
            f"{text}: the directory {directory} does not exist; create it first "
            f"(mkdir -p {directory})"
        )
    targets = ((directory, "directory"), (text, "file"), (f"{text}.lock", "lock file"))
    for target, what in targets:
        if what != "directory" and not os.path.lexists(target):
            continue
        if not _may_write(target):
            raise RegistryNotWritable(f"{text}: cannot write: the {what} {target} is read-only")


def check_endpoint(path: StrPath, current: Mapping[str, Entry], endpoint: str) -> None:
    """Refuse to mix Hub endpoints in one registry; ``EndpointMismatch`` says what it holds.

    Entries from another endpoint (a simulator's answers into a real registry, or
    the reverse) are refused, and so are answers from a non-default endpoint into a
    registry file git tracks (the committed one) that holds none from it yet. The
    message names no flag: each front end says how to proceed with its own.
    """
    from ._git import tracked_by_git  # a subprocess: only writers with another endpoint

    others = sorted({entry_endpoint(e) or endpoint for e in current.values()} - {endpoint})
    if others:
        raise EndpointMismatch(
            f"{path} holds entries from {others[0]}; refusing to add entries from {endpoint}"
        )
    if (
        endpoint != DEFAULT_ENDPOINT
        and current
        and not any(entry_endpoint(e) == endpoint for e in current.values())
        and (committed := tracked_by_git(path)) is not False
    ):
        where = (
            "is committed in a git checkout"
            if committed
            else "is in a git checkout (git could not tell whether it is committed)"
        )
        raise EndpointMismatch(f"{path} {where}; refusing to write entries from {endpoint} into it")


def write_registry(path: StrPath, registry: Mapping[str, Entry]) -> None:
    """Replace the file atomically: a reader sees the old file or the new one, never a part.

    The temp file lives in the same directory (``os.replace`` is atomic only
    within a file system), is flushed and fsynced before the rename, keeps the
    old file's mode, and is removed if anything fails.
    """
    from pathlib import Path

    # Through a symlink to the file it names: the rename replaces that file, and
    # the link stays a link.
    path = Path(os.path.realpath(path))
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
    with _lock(path, _LOCK_TIMEOUT_SECONDS):
        _write_json_atomically(path, data)


def _write_json_atomically(path: Path, data: Any) -> None:
    directory = path.parent
    try:
        st_mode = os.stat(path).st_mode
    except FileNotFoundError:
        mode = 0o644
    else:
        _refuse_special(path, st_mode)
        mode = st_mode & 0o7777
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
def _lock(path: Path, timeout: float) -> Iterator[None]:
    # filelock: a tested cross-process lock (fcntl on POSIX, msvcrt on Windows)
    # that handles stale lock files; hand-rolled flock code gets that wrong.
    from filelock import FileLock, Timeout

    lock = FileLock(f"{path}.lock", timeout=timeout)
    try:
        lock.acquire()
    except Timeout:
        raise RegistryLocked(
            f"{path}: could not take the lock {path}.lock within {timeout:g} s; "
            "is another refresh still running?"
        ) from None
    try:
        yield
    finally:
        lock.release()


def locked_update(
    path: StrPath,
    mutate: Callable[[Registry], Registry],
    *,
    on_corrupt: Literal["raise", "move-aside"] = "raise",
    lock_timeout: float = _LOCK_TIMEOUT_SECONDS,
) -> Registry:
    """Read-modify-write under the cross-process lock; return what was written.

    ``mutate`` receives the current registry (re-read under the lock, so
    concurrent writers never lose each other's entries) and returns the new one.
    With ``on_corrupt="move-aside"`` an unreadable file is renamed to
    ``<name>.corrupt-<UTC timestamp>`` and the update starts from empty.
    Raises ``RegistryLocked`` when the lock is not free within ``lock_timeout`` s.
    Timestamps the update adds follow the file's style (``match_timestamp_style``).
    """
    from pathlib import Path

    # A symlink is resolved: the lock, the temp file and the rename all belong to
    # the file it names, so writers through the link and through the target agree.
    path = Path(os.path.realpath(path))
    check_writable(path)
    try:
        with _lock(path, lock_timeout):
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
