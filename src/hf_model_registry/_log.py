"""Logging without importing ``logging`` on the lookup fast path (~8 ms of a cold start).

The module is imported the first time something is actually logged.
"""

from __future__ import annotations

__all__ = ["warning"]


def warning(logger: str, message: str, *args: object) -> None:
    """``logging.getLogger(logger).warning(message, *args)``, importing logging on demand."""
    import logging

    logging.getLogger(logger).warning(message, *args)


def info(logger: str, message: str, *args: object) -> None:
    """``logging.getLogger(logger).info(message, *args)``, importing logging on demand."""
    import logging

    logging.getLogger(logger).info(message, *args)
