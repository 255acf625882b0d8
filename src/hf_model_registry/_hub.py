"""The async Hub client: the only module that speaks HTTP.

httpx underneath, with an injectable transport (tests use respx or
``httpx.MockTransport``), tenacity retries, pacing from the Hub's RateLimit
headers (``_ratelimit``), a cap on every body read and a deadline on every
attempt. httpx exceptions are translated into the package's error tree here
and nowhere else. The token goes to the configured endpoint only: redirects
to another origin (scheme, host or port) are never followed, and a pagination
link to another host is followed only as the same listing query rebuilt on the
endpoint.
"""

from __future__ import annotations

import email.utils
import functools
import itertools
import logging
import math
import random
import ssl
from collections import Counter
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, unquote, urljoin, urlsplit

import anyio
import httpx
import tenacity

from ._body import ACCEPT_ENCODING, read_capped
from ._candidates import parse_listing, validate_model_id
from ._errors import (
    HubOffline,
    HubResponseError,
    HubUnavailable,
    InvalidModelId,
    InvalidToken,
    RateLimited,
    TokenRejected,
    printable,
)
from ._ratelimit import RESET_MARGIN, Pacer, parse_ratelimit, reset_ceiling
from ._settings import HubSettings, RetryPolicy, check_endpoint
from ._values import Candidate
from ._version import __version__

__all__ = [
    "LISTING_FIELDS",
    "ClientStats",
    "HubClient",
    "ListingPage",
    "RawResponse",
    "RetryPolicy",
    "parse_retry_after",
]

log = logging.getLogger("hf_model_registry.hub")

LISTING_FIELDS = (
    "downloads",
    "likes",
    "tags",
    "pipeline_tag",
    "library_name",
    "gated",
    "safetensors",
    "lastModified",
    # A token lists its own private repos too; they must never become a shared default.
    "private",
    # What transformers loads (auto class and task), which can differ from the card's tag.
    "transformersInfo",
    # Only config.quantization_config is read: it marks quantized repos without a tag.
    "config",
)
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
# httpx's single pool degrades past ~16 open connections (measured on 2 cores: 554
# listings at 50 ms took 1.15x the bound with 16 connections, 4.8x with 32, 18x with 64);
# several small pools keep each one in its fast range.
CONNECTIONS_PER_POOL = 8
DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024
_MAX_REDIRECTS = 3
LISTING_PATH = "/api/models"
# What the Hub says, in X-Error-Message, to a request whose token it does not accept.
_INVALID_CREDENTIALS = "invalid credentials"
# How many more times a listing whose 200 body does not parse is asked for.
BODY_RETRIES = 2


@dataclass(slots=True)
class ClientStats:
    """What a client did: requests sent, responses by status, retries."""

    requests: int = 0
    listing_requests: int = 0
    retries: int = 0
    statuses: Counter[int] = field(default_factory=Counter)

    @property
    def rate_limited(self) -> int:
        """Responses with status 429."""
        return self.statuses[429]


@dataclass(frozen=True, slots=True)
class RawResponse:
    """A response read whole (within the size cap)."""

    status_code: int
    headers: Mapping[str, str]
    body: bytes
    url: str

    def error_code(self) -> str | None:
        """The Hub's ``X-Error-Code`` header, if any."""
        return self.headers.get("x-error-code")


@dataclass(frozen=True, slots=True)
class ListingPage:
    """One page of a listing: valid candidates, reasons for skipped items, the next link."""

    candidates: list[Candidate]
    skipped: list[str]
    next_url: str | None


class _Retryable(Exception):
    """A failure worth another attempt (internal; never escapes this module)."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        retry_after: float | None = None,
        connect: bool = False,
        protocol: bool = False,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.retry_after = retry_after
        self.connect = connect
        self.protocol = protocol


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        seconds = (moment - (now or datetime.now(UTC))).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


def _check_token(token: str | None, source: str | None) -> None:
    # A header value must be printable ASCII; a pasted token with a stray character
    # would otherwise fail deep inside httpx. The message never repeats the token, but
    # names where it came from: a token file is easy to forget.
    if token is not None and not (token.isascii() and token.isprintable() and " " not in token):
        where = f"from {source} " if source else ""
        raise InvalidToken(
            f"the Hub token {where}has characters a token cannot have (non-ASCII, spaces "
            f"or control characters); {'fix it there' if source else 'check the token given'}"
        )


@functools.cache
def _tls_context() -> ssl.SSLContext:
    # Loading the CA bundle takes ~20 ms: once per process, and off the event loop.
    return httpx.create_ssl_context()


_PROBE_SECONDS = 2.0


def _other_scheme(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return ("http" if scheme == "https" else "https") + "://" + rest


def _tls_failed(exc: BaseException) -> bool:
    """Whether a connect error came from the TLS handshake (the TCP connection worked)."""
    seen: BaseException | None = exc
    for _ in range(8):  # a cause chain is short; never loop on a cycle
        if seen is None:
            return False
        if isinstance(seen, ssl.SSLError) and not isinstance(seen, ssl.SSLCertVerificationError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


async def _speaks_other_scheme(url: str, seconds: float) -> bool:
    """Whether ``url``'s server answers in the protocol its scheme does not say.

    For https: a plain ``HEAD`` (no token) answered by ``HTTP/``. For http: a TLS
    handshake that completes; it sends no data, so the certificate is not checked.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    tls = parts.scheme == "http"
    port = parts.port or (80 if tls else 443)
    try:
        with anyio.fail_after(seconds):
            if tls:
                context = ssl.create_default_context()
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
                secure = await anyio.connect_tcp(
                    host, port, ssl_context=context, tls_standard_compatible=False
                )
                await secure.aclose()
                return True
            async with await anyio.connect_tcp(host, port) as plain:
                await plain.send(b"HEAD / HTTP/1.0\r\n\r\n")
                head = b""
                while len(head) < 5:
                    head += await plain.receive(5 - len(head))
                return head == b"HTTP/"
    except (OSError, TimeoutError, ssl.SSLError, anyio.EndOfStream, anyio.BrokenResourceError):
        return False


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    try:
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    except ValueError:  # a port out of range in a server-sent Location or Link
        return "", "", None  # equals no endpoint's origin: refused or ignored
    return parts.scheme, (parts.hostname or "").lower(), port


def _origin_text(url: str) -> str:
    """``scheme://host[:port]`` of ``url`` for messages: no path, query or user info."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:  # out of range: the host says enough
        port = None
    return f"{parts.scheme}://{host}" + ("" if port is None else f":{port}")


class HubClient:
    """An async client for the Hub API. Use as ``async with HubClient(...) as hub:``.

    One client's requests share one pacer, so concurrency never outruns the quota.
    """

    def __init__(
        self,
        settings: HubSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        # The settings are taken as they are: this client reads no environment.
        self.settings = settings
        self.endpoint = settings.endpoint.rstrip("/")
        check_endpoint(self.endpoint)
        _check_token(settings.token, settings.token_source)
        self._token = settings.token
        self._transport = transport
        self._connections = settings.concurrency
        # One deadline per attempt, and the same bound on any silence within it.
        self._timeout = httpx.Timeout(
            connect=settings.connect_timeout,
            read=settings.request_timeout,
            write=settings.request_timeout,
            pool=settings.request_timeout,
        )
        self._attempt_timeout = settings.request_timeout
        self.retry = settings.retry
        self._sleep = sleep or anyio.sleep
        self.pacer = Pacer(rate=settings.rate, sleep=sleep, max_wait=settings.max_quota_wait)
        self._max_body = max_body_bytes
        self._clients: list[httpx.AsyncClient] = []
        self._next_client: Iterator[int] | None = None
        self._token_rejected = False
        self._wrong_scheme: bool | None = None  # probed on the first failure that may mean it
        self.stats = ClientStats()

    @property
    def has_token(self) -> bool:
        """Whether requests to the endpoint carry a token."""
        return bool(self._token)

    def __repr__(self) -> str:
        # Never show the token, not even in a debugger or a log of this object.
        return f"HubClient(endpoint={self.endpoint!r}, token={'***' if self._token else None})"

    async def __aenter__(self) -> HubClient:
        if self.settings.offline:
            raise HubOffline("HF_HUB_OFFLINE is set: no request to the Hub is allowed")
        pools = (
            1
            if self._transport is not None
            else math.ceil(self._connections / CONNECTIONS_PER_POOL)
        )
        per_pool = math.ceil(self._connections / pools)
        headers = {
            "User-Agent": f"hf-model-registry/{__version__} httpx/{httpx.__version__}",
            "Accept-Encoding": ACCEPT_ENCODING,
        }
        # One TLS context for all pools: each transport would otherwise load the CA
        # bundle again (~20 ms each), even for a plain-http mirror.
        tls = await anyio.to_thread.run_sync(_tls_context) if self._transport is None else None
        for _ in range(pools):
            transport = self._transport or httpx.AsyncHTTPTransport(
                verify=tls if tls is not None else True,
                limits=httpx.Limits(max_connections=per_pool, max_keepalive_connections=per_pool),
            )
            self._clients.append(
                httpx.AsyncClient(
                    transport=transport,
                    timeout=self._timeout,
                    headers=headers,
                    follow_redirects=False,
                    trust_env=False,
                )
            )
        self._next_client = itertools.cycle(range(len(self._clients)))
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close every connection pool."""
        clients, self._clients = self._clients, []
        for client in clients:
            await client.aclose()

    # -- requests -------------------------------------------------------------

    def _auth_headers(self, url: str) -> dict[str, str]:
        if self._token and _origin(url) == _origin(self.endpoint):
            return {"Authorization": f"Bearer {self._token}"}
        return {}

    async def _read_capped(self, response: httpx.Response) -> bytes:
        declared = response.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self._max_body:
            raise HubResponseError(
                f"response body of {declared} bytes exceeds the {self._max_body}-byte cap",
                status_code=response.status_code,
            )
        if response.is_stream_consumed:
            # Built in memory and decoded already (an in-process mock transport): no
            # network stream is left to bound, only the size to check.
            body = response.content
            if len(body) > self._max_body:
                raise HubResponseError(
                    f"response body exceeds the {self._max_body}-byte cap",
                    status_code=response.status_code,
                )
            return body
        # Raw bytes, decoded here within the cap: httpx would decode a whole chunk
        # (and every stacked encoding) before the cap could be checked.
        return await read_capped(
            response.aiter_raw(),
            response.headers.get("content-encoding"),
            self._max_body,
            status_code=response.status_code,
        )

    async def _attempt(
        self, url: str, params: list[tuple[str, str | int | float | bool | None]] | None
    ) -> RawResponse:
        if not self._clients or self._next_client is None:
            raise RuntimeError("HubClient used outside 'async with'")
        ticket = await self.pacer.acquire()
        client = self._clients[next(self._next_client)]
        self.stats.requests += 1
        answered = False
        try:
            with anyio.fail_after(self._attempt_timeout):
                async with client.stream(
                    "GET", url, params=params, headers=self._auth_headers(url)
                ) as response:
                    status = response.status_code
                    self.stats.statuses[status] += 1
                    answered = True
                    self.pacer.observe(ticket, response.headers, status)
                    if status in RETRY_STATUSES:
                        raise _Retryable(
                            f"HTTP {status}",
                            status_code=status,
                            retry_after=self._server_wait(response.headers, status),
                        )
                    body = await self._read_capped(response)
                    return RawResponse(status, response.headers, body, str(response.url))
        except TimeoutError:
            raise _Retryable(f"no complete response within {self._attempt_timeout:g} s") from None
        except httpx.ConnectError as exc:
            if _tls_failed(exc):
                await self._refuse_wrong_scheme()
            raise _Retryable(f"cannot connect to {self.endpoint}", connect=True) from None
        except httpx.TimeoutException as exc:
            if isinstance(exc, httpx.ConnectTimeout):  # a plain server may wait out TLS
                await self._refuse_wrong_scheme()
            raise _Retryable(f"{type(exc).__name__} from {self.endpoint}") from None
        except httpx.RemoteProtocolError as exc:
            if not answered:
                await self._refuse_wrong_scheme()
            # Something answered, but not in HTTP: not "unreachable" once retries fail.
            raise _Retryable(
                f"{type(exc).__name__} from {self.endpoint}: the server's answer is not HTTP",
                protocol=True,
            ) from None
        except httpx.TransportError as exc:
            if not answered:
                await self._refuse_wrong_scheme()
            raise _Retryable(f"{type(exc).__name__} talking to {self.endpoint}") from None
        except httpx.DecodingError:
            # The server's Content-Encoding does not match its body: not transient.
            raise HubResponseError(f"undecodable response body from {self.endpoint}") from None
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise HubResponseError(f"{type(exc).__name__} talking to {self.endpoint}") from None
        finally:
            if not answered:
                self.pacer.forget(ticket)

    async def _refuse_wrong_scheme(self) -> None:
        """Raise ``HubUnavailable`` with a hint if the endpoint speaks the other protocol.

        A TLS endpoint that answers plain HTTP (or the reverse) fails every attempt
        the same way, some only after the connect timeout: one probe, once per
        client, turns that into an immediate error that says what to change.
        """
        if self._wrong_scheme is None and self._transport is None:
            timeout = min(_PROBE_SECONDS, self._timeout.connect or _PROBE_SECONDS)
            self._wrong_scheme = await _speaks_other_scheme(self.endpoint, timeout)
        if self._wrong_scheme:
            speaks = "plain HTTP, not TLS" if self.endpoint.startswith("https:") else "TLS"
            raise HubUnavailable(
                f"{self.endpoint} answers in {speaks}; did you mean {_other_scheme(self.endpoint)}?"
            )

    def _server_wait(self, headers: Mapping[str, str], status: int) -> float | None:
        retry_after = parse_retry_after(headers.get("retry-after"))
        if retry_after is not None:
            return retry_after
        if status == 429:
            parsed = parse_ratelimit(headers.get("ratelimit"))
            if parsed is not None:
                # t is rounded: one more second, and never past the policy window.
                ceiling = reset_ceiling(self.pacer.window)
                return min(parsed.reset_seconds, ceiling) + RESET_MARGIN
        return None

    def _wait(self, state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Retryable) and exc.retry_after is not None:
            return min(exc.retry_after, self.retry.max_wait)
        # Exponential backoff with full jitter on top (the shape tenacity's
        # wait_exponential_jitter has; written out so it does not depend on its version).
        exponent: int = min(state.attempt_number - 1, 32)
        backoff = self.retry.initial_wait * float(2**exponent) + random.uniform(
            0, self.retry.jitter
        )
        return min(backoff, self.retry.max_wait)

    def _stop(self, state: tenacity.RetryCallState) -> bool:
        exc = state.outcome.exception() if state.outcome else None
        limit = self.retry.max_attempts
        if isinstance(exc, _Retryable) and exc.connect:
            limit = min(limit, self.retry.connect_attempts)
        # upcoming_sleep is the wait about to start: stop before it would cross the cap.
        waited = state.idle_for + state.upcoming_sleep
        return state.attempt_number >= limit or waited > self.retry.max_total_wait

    def _before_sleep(self, state: tenacity.RetryCallState) -> None:
        self.stats.retries += 1
        exc = state.outcome.exception() if state.outcome else None
        log.debug("retrying after %s (attempt %d)", exc, state.attempt_number)

    async def get(
        self,
        path_or_url: str,
        params: list[tuple[str, str | int | float | bool | None]] | None = None,
    ) -> RawResponse:
        """GET with retries, pacing and same-host redirects; raise the package's errors.

        Raises ``TokenRejected`` when the Hub refuses the token, and on every later
        call of this client without sending anything: the Hub refuses them all.
        """
        if self._token_rejected:
            raise self._rejection()
        url = path_or_url if "://" in path_or_url else f"{self.endpoint}{path_or_url}"
        for _ in range(_MAX_REDIRECTS + 1):
            response = await self._get_once(url, params)
            if self._rejects_token(response):
                self._token_rejected = True
                raise self._rejection()
            if response.status_code not in (301, 302, 303, 307, 308):
                return response
            location = response.headers.get("location")
            if not location:
                raise HubResponseError(
                    "redirect without a Location header", status_code=response.status_code
                )
            target = urljoin(url, location)
            if _origin(target) != _origin(self.endpoint):
                raise HubResponseError(
                    f"redirected to another origin ({_origin_text(target)}); not followed",
                    status_code=response.status_code,
                )
            url, params = target, None
        raise HubResponseError(f"more than {_MAX_REDIRECTS} redirects")

    def _rejects_token(self, response: RawResponse) -> bool:
        # Anonymous 401s mean "missing or private"; only a request that carried the
        # token can have its token refused.
        if response.status_code != 401 or not self._auth_headers(response.url):
            return False
        return _INVALID_CREDENTIALS in response.headers.get("x-error-message", "").lower()

    def _rejection(self) -> TokenRejected:
        # A fixed text: neither the token nor the server's own words go into it.
        return TokenRejected(
            f"the Hub at {self.endpoint} rejected the token as invalid or expired (HTTP 401); "
            "fix or unset HF_TOKEN (or whichever of --token, HUGGING_FACE_HUB_TOKEN, "
            "HF_TOKEN_PATH or $HF_HOME/token holds it)"
        )

    async def _get_once(
        self, url: str, params: list[tuple[str, str | int | float | bool | None]] | None
    ) -> RawResponse:
        retrying = tenacity.AsyncRetrying(
            retry=tenacity.retry_if_exception_type(_Retryable),
            stop=self._stop,
            wait=self._wait,
            sleep=self._sleep,
            before_sleep=self._before_sleep,
            reraise=True,
        )
        try:
            return await retrying(self._attempt, url, params)
        except _Retryable as exc:
            if exc.status_code == 429:
                raise RateLimited(
                    f"rate limited by {self.endpoint} after {self.retry.max_attempts} attempts",
                    retry_after=exc.retry_after,
                ) from None
            if exc.status_code is not None:
                raise HubResponseError(
                    f"HTTP {exc.status_code} from {self.endpoint} after retries",
                    status_code=exc.status_code,
                ) from None
            if exc.protocol:
                raise HubResponseError(f"{exc} (gave up after retries)") from None
            raise HubUnavailable(f"{exc} (gave up after retries)") from None

    # -- the Hub API ------------------------------------------------------------

    def listing_params(
        self, hub_type: str, limit: int
    ) -> list[tuple[str, str | int | float | bool | None]]:
        """Query parameters of one listing: the type tag ANDed with ``transformers``."""
        params: list[tuple[str, str | int | float | bool | None]] = [
            ("filter", hub_type),
            ("filter", "transformers"),
            ("sort", "downloads"),
            ("limit", str(limit)),
        ]
        params.extend(("expand[]", name) for name in LISTING_FIELDS)
        return params

    async def list_page(
        self, hub_type: str, *, limit: int = 100, url: str | None = None
    ) -> ListingPage:
        """One page of models tagged ``hub_type`` and ``transformers``, by downloads.

        A 200 whose body is not JSON (truncated on the way) is asked for again, up
        to ``BODY_RETRIES`` more times, as the transient fault it usually is.
        """
        for attempt in range(BODY_RETRIES + 1):
            if url is None:
                response = await self.get(LISTING_PATH, self.listing_params(hub_type, limit))
            else:
                response = await self.get(url)
            self.stats.listing_requests += 1
            if response.status_code != 200:
                raise _status_error(response, f"listing {hub_type!r}")
            try:
                body = _json(response)
            except HubResponseError as exc:
                if attempt == BODY_RETRIES:
                    raise
                self.stats.retries += 1
                log.debug("retrying listing %r: %s", hub_type, exc)
                continue
            break
        if isinstance(body, list) and len(body) > limit:
            body = body[:limit]
        candidates, skipped = parse_listing(body)
        return ListingPage(candidates, skipped, self._next_link(response))

    def _next_link(self, response: RawResponse) -> str | None:
        link = response.headers.get("link")
        if not link:
            return None
        try:
            links = httpx.Response(200, headers={"link": link}).links
        except Exception:  # a malformed header only means no next page
            return None
        target = links.get("next", {}).get("url")
        if not target:
            return None
        target = urljoin(response.url, target)
        origin = _origin(target)
        if origin == _origin(self.endpoint):
            return target
        # The Hub writes its next link absolute on huggingface.co, and a mirror may pass
        # it through unchanged: the same query, asked of the configured endpoint, is
        # the next page. Any other path on another host, or a URL that does not even
        # parse (a port out of range), is not ours to follow.
        parts = urlsplit(target)
        if parts.path != LISTING_PATH or not origin[1]:
            log.warning("ignoring a next-page link to another host")
            return None
        log.debug("next-page link on another host: rebuilt on the endpoint")
        return f"{self.endpoint}{LISTING_PATH}" + (f"?{parts.query}" if parts.query else "")

    async def iter_listing(
        self, hub_type: str, *, limit: int = 100, max_pages: int = 3
    ) -> AsyncGenerator[ListingPage, None]:
        """Pages of the listing, fetched one at a time: stop iterating to stop fetching."""
        url: str | None = None
        for _ in range(max_pages):
            page = await self.list_page(hub_type, limit=limit, url=url)
            yield page
            if page.next_url is None:
                return
            url = page.next_url

    async def model_info(self, repo_id: str) -> RawResponse:
        """``GET /api/models/{repo_id}``; the caller interprets 200/401/404."""
        return await self.get(f"/api/models/{_quote_id(repo_id)}")

    async def auth_check(self, repo_id: str) -> RawResponse:
        """``GET /api/models/{repo_id}/auth-check``; 200 when the files may be downloaded."""
        return await self.get(f"/api/models/{_quote_id(repo_id)}/auth-check")

    def answered_repo_id(self, response: RawResponse) -> str | None:
        """The repo id a model-info or auth-check answer is for, from its final URL.

        After a legacy id's redirect (``bert-base-uncased`` answers 307 to
        ``/api/models/google-bert/bert-base-uncased``) this is the canonical id.
        None when the URL is not a model's API path.
        """
        path = urlsplit(response.url).path
        prefix = urlsplit(self.endpoint).path.rstrip("/")
        for base in (f"{prefix}{LISTING_PATH}/", f"{LISTING_PATH}/"):
            if path.startswith(base):
                rest = path[len(base) :].removesuffix("/auth-check")
                try:
                    return validate_model_id(unquote(rest))
                except InvalidModelId:
                    return None
        return None


def _quote_id(repo_id: str) -> str:
    validate_model_id(repo_id)
    return "/".join(quote(part, safe="") for part in repo_id.split("/"))


def _json(response: RawResponse) -> Any:
    import json

    try:
        return json.loads(response.body)
    except (ValueError, RecursionError):  # bad JSON or UTF-8, huge integers, deep nesting
        raise HubResponseError(
            f"response from {urlsplit(response.url).path} is not JSON",
            status_code=response.status_code,
        ) from None


def _status_error(response: RawResponse, what: str) -> HubResponseError:
    code = response.error_code()
    # The Hub's text goes into messages that reach terminals and logs: escaped.
    detail = f" ({printable(code[:100])})" if code else ""
    return HubResponseError(
        f"{what}: HTTP {response.status_code}{detail}", status_code=response.status_code
    )
