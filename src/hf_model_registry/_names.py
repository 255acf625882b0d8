"""Turning what a user typed into a registry name and the aliases to look under."""

from __future__ import annotations

from ._architectures import resolve_alias, validate_model_type

__all__ = ["resolve_name"]


def resolve_name(model_type: object) -> tuple[str, tuple[str, ...]]:
    """(registry name, other names an older registry may use) for a user-given type.

    Raises ``InvalidModelType`` for anything that is not a safe registry key.
    """
    name = validate_model_type(model_type)
    known = resolve_alias(name)
    if known is None:
        return name, ()
    canonical, aliases = known
    others = tuple(dict.fromkeys(n for n in (name, *aliases) if n != canonical))
    return canonical, others
