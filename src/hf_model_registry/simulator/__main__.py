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
from ._state import DEFAULT_HUB_TYPES, DEFAULT_QUOTA, DEFAULT_WINDOW

# --------------------------------------------------------------------------- CLI


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m hf_model_registry.simulator",
        description="Serve a simulated Hugging Face Hub API on a loopback address.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind")
    parser.add_argument("--port", type=int, default=0, help="port (0: any free port)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before each answer")
    parser.add_argument("--quota", type=int, default=DEFAULT_QUOTA, help="requests per window")
    parser.add_argument("--window", type=float, default=DEFAULT_WINDOW, help="window seconds")
    parser.add_argument("--fail-rate", type=float, default=0.0, help="share of failed listings")
    parser.add_argument("--seed", type=int, default=0, help="seed of faults and fixtures")
    parser.add_argument("--per-type", type=int, default=6, help="generated items per type")
    parser.add_argument(
        "--behavior",
        action="append",
        default=[],
        metavar="KEY=BEHAVIOR",
        help="hostile behaviour for a hub type or repo id (repeatable)",
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--fixture", help="fixture JSON file to serve")
    source.add_argument(
        "--all-architectures",
        action="store_true",
        help="generate a fixture for every type in data/architectures.json",
    )
    source.add_argument("--types", help="comma-separated hub types to generate a fixture for")
    parser.add_argument("--write-fixture", metavar="FILE", help="write the fixture and exit")
    return parser.parse_args(argv)


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
