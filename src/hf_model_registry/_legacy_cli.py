"""The original ``find_models`` command line (``find-models``, ``python find_models.py``).

Exit codes as the original's: 0, whatever the Hub or the registry said (the
message is on stderr), and 2 for a wrong command line or an invalid value
(a malformed model type or id, a non-http endpoint, a token the Hub refuses).
The strict codes (1 not found or partial failure, 3 Hub unreachable) are
``hf-model-registry``'s.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NoReturn

from . import _legacy
from ._bridge import run_sync
from ._errors import RegistryError, UnknownModelType
from ._exitcodes import EXIT_FAILED, EXIT_OK, EXIT_USAGE, error_line, exit_code
from ._refresh_command import progress_wanted, refresh_exit_code, run_refresh

if TYPE_CHECKING:
    import argparse

    from ._refresh import Outcome
    from ._settings import HubSettings

__all__ = ["run"]

# A listed architecture's default model id (None: no default) and where it came from.
_Default = tuple[str | None, str]

# How many popular models ``--model-type`` shows, as in the original.
DEFAULT_SHOWN_MODELS = 10


class _UsageError(Exception):
    """A bad command line; run() prints it on one line and exits 2."""


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
        "by category with their defaults (--hyphenated-only: the hyphenated model names). "
        "Exit code 0, or 2 for a wrong command line, an invalid value or a token the Hub "
        "refuses (as the original); "
        "hf-model-registry has the strict exit codes.",
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
        help="check that MODEL_ID can be downloaded",
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
        "architecture instead of the registry's, and --model-type says so when the Hub "
        "is unreachable",
    )
    parser.add_argument(
        "--max-models",
        type=_positive_int,
        metavar="N",
        help=f"popular models shown with --model-type (default {DEFAULT_SHOWN_MODELS}); "
        "architectures listed otherwise (default all)",
    )
    parser.add_argument(
        "--hyphenated-only",
        action="store_true",
        help="list only the hyphenated model names (gpt-j, xlm-roberta, ...) with their "
        "registry entries and class-name fixes",
    )
    parser.add_argument(
        "--output",
        metavar="FILE",
        help="also write the results to FILE as JSON (the listing in the original's layout: "
        "model_registry_entries, class_name_fixes, models_found, hyphenated_models, "
        "generated_at)",
    )
    parser.add_argument(
        "--endpoint",
        metavar="URL",
        help="Hub URL, e.g. a mirror or the simulator (default: $HF_ENDPOINT, else "
        "https://huggingface.co)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    return parser


def run(argv: Sequence[str] | None = None) -> int:
    """Run the ``find-models`` command line; 0 unless the command line is wrong (2)."""
    code = _run(argv)
    # The original's clients run it with check=True: only a usage error is a failure.
    return code if code in (EXIT_OK, EXIT_USAGE, 130) else EXIT_OK


def _run(argv: Sequence[str] | None) -> int:
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
        settings = _settings(args)  # once, for every request of this run
        if args.verify is not None:
            return _verify(args, settings)
        if args.model_type is not None:
            return _model_type(args, settings)
        if args.update_registry:
            return _update_all(args, settings)
        return _listing(args, settings)
    except _UsageError as exc:
        return _error(str(exc), EXIT_USAGE)
    except RegistryError as exc:
        if args.verbose:
            logging.getLogger(_legacy.LOGGER_NAME).exception("command failed")
        return _error(str(exc), exit_code(exc))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _error(message: str, code: int) -> int:
    print(error_line(message), file=sys.stderr)
    return code


def _check_args(args: argparse.Namespace) -> None:
    from . import _config
    from ._errors import InvalidEndpoint
    from ._settings import check_endpoint

    if args.verify is not None and (args.model_type is not None or args.update_registry):
        _fail("--verify cannot be combined with --model-type or --update-registry")
    # The environment check hf-model-registry makes: HF_HUB_OFFLINE=maybe is refused,
    # not read as "online".
    problems = _config.environment_problems()
    if problems:
        _fail(problems[0])
    if args.endpoint is not None:
        try:
            check_endpoint(args.endpoint)  # the check hf-model-registry makes
        except InvalidEndpoint as exc:
            _fail(f"--{exc}")


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


def _verify(args: argparse.Namespace, settings: HubSettings) -> int:
    import dataclasses

    from . import aio
    from ._access import access_exit_code, original_access_dict, refuse_rejected_token
    from ._candidates import validate_model_id
    from ._settings import LOOKUP_RETRY

    model_id = validate_model_id(args.verify)  # invalid input: exit 2, before any request
    print(f"Verifying model: {model_id}")
    # An access check's short retries, as aio's own default.
    check = dataclasses.replace(settings, retry=LOOKUP_RETRY)
    # Not try_model_access, which never raises: a bad endpoint or token is exit 2.
    access = run_sync(lambda: aio.check_model_access(model_id, settings=check))
    refuse_rejected_token(access)  # the user's input to fix, as a bad id is: exit 2
    result = original_access_dict(model_id, access)
    if result.get("error"):
        print(f"Error: {' '.join(str(result['error']).split())}")
    else:
        print(f"Model exists: {result['id']}")
        print(f"Tags: {', '.join(result.get('tags', []))}")
    return _finish(args, result, access_exit_code(access))


def _popular_models(
    args: argparse.Namespace, name: str, settings: HubSettings, *, required: bool
) -> tuple[list[dict[str, Any]], str | None]:
    """The Hub's popular models of ``name``, or ([], why not) when the Hub may be skipped."""
    from . import _config

    if _config.network_disabled() and not required:
        return [], "offline (HF_HUB_OFFLINE or USE_STATIC_REGISTRY is set): the Hub is not asked"
    try:
        # The raising variant: the note says why the Hub did not answer.
        return _legacy._query(name, _shown(args), 1000, settings.for_lookup()), None
    except RegistryError as exc:
        if required:
            raise
        return [], f"could not list popular models: {exc}"


def _shown(args: argparse.Namespace) -> int:
    return int(args.max_models or DEFAULT_SHOWN_MODELS)


def _show_popular(name: str, popular: list[dict[str, Any]], why_not: str | None) -> None:
    if why_not is not None:
        print(f"note: {why_not}", file=sys.stderr)
    elif popular:
        print(f"\nFound {len(popular)} models for {name}:")
        for i, model in enumerate(popular, 1):
            print(f"{i:>3}. {model['id']} (downloads: {model['downloads']:,})")
    else:
        print(f"\nNo models for {name} on the Hub with at least 1,000 downloads")


def _model_type(args: argparse.Namespace, settings: HubSettings) -> int:
    from ._names import resolve_name

    name, _ = resolve_name(args.model_type)  # InvalidModelType before any request
    print(f"Querying models for type: {name}")
    data: dict[str, Any] = {
        "model_type": name,
        "popular_models": [],
        "hub_note": None,
        "recommended": None,
        "update": None,
    }
    if args.update_registry:
        code = _update_one(args, name, settings, data)
    else:
        popular, why_not = _popular_models(args, name, settings, required=args.query_huggingface)
        _show_popular(name, popular, why_not)
        data.update(popular_models=popular, hub_note=why_not)
        code = _recommend(args, name, settings, data)
    return _finish(args, data, code)


def _recommend(
    args: argparse.Namespace, name: str, settings: HubSettings, data: dict[str, Any]
) -> int:
    try:
        answer = _legacy._lookup_answer(name, args.registry_file, settings.for_lookup())
    except UnknownModelType as exc:
        print(f"\nNo recommended default for {name}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"\nRecommended default model: {answer.model_id} (from {answer.source})")
    data["recommended"] = {"model_id": answer.model_id, "source": answer.source}
    return EXIT_OK


def _update_one(
    args: argparse.Namespace, name: str, settings: HubSettings, data: dict[str, Any]
) -> int:
    """Refresh ``name``'s entry; the listing it fetched is also the popular models shown.

    The refresh checks the registry (writable, its directory, endpoints not mixed)
    before its one request, so nothing is asked when it could not be saved.
    """
    from . import _config

    path = _config.write_registry_path(args.registry_file)
    report = run_refresh(
        [name],
        registry=path,
        settings=settings,
        keep_rankings=True,
        mixing_hint=_mixing_hint(args, name, path, settings),
    )
    outcome: Outcome = report.outcomes[name]
    if outcome.ranking is not None:
        popular = _legacy._popular(outcome.ranking, name, _shown(args), 1000)
        why_not = None
    else:
        # A pinned entry is not asked for: the popular models take their own request.
        popular, why_not = _popular_models(args, name, settings, required=False)
    _show_popular(name, popular, why_not)
    data.update(popular_models=popular, hub_note=why_not)
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
        # The default stands; the entry itself may be rewritten (figures, date, source).
        done = "entry refreshed" if report.written else "nothing written"
        message = f"{name}: default unchanged, {done} in {path}"
    elif outcome.old_default is None:
        message = f"added {name} to {path}"
    else:
        message = f"updated {name} in {path}: {outcome.old_default} -> {outcome.new_default}"
    print(f"\nRecommended default model: {outcome.new_default} (from hub)")
    print(message)
    data["recommended"] = {"model_id": outcome.new_default, "source": "hub"}
    return EXIT_OK


def _mixing_hint(
    args: argparse.Namespace, name: str | None, path: str, settings: HubSettings
) -> str:
    """How to proceed when the registry holds another endpoint's entries.

    The original had no endpoints, so find-models has no --force: the hint names
    hf-model-registry's command that does.
    """
    import shlex

    command = "refresh-all" if name is None else f"refresh {shlex.quote(name)}"
    return (
        "use another --registry-file, or mix them with: hf-model-registry "
        f"{command} --registry {shlex.quote(path)} --endpoint {shlex.quote(settings.endpoint)} "
        "--force"
    )


def _update_all(args: argparse.Namespace, settings: HubSettings) -> int:
    from . import _config
    from ._render import summary_lines

    path = _config.write_registry_path(args.registry_file)
    report = run_refresh(
        None,
        registry=path,
        settings=settings,
        progress=progress_wanted(),
        mixing_hint=_mixing_hint(args, None, path, settings),
    )
    for line in summary_lines(report):
        print(line)
    return _finish(args, report.as_json(), refresh_exit_code(report))


def _settings(args: argparse.Namespace) -> HubSettings:
    """How to ask the Hub: ``--endpoint``, the rest from the environment; built once per run."""
    from ._settings import HubSettings

    return HubSettings.from_env(endpoint=args.endpoint)


def _listing(args: argparse.Namespace, settings: HubSettings) -> int:
    from ._architectures import all_architectures, transformers_version
    from ._original import registry_key

    if args.hyphenated_only:
        return _hyphenated(args, settings)
    archs = all_architectures()
    shown = archs[: args.max_models] if args.max_models else archs
    if args.query_huggingface:
        defaults = _hub_defaults(args, settings, [a.name for a in shown])
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
    # Keyed as the original's clients know them (gpt-j, not gptj). The class is the
    # one that loads any architecture: the table does not name each model class.
    models = [
        {
            "type": registry_key(a.name, a.aliases, {}),
            "name": "AutoModel",
            "architecture": a.category,
            "default_model": defaults[a.name][0],
        }
        for a in shown
    ]
    code = EXIT_FAILED if args.query_huggingface and failed else EXIT_OK
    return _finish(args, _original_layout(models), code)


# Class-name endings the original wrote CLASS_NAME_FIXES lines for.
_CLASS_SUFFIXES = (
    "ForCausalLM",
    "ForMaskedLM",
    "ForSequenceClassification",
    "ForTokenClassification",
    "ForQuestionAnswering",
    "ForMultipleChoice",
    "ForImageClassification",
    "ForAudioClassification",
    "ForCTC",
    "Model",
)


def _hyphenated(args: argparse.Namespace, settings: HubSettings) -> int:
    models = _legacy.find_hyphenated_models()
    if args.max_models:
        models = models[: args.max_models]
    names = [m["type"] for m in models]
    if args.query_huggingface:
        defaults = _hub_defaults(args, settings, names)
    else:
        defaults = _local_defaults(args, names)
    for model in models:
        model["default_model"] = defaults[model["type"]][0]
    print(f"Found {len(models)} hyphenated model names:")
    for model in sorted(models, key=lambda m: m["type"]):
        print(f"- {model['type']}: {model['name']} ({model['architecture']})")
    data = _original_layout(models)
    print("\nModel registry entries:")
    for model_type, entry in sorted(data["model_registry_entries"].items()):
        print(_legacy.format_registry_entry(model_type, entry))
    print("\nClass name fixes:")
    for model in models:
        # The naive spelling a generator builds (GptJForCausalLM) -> the real class.
        naive = "".join(part.capitalize() for part in model["type"].split("-"))
        suffix = next((x for x in _CLASS_SUFFIXES if model["name"].endswith(x)), None)
        if suffix is not None and naive + suffix != model["name"]:
            print(_legacy.format_class_name_fix(naive + suffix, model["name"]))
    return _finish(args, data, EXIT_OK)


def _original_layout(models: list[dict[str, Any]]) -> dict[str, Any]:
    """The original's ``--output`` document for ``models`` (type, name, architecture)."""
    from datetime import datetime

    entries: dict[str, Any] = {}
    for model in models:
        entry = _legacy.generate_registry_entry(model)
        if model.get("default_model"):
            entry["default_model"] = model["default_model"]  # better than "<type>-base"
        entries[model["type"]] = entry
    hyphenated = [m["type"] for m in models if "-" in m["type"]]
    return {
        "model_registry_entries": entries,
        "class_name_fixes": {t: _legacy.get_class_name_capitalization(t) for t in hyphenated},
        "models_found": [m["type"] for m in models],
        "hyphenated_models": hyphenated,
        # Naive local time, as the original wrote it: its clients compare with datetime.now().
        "generated_at": datetime.now().isoformat(timespec="seconds"),
    }


def _local_defaults(args: argparse.Namespace, names: list[str]) -> dict[str, _Default]:
    """Registry or static answers, without the network (a listing must not send 500 requests)."""
    from datetime import UTC, datetime

    from . import _config
    from ._chain import RegistryCache, find_entry, local_answer
    from ._names import resolve_name

    registry = RegistryCache.load(_config.read_registry_path(args.registry_file))
    now, ttl = datetime.now(UTC), _config.ttl_seconds()
    found: dict[str, _Default] = {}
    for name in names:
        key, aliases = resolve_name(name)
        fresh, fallback = local_answer(key, find_entry(registry, key, aliases), now, ttl)
        answer = fresh or fallback
        found[name] = (None, "none") if answer is None else (answer.model_id, answer.source)
    return found


def _hub_defaults(
    args: argparse.Namespace, settings: HubSettings, names: list[str]
) -> dict[str, _Default]:
    """The Hub's pick for each type, fetched concurrently; nothing is written."""
    from ._names import resolve_name

    report = run_refresh(names, registry=args.registry_file, settings=settings, write=False)
    found: dict[str, _Default] = {}
    for name in names:
        outcome = report.outcomes[resolve_name(name)[0]]
        if outcome.status in ("updated", "unchanged"):
            found[name] = (outcome.new_default, "hub")
        elif outcome.status == "pinned":
            found[name] = (outcome.old_default, "pinned")
        else:
            found[name] = (None, f"{outcome.status}: {outcome.reason}")
    return found
