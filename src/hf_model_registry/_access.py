"""Can a model be downloaded? The Hub's metadata and auth-check endpoints, interpreted."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ._candidates import validate_model_id
from ._errors import HubResponseError, HubUnavailable, TokenRejected, printable
from ._exitcodes import EXIT_FAILED, EXIT_OK, EXIT_UNREACHABLE, EXIT_USAGE
from ._hub import HubClient, RawResponse

__all__ = [
    "Access",
    "AccessStatus",
    "access_exit_code",
    "access_words",
    "check_access",
    "original_access_dict",
    "refuse_rejected_token",
    "status_slug",
]


class AccessStatus(StrEnum):
    """The answer of an access check."""

    AVAILABLE = "available"
    GATED_NEEDS_APPROVAL = "gated: needs approval"
    GATED_NO_TOKEN = "gated: no token"
    NOT_FOUND = "not found or private"
    INVALID_TOKEN = "invalid token"
    UNREACHABLE = "Hub unreachable"


@dataclass(frozen=True, slots=True)
class Access:
    """An access status with a short human detail.

    ``model_id`` is the id the Hub answered for: the canonical id when the one asked
    for is a legacy id that redirects (then ``requested_id`` is the one asked for).
    ``info`` is the repo's metadata (``GET /api/models/{id}``) when the Hub sent
    it: a JSON object, untrusted, possibly empty.
    """

    model_id: str
    status: AccessStatus
    detail: str = ""
    requested_id: str | None = None
    info: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def available(self) -> bool:
        """True when the files can be downloaded now."""
        return self.status is AccessStatus.AVAILABLE


async def check_access(hub: HubClient, model_id: str) -> Access:
    """Check ``model_id`` with ``/api/models/{id}`` then ``/api/models/{id}/auth-check``.

    A legacy id's same-host redirect is followed, and the answer names the
    canonical id. Raises ``InvalidModelId`` before any request for an id that is
    not ``org/name``.
    """
    validate_model_id(model_id)
    asked = model_id
    meta: dict[str, Any] = {}
    try:
        info = await hub.model_info(model_id)
        answered = hub.answered_repo_id(info)
        if info.status_code == 200 and answered is not None:
            model_id = answered
        if info.status_code in (401, 403, 404):
            # Anonymous: 401 for missing and private alike; with a token: 404 RepoNotFound.
            status, detail = AccessStatus.NOT_FOUND, _detail(info.status_code, info.error_code())
        elif info.status_code != 200:
            status, detail = AccessStatus.UNREACHABLE, f"metadata: HTTP {info.status_code}"
        else:
            check = await hub.auth_check(model_id)
            meta = _metadata(info.body)
            status, detail = _interpret(hub, check, meta)
    except TokenRejected as exc:
        status, detail = AccessStatus.INVALID_TOKEN, str(exc)
    except (HubUnavailable, HubResponseError) as exc:
        # Timeouts, refused connections, or 5xx/429 that outlasted the retries: the
        # Hub could not answer the question, which is not the same as "no access".
        status, detail = AccessStatus.UNREACHABLE, str(exc)
    return Access(model_id, status, detail, asked if model_id != asked else None, meta)


def _interpret(
    hub: HubClient, check: RawResponse, meta: dict[str, Any]
) -> tuple[AccessStatus, str]:
    if check.status_code == 200:
        return AccessStatus.AVAILABLE, _gated_mode(meta)
    if check.error_code() == "GatedRepo" or check.status_code in (401, 403):
        if hub.has_token:
            return AccessStatus.GATED_NEEDS_APPROVAL, "request access on the model page"
        return AccessStatus.GATED_NO_TOKEN, "set HF_TOKEN to a token with access"
    if check.status_code == 404:
        return AccessStatus.NOT_FOUND, _detail(404, check.error_code())
    return AccessStatus.UNREACHABLE, f"auth-check: HTTP {check.status_code}"


def _detail(status: int, code: str | None) -> str:
    # The Hub's X-Error-Code is printed by `check`: escaped, and kept short.
    return f"HTTP {status}" + (f" ({printable(code[:100])})" if code else "")


def _metadata(body: bytes) -> dict[str, Any]:
    try:
        meta = json.loads(body)
    except (ValueError, RecursionError):
        return {}
    return meta if isinstance(meta, dict) else {}


def _gated_mode(meta: dict[str, Any]) -> str:
    gated = meta.get("gated")
    return f"gated ({gated}), access granted" if gated in ("auto", "manual") else ""


# -- the answer, as the command lines and the original's API give it -----------------------
# One mapping of each status, next to the statuses: a new one is added here, once.

_SLUGS = {
    AccessStatus.AVAILABLE: "available",
    AccessStatus.GATED_NEEDS_APPROVAL: "gated",
    AccessStatus.GATED_NO_TOKEN: "gated",
    AccessStatus.NOT_FOUND: "not-found",
    AccessStatus.UNREACHABLE: "unreachable",
    AccessStatus.INVALID_TOKEN: "invalid-token",
}

_EXIT_CODES = {
    AccessStatus.AVAILABLE: EXIT_OK,
    AccessStatus.INVALID_TOKEN: EXIT_USAGE,  # the user's input to fix, as a bad id is
    AccessStatus.UNREACHABLE: EXIT_UNREACHABLE,
}


def access_words(access: Access) -> str:
    """The status for people, with its detail: ``gated: no token (set HF_TOKEN ...)``."""
    return f"{access.status}" + (f" ({access.detail})" if access.detail else "")


def status_slug(status: AccessStatus) -> str:
    """The status for scripts (``check --json``): lower-case words joined by ``-``."""
    return _SLUGS[status]


def access_exit_code(access: Access) -> int:
    """0 available, 1 no access, 2 the token is refused, 3 the Hub could not say."""
    return _EXIT_CODES.get(access.status, EXIT_FAILED)


def refuse_rejected_token(access: Access) -> None:
    """Raise ``TokenRejected`` when the Hub refused the token: every later request would fail."""
    if access.status is AccessStatus.INVALID_TOKEN:
        raise TokenRejected(access.detail)


def original_access_dict(model_name: str, access: Access) -> dict[str, Any]:
    """An access check in the original ``try_model_access``'s dict shape.

    Available: ``{"id", "private", "sha", "tags"}`` (``sha`` shortened to 8 characters
    and the first 3 tags). Otherwise ``{"error": the status in words, "id", "private": True}``.
    """
    if not access.available:
        return {"error": access_words(access), "id": model_name, "private": True}
    info = access.info
    model_id = info.get("id")
    sha = info.get("sha")
    tags = info.get("tags")
    return {
        "id": model_id if isinstance(model_id, str) else access.model_id,
        "private": info.get("private") is True,
        "sha": sha[:8] if isinstance(sha, str) and sha else None,
        "tags": [t for t in tags if isinstance(t, str)][:3] if isinstance(tags, list) else [],
    }
