"""Refresh-all against the alternatives, on the project's loopback Hub simulator.

    pip install -e ".[bench]"
    python benchmarks/bench_refresh.py                 # everything, ~3 minutes
    python benchmarks/bench_refresh.py --skip-slow     # no sequential baselines, ~30 s
    python benchmarks/bench_refresh.py --concurrency 1,8,16,32,64

The simulator runs in a separate process (it never competes for this process's
GIL) with a fixture of every architecture of the table, so every client below
fetches the same data. Nothing goes to the internet: every client is given the
simulator's loopback URL, and HF_HOME points at an empty temporary directory so
no token is read or sent.

Prints a table per scenario and, last, one JSON line with every figure.
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import math
import os
import sys
import time
import tracemalloc
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import Simulator, isolate_environment, machine, print_table, scratch_dir


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency", type=float, default=0.05, help="simulated server latency (s)")
    parser.add_argument(
        "--concurrency",
        default="1,8,32",
        help="comma-separated concurrencies of this project's refresh-all (default 1,8,32)",
    )
    parser.add_argument(
        "--skip-slow",
        action="store_true",
        help="drop the sequential runs (concurrency 1 and the sequential baselines)",
    )
    parser.add_argument(
        "--threads",
        default="8,32",
        help="comma-separated huggingface_hub thread pool sizes (default 8,32)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="runs of each concurrent case; the median is reported (sequential: 1 run)",
    )
    parser.add_argument("--quota", type=int, default=150, help="quota scenario: requests/window")
    parser.add_argument("--window", type=float, default=3.0, help="quota scenario: window (s)")
    parser.add_argument(
        "--quota-concurrency", type=int, default=32, help="quota scenario: concurrency"
    )
    parser.add_argument("--skip-quota", action="store_true", help="skip the quota scenario")
    parser.add_argument(
        "--memory-subset", type=int, default=100, help="memory: the smaller number of types"
    )
    parser.add_argument("--skip-memory", action="store_true", help="skip the memory scenario")
    parser.add_argument("--per-type", type=int, default=6, help="fixture models per type")
    return parser.parse_args(argv)


# --------------------------------------------------------------------------- clients


class _FirstRequest:
    """Records when the first request of a refresh is sent (wraps HubClient._attempt)."""

    def __init__(self) -> None:
        self.at: float | None = None
        from hf_model_registry import _hub

        original = _hub.HubClient._attempt
        recorder = self

        @functools.wraps(original)
        async def _attempt(self: Any, *args: Any, **kwargs: Any) -> Any:
            if recorder.at is None:
                recorder.at = time.perf_counter()
            return await original(self, *args, **kwargs)

        _hub.HubClient._attempt = _attempt  # type: ignore[method-assign]

    def clear(self) -> None:
        self.at = None


def project_refresh(url: str, concurrency: int, types: list[str] | None = None) -> tuple[Any, Path]:
    """One refresh into a fresh registry file; returns the report and the file."""
    import anyio

    from hf_model_registry import aio

    registry = Path(scratch_dir("registry-")) / "huggingface_model_types.json"
    if types is None:
        run = functools.partial(
            aio.refresh_all, registry=registry, endpoint=url, concurrency=concurrency
        )
    else:
        run = functools.partial(
            aio.refresh, types, registry=registry, endpoint=url, concurrency=concurrency
        )
    return anyio.run(run), registry


def _listing_params(hub_type: str) -> list[tuple[str, str | int | float | bool | None]]:
    from hf_model_registry._hub import LISTING_FIELDS

    params: list[tuple[str, str | int | float | bool | None]] = [
        ("filter", hub_type),
        ("filter", "transformers"),
        ("sort", "downloads"),
        ("limit", "100"),
    ]
    params += [("expand[]", name) for name in LISTING_FIELDS]
    return params


def httpx_sequential(url: str, hub_types: list[str]) -> int:
    import httpx

    items = 0
    with httpx.Client(trust_env=False, timeout=30) as client:
        for hub_type in hub_types:
            response = client.get(f"{url}/api/models", params=_listing_params(hub_type))
            response.raise_for_status()
            items += len(response.json())
    return items


def requests_sequential(url: str, hub_types: list[str]) -> int:
    import requests

    # requests.get without a session: a new connection per request, as the original did.
    items = 0
    for hub_type in hub_types:
        response = requests.get(f"{url}/api/models", params=_listing_params(hub_type), timeout=30)
        response.raise_for_status()
        items += len(response.json())
    return items


def _hf_api(url: str) -> Any:
    from huggingface_hub import HfApi

    return HfApi(endpoint=url, token=False)


def _hf_list(api: Any, hub_type: str) -> int:
    from hf_model_registry._hub import LISTING_FIELDS

    models = api.list_models(
        filter=[hub_type, "transformers"],
        sort="downloads",
        limit=100,
        expand=list(LISTING_FIELDS),
    )
    return sum(1 for _ in models)


def hf_sequential(url: str, hub_types: list[str]) -> int:
    api = _hf_api(url)
    return sum(_hf_list(api, t) for t in hub_types)


def hf_threads(url: str, hub_types: list[str], threads: int) -> int:
    api = _hf_api(url)
    with ThreadPoolExecutor(threads) as pool:
        return sum(pool.map(lambda t: _hf_list(api, t), hub_types))


# --------------------------------------------------------------------------- scenarios


def _row(
    name: str,
    concurrency: int,
    wall: float,
    n: int,
    latency: float,
    stats: dict[str, Any],
    **extra: Any,
) -> dict[str, Any]:
    bound = n * latency / concurrency
    return {
        "client": name,
        "concurrency": concurrency,
        "wall_s": round(wall, 3),
        "requests": stats["requests"],
        "listing_requests": stats["listing_requests"],
        "requests_per_arch": round(stats["requests"] / n, 3),
        "bound_s": round(bound, 3),
        "x_bound": round(wall / bound, 2),
        "max_in_flight": stats["max_in_flight"],
        "rate_limited": stats["rate_limited"],
        **extra,
    }


def throughput(args: argparse.Namespace, sim: Simulator, archs: list[Any]) -> list[dict[str, Any]]:
    n = len(archs)
    hub_types = [a.hub_type for a in archs]
    concurrencies = [int(c) for c in args.concurrency.split(",") if c.strip()]
    if args.skip_slow:
        concurrencies = [c for c in concurrencies if c > 1]
    first = _FirstRequest()
    rows: list[dict[str, Any]] = []

    # Warm up: imports, the simulator's listing cache, the ranking code.
    project_refresh(sim.url, 8, [a.name for a in archs[:16]])

    for c in concurrencies:
        runs = []
        for _ in range(1 if c == 1 else max(1, args.repeat)):
            sim.reset()
            first.clear()
            gc.collect()
            start = time.perf_counter()
            report, _ = project_refresh(sim.url, c)
            wall = time.perf_counter() - start
            runs.append((wall, sim.stats(), n - len(report.failed), (first.at or start) - start))
            print(f"  refresh-all c={c}: {wall:.2f} s", file=sys.stderr, flush=True)
        wall, stats, ok, first_at = _median_run(runs)
        rows.append(
            _row(
                "hf-model-registry refresh-all",
                c,
                wall,
                n,
                args.latency,
                stats,
                ok=ok,
                first_request_s=round(first_at, 3),
                runs_s=[round(r[0], 3) for r in runs],
            )
        )

    baselines: list[tuple[str, int, Callable[[], int]]] = []
    if not args.skip_slow:
        baselines += [
            ("httpx.Client loop (sequential)", 1, lambda: httpx_sequential(sim.url, hub_types)),
            ("requests.get loop (original)", 1, lambda: requests_sequential(sim.url, hub_types)),
            ("huggingface_hub list_models (seq)", 1, lambda: hf_sequential(sim.url, hub_types)),
        ]
    for threads in (int(t) for t in args.threads.split(",") if t.strip()):
        baselines.append(
            (
                f"huggingface_hub list_models ({threads} thr)",
                threads,
                functools.partial(hf_threads, sim.url, hub_types, threads),
            )
        )
    # Warm up huggingface_hub's import and its shared client outside the timing.
    _hf_list(_hf_api(sim.url), hub_types[0])
    for name, c, fn in baselines:
        runs = []
        for _ in range(1 if c == 1 else max(1, args.repeat)):
            sim.reset()
            gc.collect()
            start = time.perf_counter()
            items = fn()
            wall = time.perf_counter() - start
            runs.append((wall, sim.stats(), items, 0.0))
            print(f"  {name}: {wall:.2f} s", file=sys.stderr, flush=True)
        wall, stats, items, _ = _median_run(runs)
        rows.append(
            _row(
                name,
                c,
                wall,
                n,
                args.latency,
                stats,
                items=items,
                runs_s=[round(r[0], 3) for r in runs],
            )
        )
    return rows


def _median_run(
    runs: list[tuple[float, dict[str, Any], int, float]],
) -> tuple[float, dict[str, Any], int, float]:
    """The run with the median wall time (the lower middle one for an even count)."""
    ordered = sorted(runs, key=lambda r: r[0])
    return ordered[(len(ordered) - 1) // 2]


def quota_scenario(args: argparse.Namespace, archs: list[Any]) -> dict[str, Any]:
    n, q, w, c = len(archs), args.quota, args.window, args.quota_concurrency
    with Simulator(latency=args.latency, quota=q, window=w, per_type=args.per_type) as sim:
        os.environ["HF_ENDPOINT"] = sim.url
        first = _FirstRequest()
        # Warm imports without touching the quota's first window much: the warm-up
        # and its requests are forgotten by the reset below (which clears the quota
        # used but keeps the window alignment).
        project_refresh(sim.url, 8, [a.name for a in archs[:4]])
        # Start right at a window boundary, so the first window's whole quota is ours.
        boundary = sim.next_window_boundary()
        time.sleep(max(0.0, boundary - time.perf_counter() - 0.05))
        sim.reset()
        time.sleep(max(0.0, boundary - time.perf_counter()))
        first.clear()
        gc.collect()
        start = time.perf_counter()
        report, _ = project_refresh(sim.url, c)
        wall = time.perf_counter() - start
        stats = sim.stats()
    windows = math.ceil(n / q)
    bound = (windows - 1) * w
    first_at = first.at or start
    offset = (first_at - sim.started) % w  # how far into its window the first request went
    return {
        "architectures": n,
        "quota": q,
        "window_s": w,
        "concurrency": c,
        "latency_s": args.latency,
        "wall_s": round(wall, 3),
        "from_first_request_s": round(wall - (first_at - start), 3),
        "first_request_offset_in_window_s": round(offset, 3),
        "windows_needed": windows,
        "bound_s": round(bound, 3),
        "x_bound": round(wall / bound, 3) if bound else None,
        "x_bound_from_first_request": (
            round((wall - (first_at - start)) / (bound - offset), 3) if bound > offset else None
        ),
        "requests": stats["requests"],
        "requests_per_arch": round(stats["requests"] / n, 3),
        "rate_limited_429": stats["rate_limited"],
        "max_429_per_window_allowed": windows,
        "ok": n - len(report.failed),
        "failed": len(report.failed),
        "client_retries": report.retries,
    }


def memory_scenario(
    args: argparse.Namespace, sim: Simulator, archs: list[Any]
) -> list[dict[str, Any]]:
    rows = []
    project_refresh(sim.url, 32, [a.name for a in archs[:8]])  # warm caches outside tracing
    for count in (min(args.memory_subset, len(archs)), len(archs)):
        names = [a.name for a in archs[:count]]
        sim.reset()
        gc.collect()
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        report, registry = project_refresh(sim.url, 32, names)
        peak = tracemalloc.get_traced_memory()[1]
        gc.collect()
        retained = tracemalloc.get_traced_memory()[0] - base
        tracemalloc.stop()
        file_bytes = registry.stat().st_size
        rows.append(
            {
                "architectures": count,
                "peak_kib": round((peak - base) / 1024, 1),
                "result_kib": round(retained / 1024, 1),
                "peak_minus_result_kib": round((peak - base - retained) / 1024, 1),
                "file_kib": round(file_bytes / 1024, 1),
                "peak_per_arch_kib": round((peak - base) / 1024 / count, 2),
                "result_per_arch_kib": round(retained / 1024 / count, 2),
                "ok": count - len(report.failed),
            }
        )
        del report
    return rows


# --------------------------------------------------------------------------- output


def _print_throughput(rows: list[dict[str, Any]], n: int, latency: float) -> None:
    print(f"\nThroughput: {n} architectures, one listing each, {latency * 1000:.0f} ms latency")
    print(
        "bound = N x latency / concurrency; x bound = wall / bound; wall is the median of the"
        " runs (one run for sequential clients), min the fastest; requests are counted by the"
        " server, in flight is the most it served at once\n"
    )
    print_table(
        [
            "client",
            "conc",
            "wall s",
            "min s",
            "requests",
            "req/arch",
            "bound s",
            "x bound",
            "in flight",
        ],
        [
            [
                r["client"],
                str(r["concurrency"]),
                f"{r['wall_s']:.2f}",
                f"{min(r['runs_s']):.2f}",
                str(r["requests"]),
                f"{r['requests_per_arch']:.3f}",
                f"{r['bound_s']:.2f}",
                f"{r['x_bound']:.2f}",
                str(r["max_in_flight"]),
            ]
            for r in rows
        ],
    )


def _print_quota(result: dict[str, Any]) -> None:
    r = result
    print(
        f"\nQuota: {r['architectures']} architectures, quota {r['quota']} per "
        f"{r['window_s']:g} s fixed window, concurrency {r['concurrency']}"
    )
    print(
        f"bound = (ceil(N/q) - 1) x window = ({r['windows_needed']} - 1) x {r['window_s']:g} s"
        f" = {r['bound_s']:.2f} s: the last window's requests cannot start before"
        f" {r['windows_needed'] - 1} window resets."
    )
    print(
        "The simulator's windows are aligned to its start (like the Hub's, they are fixed);"
        " the refresh is started at a window boundary, so the first window's whole quota is"
        " usable. 'From first request' excludes client setup; 'first request, s into its"
        " window' is how much of the first window was already gone when it was sent"
        " (the bound measured from the first request is bound minus that)."
        " The client learns the reset time from 'RateLimit: t=<whole seconds>', so each"
        " wait for a reset can end up to ~1 s minus a round trip late on a short window.\n"
    )
    print_table(
        ["figure", "value"],
        [
            ["wall s", f"{r['wall_s']:.2f}"],
            ["wall from first request s", f"{r['from_first_request_s']:.2f}"],
            ["first request, s into its window", f"{r['first_request_offset_in_window_s']:.3f}"],
            ["bound s", f"{r['bound_s']:.2f}"],
            ["x bound", f"{r['x_bound']:.3f}"],
            ["x (bound - offset), from first request", f"{r['x_bound_from_first_request']:.3f}"],
            ["requests sent", str(r["requests"])],
            ["requests per architecture", f"{r['requests_per_arch']:.3f}"],
            ["429s sent by the server", str(r["rate_limited_429"])],
            ["windows used", str(r["windows_needed"])],
            ["architectures ok / failed", f"{r['ok']} / {r['failed']}"],
        ],
    )


def _print_memory(rows: list[dict[str, Any]]) -> None:
    print("\nMemory (tracemalloc, refresh at concurrency 32, into a new registry file)")
    print("peak = peak traced during refresh; result = still allocated afterwards (the report)\n")
    print_table(
        [
            "types",
            "peak KiB",
            "result KiB",
            "peak-result KiB",
            "file KiB",
            "peak/type",
            "result/type",
        ],
        [
            [
                str(r["architectures"]),
                f"{r['peak_kib']:.0f}",
                f"{r['result_kib']:.0f}",
                f"{r['peak_minus_result_kib']:.0f}",
                f"{r['file_kib']:.0f}",
                f"{r['peak_per_arch_kib']:.2f}",
                f"{r['result_per_arch_kib']:.2f}",
            ]
            for r in rows
        ],
    )
    if len(rows) == 2 and rows[1]["architectures"] > rows[0]["architectures"]:
        small, big = rows
        extra = big["architectures"] - small["architectures"]
        beyond = (big["peak_minus_result_kib"] - small["peak_minus_result_kib"]) / extra
        print(
            f"\nbeyond the result, the peak grows by {beyond:.2f} KiB per extra architecture"
            " (0 = flat; the result itself grows by"
            f" {(big['result_kib'] - small['result_kib']) / extra:.2f} KiB per architecture)"
        )


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    isolate_environment()
    from hf_model_registry._architectures import all_architectures

    archs = list(all_architectures())
    n = len(archs)
    info = machine()
    import httpx

    versions = {"httpx": httpx.__version__}
    try:
        import huggingface_hub

        versions["huggingface_hub"] = huggingface_hub.__version__
    except ImportError:
        print("huggingface_hub is missing: pip install -e '.[bench]'", file=sys.stderr)
        return 2
    try:
        import requests

        versions["requests"] = str(getattr(requests, "__version__", "?"))
    except ImportError:
        print("requests is missing: pip install -e '.[bench]'", file=sys.stderr)
        return 2
    from hf_model_registry import _hub

    print(
        f"{info['date']} | {info['cpu']} | {info['cores']} cores | Python {info['python']} | "
        + " ".join(f"{k} {v}" for k, v in versions.items())
        + f" | CONNECTIONS_PER_POOL={_hub.CONNECTIONS_PER_POOL}"
    )
    result: dict[str, Any] = {
        "bench": "refresh",
        "machine": info,
        "versions": versions,
        "architectures": n,
        "latency_s": args.latency,
        "connections_per_pool": _hub.CONNECTIONS_PER_POOL,
    }
    with Simulator(latency=args.latency, per_type=args.per_type) as sim:
        os.environ["HF_ENDPOINT"] = sim.url  # belt and braces: every default points here
        rows = throughput(args, sim, archs)
        result["throughput"] = rows
        _print_throughput(rows, n, args.latency)
        if not args.skip_memory:
            result["memory"] = memory_scenario(args, sim, archs)
            mem = result["memory"]
            if len(mem) == 2 and mem[1]["architectures"] > mem[0]["architectures"]:
                result["memory_growth_beyond_result_kib_per_arch"] = round(
                    (mem[1]["peak_minus_result_kib"] - mem[0]["peak_minus_result_kib"])
                    / (mem[1]["architectures"] - mem[0]["architectures"]),
                    2,
                )
            _print_memory(result["memory"])
    if not args.skip_quota:
        result["quota"] = quota_scenario(args, archs)
        _print_quota(result["quota"])
    print()
    print(json.dumps(result, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
