"""Build the registry from the static defaults (``"source": "static"`` entries).

Writes the repo-root ``huggingface_model_types.json`` and the same snapshot
inside the package. Entries already in the root file that came from the Hub or
are pinned are kept: this only fills in and refreshes static entries.

    python scripts/build_static_registry.py [--timestamp 2026-11-27T00:00:00+00:00]
"""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

from hf_model_registry._config import REGISTRY_FILENAME, packaged_registry_path
from hf_model_registry._defaults import STATIC_DEFAULTS
from hf_model_registry._registry import (
    Registry,
    dumps_registry,
    read_registry,
    utc_now_iso,
    write_registry,
)

ROOT = Path(__file__).resolve().parent.parent


def static_entries(timestamp: str) -> Registry:
    """One ``source: static`` entry per static default."""
    return {
        name: {
            "default_model": model_id,
            "models": [model_id],
            "downloads": {},
            "source": "static",
            "updated_at": timestamp,
        }
        for name, model_id in STATIC_DEFAULTS.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timestamp", help="updated_at for the entries (default: now, UTC)")
    args = parser.parse_args()
    stamp = utc_now_iso(datetime.fromisoformat(args.timestamp)) if args.timestamp else utc_now_iso()
    root_file = ROOT / REGISTRY_FILENAME
    current = read_registry(root_file)
    merged = dict(static_entries(stamp))
    for name, entry in current.items():
        if entry.get("source") != "static" or entry.get("pinned"):
            merged[name] = entry
    write_registry(root_file, merged)
    snapshot = Path(packaged_registry_path())
    snapshot.write_text(dumps_registry(merged), encoding="utf-8")
    print(f"wrote {len(merged)} entries to {root_file} and {snapshot}")


if __name__ == "__main__":
    main()
