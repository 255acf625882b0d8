"""Helpers shared by the tests: a registry entry and a clock that moves only when slept on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, cast

import anyio

from hf_model_registry import Entry


def entry(model_id: str, *, age: timedelta = timedelta(0), **extra: Any) -> Entry:
    """A registry entry for ``model_id``, updated ``age`` ago, with ``extra`` keys."""
    stamp = (datetime.now(UTC) - age).isoformat(timespec="seconds")
    # A cast, not a check: the extras may be keys the file keeps beyond Entry's (a note).
    return cast(
        Entry,
        {
            "default_model": model_id,
            "models": [model_id],
            "downloads": {},
            "updated_at": stamp,
            **extra,
        },
    )


class FakeClock:
    """A monotonic clock that only moves when the code under test sleeps on it."""

    def __init__(self, start: float = 100.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await anyio.lowlevel.checkpoint()
