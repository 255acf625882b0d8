"""The architecture table: every transformers model type, with its Hub tag, category and tasks.

The table is package data (``data/architectures.json``), generated from transformers by
``scripts/sync_architectures.py``. It is read on first use, once; importing this module
costs only the standard library.

A model-type name is also the key of the registry file and goes into Hub URLs and file
paths, so every name that comes in from outside passes ``validate_model_type`` first.
"""

from __future__ import annotations

import functools
import json
import os
import re
from typing import TYPE_CHECKING, Any

from ._errors import InvalidModelType, safe_repr

if TYPE_CHECKING:
    from ._values import Architecture

__all__ = [
    "all_architectures",
    "architecture_types",
    "get_architecture",
    "resolve_alias",
    "transformers_version",
    "validate_model_type",
]

_DATA_FILE = "architectures.json"

# ASCII only (no look-alike letters), no separators, no path syntax; the length limit
# keeps a hostile key from bloating logs and file names.
_MAX_LENGTH = 64
_KEY_RE = re.compile(r"[a-z0-9][a-z0-9_.-]*")


def validate_model_type(name: object) -> str:
    """Return ``name`` if it is a safe registry key, else raise ``InvalidModelType``.

    A key is lower-case ASCII: a letter or digit, then letters, digits, ``_``, ``.`` or
    ``-``; at most 64 characters and never ``..``. Names missing from the architecture
    table are accepted: transformers gains model types faster than this table.
    """
    if not isinstance(name, str):
        raise InvalidModelType(
            f"model type must be a string, not {type(name).__name__}: {safe_repr(name)}"
        )
    # fullmatch, not match with "$": "$" would let a trailing newline through.
    if len(name) > _MAX_LENGTH or ".." in name or not _KEY_RE.fullmatch(name):
        raise InvalidModelType(
            f"invalid model type {safe_repr(name)}: expected lower-case letters, digits, "
            f"'_', '.' or '-', starting with a letter or digit, at most {_MAX_LENGTH} characters"
        )
    return name


class _Table:
    """The parsed table and its name-and-alias index."""

    __slots__ = ("architectures", "by_name", "transformers_version")

    def __init__(self, architectures: tuple[Architecture, ...], transformers_version: str) -> None:
        self.architectures = architectures
        self.transformers_version = transformers_version
        self.by_name: dict[str, Architecture] = {}
        for arch in architectures:
            for key in (arch.name, *arch.aliases):
                # The generator guarantees uniqueness; a hand-edited file must not make one
                # name silently mean two architectures.
                if key in self.by_name:
                    raise ValueError(f"{_DATA_FILE}: name {key!r} is used twice")
                self.by_name[key] = arch


@functools.cache
def _document() -> Any:
    # A plain path next to this file: importlib.resources costs ~14 ms to import, a
    # large share of the cold lookup budget, and the package is never zipped.
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", _DATA_FILE)
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


ALIASES_FILE = "aliases.json"


def alias_index(document: Any) -> dict[str, list[str]]:
    """Registry name -> its aliases, for the names of a table document that have any.

    Written next to the table as ``aliases.json`` by ``scripts/sync_architectures.py``.
    """
    return {
        entry["name"]: list(entry["aliases"])
        for entry in document["architectures"]
        if entry["aliases"]
    }


@functools.cache
def _aliases() -> dict[str, tuple[str, tuple[str, ...]]]:
    # Name or alias -> (registry name, its aliases). The lookup fast path needs only
    # this, so it comes from a small file (~10 kB) rather than the whole table
    # (~160 kB and ~3 ms to parse on every cold start).
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", ALIASES_FILE)
    with open(path, encoding="utf-8") as handle:
        document = json.load(handle)
    index: dict[str, tuple[str, tuple[str, ...]]] = {}
    for name, alias_list in document.items():
        aliases = tuple(validate_model_type(alias) for alias in alias_list)
        for key in (validate_model_type(name), *aliases):
            index[key] = (name, aliases)
    return index


def _checkpoint(value: object) -> str | None:
    # It becomes a default model offline and a ranking preference online, so a hand-edited
    # table must not slip in something that is not a model id.
    if value is None:
        return None
    from ._candidates import validate_model_id

    return validate_model_id(value)


@functools.cache
def _table() -> _Table:
    from ._values import Architecture

    document = _document()
    architectures = tuple(
        Architecture(
            name=validate_model_type(entry["name"]),
            hub_type=str(entry["hub_type"]),
            category=str(entry["category"]),
            tasks=frozenset(str(task) for task in entry["tasks"]),
            aliases=tuple(validate_model_type(alias) for alias in entry["aliases"]),
            checkpoint=_checkpoint(entry.get("checkpoint")),
        )
        for entry in document["architectures"]
    )
    return _Table(architectures, str(document["transformers_version"]))


def resolve_alias(name: str) -> tuple[str, tuple[str, ...]] | None:
    """(registry name, its aliases) for an alias or a name that has aliases; else None.

    A table name without aliases also gives None: it is its own registry name.

    Raises ``InvalidModelType`` if ``name`` is not a valid registry key.
    """
    return _aliases().get(validate_model_type(name))


def all_architectures() -> tuple[Architecture, ...]:
    """Every architecture of the table, sorted by name."""
    return _table().architectures


def transformers_version() -> str:
    """The transformers version the table was generated from."""
    return _table().transformers_version


def get_architecture(name: str) -> Architecture | None:
    """The architecture called ``name`` or having it as an alias; ``None`` if unknown.

    Raises ``InvalidModelType`` if ``name`` is not a valid registry key.
    """
    return _table().by_name.get(validate_model_type(name))


def architecture_types() -> dict[str, list[str]]:
    """Category -> sorted names of its architectures; each name appears exactly once.

    A fresh dict each call, so callers may change it.
    """
    types: dict[str, list[str]] = {}
    for arch in _table().architectures:
        types.setdefault(arch.category, []).append(arch.name)
    return {category: sorted(names) for category, names in sorted(types.items())}
