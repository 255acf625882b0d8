"""Model types as people type them: any case, ``_`` or ``-``, and "did you mean" for a typo.

Front-end code: the command line reads its model-type arguments with it. The
architecture table and the registry are read only when a name is checked.
"""

from __future__ import annotations

import logging
from collections.abc import Set as AbstractSet

from ._errors import InvalidModelType, RegistryError

__all__ = ["registry_names", "user_model_type"]


def _table_names() -> set[str]:
    from ._architectures import all_architectures

    return {n for a in all_architectures() for n in (a.name, *a.aliases)}


def registry_names(path: str) -> set[str]:
    """The registry's keys, to accept a type a user added; empty when it cannot be read."""
    from ._registry import read_registry

    try:
        return set(read_registry(path))
    except RegistryError:  # an unreadable registry is reported by the command itself
        return set()


def _spellings(text: str) -> list[str]:
    if not text.isascii():  # str.lower() maps e.g. the Kelvin sign to "k": never guess there
        return [text]
    lowered = text.lower()
    return list(
        dict.fromkeys(
            (
                lowered,
                lowered.replace("_", "-"),
                lowered.replace("-", "_"),
                lowered.replace("-", "").replace("_", ""),
            )
        )
    )


def _suggestion(name: str, known: set[str]) -> str | None:
    import difflib

    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.75)
    return close[0] if close else None


def user_model_type(
    text: str, *, extra: AbstractSet[str] = frozenset(), new: str = "refuse", hint: str = ""
) -> str:
    """What a user typed -> a model type: any case, with ``_`` and ``-`` interchangeable.

    A type neither the table nor the registry (``extra``) knows is, when it looks
    like a typo of one, refused with a suggestion (``new="refuse"``), warned about
    (``"warn"``: a refresh costs one request and adds nothing for a typo), or taken
    as given (``"allow"``). Anything not a valid key is left for the library to reject.
    """
    from ._architectures import validate_model_type

    known = _table_names() | extra
    spellings = _spellings(text)
    for spelling in spellings:
        if spelling in known:
            return spelling
    name = spellings[0]
    try:
        validate_model_type(name)
    except InvalidModelType:
        return text  # the library rejects it, showing what was typed
    suggestion = _suggestion(name, known)
    if new == "allow" or suggestion is None:
        return name
    message = f"unknown model type {name!r}; did you mean {suggestion!r}?{hint}"
    if new == "warn":
        logging.getLogger("hf_model_registry").warning("%s Asking the Hub anyway.", message)
        return name
    raise InvalidModelType(message)
