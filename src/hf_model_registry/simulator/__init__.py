"""A loopback Hugging Face Hub simulator for integration tests, benchmarks and demos.

It is a real HTTP/1.1 server (anyio streams, keep-alive, many concurrent
connections) that answers the few Hub endpoints this project uses, the way the
Hub does (the README's "Selection policy" and docs/RELIABILITY.md say which facts we rely on):

- ``GET /api/models`` with repeated ``filter``, ``sort``, ``limit``, repeated
  ``expand[]``, ``search``, ``author`` and ``cursor``, with a ``Link`` header for the
  next page;
- ``GET /api/models/{repo_id}`` and ``GET /api/models/{repo_id}/auth-check``, with
  the Hub's 401/403/404 answers and ``X-Error-Code`` headers, and 307 redirects
  from legacy ids to canonical ones;
- 401 ``Invalid credentials`` for a token it does not know (``valid_tokens``);
- fixed-window rate limiting with ``RateLimit``/``RateLimit-Policy`` headers and 429s;
- fault injection (a seeded share of listing requests fails with 500/502/503/429)
  and hostile per-type behaviours (non-JSON bodies, huge bodies, slow drip,
  cross-host redirects, error statuses, hangs);
- counters readable from Python (``stats``) and over HTTP (``GET /_sim/stats``).

It uses only the standard library and anyio (a dependency of the package), so it
runs on either event loop anyio supports; it must not import httpx: it is what
httpx-based code is tested against. For safety it only binds loopback addresses.

Use it as ``async with HubSimulator() as sim: ...`` inside an asyncio or trio program, as
``with run_in_thread() as sim: ...`` from synchronous code and pytest fixtures,
or from the command line::

    python -m hf_model_registry.simulator --port 0 --latency 0.05 --quota 500
"""

from __future__ import annotations

from ._fixture import fixture_for_all_architectures, load_fixture, synthetic_fixture
from ._server import HubSimulator, ThreadedHubSimulator, run_in_thread
from ._state import (
    DEFAULT_HUB_TYPES,
    DEFAULT_QUOTA,
    DEFAULT_WINDOW,
    EXPANDABLE_FIELDS,
    FAULT_STATUSES,
    SIM_APPROVED_TOKEN,
    SimulatorStats,
)

__all__ = [
    "DEFAULT_HUB_TYPES",
    "DEFAULT_QUOTA",
    "DEFAULT_WINDOW",
    "EXPANDABLE_FIELDS",
    "FAULT_STATUSES",
    "SIM_APPROVED_TOKEN",
    "HubSimulator",
    "SimulatorStats",
    "ThreadedHubSimulator",
    "fixture_for_all_architectures",
    "load_fixture",
    "run_in_thread",
    "synthetic_fixture",
]
