"""The command line's declarations: its shared arguments and options, and how help shows them.

Each option is declared once here and used by every command that takes it; values
people type (sizes, durations) are read by ``_units``, a bad one is a usage error
(exit 2). Front-end code, imported with typer.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from ._units import parse_duration, parse_number, parse_size

__all__ = [
    "Command",
    "ConcurrencyOption",
    "ConnectTimeoutOption",
    "EndpointOption",
    "ForceOption",
    "JsonOption",
    "MaxAgeOption",
    "MaxParamsOption",
    "MinDownloadsOption",
    "ModelIdArg",
    "ModelTypeArg",
    "QuietOption",
    "RateOption",
    "RegistryOption",
    "TimeoutOption",
    "TokenOption",
]


class Command(typer.core.TyperCommand):
    """Help as people write it: ``MODEL_TYPE``, ``[MODEL_TYPE]``, ``TYPE...``.

    Typer writes a required argument as ``{MODEL_TYPE}``, lists arguments with
    their Python type (``<str>``) and puts a written default in parentheses.
    """

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, typer.core.TyperArgument):
                pieces.append(self._argument_name(param, usage=True))
            else:
                pieces.extend(param.get_usage_pieces(ctx))
        return pieces

    def format_options(self, ctx: Any, formatter: Any) -> None:
        arguments: list[tuple[str, str]] = []
        options: list[tuple[str, str]] = []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            name, text = record
            if isinstance(param, typer.core.TyperArgument):
                arguments.append((self._argument_name(param, usage=False), text))
            else:
                if isinstance(getattr(param, "show_default", None), str):
                    written = param.show_default  # type: ignore[attr-defined]
                    text = text.replace(f"default: ({written})", f"default: {written}")
                options.append((name, text))
        for title, rows in (("Arguments", arguments), ("Options", options)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)

    @staticmethod
    def _argument_name(param: Any, *, usage: bool) -> str:
        name = str(param.metavar or param.name).upper()
        if param.nargs != 1:
            name += "..."
        return f"[{name}]" if usage and not param.required else name


def _value_parser(parse: Callable[[str], float]) -> Callable[..., float]:
    """A click parser of what people type: a ``ValueError`` is a usage error (exit 2)."""

    def parser(text: str | float) -> float:
        if isinstance(text, int | float):  # the default, passed through the parser as is
            return float(text)
        try:
            return parse(text)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None

    return parser


def _model_size(text: str) -> float:
    size = parse_size(text)
    if size > 1e15:
        raise ValueError(f"{text!r} is more parameters than any model has")
    return size


def _number(low: float, high: float) -> Callable[..., float]:
    """A parser of a finite number in [low, high] (a parser replaces typer's own min/max)."""
    return _value_parser(lambda text: parse_number(text, low, high))


_size = _value_parser(_model_size)
_duration = _value_parser(parse_duration)


RegistryOption = Annotated[
    Path | None,
    typer.Option(
        "--registry",
        metavar="PATH",
        help="Registry file. Default: $HF_MODEL_REGISTRY, else ./huggingface_model_types.json "
        "if present, else the snapshot shipped in the package (read-only).",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")]
ModelTypeArg = Annotated[
    str, typer.Argument(metavar="MODEL_TYPE", help="Architecture, e.g. bert or gpt-j.")
]
ModelIdArg = Annotated[
    str, typer.Argument(metavar="MODEL_ID", help="Hub model id, e.g. openai-community/gpt2.")
]


EndpointOption = Annotated[
    str | None,
    typer.Option(
        "--endpoint",
        metavar="URL",
        help="Hub URL. Default: $HF_ENDPOINT, else https://huggingface.co.",
        show_default=False,
    ),
]
TokenOption = Annotated[
    str | None,
    typer.Option(
        "--token",
        metavar="TOKEN",
        help="Hub token. Default: $HF_TOKEN, $HUGGING_FACE_HUB_TOKEN, then the file "
        "$HF_TOKEN_PATH, else $HF_HOME/token. "
        "Sent to the endpoint only, never printed or stored.",
        show_default=False,
    ),
]
ConcurrencyOption = Annotated[
    int,
    typer.Option(
        "--concurrency",
        metavar="N",
        min=1,
        max=256,
        help="Requests in flight at once (measured best: 8-32).",
    ),
]
RateOption = Annotated[
    float | None,
    typer.Option(
        "--rate",
        parser=_number(0.001, 1e6),
        metavar="PER_SECOND",
        help="Cap on requests per second (client side), 0.001 to 1000000.",
        show_default=False,
    ),
]
MaxAgeOption = Annotated[
    float,
    typer.Option(
        "--max-age",
        parser=_duration,
        metavar="DURATION",
        help="Skip entries refreshed more recently than this (90, 30s, 15m, 12h, 7d, 2w).",
        show_default="0 (refresh all)",
    ),
]


def _seconds(flag: str, what: str) -> Any:
    """An option of seconds, as both timeouts take them."""
    return typer.Option(
        flag, parser=_number(0.001, 3600), metavar="SECONDS", help=f"{what} (0.001 to 3600)."
    )


TimeoutOption = Annotated[
    float,
    _seconds(
        "--timeout",
        "Deadline in seconds of one request attempt, reading the whole answer included",
    ),
]
ConnectTimeoutOption = Annotated[
    float, _seconds("--connect-timeout", "Seconds to wait for a connection")
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar and no summary.")]
MaxParamsOption = Annotated[
    float,
    typer.Option(
        "--max-params",
        parser=_size,
        metavar="SIZE",
        help="Size budget in parameters for a default (500M, 2B, 2e9).",
        show_default="2B",
    ),
]
ForceOption = Annotated[
    bool,
    typer.Option(
        "--force",
        help="Write even when the registry holds entries from another endpoint "
        "(or is a file git tracks and the endpoint is not the public Hub).",
    ),
]
MinDownloadsOption = Annotated[
    int,
    typer.Option("--min-downloads", metavar="N", min=0, help="Popularity floor for a default."),
]
