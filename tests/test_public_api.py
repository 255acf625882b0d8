"""The public surface: ``__all__`` is what the modules hold, and every type in a public
signature can be imported from the package (in the spirit of anyio's test_all_attributes)."""

from __future__ import annotations

import collections.abc
import inspect
import os
import subprocess
import sys
import typing
from types import ModuleType
from typing import Any

import httpx
import pytest

import hf_model_registry
from hf_model_registry import aio

PUBLIC_MODULES = (hf_model_registry, aio)


def _from_the_package(value: object) -> bool:
    return str(getattr(value, "__module__", "")).startswith("hf_model_registry")


@pytest.mark.parametrize("module", PUBLIC_MODULES, ids=lambda m: m.__name__)
def test_every_name_in_all_exists_once(module: ModuleType) -> None:
    assert len(module.__all__) == len(set(module.__all__))
    missing = [name for name in module.__all__ if not hasattr(module, name)]
    assert missing == []


def test_every_public_attribute_of_the_package_is_in_all() -> None:
    for name in sorted(hf_model_registry._LAZY):  # loaded: attributes like the others
        getattr(hf_model_registry, name)
    public = {
        name
        for name, value in vars(hf_model_registry).items()
        if not name.startswith("_")
        and not isinstance(value, ModuleType)
        and _from_the_package(value)
    }
    assert public - set(hf_model_registry.__all__) == set()


def test_every_public_function_of_aio_is_in_all() -> None:
    defined_here = {
        name
        for name, value in vars(aio).items()
        if not name.startswith("_") and getattr(value, "__module__", None) == aio.__name__
    }
    assert defined_here - set(aio.__all__) == set()


def _public_namespace() -> dict[str, Any]:
    """What a user can import: the package's and aio's ``__all__``, plus the standard names."""
    namespace: dict[str, Any] = {name: getattr(typing, name) for name in typing.__all__}
    namespace.update(
        {name: getattr(collections.abc, name) for name in collections.abc.__all__},
    )
    namespace.update({"os": os, "httpx": httpx})
    for module in PUBLIC_MODULES:
        namespace.update({name: getattr(module, name) for name in module.__all__})
    return namespace


def _public_callables() -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    for module in PUBLIC_MODULES:
        for name in module.__all__:
            value = getattr(module, name)
            if inspect.isfunction(value):
                found.append((f"{module.__name__}.{name}", value))
            elif inspect.isclass(value) and _from_the_package(value):
                found.extend(
                    (f"{module.__name__}.{name}.{attr}", member)
                    for attr, member in vars(value).items()
                    if (not attr.startswith("_") or attr == "__init__")
                    and inspect.isfunction(member)
                )
    return found


@pytest.mark.parametrize(("name", "function"), _public_callables(), ids=lambda v: str(v))
def test_every_type_in_a_public_signature_is_importable(name: str, function: Any) -> None:
    """Resolving the annotations with only public names fails on a private type."""
    try:
        typing.get_type_hints(function, globalns=_public_namespace(), include_extras=True)
    except NameError as exc:
        pytest.fail(f"{name} uses a type not exported by hf_model_registry: {exc}")


def test_entry_is_a_typed_dict_that_still_holds_unknown_keys() -> None:
    entry: hf_model_registry.Entry = {"default_model": "org/model", "source": "user"}
    assert typing.is_typeddict(hf_model_registry.Entry)
    assert hf_model_registry.Entry.__required_keys__ == frozenset({"default_model"})
    # At runtime an entry is a plain dict: a user's own keys are kept as they are.
    entry_with_note = dict(entry, note="mine")
    assert entry_with_note["note"] == "mine"


def test_importing_the_package_loads_no_http_stack() -> None:
    code = (
        "import sys, hf_model_registry\n"
        "heavy = [m for m in ('httpx', 'anyio', 'tenacity') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == ""


def test_the_error_tree_in_the_docstring_is_the_real_one() -> None:
    """Every exported error appears in ``_errors``' drawn tree under its real parent."""
    from hf_model_registry import _errors

    doc = _errors.__doc__ or ""
    drawn: dict[str, str] = {}  # name -> the parent it is drawn under
    stack: list[tuple[int, str]] = []
    for line in doc.splitlines():
        stripped = line.strip()
        if not stripped.startswith(("RegistryError", "+-- ")):
            continue
        label = stripped.removeprefix("+-- ")
        depth = len(line) - len(label)
        name = label.split()[0]
        while stack and stack[-1][0] >= depth:
            stack.pop()
        if stack:
            drawn[name] = stack[-1][1]
        stack.append((depth, name))
    assert stack and stack[0][1] == "RegistryError", "no tree drawn"
    errors = {
        name: getattr(hf_model_registry, name)
        for name in hf_model_registry.__all__
        if isinstance(getattr(hf_model_registry, name), type)
        and issubclass(getattr(hf_model_registry, name), hf_model_registry.RegistryError)
    }
    for name, cls in errors.items():
        if cls is hf_model_registry.RegistryError:
            continue
        assert name in drawn, f"{name} is not in the drawn tree"
        parent = getattr(hf_model_registry, drawn[name])
        assert parent in cls.__mro__[1:], f"{name} is drawn under {drawn[name]}"
    assert set(drawn) <= set(errors)
