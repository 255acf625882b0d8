"""Turning what a user typed into a registry name and the aliases to look under."""

from __future__ import annotations

from ._architectures import get_architecture, resolve_alias, validate_model_type

__all__ = ["resolve_name"]


def _spelling(model_type: object) -> object:
    """``Bert`` -> ``bert``, ``gpt_j`` -> ``gpt-j``: the spelling the table knows, if any.

    Registry keys are lower-case ASCII, so lower-casing ASCII input is safe (non-ASCII
    is left alone: ``str.lower`` maps look-alikes such as the Kelvin sign to ``k``).
    ``_`` and ``-`` are interchangeable only towards a name the table knows, and the
    table is read only for a name with a separator that it does not hold as typed.
    """
    if not isinstance(model_type, str) or not model_type.isascii():
        return model_type
    name = model_type.lower()
    separated = "_" in name or "-" in name
    known = separated and resolve_alias(validate_model_type(name)) is not None
    if separated and not known and get_architecture(name) is None:
        for variant in (name.replace("_", "-"), name.replace("-", "_")):
            if resolve_alias(variant) is not None or get_architecture(variant) is not None:
                return variant
    return name


def resolve_name(model_type: object) -> tuple[str, tuple[str, ...]]:
    """(registry name, other names an older registry may use) for a user-given type.

    Accepts any ASCII case and ``_``/``-`` for each other (as the command line does).
    Raises ``InvalidModelType`` for anything that is not a safe registry key.
    """
    name = validate_model_type(_spelling(model_type))
    known = resolve_alias(name)
    if known is None:
        return name, ()
    canonical, aliases = known
    others = tuple(dict.fromkeys(n for n in (name, *aliases) if n != canonical))
    return canonical, others
