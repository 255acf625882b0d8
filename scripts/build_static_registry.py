"""Build the registry from the static defaults: an offline answer for every architecture.

One entry per architecture of the table that has a static fallback: the hand-checked
default (``"source": "static"``) where there is one, else the checkpoint transformers
documents for it (``"source": "documented"``); both come from ``_defaults.static_fallback``,
the same rule the lookup chain uses when the registry has no entry. Where
``_defaults.STATIC_TEST_MODELS`` names one, the entry's ``test_model`` is that random-weight
test model, what ``--tiny`` answers offline.

Writes the packaged snapshot (exactly these entries, so it is reproducible from the code)
and the repo-root ``huggingface_model_types.json``: the same entries, except that root
entries that came from the Hub or are pinned are kept as they are. So every static or
documented entry of the root file equals the snapshot's.

    python scripts/build_static_registry.py [--timestamp 2026-11-27T00:00:00+00:00]
"""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

from hf_model_registry._architectures import all_architectures
from hf_model_registry._config import REGISTRY_FILENAME, packaged_registry_path
from hf_model_registry._defaults import (
    STATIC_DEFAULTS,
    is_static_source,
    static_fallback,
    static_test_model,
)
from hf_model_registry._registry import (
    Registry,
    dumps_registry,
    read_registry,
    utc_now_iso,
    write_registry,
)

ROOT = Path(__file__).resolve().parent.parent


def static_entries(timestamp: str) -> Registry:
    """One ``static`` or ``documented`` entry per architecture that has a static fallback."""
    names = {arch.name for arch in all_architectures()} | set(STATIC_DEFAULTS)
    entries: Registry = {}
    for name in sorted(names):
        found = static_fallback(name)
        if found is None:
            continue
        model_id, source = found
        entries[name] = {
            "default_model": model_id,
            "models": [model_id],
            "downloads": {},
            "source": source,
            "updated_at": timestamp,
        }
        test_model = static_test_model(name)
        if test_model is not None:
            entries[name]["test_model"] = test_model
    return entries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timestamp", help="updated_at for the entries (default: now, UTC)")
    args = parser.parse_args()
    stamp = utc_now_iso(datetime.fromisoformat(args.timestamp)) if args.timestamp else utc_now_iso()
    root_file = ROOT / REGISTRY_FILENAME
    current = read_registry(root_file)
    shipped = static_entries(stamp)
    merged = dict(shipped)
    for name, entry in current.items():
        if not is_static_source(entry.get("source")) or entry.get("pinned"):
            merged[name] = entry
    write_registry(root_file, merged)
    snapshot = Path(packaged_registry_path())
    snapshot.write_text(dumps_registry(shipped), encoding="utf-8")
    counts = {s: sum(e["source"] == s for e in shipped.values()) for s in ("static", "documented")}
    tiny = sum("test_model" in e for e in shipped.values())
    print(
        f"wrote {len(merged)} entries to {root_file} and {len(shipped)} to {snapshot} "
        f"({counts['static']} static, {counts['documented']} documented, {tiny} with a test model)"
    )


if __name__ == "__main__":
    main()
