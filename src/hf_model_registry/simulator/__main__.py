"""``python -m hf_model_registry.simulator``: serve on loopback until SIGTERM/SIGINT."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ._fixture import fixture_for_all_architectures, load_fixture, synthetic_fixture
from ._server import HubSimulator
from ._state import DEFAULT_HUB_TYPES, DEFAULT_QUOTA, DEFAULT_WINDOW, SIM_APPROVED_TOKEN

# --------------------------------------------------------------------------- CLI


_EPILOG = f"""\
what it serves:
  GET /api/models                      the listing: filter, sort, limit, expand[], Link
  GET /api/models/REPO_ID              model info (307 for a fixture's legacy ids)
  GET /api/models/REPO_ID/auth-check   gated repos: 401 anonymous, 403 not approved
  GET /_sim/stats, POST /_sim/reset, GET|POST /_sim/config   (no quota)

behaviours (--behavior KEY=BEHAVIOR, KEY a hub type or a repo id):
  not_json      200 with an HTML page
  wrong_shape   200 with a JSON object where a list belongs
  huge          200 with a body of 50 MB
  slow_drip     the honest answer, one byte a second
  redirect      302 to another origin (http://127.0.0.2, same port)
  hang          accepts the request and never answers
  status:CODE[:X-Error-Code]
                that status, e.g. status:404:RepoNotFound or status:429
                (429 and 503 come with Retry-After: 1)

Without --fixture, --all-architectures or --types it serves generated models of
these hub types: {", ".join(DEFAULT_HUB_TYPES)}.
Each /api call counts against --quota per --window and per Authorization value
(anonymous callers share one); over quota is a 429 with the Hub's RateLimit headers.
The token {SIM_APPROVED_TOKEN} is approved for the gated and private repos.
It binds loopback addresses only, prints "listening on URL", and stops on
SIGINT or SIGTERM.
"""


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m hf_model_registry.simulator",
        description="Serve a simulated Hugging Face Hub API on a loopback address.",
        epilog=_EPILOG,
        formatter_class=_HelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind")
    parser.add_argument("--port", type=int, default=0, help="port; 0: any free port")
    parser.add_argument(
        "--latency", type=float, default=0.0, metavar="SECONDS", help="wait before each answer"
    )
    parser.add_argument(
        "--quota",
        type=int,
        default=DEFAULT_QUOTA,
        metavar="N",
        help="requests per window and caller (default: unlimited)",
    )
    parser.add_argument(
        "--window", type=float, default=DEFAULT_WINDOW, metavar="SECONDS", help="quota window"
    )
    parser.add_argument(
        "--fail-rate",
        type=float,
        default=0.0,
        metavar="SHARE",
        help="share of listings that fail with 500, 502, 503 or 429",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of faults and fixtures")
    parser.add_argument(
        "--per-type", type=int, default=6, metavar="N", help="generated models per hub type"
    )
    parser.add_argument(
        "--behavior",
        action="append",
        default=[],
        metavar="KEY=BEHAVIOR",
        help="hostile behaviour for a hub type or repo id (repeatable; see below)",
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--fixture", metavar="FILE", help="fixture JSON file to serve")
    source.add_argument(
        "--all-architectures",
        action="store_true",
        help="generate models for every type in data/architectures.json",
    )
    source.add_argument(
        "--types", metavar="TYPE,...", help="generate models for these hub types only"
    )
    parser.add_argument("--write-fixture", metavar="FILE", help="write the fixture and exit")
    return parser.parse_args(argv)


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Each option with its default (when it has a useful one); the epilog as written."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        default = action.default
        useful = default is not None and default is not False and default != []
        useful = useful and default is not argparse.SUPPRESS
        if useful and "default" not in text and action.option_strings:
            text += " (default: %(default)s)"
        return text


def _fixture_from_args(args: argparse.Namespace) -> dict[str, Any]:
    if args.fixture:
        return load_fixture(args.fixture)
    if args.all_architectures:
        return fixture_for_all_architectures(per_type=args.per_type, seed=args.seed)
    types = [t for t in args.types.split(",") if t] if args.types else DEFAULT_HUB_TYPES
    return synthetic_fixture(types, args.per_type, args.seed)


async def _serve_until_signalled(sim: HubSimulator) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        # No signal handlers on Windows: there Ctrl-C raises KeyboardInterrupt instead.
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    async with sim:
        print(f"listening on {sim.url}", flush=True)
        await stop.wait()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the simulator from the command line; see ``--help``."""
    args = _parse_args(argv)
    behaviors: dict[str, str] = {}
    for spec in args.behavior:
        key, sep, behavior = spec.partition("=")
        if not sep:
            print(f"error: --behavior expects KEY=BEHAVIOR, got {spec!r}", file=sys.stderr)
            return 2
        behaviors[key] = behavior
    try:
        fixture = _fixture_from_args(args)
        if args.write_fixture:
            text = json.dumps(fixture, indent=1) + "\n"
            Path(args.write_fixture).write_text(text, encoding="utf-8")
            return 0
        sim = HubSimulator(
            fixture,
            latency=args.latency,
            quota=args.quota,
            window=args.window,
            fail_rate=args.fail_rate,
            seed=args.seed,
            host=args.host,
            port=args.port,
            behaviors=behaviors,
        )
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(_serve_until_signalled(sim))
    except (OSError, ValueError) as exc:
        # Bad input or a busy port: one line for the user, not a traceback.
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
