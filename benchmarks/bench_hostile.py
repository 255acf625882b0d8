"""Memory and time against a hostile Hub and an oversized registry: prints figures.

Each scenario runs in a fresh interpreter, so its peak RSS (``ru_maxrss``) is its
own; the baseline is the RSS of that interpreter after importing everything and
starting the server, just before the scenario. The hostile Hub is a tiny HTTP/1.1
server on 127.0.0.1 in the same process (nothing goes to the internet).

    python benchmarks/bench_hostile.py            # ~1 minute
    python benchmarks/bench_hostile.py --quick    # smaller sizes

Scenarios (issue 11):
- ``failed-bodies N``: refresh of N architectures; the first answers a normal
  listing, every other one an 8,000,000-byte JSON string (under the 8 MiB cap), so
  every other architecture fails. Figures: peak and retained RSS above baseline.
  Flat in N means failures keep no body alive.
- ``gzip-bomb``: one listing whose ``Content-Encoding: gzip`` body decodes to
  ``--bomb-gib`` GiB of zeros; and the same wrapped twice (``gzip, gzip``).
- ``big-registry``: ``aio.lookup`` on a registry file of ``--registry-mb`` MB (valid
  JSON padded with spaces), offline.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import isolate_environment

MIB = 1 << 20


def _rss_mib() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / MIB


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def _gzip_zeros(size: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b"\0" * MIB
    parts = [packer.compress(block) for _ in range(size // len(block))]
    parts.append(packer.flush())
    return b"".join(parts)


def _serve(respond: Any) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            status, headers, body = respond(self.path)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def _failed_bodies(n: int) -> dict[str, Any]:
    import anyio

    from hf_model_registry import aio
    from hf_model_registry._architectures import all_architectures
    from hf_model_registry._hub import RetryPolicy

    names = [a.name for a in all_architectures()][:n]
    big = json.dumps("x" * 7_999_998).encode()
    good = json.dumps(
        [{"id": "org/first-base", "downloads": 50_000, "tags": ["transformers"]}]
    ).encode()
    first = names[0]

    def respond(path: str) -> tuple[int, dict[str, str], bytes]:
        return 200, {"Content-Type": "application/json"}, good if f"={first}&" in path else big

    server, url = _serve(respond)
    baseline = _rss_mib()
    started = time.perf_counter()
    report = anyio.run(
        lambda: aio.refresh(
            names,
            registry=os.path.join(tempfile.mkdtemp(), "r.json"),
            endpoint=url,
            concurrency=1,  # the first (good) architecture is answered first
            retry=RetryPolicy(max_attempts=1, connect_attempts=1),
        )
    )
    seconds = time.perf_counter() - started
    retained = _rss_mib() - baseline
    server.shutdown()
    return {
        "architectures": n,
        "failed": len(report.failed),
        "seconds": round(seconds, 2),
        "peak_mib": round(_peak_mib() - baseline, 1),
        "retained_mib": round(retained, 1),
    }


def _bomb(gib: float, stacked: bool) -> dict[str, Any]:
    import anyio

    from hf_model_registry._errors import RegistryError
    from hf_model_registry._hub import HubClient, RetryPolicy
    from hf_model_registry._settings import HubSettings

    body = _gzip_zeros(int(gib * 1024) * MIB)
    encoding = "gzip"
    if stacked:
        body, encoding = gzip.compress(body), "gzip, gzip"
    server, url = _serve(lambda path: (200, {"Content-Encoding": encoding}, body))

    async def fetch() -> str:
        async with HubClient(HubSettings(endpoint=url, retry=RetryPolicy(max_attempts=1))) as hub:
            try:
                await hub.get("/api/models")
            except RegistryError as exc:
                return str(exc)
        return "accepted"

    baseline = _rss_mib()
    started = time.perf_counter()
    outcome = anyio.run(fetch)
    seconds = time.perf_counter() - started
    server.shutdown()
    return {
        "encoding": encoding,
        "wire_bytes": len(body),
        "decodes_to_gib": gib,
        "outcome": outcome,
        "seconds": round(seconds, 3),
        "peak_mib": round(_peak_mib() - baseline, 1),
    }


def _big_registry(mb: int) -> dict[str, Any]:
    import anyio

    from hf_model_registry import aio

    os.environ["HF_HUB_OFFLINE"] = "1"
    path = os.path.join(tempfile.mkdtemp(), "r.json")
    entry = {"default_model": "mine/bert", "models": [], "downloads": {}, "pinned": True}
    with open(path, "w") as handle:
        handle.write(json.dumps({"bert": entry}))
        handle.truncate(mb * 1_000_000)  # sparse NULs: not JSON, but read before parsed
    with open(path, "r+") as handle:  # make it valid JSON: spaces instead of NULs
        handle.seek(len(json.dumps({"bert": entry})))
        block = " " * MIB
        while handle.tell() < mb * 1_000_000:
            handle.write(block[: mb * 1_000_000 - handle.tell()])
    baseline = _rss_mib()
    started = time.perf_counter()
    answer = anyio.run(lambda: aio.lookup("bert", registry=path))
    return {
        "file_mb": mb,
        "answer": f"{answer.model_id} ({answer.source})",
        "seconds": round(time.perf_counter() - started, 3),
        "peak_mib": round(_peak_mib() - baseline, 1),
    }


def _child(args: argparse.Namespace) -> None:
    isolate_environment(tempfile.mkdtemp())
    import anyio  # noqa: F401 - imported before the baseline, like the rest
    import httpx  # noqa: F401

    import hf_model_registry.aio  # noqa: F401

    kind, value = args.child
    if kind == "failed-bodies":
        result = _failed_bodies(int(value))
    elif kind in ("gzip-bomb", "stacked-bomb"):
        result = _bomb(float(value), stacked=kind == "stacked-bomb")
    else:
        result = _big_registry(int(value))
    print(json.dumps(result))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes")
    parser.add_argument("--bomb-gib", type=float, default=4.0)
    parser.add_argument("--registry-mb", type=int, default=500)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args)
        return 0
    bomb = 0.5 if args.quick else args.bomb_gib
    registry_mb = 100 if args.quick else args.registry_mb
    counts = (5, 20) if args.quick else (10, 40, 100)
    runs = [("failed-bodies", str(n)) for n in counts]
    runs += [("gzip-bomb", str(bomb)), ("stacked-bomb", str(bomb))]
    runs += [("big-registry", str(registry_mb))]
    results: dict[str, Any] = {}
    for kind, value in runs:
        proc = subprocess.run(
            [sys.executable, __file__, "--child", kind, value],
            capture_output=True,
            text=True,
            check=True,
        )
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        results[f"{kind} {value}"] = result
        print(f"{kind:>14} {value:>5}: {json.dumps(result)}")
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
