"""Running the async core from synchronous code, with or without a running event loop."""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

__all__ = ["run_sync"]

T = TypeVar("T")


def _loop_running() -> bool:
    # Looked up, not imported: asyncio alone costs ~37 ms of a cold lookup, and if
    # nothing imported it yet, no asyncio loop can be running.
    asyncio = sys.modules.get("asyncio")
    if asyncio is None:
        return "trio" in sys.modules and _trio_running()
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        return True
    return "trio" in sys.modules and _trio_running()


def _trio_running() -> bool:
    trio = sys.modules["trio"]
    try:
        trio.lowlevel.current_root_task()
    except RuntimeError:
        return False
    return True


def run_sync(func: Callable[[], Awaitable[T]]) -> T:
    """Run ``func()`` to completion and return its result, blocking the caller.

    Inside a running event loop (Jupyter, an async test) ``anyio.run`` would
    fail with "already running", so the coroutine gets a fresh loop in a worker
    thread instead; the caller's loop is blocked for that time, as any blocking
    call would block it.
    """
    import anyio

    async def main() -> T:
        return await func()

    if not _loop_running():
        return anyio.run(main)
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="hf-model-registry") as pool:
        return pool.submit(anyio.run, main).result()
