"""Compatibility module for code written against the original ``find_models`` script.

    from find_models import get_recommended_default_model
    get_recommended_default_model("bert")  # -> "google-bert/bert-base-uncased"

The names keep the original contracts; the work is done by ``hf_model_registry``.
Importing this module is cheap: nothing from the HTTP stack is loaded until a
lookup has to go to the network.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from hf_model_registry._errors import UnknownModelType
from hf_model_registry._lookup import lookup as _lookup

__all__ = [
    "ARCHITECTURE_TYPES",
    "get_recommended_default_model",
    "query_huggingface_api",
    "try_model_access",
]

log = logging.getLogger("find_models")


def get_recommended_default_model(
    model_type: str, registry_file: str | os.PathLike[str] | None = None
) -> str:
    """The recommended default model id for ``model_type``; always a string.

    As in the original, an architecture nobody knows still gets a string (the
    type name itself, which a caller can try as a model id) and a warning;
    an invalid name raises ``InvalidModelType``.
    """
    try:
        return _lookup(model_type, registry=registry_file).model_id
    except UnknownModelType:
        log.warning(
            "no default known for model type %r; returning the type name itself", model_type
        )
        return model_type


ARCHITECTURE_TYPES: dict[str, list[str]]  # built on first access, see __getattr__


def __getattr__(name: str) -> Any:
    # ARCHITECTURE_TYPES needs the architecture table; build it only when asked for,
    # so that importing this module for a lookup stays cheap.
    if name == "ARCHITECTURE_TYPES":
        from hf_model_registry._architectures import architecture_types

        return architecture_types()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def query_huggingface_api(
    model_type: str, limit: int = 5, min_downloads: int = 1000
) -> list[dict[str, Any]]:
    """Popular Hub models for ``model_type`` (not available until the Hub client lands)."""
    raise NotImplementedError("query_huggingface_api needs the Hub client, not available yet")


def try_model_access(model_name: str) -> bool:
    """Whether ``model_name`` can be downloaded (not available until the Hub client lands)."""
    raise NotImplementedError("try_model_access needs the Hub client, not available yet")
