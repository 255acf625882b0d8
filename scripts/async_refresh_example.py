#!/usr/bin/env python3
"""Refresh a handful of architectures from an async program, and print what changed.

    python scripts/async_refresh_example.py --types bert,gpt2,t5 --registry reg.json
    python scripts/async_refresh_example.py --endpoint http://127.0.0.1:8080   # a mirror/simulator

The refresh runs inside this program's own event loop (anyio: asyncio or trio);
the architectures are fetched concurrently and the registry is written once.
Exit codes: 0 all refreshed, 1 some failed (their entries are kept), 3 Hub unreachable.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import anyio

from hf_model_registry import HubUnavailable, RegistryError, aio

if TYPE_CHECKING:
    from hf_model_registry import Outcome

DEFAULT_TYPES = ("bert", "gpt2", "t5", "gpt-j", "vit", "whisper")


async def refresh_and_report(types: list[str], registry: Path | None, endpoint: str | None) -> int:
    """Refresh ``types``, print each outcome as it arrives, then the changes and failures."""

    def progress(outcome: Outcome) -> None:
        # Called as each architecture finishes, from inside the task group.
        print(f"  done: {outcome.model_type} ({outcome.status})")

    print(f"refreshing {len(types)} architectures: {', '.join(types)}")
    report = await aio.refresh(types, registry=registry, endpoint=endpoint, on_outcome=progress)

    print(f"\n{len(report.outcomes)} architectures in {report.seconds:.2f} s")
    if report.changed:
        print("changes (old -> new):")
        for outcome in report.changed:
            old = outcome.old_default or "(new entry)"
            print(f"  {outcome.model_type}: {old} -> {outcome.new_default}")
    else:
        print("no default changed")
    unchanged = report.names("unchanged", "pinned", "skipped")
    if unchanged:
        print(f"unchanged: {', '.join(unchanged)}")
    if report.failed:
        print("failures (previous entries kept):")
        for name, reason in report.failed.items():
            print(f"  {name}: {reason}")
    if report.written:
        print(f"wrote {report.registry}")
    return 1 if report.failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the arguments and run the refresh in a new event loop."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--types",
        default=",".join(DEFAULT_TYPES),
        help="comma-separated model types (default: %(default)s)",
    )
    parser.add_argument(
        "--registry",
        type=Path,
        help="registry file to update (default: $HF_MODEL_REGISTRY, else "
        "./huggingface_model_types.json)",
    )
    parser.add_argument("--endpoint", help="Hub URL (default: $HF_ENDPOINT, else the Hub)")
    args = parser.parse_args(argv)
    types = [t.strip() for t in args.types.split(",") if t.strip()]
    try:
        return anyio.run(refresh_and_report, types, args.registry, args.endpoint)
    except HubUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    except RegistryError as exc:  # an invalid type name, a corrupt registry
        print(f"error: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, ValueError) else 1


if __name__ == "__main__":
    sys.exit(main())
