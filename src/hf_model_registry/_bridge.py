"""Running the async core from synchronous code, with or without a running event loop."""

from __future__ import annotations

import asyncio
import concurrent.futures
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

__all__ = ["run_sync"]

T = TypeVar("T")


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        return True
    trio = sys.modules.get("trio")
    if trio is None:
        return False
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
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="hf-model-registry") as pool:
        return pool.submit(anyio.run, main).result()
