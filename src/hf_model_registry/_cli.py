"""The ``hf-model-registry`` command line: a thin front end over the library.

Exit codes: 0 ok, 1 not found or partial failure, 2 usage or invalid input,
3 Hub unreachable or unusable (nothing succeeded and the first requests all
failed). Errors are one line on stderr; ``--verbose`` adds tracebacks.
"""

from __future__ import annotations

import inspect
import json
import logging
import os
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer

from . import _config
from ._cli_options import (
    Command,
    ConcurrencyOption,
    ConnectTimeoutOption,
    EndpointOption,
    ForceOption,
    JsonOption,
    MaxAgeOption,
    MaxParamsOption,
    MinDownloadsOption,
    ModelIdArg,
    ModelTypeArg,
    QuietOption,
    RateOption,
    RegistryOption,
    TimeoutOption,
    TokenOption,
)
from ._errors import (
    RegistryCorrupt,
    RegistryError,
    UnknownModelType,
    printable,
)
from ._exitcodes import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_UNREACHABLE,
    EXIT_USAGE,
    error_line,
    exit_code,
)
from ._spelling import registry_names, user_model_type

if TYPE_CHECKING:
    from typing import Unpack

    from ._selection import Policy
    from ._settings import HubSettings, Tuning

__all__ = ["EXIT_FAILED", "EXIT_OK", "EXIT_UNREACHABLE", "EXIT_USAGE", "app", "main"]


app = typer.Typer(
    name="hf-model-registry",
    help=(
        "Keep a registry of the best default Hugging Face Hub model for every architecture.\n\n"
        "Exit codes: 0 ok, 1 not found or partial failure, 2 usage or invalid input, "
        "3 Hub unreachable or unusable, 130 interrupted."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

_state: dict[str, int] = {"verbose": 0, "quiet": 0}


def fail(message: str, code: int) -> NoReturn:
    """Print a one-line error on stderr and exit with ``code``."""
    typer.echo(error_line(message), err=True)
    raise typer.Exit(code)


@contextmanager
def errors_to_exit_codes() -> Iterator[None]:
    """Translate the library's errors into one stderr line and a documented exit code."""
    try:
        yield
    except RegistryError as exc:
        if _state["verbose"]:
            logging.getLogger("hf_model_registry").exception("command failed")
        fail(str(exc), exit_code(exc))


class _EscapingFormatter(logging.Formatter):
    """Log lines with control characters escaped: messages may quote the Hub's text."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        return printable(super().formatMessage(record))


def _print_version(value: bool) -> None:
    if value:
        from ._version import __version__

        typer.echo(f"hf-model-registry {__version__}")
        raise typer.Exit(EXIT_OK)


def _configure_logging(verbose: int, quiet: int) -> None:
    """-v: this tool's decisions and each request; -vv: the HTTP stack's internals too.

    -qq: errors only (as pip: one -q hides progress and summaries, not warnings).
    """
    if quiet >= 2:
        level = logging.ERROR
    elif verbose >= 2:
        level = logging.DEBUG
    else:
        level = logging.WARNING
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_EscapingFormatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(
        level=level,
        handlers=[handler],
        force=True,
    )
    if verbose == 1 and not quiet:
        logging.getLogger("hf_model_registry").setLevel(logging.DEBUG)
        logging.getLogger("httpx").setLevel(logging.INFO)  # one line per request
    elif verbose == 0:
        # httpx logs every request at INFO; keep the default output to what matters.
        logging.getLogger("httpx").setLevel(logging.WARNING)


@app.callback()
def _root(
    verbose: Annotated[
        int,
        typer.Option(
            "--verbose",
            "-v",
            count=True,
            show_default=False,
            help="Show what the tool asks, chooses, waits for and retries, and tracebacks "
            "on errors; -vv adds the HTTP stack's internals. Works before or after the command.",
        ),
    ] = 0,
    quiet: Annotated[
        int,
        typer.Option(
            "--quiet",
            "-q",
            count=True,
            show_default=False,
            help="No progress bar or summary; -qq: errors only, no warnings either.",
        ),
    ] = 0,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="Print the version and exit.",
        ),
    ] = False,
) -> None:
    _state["verbose"] = verbose
    _state["quiet"] = quiet
    _configure_logging(verbose, quiet)
    _refuse_bad_environment()


def _refuse_bad_environment() -> None:
    problems = _config.environment_problems()
    if problems:
        fail(f"{problems[0]}", EXIT_USAGE)


def _emit_json(obj: Any) -> None:
    # json escapes C0 controls itself; C1 controls and bidi overrides pass through
    # with ensure_ascii=False, so they are escaped here (still valid JSON).
    text = json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False)
    typer.echo(_JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text))


_JSON_UNSAFE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


# What an entry's answer rests on, for people: the two offline kinds differ in who vouched.
_SOURCE_WORDS = {
    "static": "static, hand-checked",
    "documented": "documented checkpoint, unchecked",
}


def _source_words(source: object) -> str:
    return _SOURCE_WORDS.get(str(source), str(source))


def _count(n: int, one: str, many: str) -> str:
    """``1 entry``, ``2 entries``: the number with the noun that agrees with it."""
    return f"{n} {one if n == 1 else many}"


def _hub_settings(
    endpoint: str | None, token: str | None = None, **tuning: Unpack[Tuning]
) -> HubSettings:
    """How this command asks the Hub, built once here and passed down.

    The endpoint (``--endpoint``, else ``HF_ENDPOINT``) is checked first, and an error
    quotes it as typed. Raises ``InvalidEndpoint``: call it inside ``errors_to_exit_codes``.
    """
    from ._settings import HubSettings, check_endpoint

    check_endpoint(_config.given_endpoint(endpoint))
    return HubSettings.from_env(endpoint=endpoint, token=token, **tuning)


def _lookup_settings(endpoint: str | None) -> HubSettings:
    """A lookup's settings (it asks the Hub only when its answer is stale).

    A bad endpoint is the user's mistake whenever it is given: exit 2 now, as refresh
    and check do.
    """
    return _hub_settings(endpoint).for_lookup()


def _access_settings(endpoint: str | None, token: str | None) -> HubSettings:
    """An access check's settings: a lookup's short retries (what ``aio`` would build)."""
    from ._settings import LOOKUP_RETRY

    return _hub_settings(endpoint, token, retry=LOOKUP_RETRY)


@app.command(cls=Command, short_help="Print the default model id for an architecture.")
def recommend(
    model_type: ModelTypeArg,
    registry: RegistryOption = None,
    endpoint: EndpointOption = None,
    as_json: JsonOption = False,
    tiny: Annotated[
        bool,
        typer.Option(
            "--tiny",
            help="Print the architecture's random-weight test model instead, for fast tests "
            "(the default, with a warning, when none is known: static answers have none).",
        ),
    ] = False,
) -> None:
    """Print the recommended default model id for MODEL_TYPE (alone, on stdout)."""
    from ._chain import model_for
    from ._lookup import lookup

    with errors_to_exit_codes():
        path = _config.read_registry_path(registry)
        name = user_model_type(model_type, extra=registry_names(path))
        answer = lookup(name, registry=registry, settings=_lookup_settings(endpoint))
    model_id = model_for(answer, tiny=tiny)
    if as_json:
        _emit_json({"model_type": answer.model_type, "model_id": model_id, "source": answer.source})
    else:
        typer.echo(model_id)
    logging.getLogger("hf_model_registry").info("answer from %s", answer.source)


@app.command(cls=Command, short_help="Show the registry's entries.")
def show(
    model_type: Annotated[
        str | None, typer.Argument(metavar="MODEL_TYPE", help="One architecture; all if omitted.")
    ] = None,
    registry: RegistryOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show registry entries: one architecture, or all of them."""
    from ._names import resolve_name
    from ._registry import read_registry

    path = _config.read_registry_path(registry)
    with errors_to_exit_codes():
        data = read_registry(path, missing_ok=True)
        wanted = None if model_type is None else user_model_type(model_type, extra=set(data))
        wanted_names = None if wanted is None else resolve_name(wanted)  # bad input first
        if not os.path.lexists(path):
            raise RegistryCorrupt(f"{path}: no such file")  # a typo in the path is an error
        if wanted_names is not None:
            from ._chain import find_entry

            name, aliases = wanted_names
            entry = find_entry(data, name, aliases)
            if entry is None:
                raise UnknownModelType(f"no entry for {name!r} in {path}")
            data = {name: entry}
    if as_json:
        _emit_json(data)
        return
    console = _terminal()
    if console is not None:
        from ._render import registry_table

        console.print(registry_table(data, lambda e: ", ".join(_entry_flags(e))))
        return
    for name in sorted(data):
        entry = data[name]
        flags = _entry_flags(entry)
        suffix = f"  [{', '.join(flags)}]" if flags else ""
        line = f"{name:<28} {entry['default_model']}  {entry.get('updated_at', '')}{suffix}"
        typer.echo(printable(line))  # a registry file may come from anywhere


def _entry_flags(entry: Mapping[str, Any]) -> list[str]:
    flags = ["pinned"] if entry.get("pinned") else []
    if "source" in entry:
        flags.append(_source_words(entry["source"]))
    return flags


def _stdout_isatty() -> bool:
    return sys.stdout.isatty()


def _terminal() -> Any:
    """A rich console on stdout when it is a terminal, else None: pipes get plain lines.

    Rich turns colour off by itself under ``NO_COLOR`` (and ``TERM=dumb``).
    """
    if not _stdout_isatty():
        return None
    from rich.console import Console

    return Console(file=sys.stdout, force_terminal=True, highlight=False)


@app.command(cls=Command, short_help="List every architecture with its category.")
def types(as_json: JsonOption = False) -> None:
    """List every architecture of the table with its category."""
    from ._architectures import all_architectures

    archs = all_architectures()
    if as_json:
        _emit_json(
            [
                {
                    "name": a.name,
                    "hub_type": a.hub_type,
                    "category": a.category,
                    "aliases": list(a.aliases),
                    "tasks": sorted(a.tasks),
                }
                for a in archs
            ]
        )
        return
    for a in archs:
        typer.echo(f"{a.name:<36} {a.category}")


@app.command(cls=Command, short_help="Check that a registry file is valid.")
def validate(registry: RegistryOption = None, as_json: JsonOption = False) -> None:
    """Check that the registry file parses and matches the schema (exit 1 if not)."""
    from ._registry import read_registry

    path = _config.read_registry_path(registry)
    try:
        data = read_registry(path, missing_ok=False)
    except RegistryCorrupt as exc:
        if as_json:
            _emit_json({"registry": path, "valid": False, "entries": None, "error": str(exc)})
            raise typer.Exit(EXIT_FAILED) from None
        fail(f"invalid registry: {exc}", EXIT_FAILED)
    if as_json:
        _emit_json({"registry": path, "valid": True, "entries": len(data), "error": None})
    else:
        typer.echo(f"ok: {path} holds {_count(len(data), 'valid entry', 'valid entries')}")


# -- talking to the Hub ---------------------------------------------------------------


def _policy(settings: HubSettings, max_params: float, min_downloads: int) -> Policy:
    return settings.policy(max_params=int(max_params), min_downloads=min_downloads)


def _run_refresh(
    types_: list[str] | None,
    *,
    registry: RegistryOption = None,
    endpoint: EndpointOption = None,
    token: TokenOption = None,
    concurrency: ConcurrencyOption = 8,
    rate: RateOption = None,
    max_age: MaxAgeOption = 0.0,
    max_params: MaxParamsOption = 2e9,
    min_downloads: MinDownloadsOption = 1000,
    timeout: TimeoutOption = 30.0,
    connect_timeout: ConnectTimeoutOption = 5.0,
    as_json: JsonOption = False,
    quiet: QuietOption = False,
    force: ForceOption = False,
) -> None:
    """The body of `refresh` and `refresh-all` (types_ None: every architecture).

    Its keyword parameters are the two commands' options (see ``_options_of``).
    """
    from ._refresh_command import progress_wanted, refresh_exit_code, run_refresh

    quiet = quiet or _state["quiet"] > 0  # `refresh -q` is `-q refresh`
    with errors_to_exit_codes():
        if types_ is not None:
            known = registry_names(_config.write_registry_path(registry))
            types_ = [user_model_type(t, extra=known, new="warn") for t in types_]
        # The token is resolved here, once, for the requests and the gated decision alike.
        settings = _hub_settings(
            endpoint,
            token,
            concurrency=concurrency,
            rate=rate,
            connect_timeout=connect_timeout,
            request_timeout=timeout,
        )
        report = run_refresh(
            types_,
            registry=registry,
            settings=settings,
            policy=_policy(settings, max_params, min_downloads),
            max_age=max_age,
            allow_other_endpoint=force,
            progress=progress_wanted(quiet=quiet or as_json),
            mixing_hint="use another --registry, or --force to mix them",
        )
    if as_json:
        _emit_json(report.as_json())
    elif not quiet:
        from ._render import summary_lines

        for line in summary_lines(report):
            typer.echo(line)
    code = refresh_exit_code(report)
    if code != EXIT_OK:
        raise typer.Exit(code)


_F = TypeVar("_F", bound=Callable[..., None])


def _options_of(body: Callable[..., None]) -> Callable[[_F], _F]:
    """Give a command the keyword-only parameters of ``body`` as its options.

    Typer reads a command's parameters from its signature: the options of
    `refresh` and `refresh-all` are declared once, on ``_run_refresh``, and the
    commands take them as ``**options``.
    """

    def decorate(command: _F) -> _F:
        own = inspect.signature(command, eval_str=True).parameters.values()
        shared = inspect.signature(body, eval_str=True).parameters.values()
        command.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [
                *(p for p in own if p.kind is not p.VAR_KEYWORD),
                *(p for p in shared if p.kind is p.KEYWORD_ONLY),
            ]
        )
        return command

    return decorate


@app.command(cls=Command, short_help="Refresh the given architectures from the Hub.")
@_options_of(_run_refresh)
def refresh(
    types_: Annotated[
        list[str],
        typer.Argument(metavar="TYPE", help="Architectures to refresh, e.g. bert gpt2 t5."),
    ],
    **options: Any,
) -> None:
    """Refresh the entries of the given architectures from the Hub (one write at the end).

    Exit 0 when all were refreshed, 1 when some failed (their entries are kept),
    3 when the Hub is unreachable, or answered only failures to the first
    architectures tried (the run stops there; the registry is untouched).
    """
    _run_refresh(types_, **options)


@app.command("refresh-all", cls=Command, short_help="Refresh every architecture from the Hub.")
@_options_of(_run_refresh)
def refresh_all(**options: Any) -> None:
    """Refresh every architecture that transformers knows (see `types`).

    Writes the registry once, atomically, under a lock; a corrupt registry file
    is moved aside to <name>.corrupt-<timestamp>. Exit codes as for `refresh`.
    """
    _run_refresh(None, **options)


@app.command(cls=Command, short_help="Show how an architecture's candidates rank, and why.")
def explain(
    model_type: ModelTypeArg,
    endpoint: EndpointOption = None,
    token: TokenOption = None,
    max_params: MaxParamsOption = 2e9,
    min_downloads: MinDownloadsOption = 1000,
    as_json: JsonOption = False,
) -> None:
    """Query the Hub and show how MODEL_TYPE's candidates rank, and why."""
    import anyio

    from . import aio
    from ._defaults import static_fallback
    from ._render import ranking_json, ranking_lines

    with errors_to_exit_codes():
        name = user_model_type(model_type)
        settings = _hub_settings(endpoint, token)
        policy = _policy(settings, max_params, min_downloads)
        ranking = anyio.run(lambda: aio.explain(name, settings=settings, policy=policy))
    # What a lookup answers when the Hub cannot be asked and the registry has no entry.
    offline = static_fallback(ranking.architecture.name)
    if as_json:
        document = ranking_json(ranking)
        document["offline"] = (
            None if offline is None else {"model_id": offline[0], "source": offline[1]}
        )
        _emit_json(document)
    else:
        console = _terminal()
        if console is not None:
            from ._render import ranking_table

            console.print(ranking_table(ranking))
            chosen = ranking.chosen.id if ranking.chosen else "none"
            lines = [f"default: {chosen}: {ranking.reason}"]
            if ranking.test_model is not None:
                lines.append(
                    f"test model: {ranking.test_model.id} (random weights, for fast tests)"
                )
            from rich.text import Text

            for line in lines:
                console.print(Text(printable(line)))  # wrapped to the width, never markup
        else:
            for line in ranking_lines(ranking):
                typer.echo(line)
        fallback = "none" if offline is None else f"{offline[0]} ({_source_words(offline[1])})"
        typer.echo(f"offline: {fallback}")
    if ranking.chosen is None:
        raise typer.Exit(EXIT_FAILED)


def _confirmed_id(
    model_id: str, hub_type: str, endpoint: str | None, token: str | None, *, force: bool
) -> str:
    """The id to pin, confirmed on the Hub: its canonical id when ``model_id`` is a legacy one.

    A pin is never refreshed, so a wrong one would be served for good: an id the Hub
    does not know (or will not show) is refused unless ``force``; a gated repo, or one
    whose ``config.model_type`` is not ``hub_type``, earns a warning. Offline
    (``HF_HUB_OFFLINE``, ``USE_STATIC_REGISTRY``) or with the Hub unreachable the id is
    taken as given, with a warning for the latter. A token the Hub refuses is an error:
    it would fail every later request too.
    """
    if _config.network_disabled():
        return model_id
    import anyio

    from . import aio
    from ._access import AccessStatus, access_words, refuse_rejected_token

    settings = _access_settings(endpoint, token)
    access = anyio.run(lambda: aio.check_model_access(model_id, settings=settings))
    refuse_rejected_token(access)
    if access.status is AccessStatus.NOT_FOUND and not force:
        raise UnknownModelType(
            printable(
                f"{model_id} is not on the Hub, or not visible with this token: "
                f"{access_words(access)}; pass --force to pin it anyway"
            )
        )
    if access.status in (AccessStatus.NOT_FOUND, AccessStatus.UNREACHABLE):
        _warn(f"{model_id} not confirmed on the Hub: {access_words(access)}")
    elif not access.available:
        _warn(f"{model_id} cannot be downloaded without access: {access_words(access)}")
    config = access.info.get("config")
    found_type = config.get("model_type") if isinstance(config, dict) else None
    if isinstance(found_type, str) and found_type != hub_type:
        _warn(f"{access.model_id} is a {found_type!r} model, not {hub_type!r}")
    return access.model_id


def _warn(message: str) -> None:
    typer.echo(printable(f"warning: {message}"), err=True)


@app.command(cls=Command, short_help="Pin an architecture's default to a model id.")
def pin(
    model_type: ModelTypeArg,
    model_id: ModelIdArg,
    registry: RegistryOption = None,
    endpoint: EndpointOption = None,
    token: TokenOption = None,
    new: Annotated[
        bool,
        typer.Option("--new", help="MODEL_TYPE is a new type, not a typo of a known one."),
    ] = False,
    as_json: JsonOption = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Pin even when the Hub says MODEL_ID does not exist or cannot be seen "
            "with this token.",
        ),
    ] = False,
) -> None:
    """Pin MODEL_TYPE's default to MODEL_ID; no refresh will change it until unpin.

    MODEL_ID is looked up on the Hub first (not with HF_HUB_OFFLINE=1): an id the Hub
    does not know is refused unless --force; a gated repo or another architecture's
    model earns a warning; a legacy id such as bert-base-uncased is pinned under the
    canonical id it redirects to.
    """
    from ._candidates import validate_model_id
    from ._names import resolve_name
    from ._original import registry_key
    from ._refresh_command import announce_new_file
    from ._registry import check_writable, locked_update, pin_entry

    with errors_to_exit_codes():
        path = _config.write_registry_path(registry)
        typed = user_model_type(
            model_type,
            extra=registry_names(path),
            new="allow" if new else "refuse",
            hint=" (pass --new to add a new type)",
        )
        name, aliases = resolve_name(typed)
        validate_model_id(model_id)
        check_writable(path)  # before asking the Hub: a pin that cannot be saved costs nothing
        from ._architectures import get_architecture

        arch = get_architecture(name)
        hub_type = name if arch is None else arch.hub_type
        requested = model_id
        model_id = _confirmed_id(model_id, hub_type, endpoint, token, force=force)
        keys: list[str] = []

        def apply(current: dict[str, Any]) -> dict[str, Any]:
            # The key a refresh would write: an original file's gpt-j stays gpt-j, no twin.
            key = registry_key(name, aliases, current)
            keys.append(key)
            return {**current, key: pin_entry(current.get(key), model_id)}

        with announce_new_file(path):
            locked_update(path, apply)
    key = keys[-1]
    if as_json:
        _emit_json(
            {
                "model_type": key,
                "model_id": model_id,
                "requested_id": requested if model_id != requested else None,
                "registry": path,
            }
        )
        return
    moved = f" (the canonical id of {requested})" if model_id != requested else ""
    typer.echo(printable(f"pinned {key} -> {model_id}{moved} in {path}"))


@app.command(cls=Command, short_help="Remove a pin and restore what it replaced.")
def unpin(
    model_type: ModelTypeArg, registry: RegistryOption = None, as_json: JsonOption = False
) -> None:
    """Remove the pin of MODEL_TYPE and restore the entry the pin replaced."""
    from ._names import resolve_name
    from ._original import registry_key
    from ._registry import locked_update, unpin_entry

    with errors_to_exit_codes():
        path = _config.write_registry_path(registry)
        name, aliases = resolve_name(user_model_type(model_type, extra=registry_names(path)))
        if not os.path.exists(path):  # unpin never creates a registry
            raise UnknownModelType(f"{name!r} is not pinned: {path} does not exist")
        restored: list[tuple[str, Mapping[str, Any] | None]] = []

        def apply(current: dict[str, Any]) -> dict[str, Any]:
            key = registry_key(name, aliases, current)  # the key pin wrote, in any spelling
            entry = current.get(key)
            if entry is None or not entry.get("pinned"):
                return current
            previous = unpin_entry(entry)
            restored.append((key, previous))
            if previous is None:
                return {k: v for k, v in current.items() if k != key}
            return {**current, key: previous}

        locked_update(path, apply)
        if not restored:
            raise UnknownModelType(f"{name!r} is not pinned in {path}")
    key, previous = restored[-1]
    restored_id = None if previous is None else str(previous["default_model"])
    if as_json:
        _emit_json(
            {
                "model_type": key,
                "registry": path,
                "restored": restored_id,
                "removed": previous is None,
            }
        )
    elif restored_id is None:
        typer.echo(
            printable(
                f"unpinned {key} in {path}; removed its entry (the next lookup or refresh fills it)"
            )
        )
    else:
        typer.echo(printable(f"unpinned {key} in {path}; restored {restored_id}"))


@app.command(cls=Command, short_help="Check whether a model can be downloaded.")
def check(
    model_id: ModelIdArg,
    endpoint: EndpointOption = None,
    token: TokenOption = None,
    as_json: JsonOption = False,
) -> None:
    """Check whether MODEL_ID can be downloaded.

    Exit 0 yes, 1 no, 2 the token is refused, 3 Hub unreachable. A legacy id is
    reported under the canonical id the Hub redirects it to.
    """
    import anyio

    from . import aio
    from ._access import access_exit_code, access_words, status_slug
    from ._candidates import validate_model_id

    with errors_to_exit_codes():
        validate_model_id(model_id)
        settings = _access_settings(endpoint, token)
        access = anyio.run(lambda: aio.check_model_access(model_id, settings=settings))
    if as_json:
        _emit_json(
            {
                "model_id": access.model_id,
                "requested_id": access.requested_id,
                "status": status_slug(access.status),
                "detail": access.detail or str(access.status),
            }
        )
    else:
        moved = f" [canonical id of {access.requested_id}]" if access.requested_id else ""
        typer.echo(printable(f"{access.model_id}: {access_words(access)}{moved}"))
    code = access_exit_code(access)
    if code != EXIT_OK:
        raise typer.Exit(code)


def _is_global_flag(token: str) -> bool:
    return token in ("--verbose", "--quiet") or re.fullmatch(r"-(v+|q+)", token) is not None


def hoist_global_flags(group: Any, argv: list[str]) -> list[str]:
    """Move -v/-q written after the command in front of it, so both places work.

    A flag the command defines itself (refresh's -q) stays where it is, and an
    option's value (``--token -v``) is never taken for a flag.
    """
    position = next((i for i, token in enumerate(argv) if not token.startswith("-")), None)
    command = None if position is None else group.commands.get(argv[position])
    if position is None or command is None:
        return argv
    options = [p for p in command.params if hasattr(p, "is_flag")]  # options, not arguments
    own = {name for p in options for name in (*p.opts, *p.secondary_opts)}
    takes_value = {name for p in options if not p.is_flag and not p.count for name in p.opts}
    moved: list[str] = []
    kept: list[str] = []
    rest = iter(argv[position + 1 :])
    for token in rest:
        if token == "--":
            kept.extend([token, *rest])
        elif token in takes_value:
            kept.append(token)
            value = next(rest, None)
            if value is not None:
                kept.append(value)
        elif _is_global_flag(token) and token not in own:
            moved.append(token)
        else:
            kept.append(token)
    return [*argv[:position], *moved, argv[position], *kept]


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code (the console script entry point)."""
    command = typer.main.get_command(app)
    args = hoist_global_flags(command, list(sys.argv[1:] if argv is None else argv))
    try:
        result = command.main(args=args, prog_name="hf-model-registry", standalone_mode=False)
    except typer.TyperException as exc:  # usage errors (exit 2): bad option, bad value
        if type(exc).__name__ == "NoArgsIsHelpError":  # bare command: show the help as is
            typer.echo(exc.format_message(), err=True)
            return exc.exit_code
        hint = " (see --help)" if exc.exit_code == EXIT_USAGE else ""
        typer.echo(f"error: {' '.join(exc.format_message().split())}{hint}", err=True)
        return exc.exit_code
    except (typer.Abort, KeyboardInterrupt):
        typer.echo("interrupted", err=True)
        return 130
    if result == 130:  # Typer turns Ctrl-C into a silent Exit(130)
        typer.echo("interrupted", err=True)
    # In non-standalone mode an Exit's code is returned instead of raised.
    return result if isinstance(result, int) else EXIT_OK
