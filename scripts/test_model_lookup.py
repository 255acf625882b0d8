#!/usr/bin/env python3
"""Basic usage of the lookup: the recommended default per architecture and where it came from.

    python scripts/test_model_lookup.py                       # a few common architectures
    python scripts/test_model_lookup.py --types bert,gpt2 --registry my_registry.json
    USE_STATIC_REGISTRY=true python scripts/test_model_lookup.py   # never touches the network

Each answer comes from one link of the chain: ``memo`` (asked before in this
process), ``registry`` (a fresh registry entry), ``hub`` (the registry entry was
stale or missing, so the Hub was asked; the answer is kept in memory, never written),
``stale-registry`` (the Hub could not answer; an old entry) or ``static`` (the
built-in defaults). The second round asks again and is answered from memory.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence

from find_models import get_recommended_default_model
from hf_model_registry import RegistryError, lookup

DEFAULT_TYPES = ("bert", "gpt2", "t5", "gpt-j", "vit", "whisper", "llama", "roberta")


def main(argv: Sequence[str] | None = None) -> int:
    """Print the default of each architecture twice (the second time from memory)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--types",
        default=",".join(DEFAULT_TYPES),
        help="comma-separated model types (default: %(default)s)",
    )
    parser.add_argument("--registry", help="registry file (default: the lookup's own choice)")
    parser.add_argument("--endpoint", help="Hub URL (sets HF_ENDPOINT for the lookups)")
    args = parser.parse_args(argv)
    if args.endpoint:
        os.environ["HF_ENDPOINT"] = args.endpoint
    types = [t.strip() for t in args.types.split(",") if t.strip()]

    failures = 0
    for round_name in ("first lookup", "asked again"):
        print(f"{round_name}:")
        print(f"  {'model type':<14} {'source':<15} {'time':>9}  default model")
        for model_type in types:
            started = time.perf_counter()
            try:
                answer = lookup(model_type, registry=args.registry)
            except RegistryError as exc:
                print(f"  {model_type:<14} {'error':<15} {'':>9}  {exc}")
                failures += 1
                continue
            took = (time.perf_counter() - started) * 1000
            print(f"  {model_type:<14} {answer.source:<15} {took:>7.2f}ms  {answer.model_id}")
        print()

    # What legacy code writes: a plain string, whatever happens.
    first = types[0] if types else "bert"
    legacy = get_recommended_default_model(first, registry_file=args.registry)
    print(f"find_models.get_recommended_default_model({first!r}) -> {legacy!r}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
