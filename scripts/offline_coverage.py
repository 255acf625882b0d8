"""How many architectures an offline lookup answers: the static coverage figure.

For every architecture that ``hf-model-registry types`` lists, look it up with
``HF_HUB_OFFLINE=1`` (no request is ever sent) and count the answers by source, and
the answers that know a random-weight test model (what ``--tiny`` returns)::

    python scripts/offline_coverage.py                  # the packaged snapshot
    python scripts/offline_coverage.py --registry PATH  # another registry file

Run it from a directory without a ``huggingface_model_types.json`` to measure the
packaged snapshot; point ``--registry`` at a missing file to measure the bare static
defaults (``_defaults.static_fallback``). Exit 1 below ``--min`` percent.
"""

from __future__ import annotations

import argparse
import os
from collections import Counter

from hf_model_registry import UnknownModelType, lookup
from hf_model_registry._architectures import all_architectures
from hf_model_registry._chain import tiny_model_of
from hf_model_registry._config import read_registry_path


def main(argv: list[str] | None = None) -> int:
    """Print the offline coverage and the architectures left without an answer."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--registry", help="registry file (default: the usual search)")
    parser.add_argument("--min", type=float, default=0.0, help="fail below this percentage")
    args = parser.parse_args(argv)
    os.environ["HF_HUB_OFFLINE"] = "1"
    names = [arch.name for arch in all_architectures()]
    sources: Counter[str] = Counter()
    unanswered = []
    tiny = 0
    for name in names:
        try:
            answer = lookup(name, registry=args.registry)
        except UnknownModelType:
            unanswered.append(name)
            continue
        sources[answer.source] += 1
        tiny += tiny_model_of(answer) is not None
    answered = len(names) - len(unanswered)
    percent = 100.0 * answered / len(names)
    print(f"registry: {read_registry_path(args.registry)}")
    print(f"offline answers: {answered} of {len(names)} architectures ({percent:.1f}%)")
    for source, count in sorted(sources.items()):
        print(f"  {source:<16} {count}")
    print(f"no answer: {', '.join(unanswered) or 'none'}")
    tiny_percent = 100.0 * tiny / len(names)
    print(f"test models (--tiny): {tiny} of {len(names)} architectures ({tiny_percent:.1f}%)")
    return 0 if percent >= args.min else 1


if __name__ == "__main__":
    raise SystemExit(main())
