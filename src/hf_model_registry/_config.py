"""Where settings come from: arguments first, then the environment, then defaults.

Only the standard library here: this module sits on the fast lookup path.
The names follow the Hub's own client (``HF_ENDPOINT``, ``HF_TOKEN``,
``HF_HUB_OFFLINE`` ...) so one environment configures both.
"""

from __future__ import annotations

import os

from ._units import parse_duration

__all__ = [
    "DEFAULT_ENDPOINT",
    "DEFAULT_TTL_SECONDS",
    "REGISTRY_FILENAME",
    "env_flag",
    "environment_problems",
    "given_endpoint",
    "hub_endpoint",
    "hub_token_and_source",
    "network_disabled",
    "packaged_registry_path",
    "progress_disabled",
    "read_registry_path",
    "token_path",
    "ttl_seconds",
    "write_registry_path",
]

REGISTRY_FILENAME = "huggingface_model_types.json"
DEFAULT_ENDPOINT = "https://huggingface.co"
DEFAULT_TTL_SECONDS = 7 * 24 * 3600

_TRUE = frozenset({"1", "true", "yes", "on"})


def env_flag(name: str) -> bool:
    """True when the variable is set to 1/true/yes/on (any case)."""
    return os.environ.get(name, "").strip().lower() in _TRUE


def network_disabled() -> bool:
    """True when no request may be sent: ``USE_STATIC_REGISTRY`` or ``HF_HUB_OFFLINE``."""
    return env_flag("USE_STATIC_REGISTRY") or env_flag("HF_HUB_OFFLINE")


def progress_disabled() -> bool:
    """True when ``HF_HUB_DISABLE_PROGRESS_BARS`` asks for no progress bars."""
    return env_flag("HF_HUB_DISABLE_PROGRESS_BARS")


# Paths are plain strings here: pathlib costs ~3 ms of a cold lookup (it imports
# urllib.parse and ipaddress), and the read path needs nothing but open() and stat().


def packaged_registry_path() -> str:
    """The read-only snapshot shipped inside the package."""
    here = os.path.dirname(os.path.realpath(__file__))
    return os.path.join(here, "data", REGISTRY_FILENAME)


def read_registry_path(explicit: str | os.PathLike[str] | None = None) -> str:
    """The registry to read: argument > ``HF_MODEL_REGISTRY`` > ``./`` file > packaged snapshot."""
    if explicit is not None:
        return os.fspath(explicit)
    from_env = os.environ.get("HF_MODEL_REGISTRY")
    if from_env:
        return from_env
    if os.path.exists(REGISTRY_FILENAME):
        return REGISTRY_FILENAME
    return packaged_registry_path()


def write_registry_path(explicit: str | os.PathLike[str] | None = None) -> str:
    """The registry to write: like reading, but never the packaged snapshot.

    Without an argument or ``HF_MODEL_REGISTRY`` a refresh writes (and creates)
    ``./huggingface_model_types.json``, which is where the original tool kept it.
    """
    if explicit is not None:
        return os.fspath(explicit)
    from_env = os.environ.get("HF_MODEL_REGISTRY")
    if from_env:
        return from_env
    return REGISTRY_FILENAME


def ttl_seconds() -> float:
    """How long a registry entry counts as fresh: ``HF_MODEL_REGISTRY_TTL``, as ``--max-age``.

    Seconds or a duration (``3600``, ``12h``, ``7d``). A malformed value falls back to
    the default rather than breaking lookups (the lookup path must keep answering);
    the command line refuses it up front (``environment_problems``).
    """
    raw = os.environ.get("HF_MODEL_REGISTRY_TTL")
    if raw is None:
        return DEFAULT_TTL_SECONDS
    try:
        return parse_duration(raw)
    except ValueError:
        return DEFAULT_TTL_SECONDS


_BOOLEAN_WORDS = _TRUE | {"", "0", "false", "no", "off"}
_FLAGS = ("USE_STATIC_REGISTRY", "HF_HUB_OFFLINE", "HF_HUB_DISABLE_PROGRESS_BARS")


def environment_problems() -> list[str]:
    """Settings in the environment that are not understood, one message each.

    The library tolerates them (a lookup must answer); the command line reports
    them, because an ignored ``USE_STATIC_REGISTRY=maybe`` silently does the opposite.
    """
    problems = []
    for name in _FLAGS:
        value = os.environ.get(name)
        if value is not None and value.strip().lower() not in _BOOLEAN_WORDS:
            problems.append(f"{name}={value!r} is not a boolean (use 1/0, true/false, yes/no)")
    ttl = os.environ.get("HF_MODEL_REGISTRY_TTL")
    if ttl is not None:
        try:
            parse_duration(ttl)
        except ValueError as exc:
            problems.append(f"HF_MODEL_REGISTRY_TTL: {exc}")
    return problems


def hub_endpoint(explicit: str | None = None) -> str:
    """The Hub base URL: argument > ``HF_ENDPOINT`` > https://huggingface.co, no trailing slash.

    An explicit empty string stays empty (and is refused by the client): falling back
    to huggingface.co would send the token somewhere the caller did not name.
    """
    return given_endpoint(explicit).rstrip("/")


def given_endpoint(explicit: str | None = None) -> str:
    """The Hub base URL as the user wrote it (``hub_endpoint`` before trimming ``/``).

    What an error message about a bad endpoint quotes: ``http://`` trimmed is ``http:``.
    """
    return explicit if explicit is not None else os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT


def hub_token_and_source(explicit: str | None = None) -> tuple[str | None, str | None]:
    """The Hub token, in huggingface_hub's order, and where it came from (for messages).

    Argument > ``HF_TOKEN`` > ``HUGGING_FACE_HUB_TOKEN`` > the file at ``HF_TOKEN_PATH``,
    else ``$HF_HOME/token`` (``HF_HOME`` defaulting to ``~/.cache/huggingface``).
    A missing or unreadable file means no token.

    The source is ``the token argument (--token)``, ``HF_TOKEN``,
    ``HUGGING_FACE_HUB_TOKEN``, ``HF_TOKEN_PATH (<path>)`` or ``$HF_HOME/token (<path>)``;
    None without a token. It never holds the token itself.
    """
    for value, source in (
        (explicit, "the token argument (--token)"),
        (os.environ.get("HF_TOKEN"), "HF_TOKEN"),
        (os.environ.get("HUGGING_FACE_HUB_TOKEN"), "HUGGING_FACE_HUB_TOKEN"),
    ):
        if value and value.strip():
            return value.strip(), source
    path = token_path()
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read().strip()
    except (OSError, UnicodeDecodeError):
        return None, None
    if not text:
        return None, None
    variable = "HF_TOKEN_PATH" if os.environ.get("HF_TOKEN_PATH") else "$HF_HOME/token"
    return text, f"{variable} ({path})"


def token_path() -> str:
    """Where the token file is read: ``HF_TOKEN_PATH``, else ``$HF_HOME/token``."""
    explicit = os.environ.get("HF_TOKEN_PATH")
    if explicit:
        return os.path.expanduser(explicit)
    home = os.environ.get("HF_HOME") or os.path.join("~", ".cache", "huggingface")
    return os.path.join(os.path.expanduser(home), "token")
