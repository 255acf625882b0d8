"""Compatibility module for code written against the original ``find_models`` script.

    from find_models import get_recommended_default_model
    get_recommended_default_model("bert")  # -> "google-bert/bert-base-uncased"

The names keep the original contracts; the work is done by ``hf_model_registry``.
Importing this module is cheap: nothing from the HTTP stack is loaded until a
lookup has to go to the network.

It is also the original's command line (``find-models`` or ``python -m find_models``)::

    find-models --model-type bert                   # popular Hub models and the recommendation
    find-models --model-type NEW_TYPE --update-registry   # add or refresh one entry
    find-models --update-registry                   # refresh every architecture
    find-models --verify google-bert/bert-base-uncased

Exit codes as ``hf-model-registry``: 0 ok, 1 not found or partial failure,
2 usage or invalid input, 3 Hub unreachable.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NoReturn

from hf_model_registry._bridge import run_sync
from hf_model_registry._errors import (
    RegistryError,
    UnknownModelType,
)
from hf_model_registry._exitcodes import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_UNREACHABLE,
    EXIT_USAGE,
    exit_code,
)
from hf_model_registry._log import warning as _warning
from hf_model_registry._lookup import lookup as _lookup

if TYPE_CHECKING:
    import argparse

    from hf_model_registry._refresh import Outcome

__all__ = [
    "ARCHITECTURE_TYPES",
    "get_recommended_default_model",
    "main",
    "query_huggingface_api",
    "try_model_access",
]


# A listed architecture's default model id (None: no default) and where it came from.
_Default = tuple[str | None, str]

# How many popular models ``--model-type`` shows, as in the original.
DEFAULT_SHOWN_MODELS = 10


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
        _warning(
            "find_models",
            "no default known for model type %r; returning the type name itself",
            model_type,
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
    model_type: str,
    limit: int = 5,
    min_downloads: int = 1000,
    *,
    endpoint: str | None = None,
) -> list[dict[str, Any]]:
    """The most downloaded Hub models of ``model_type`` with at least ``min_downloads``.

    Each item: ``id``, ``downloads``, ``likes``, ``tags``, ``pipeline_tag``,
    ``parameters`` (None when unknown) and ``model_type``. One request to
    ``endpoint`` (default ``$HF_ENDPOINT``, else https://huggingface.co).

    Unlike the original, a failure is not an empty list: it raises
    ``HubUnavailable`` (``HubOffline`` with ``HF_HUB_OFFLINE``), ``HubResponseError``
    or ``RateLimited``, and ``InvalidModelType`` for a bad name.
    """
    from hf_model_registry import aio

    found = run_sync(
        lambda: aio.query_huggingface_api(model_type, limit, min_downloads, endpoint=endpoint)
    )
    return [{**item, "model_type": model_type} for item in found]


def try_model_access(model_name: str, *, endpoint: str | None = None) -> bool:
    """True when ``model_name`` can be downloaded now; False otherwise, with a logged reason.

    False covers a gated repo without access, a missing or private repo, an
    invalid id and an unreachable Hub; the warning on the ``find_models`` logger
    says which.
    """
    from hf_model_registry import aio

    try:
        access = run_sync(lambda: aio.check_model_access(model_name, endpoint=endpoint))
    except RegistryError as exc:
        _warning("find_models", "cannot check model access: %s", exc)
        return False
    if access.available:
        return True
    detail = f" ({access.detail})" if access.detail else ""
    _warning("find_models", "%s is not available: %s%s", access.model_id, access.status, detail)
    return False


# -- the command line ----------------------------------------------------------------


class _UsageError(Exception):
    """A bad command line; main() prints it on one line and exits 2."""


def _fail(message: str) -> NoReturn:
    raise _UsageError(message)


def _positive_int(text: str) -> int:
    from argparse import ArgumentTypeError

    try:
        value = int(text)
    except ValueError:
        raise ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _parser() -> argparse.ArgumentParser:
    import argparse

    class Parser(argparse.ArgumentParser):
        def error(self, message: str) -> NoReturn:
            # argparse prints the usage and exits; we want one line and a return code.
            _fail(message)

    parser = Parser(
        prog="find-models",
        description="Find the recommended default Hugging Face Hub model for model "
        "architectures and keep the registry file up to date.",
        epilog="Without --model-type, --verify or --update-registry: list the architectures "
        "by category with their defaults. Exit codes: 0 ok, 1 not found or partial failure, "
        "2 usage or invalid input, 3 Hub unreachable.",
    )
    parser.add_argument(
        "--model-type",
        metavar="TYPE",
        help="show the popular Hub models of TYPE (when the Hub is reachable) and the "
        "recommended default; a type missing from the architecture table is allowed",
    )
    parser.add_argument(
        "--update-registry",
        action="store_true",
        help="with --model-type: refresh (or add) that entry from the Hub; alone: refresh "
        "every architecture. Existing entries are kept and pinned entries never change",
    )
    parser.add_argument(
        "--verify",
        metavar="MODEL_ID",
        help="check that MODEL_ID can be downloaded (exit 0 yes, 1 no, 3 Hub unreachable)",
    )
    parser.add_argument(
        "--registry-file",
        metavar="PATH",
        help="registry file (default: $HF_MODEL_REGISTRY, else ./huggingface_model_types.json; "
        "lookups fall back to the snapshot shipped in the package)",
    )
    parser.add_argument(
        "--query-huggingface",
        action="store_true",
        help="require answers from the Hub: the listing shows the Hub's pick for each "
        "architecture instead of the registry's, and --model-type fails (exit 3) when "
        "the Hub is unreachable",
    )
    parser.add_argument(
        "--max-models",
        type=_positive_int,
        metavar="N",
        help=f"popular models shown with --model-type (default {DEFAULT_SHOWN_MODELS}); "
        "architectures listed otherwise (default all)",
    )
    parser.add_argument("--output", metavar="FILE", help="also write the results to FILE as JSON")
    parser.add_argument(
        "--endpoint",
        metavar="URL",
        help="Hub URL, e.g. a mirror or the simulator (default: $HF_ENDPOINT, else "
        "https://huggingface.co)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``find-models`` command line; return the exit code."""
    try:
        args = _parser().parse_args(argv)
    except _UsageError as exc:
        return _error(f"{exc} (see --help)", EXIT_USAGE)
    except SystemExit as exc:  # --help
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    import logging

    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        _check_args(args)
        if args.verify is not None:
            return _verify(args)
        if args.model_type is not None:
            return _model_type(args)
        if args.update_registry:
            return _update_all(args)
        return _listing(args)
    except _UsageError as exc:
        return _error(str(exc), EXIT_USAGE)
    except RegistryError as exc:
        if args.verbose:
            logging.getLogger("find_models").exception("command failed")
        return _error(str(exc), exit_code(exc))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _error(message: str, code: int) -> int:
    print(f"error: {' '.join(str(message).split())}", file=sys.stderr)
    return code


def _check_args(args: argparse.Namespace) -> None:
    from urllib.parse import urlsplit

    if args.verify is not None and (args.model_type is not None or args.update_registry):
        _fail("--verify cannot be combined with --model-type or --update-registry")
    if args.endpoint is not None:
        parts = urlsplit(args.endpoint)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            _fail(f"--endpoint must be an http(s) URL, not {args.endpoint!r}")


def _write_output(path: str, data: Any) -> int:
    text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        return _error(f"cannot write {path}: {exc.strerror or exc}", EXIT_FAILED)
    print(f"results written to {path}")
    return EXIT_OK


def _finish(args: argparse.Namespace, data: Any, code: int) -> int:
    if args.output is None:
        return code
    return _write_output(args.output, data) or code


def _verify(args: argparse.Namespace) -> int:
    from hf_model_registry import aio
    from hf_model_registry._access import AccessStatus
    from hf_model_registry._candidates import validate_model_id

    model_id = validate_model_id(args.verify)  # before any request
    access = run_sync(lambda: aio.check_model_access(model_id, endpoint=args.endpoint))
    detail = f" ({access.detail})" if access.detail else ""
    print(f"{access.model_id}: {access.status}{detail}")
    if access.available:
        code = EXIT_OK
    elif access.status is AccessStatus.UNREACHABLE:
        code = EXIT_UNREACHABLE
    else:
        code = EXIT_FAILED
    data = {
        "model_id": access.model_id,
        "available": access.available,
        "status": str(access.status),
        "detail": access.detail,
    }
    return _finish(args, data, code)


def _popular_models(args: argparse.Namespace, name: str) -> tuple[list[dict[str, Any]], str | None]:
    """The Hub's popular models of ``name``, or ([], why not) when the Hub may be skipped."""
    from hf_model_registry import _config

    limit = args.max_models or DEFAULT_SHOWN_MODELS
    required = args.query_huggingface or args.update_registry
    if _config.network_disabled() and not required:
        return [], "offline (HF_HUB_OFFLINE or USE_STATIC_REGISTRY is set): the Hub is not asked"
    try:
        return query_huggingface_api(name, limit=limit, endpoint=args.endpoint), None
    except RegistryError as exc:
        if required:
            raise
        return [], f"could not list popular models: {exc}"


def _model_type(args: argparse.Namespace) -> int:
    from hf_model_registry._names import resolve_name

    name, _ = resolve_name(args.model_type)  # InvalidModelType before any request
    print(f"Querying models for type: {name}")
    popular, why_not = _popular_models(args, name)
    if why_not is not None:
        print(f"note: {why_not}", file=sys.stderr)
    elif popular:
        print(f"\nFound {len(popular)} models for {name}:")
        for i, model in enumerate(popular, 1):
            print(f"{i:>3}. {model['id']} (downloads: {model['downloads']:,})")
    else:
        print(f"\nNo models for {name} on the Hub with at least 1,000 downloads")
    data: dict[str, Any] = {
        "model_type": name,
        "popular_models": popular,
        "hub_note": why_not,
        "recommended": None,
        "update": None,
    }
    step = _update_one if args.update_registry else _recommend
    return _finish(args, data, step(args, name, data))


def _recommend(args: argparse.Namespace, name: str, data: dict[str, Any]) -> int:
    # The lookup reads the endpoint from the environment, like every legacy caller.
    saved = os.environ.get("HF_ENDPOINT")
    if args.endpoint is not None:
        os.environ["HF_ENDPOINT"] = args.endpoint
    try:
        answer = _lookup(name, registry=args.registry_file)
    except UnknownModelType as exc:
        print(f"\nNo recommended default for {name}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        if args.endpoint is not None:
            if saved is None:
                os.environ.pop("HF_ENDPOINT", None)
            else:
                os.environ["HF_ENDPOINT"] = saved
    print(f"\nRecommended default model: {answer.model_id} (from {answer.source})")
    data["recommended"] = {"model_id": answer.model_id, "source": answer.source}
    return EXIT_OK


def _update_one(args: argparse.Namespace, name: str, data: dict[str, Any]) -> int:
    from hf_model_registry import _config, aio

    path = _config.write_registry_path(args.registry_file)
    report = run_sync(lambda: aio.refresh([name], registry=path, endpoint=args.endpoint))
    outcome: Outcome = report.outcomes[name]
    data["update"] = {
        "status": outcome.status,
        "old": outcome.old_default,
        "new": outcome.new_default,
        "reason": outcome.reason,
        "registry": str(path),
        "written": report.written,
    }
    if outcome.status in ("failed", "no-candidates"):
        kept = f"; the entry ({outcome.old_default}) is kept" if outcome.old_default else ""
        print(f"\nNo new default for {name}: {outcome.reason}{kept}", file=sys.stderr)
        return EXIT_FAILED
    if outcome.status == "pinned":
        message = f"{name} is pinned to {outcome.old_default} in {path}: not changed"
    elif outcome.status == "unchanged":
        message = f"{name} unchanged in {path}"
    elif outcome.old_default is None:
        message = f"added {name} to {path}"
    else:
        message = f"updated {name} in {path}: {outcome.old_default} -> {outcome.new_default}"
    print(f"\nRecommended default model: {outcome.new_default} (from hub)")
    print(message)
    data["recommended"] = {"model_id": outcome.new_default, "source": "hub"}
    return EXIT_OK


def _update_all(args: argparse.Namespace) -> int:
    from hf_model_registry import _config, aio
    from hf_model_registry._architectures import all_architectures
    from hf_model_registry._progress import RefreshProgress, summary_lines

    path = _config.write_registry_path(args.registry_file)
    show_bar = sys.stderr.isatty() and not _config.progress_disabled()
    with RefreshProgress(len(all_architectures()), enabled=show_bar) as progress:
        report = run_sync(
            lambda: aio.refresh_all(
                registry=path, endpoint=args.endpoint, on_outcome=progress.advance
            )
        )
    for line in summary_lines(report):
        print(line)
    return _finish(args, report.as_json(), EXIT_FAILED if report.failed else EXIT_OK)


def _listing(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from hf_model_registry._architectures import all_architectures, transformers_version

    archs = all_architectures()
    shown = archs[: args.max_models] if args.max_models else archs
    if args.query_huggingface:
        defaults = _hub_defaults(args, [a.name for a in shown])
    else:
        defaults = _local_defaults(args, [a.name for a in shown])
    by_category: dict[str, list[str]] = {}
    for arch in shown:
        by_category.setdefault(arch.category, []).append(arch.name)
    of_all = f" (first {len(shown)} of {len(archs)})" if len(shown) < len(archs) else ""
    print(
        f"{len(shown)} architectures{of_all} in {len(by_category)} categories "
        f"(transformers {transformers_version()}):"
    )
    for category in sorted(by_category):
        names = by_category[category]
        print(f"- {category}: {len(names)}")
        for name in names:
            model_id, source = defaults[name]
            print(f"    {name}: {model_id or '-'} [{source}]")
    failed = [n for n, (model_id, _) in defaults.items() if model_id is None]
    data = {
        "model_registry_entries": {
            a.name: {
                "default_model": defaults[a.name][0],
                "source": defaults[a.name][1],
                "category": a.category,
            }
            for a in shown
        },
        "models_found": [a.name for a in shown],
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    code = EXIT_FAILED if args.query_huggingface and failed else EXIT_OK
    return _finish(args, data, code)


def _local_defaults(args: argparse.Namespace, names: list[str]) -> dict[str, _Default]:
    """Registry or static answers, without the network (a listing must not send 500 requests)."""
    from datetime import UTC, datetime

    from hf_model_registry import _config
    from hf_model_registry._chain import RegistryCache, find_entry, local_answer
    from hf_model_registry._names import resolve_name

    registry = RegistryCache.load(_config.read_registry_path(args.registry_file))
    now, ttl = datetime.now(UTC), _config.ttl_seconds()
    found: dict[str, _Default] = {}
    for name in names:
        key, aliases = resolve_name(name)
        fresh, fallback = local_answer(key, find_entry(registry, key, aliases), now, ttl)
        answer = fresh or fallback
        found[name] = (None, "none") if answer is None else (answer.model_id, answer.source)
    return found


def _hub_defaults(args: argparse.Namespace, names: list[str]) -> dict[str, _Default]:
    """The Hub's pick for each type, fetched concurrently; nothing is written."""
    from hf_model_registry import aio

    report = run_sync(
        lambda: aio.refresh(names, registry=args.registry_file, endpoint=args.endpoint, write=False)
    )
    found: dict[str, _Default] = {}
    for name in names:
        outcome = report.outcomes[name]
        if outcome.status in ("updated", "unchanged"):
            found[name] = (outcome.new_default, "hub")
        elif outcome.status == "pinned":
            found[name] = (outcome.old_default, "pinned")
        else:
            found[name] = (None, f"{outcome.status}: {outcome.reason}")
    return found


if __name__ == "__main__":
    raise SystemExit(main())
