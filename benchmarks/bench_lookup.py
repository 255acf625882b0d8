"""Lookup speed: cold start of a legacy one-liner, and warm lookups in a loop.

    pip install -e ".[bench]"
    python benchmarks/bench_lookup.py               # ~30 s
    python benchmarks/bench_lookup.py --repeat 100 --calls 1000000

Cold start runs, in fresh interpreters and interleaved so that drift hits every
case alike,

    python -c "import json"                                              (bare)
    python -c "from find_models import get_recommended_default_model; \\
               get_recommended_default_model('bert')"

(a) in a directory holding a fresh registry written by a real refresh against the
loopback simulator (so the fast path answers from the file), and (b) with
USE_STATIC_REGISTRY=true in an empty directory (the packaged snapshot, network
off). ``python -X importtime`` shows whether the HTTP stack was imported.
Warm lookups call ``get_recommended_default_model('bert')`` in a loop.

Prints tables and, last, one JSON line with every figure. Nothing goes to the
internet: HF_ENDPOINT points at a closed loopback port during lookups.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import Simulator, isolate_environment, machine, print_table, scratch_dir

LOOKUP = (
    "from find_models import get_recommended_default_model; get_recommended_default_model('bert')"
)
BARE = "import json"
# Modules the fast path must not load (the HTTP and async stack, the CLI's UI).
HEAVY = ("httpx", "httpcore", "anyio", "tenacity", "aiofiles", "h11", "typer", "rich", "filelock")

WARM = r"""
import json, sys, time
n = int(sys.argv[1])
from find_models import get_recommended_default_model as compat
from hf_model_registry._lookup import get_recommended_default_model as core, lookup
first = lookup("bert")
compat("bert")
def noop(model_type):
    return model_type
out = {"model_id": first.model_id, "first_source": first.source,
       "memo_source": lookup("bert").source}
for label, fn in (("find_models", compat), ("hf_model_registry", core), ("empty function", noop)):
    best = None
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(n):
            fn("bert")
        per_call = (time.perf_counter() - start) / n
        best = per_call if best is None else min(best, per_call)
    out[label] = best * 1e6
print(json.dumps(out))
"""


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=40, help="cold starts per case")
    parser.add_argument("--calls", type=int, default=1_000_000, help="warm lookups per loop")
    return parser.parse_args(argv)


def make_fresh_registry(directory: Path) -> dict[str, Any]:
    """Write a registry from a real refresh-all against the simulator, into ``directory``."""
    import anyio

    from hf_model_registry import aio

    registry = directory / "huggingface_model_types.json"
    with Simulator(latency=0.0) as sim:
        report = anyio.run(
            functools.partial(aio.refresh_all, registry=registry, endpoint=sim.url, concurrency=16)
        )
    data = json.loads(registry.read_text(encoding="utf-8"))
    bert = data["bert"]
    return {
        "entries": len(data),
        "bytes": registry.stat().st_size,
        "failed": len(report.failed),
        "bert": bert["default_model"],
        "bert_source": bert.get("source"),
        "bert_updated_at": bert["updated_at"],
    }


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    # A closed loopback port: a lookup that wrongly left the fast path fails fast, locally.
    env["HF_ENDPOINT"] = "http://127.0.0.1:9"
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(extra)
    return env


def _run(
    code: str, cwd: Path, env: dict[str, str], *flags: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *flags, "-c", code],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )


def cold_starts(
    cases: dict[str, tuple[str, Path, dict[str, str]]], repeat: int
) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in cases}
    for code, cwd, env in cases.values():  # warm the OS caches and .pyc files
        _run(code, cwd, env)
    for _ in range(repeat):
        for name, (code, cwd, env) in cases.items():
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, check=True)
            times[name].append(time.perf_counter() - start)
    return times


def imported_modules(code: str, cwd: Path, env: dict[str, str]) -> dict[str, Any]:
    """Top-level packages imported by ``code`` (from -X importtime) and their cost."""
    result = _run(code, cwd, env, "-X", "importtime")
    modules: dict[str, int] = {}
    for line in result.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        # "import time:   self_us |   cumulative_us |   [indent]package.module"
        _self, cumulative, name = line.split(":", 1)[1].split("|")
        modules[name.strip()] = int(cumulative)
    tops = {name.split(".")[0] for name in modules}
    return {
        "modules": len(modules),
        "heavy_imported": {pkg: pkg in tops for pkg in HEAVY},
        "project_import_us": modules.get("find_models"),
    }


def _compile_bytecode() -> None:
    """Compile the project's .pyc files first, as pip does when it installs a package.

    An editable install (or PYTHONDONTWRITEBYTECODE) would otherwise make every cold
    start compile the sources again, timing the compiler rather than the lookup.
    """
    import compileall

    import find_models
    import hf_model_registry

    compileall.compile_dir(Path(hf_model_registry.__file__).parent, quiet=1)
    compileall.compile_file(find_models.__file__, quiet=1)


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    isolate_environment()
    _compile_bytecode()
    info = machine()
    print(f"{info['date']} | {info['cpu']} | {info['cores']} cores | Python {info['python']}")

    fresh_dir = Path(scratch_dir("lookup-fresh-"))
    empty_dir = Path(scratch_dir("lookup-static-"))
    registry = make_fresh_registry(fresh_dir)
    print(
        f"fresh registry: {registry['entries']} entries, {registry['bytes'] / 1024:.0f} KiB, "
        f"bert -> {registry['bert']} (source {registry['bert_source']}, "
        f"updated {registry['bert_updated_at']})"
    )
    fresh_env = _env()
    static_env = _env(USE_STATIC_REGISTRY="true")
    cases = {
        "bare: python -c 'import json'": (BARE, empty_dir, fresh_env),
        "lookup, fresh hub registry": (LOOKUP, fresh_dir, fresh_env),
        "lookup, USE_STATIC_REGISTRY=true": (LOOKUP, empty_dir, static_env),
    }

    # Which source answered, checked once outside the timing.
    check = (
        "from hf_model_registry._lookup import lookup; a = lookup('bert'); "
        "print(a.source, a.model_id)"
    )
    sources = {
        "fresh": _run(check, fresh_dir, fresh_env).stdout.strip(),
        "static": _run(check, empty_dir, static_env).stdout.strip(),
    }

    times = cold_starts(cases, args.repeat)
    bare_median = statistics.median(times["bare: python -c 'import json'"])
    bare_min = min(times["bare: python -c 'import json'"])
    cold_rows = []
    for name, values in times.items():
        cold_rows.append(
            {
                "case": name,
                "median_ms": round(statistics.median(values) * 1000, 1),
                "min_ms": round(min(values) * 1000, 1),
                "x_bare_median": round(statistics.median(values) / bare_median, 2),
                "x_bare_min": round(min(values) / bare_min, 2),
                "runs": len(values),
            }
        )
    imports = {
        "fresh": imported_modules(LOOKUP, fresh_dir, fresh_env),
        "static": imported_modules(LOOKUP, empty_dir, static_env),
    }

    warm = {}
    for label, cwd, env in (("fresh", fresh_dir, fresh_env), ("static", empty_dir, static_env)):
        out = subprocess.run(
            [sys.executable, "-c", WARM, str(args.calls)],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        warm[label] = json.loads(out.stdout.strip().splitlines()[-1])

    print(f"\nCold start ({args.repeat} runs each, interleaved)\n")
    print_table(
        ["case", "median ms", "min ms", "x bare (median)", "x bare (min)"],
        [
            [
                str(r["case"]),
                f"{r['median_ms']:.1f}",
                f"{r['min_ms']:.1f}",
                f"{r['x_bare_median']:.2f}",
                f"{r['x_bare_min']:.2f}",
            ]
            for r in cold_rows
        ],
    )
    print(f"\nanswers: fresh -> {sources['fresh']}; static -> {sources['static']}")
    print("\nImported on the lookup path (python -X importtime)\n")
    print_table(
        ["module", "fresh registry", "USE_STATIC_REGISTRY"],
        [
            [
                pkg,
                "yes" if imports["fresh"]["heavy_imported"][pkg] else "no",
                "yes" if imports["static"]["heavy_imported"][pkg] else "no",
            ]
            for pkg in HEAVY
        ]
        + [
            [
                "modules imported in all",
                str(imports["fresh"]["modules"]),
                str(imports["static"]["modules"]),
            ],
            [
                "find_models import, cumulative us",
                str(imports["fresh"]["project_import_us"]),
                str(imports["static"]["project_import_us"]),
            ],
        ],
    )
    print(f"\nWarm lookups of 'bert' ({args.calls:,} calls per loop, best of 3 loops)\n")
    print_table(
        ["function", "fresh us/call", "static us/call", "fresh calls/s"],
        [
            [
                label,
                f"{warm['fresh'][label]:.3f}",
                f"{warm['static'][label]:.3f}",
                f"{1e6 / warm['fresh'][label]:,.0f}",
            ]
            for label in ("find_models", "hf_model_registry", "empty function")
        ],
    )
    print(
        f"\nsources: fresh first={warm['fresh']['first_source']}"
        f" then {warm['fresh']['memo_source']}; static first={warm['static']['first_source']}"
        f" then {warm['static']['memo_source']}"
    )
    result = {
        "bench": "lookup",
        "machine": info,
        "registry": registry,
        "cold": cold_rows,
        "answers": sources,
        "imports": imports,
        "warm_us_per_call": warm,
    }
    print()
    print(json.dumps(result, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
