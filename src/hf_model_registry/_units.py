"""Numbers with a unit as people type them: durations (``12h``) and sizes (``2B``).

Standard library only: the lookup path reads ``HF_MODEL_REGISTRY_TTL`` with it.
"""

from __future__ import annotations

import math
import re

__all__ = ["parse_duration", "parse_number", "parse_size"]

_DURATION_UNITS = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
_SIZE_UNITS = {"": 1.0, "k": 1e3, "m": 1e6, "b": 1e9, "g": 1e9, "t": 1e12}


def _scaled(text: str, number: str, units: dict[str, float], error: str) -> float:
    """``text`` as ``number`` and an optional unit of ``units`` (any case, spaces around)."""
    letters = "".join(units)
    match = re.fullmatch(rf"\s*({number})\s*([{letters}]?)\s*", text.lower())
    if match is None:
        raise ValueError(error)
    return float(match.group(1)) * units[match.group(2)]


def parse_duration(text: str) -> float:
    """``90``, ``30s``, ``15m``, ``12h``, ``7d``, ``2w`` -> seconds; ``ValueError`` otherwise."""
    error = f"not a duration: {text!r} (use e.g. 90, 30s, 15m, 12h, 7d, 2w)"
    return _scaled(text, r"\d+(?:\.\d+)?", _DURATION_UNITS, error)


def parse_size(text: str) -> float:
    """A parameter count as the tool prints it: ``2B``, ``500M``, ``1.5b``, ``125k``, ``2e9``."""
    error = f"not a size: {text!r} (use e.g. 500M, 2B, 2e9)"
    return _scaled(text, r"\d+(?:\.\d+)?(?:e\d+)?", _SIZE_UNITS, error)


def parse_number(text: str, low: float, high: float) -> float:
    """A finite number from ``low`` to ``high``; ``ValueError`` saying which rule it breaks.

    ``float()`` reads ``nan`` and ``inf`` too, and a range check alone lets ``nan`` through
    or calls it too large: it is refused for what it is.
    """
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"not a number: {text!r}") from None
    if not math.isfinite(value):
        raise ValueError(f"must be a finite number, not {text!r}")
    if not low <= value <= high:
        raise ValueError(f"must be between {low:g} and {high:g}, not {text!r}")
    return value
