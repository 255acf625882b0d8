"""The HTTP server: the Hub endpoints, quotas, faults and behaviours; in-loop or in a thread."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import ipaddress
import json
import math
import os
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Final, ParamSpec
from urllib.parse import parse_qsl, unquote, urlencode

import anyio
from anyio.abc import SocketAttribute, SocketStream, TaskGroup
from anyio.streams.buffered import BufferedByteReceiveStream
from anyio.streams.stapled import MultiListener

from ._fixture import _Repo, _validate_behavior, load_fixture, synthetic_fixture
from ._state import (
    _DEFAULT_ERROR_CODES,
    _DEFAULT_LIMIT,
    _JSON,
    _LISTING_CACHE_SIZE,
    _MAX_BODY_BYTES,
    _MAX_HEAD_BYTES,
    _MAX_LIMIT,
    _SERVER,
    _STATUS_BEHAVIOR,
    _T,
    DEFAULT_HUB_TYPES,
    DEFAULT_QUOTA,
    DEFAULT_WINDOW,
    EXPANDABLE_FIELDS,
    FAULT_STATUSES,
    SimulatorStats,
    logger,
)

# --------------------------------------------------------------------------- HTTP


class _BadRequest(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class _Request:
    method: str
    target: str
    path: str
    query_string: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    keep_alive: bool

    def last(self, name: str) -> str | None:
        value = None
        for key, item in self.query:
            if key == name:
                value = item
        return value

    @property
    def token(self) -> str | None:
        auth = self.headers.get("authorization", "")
        scheme, _, credentials = auth.partition(" ")
        if scheme.lower() == "bearer" and credentials.strip():
            return credentials.strip()
        return None


@dataclass(frozen=True, slots=True)
class _Response:
    status: int
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    content_type: str = _JSON
    # "plain" sends body; "huge", "slow_drip" and "hang" are the hostile behaviours.
    mode: str = "plain"


def _json_response(status: int, data: Any, headers: Iterable[tuple[str, str]] = ()) -> _Response:
    body = json.dumps(data, separators=(",", ":")).encode()
    return _Response(status, body, tuple(headers))


def _error(status: int, message: str, code: str | None = None) -> _Response:
    headers: list[tuple[str, str]] = []
    if code is not None:
        headers += [("X-Error-Code", code), ("X-Error-Message", message)]
    return _json_response(status, {"error": message}, headers)


# How a connection ends when the client leaves or breaks framing mid-request.
_CONNECTION_ENDED = (
    anyio.EndOfStream,
    anyio.IncompleteRead,
    anyio.DelimiterNotFound,
    anyio.BrokenResourceError,
    anyio.ClosedResourceError,
    ConnectionError,
)


def _integer(text: str, message: str) -> int:
    """``text`` as a decimal integer; a 400 with ``message`` when it is not one."""
    try:
        return int(text)
    except ValueError:
        raise _BadRequest(400, message) from None


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _check_loopback(host: str) -> None:
    # A test server with fault injection and tokens in its stats must never face a network.
    if host == "localhost":
        return
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(f"the Hub simulator only binds loopback addresses, not {host!r}")


class HubSimulator:
    """A loopback Hub server; ``async with HubSimulator(...) as sim`` serves at ``sim.url``.

    ``fixture`` is the data (``{"models": [...], "behaviors": {...}}``), a path to such
    a JSON file, or ``None`` for ``synthetic_fixture(DEFAULT_HUB_TYPES)``.
    ``latency`` seconds are awaited before each API response (never blocking others).
    ``quota`` requests are allowed per ``window`` seconds and per caller (the
    ``Authorization`` value, or anonymous), in fixed windows aligned to server start.
    ``fail_rate`` of listing requests fail with one of ``FAULT_STATUSES``; whether the
    n-th request for a given query fails depends only on ``seed``, the query and n,
    so it is reproducible even under concurrency. ``behaviors`` maps a hub type
    (listing ``filter``) or a repo id to a hostile behaviour and is merged over the
    fixture's. ``valid_tokens``, when given, makes any other bearer token a 401 with
    ``X-Error-Message: Invalid credentials in Authorization header`` on every call,
    as the Hub does for an invalid or expired token. A fixture's ``redirects`` maps a
    legacy repo id to its canonical id: the old id answers 307 with a relative
    ``Location``, as the Hub does for ``bert-base-uncased``. ``drip_interval`` and
    ``huge_size`` tune the ``slow_drip`` and ``huge`` behaviours.

    It runs on any event loop anyio supports (asyncio or trio); start and stop it in one
    task (``async with``). From synchronous code use ``run_in_thread``. Only loopback
    hosts are accepted.
    """

    def __init__(
        self,
        fixture: Mapping[str, Any] | str | os.PathLike[str] | None = None,
        *,
        latency: float = 0.0,
        quota: int = DEFAULT_QUOTA,
        window: float = DEFAULT_WINDOW,
        fail_rate: float = 0.0,
        seed: int = 0,
        host: str = "127.0.0.1",
        port: int = 0,
        behaviors: Mapping[str, str] | None = None,
        valid_tokens: Collection[str] | None = None,
        drip_interval: float = 1.0,
        huge_size: int = 50_000_000,
    ) -> None:
        _check_loopback(host)
        if fixture is None:
            data: Mapping[str, Any] = synthetic_fixture(DEFAULT_HUB_TYPES)
        elif isinstance(fixture, Mapping):
            data = fixture
        else:
            data = load_fixture(fixture)
        raw_models = data.get("models")
        if not isinstance(raw_models, list):
            raise ValueError("a fixture is an object with a 'models' list")
        self._repos: dict[str, _Repo] = {}
        for index, item in enumerate(raw_models):
            repo = _Repo.from_item(index, item)
            self._repos[repo.id] = repo
        self._redirects = _redirects(data.get("redirects"))
        self._public = [repo for repo in self._repos.values() if not repo.private]
        self._by_tag: dict[str, list[_Repo]] = {}
        for repo in self._public:
            for tag in repo.tagset:
                self._by_tag.setdefault(tag, []).append(repo)
        self._behaviors: dict[str, str] = {}
        self._host = host
        self._port = port
        self._drip_interval = drip_interval
        self._huge_size = huge_size
        self._valid_tokens = frozenset(valid_tokens) if valid_tokens is not None else None
        self._latency = 0.0
        self._quota = DEFAULT_QUOTA
        self._window = DEFAULT_WINDOW
        self._fail_rate = 0.0
        self._seed = 0
        self._stats = SimulatorStats()
        self._buckets: dict[str, list[int]] = {}
        self._attempts: Counter[str] = Counter()
        self._listing_cache: dict[str, _Response] = {}
        self._listener: MultiListener[SocketStream] | None = None
        self._connections: TaskGroup | None = None
        self._started_at = time.monotonic()
        self.configure(
            latency=latency,
            quota=quota,
            window=window,
            fail_rate=fail_rate,
            seed=seed,
            behaviors={**dict(data.get("behaviors") or {}), **dict(behaviors or {})},
        )

    # -- configuration and state --------------------------------------------------

    def configure(
        self,
        *,
        latency: float | None = None,
        quota: int | None = None,
        window: float | None = None,
        fail_rate: float | None = None,
        seed: int | None = None,
        behaviors: Mapping[str, str] | None = None,
    ) -> None:
        """Change settings of a running simulator; ``None`` keeps a setting.

        A new ``quota`` or ``window`` forgets the quota used so far; ``behaviors``
        replaces the whole mapping.
        """
        if latency is not None:
            if latency < 0:
                raise ValueError("latency must be >= 0")
            self._latency = float(latency)
        if fail_rate is not None:
            if not 0.0 <= fail_rate <= 1.0:
                raise ValueError("fail_rate must be between 0 and 1")
            self._fail_rate = float(fail_rate)
        if seed is not None:
            self._seed = int(seed)
        if quota is not None or window is not None:
            if quota is not None:
                if quota < 0:
                    raise ValueError("quota must be >= 0")
                self._quota = int(quota)
            if window is not None:
                if window <= 0:
                    raise ValueError("window must be > 0")
                self._window = float(window)
            self._buckets.clear()
        if behaviors is not None:
            self._behaviors = {key: _validate_behavior(value) for key, value in behaviors.items()}

    def config(self) -> dict[str, Any]:
        """The current settings, as JSON-ready data."""
        return {
            "latency": self._latency,
            "quota": self._quota,
            "window": self._window,
            "fail_rate": self._fail_rate,
            "seed": self._seed,
            "behaviors": dict(self._behaviors),
            "models": len(self._repos),
        }

    @property
    def stats(self) -> SimulatorStats:
        """The live counters (mutated as requests arrive; ``.copy()`` for a snapshot)."""
        return self._stats

    def reset_stats(self) -> None:
        """Forget all counters, the quota used and the fault-injection history."""
        stats = SimulatorStats()
        stats.open_connections = self._stats.open_connections
        stats.in_flight = self._stats.in_flight
        self._stats = stats
        self._buckets.clear()
        self._attempts.clear()

    @property
    def port(self) -> int:
        """The bound port (the real one once started with ``port=0``)."""
        return self._port

    @property
    def host(self) -> str:
        """The bound host."""
        return self._host

    @property
    def url(self) -> str:
        """The endpoint to give a client, e.g. ``http://127.0.0.1:54321``."""
        if self._listener is None:
            raise RuntimeError("the simulator is not started")
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self._port}"

    # -- lifecycle ----------------------------------------------------------------

    async def start(self) -> None:
        """Bind and start serving in the background of the current task.

        ``aclose`` must be awaited by the same task: the connections run in a task group
        this task opens (``async with`` does both).
        """
        if self._listener is not None:
            raise RuntimeError("the simulator is already started")
        listener = await anyio.create_tcp_listener(
            local_host=self._host, local_port=self._port, backlog=1024
        )
        connections = anyio.create_task_group()
        await connections.__aenter__()
        self._listener, self._connections = listener, connections
        self._port = listener.extra(SocketAttribute.local_port)
        self._started_at = time.monotonic()
        connections.start_soon(listener.serve, self._serve_connection, connections)

    async def aclose(self) -> None:
        """Stop serving and drop every open connection (hanging ones included)."""
        listener, connections = self._listener, self._connections
        self._listener = self._connections = None
        if listener is None or connections is None:
            return
        connections.cancel_scope.cancel()
        await connections.__aexit__(None, None, None)
        await listener.aclose()

    async def __aenter__(self) -> HubSimulator:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # -- connections --------------------------------------------------------------

    async def _serve_connection(self, writer: SocketStream) -> None:
        reader = BufferedByteReceiveStream(writer)
        stats = self._stats
        stats.connections += 1
        stats.open_connections += 1
        stats.max_open_connections = max(stats.max_open_connections, stats.open_connections)
        try:
            while True:
                try:
                    request = await self._read_request(reader, writer)
                except _BadRequest as exc:
                    await self._send(writer, "GET", _error(exc.status, str(exc)), False)
                    break
                if request is None or not await self._handle(request, reader, writer):
                    break
        except _CONNECTION_ENDED:
            pass  # the client went away or broke framing: nothing more to answer
        except Exception:
            logger.exception("simulator connection failed")
        finally:
            # Cancellation (shutdown) passes through: anyio needs it to end the task group.
            self._stats.open_connections -= 1
            with anyio.CancelScope(shield=True):
                await writer.aclose()

    async def _read_request(
        self, reader: BufferedByteReceiveStream, writer: SocketStream
    ) -> _Request | None:
        try:
            head = await reader.receive_until(b"\r\n\r\n", _MAX_HEAD_BYTES)
        except anyio.IncompleteRead:
            if reader.buffer.strip():
                raise _BadRequest(400, "incomplete request head") from None
            return None  # a clean close between requests
        except anyio.DelimiterNotFound:
            raise _BadRequest(431, "request head too large") from None
        lines = head.decode("latin-1").lstrip("\r\n").split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            raise _BadRequest(400, "malformed request line")
        method, target, version = parts
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if not sep or not name or name != name.strip():
                raise _BadRequest(400, "malformed header line")
            key = name.lower()
            value = value.strip()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        connection = headers.get("connection", "").lower()
        keep_alive = (
            "close" not in connection if version == "HTTP/1.1" else "keep-alive" in connection
        )
        await self._discard_body(reader, writer, headers)
        if target.startswith(("http://", "https://")):
            # absolute-form (proxies): keep only the path and query
            target = "/" + target.split("/", 3)[-1] if target.count("/") >= 3 else "/"
        raw_path, _, query_string = target.partition("?")
        return _Request(
            method=method.upper(),
            target=target,
            path=unquote(raw_path),
            query_string=query_string,
            query=parse_qsl(query_string, keep_blank_values=True),
            headers=headers,
            keep_alive=keep_alive,
        )

    async def _discard_body(
        self, reader: BufferedByteReceiveStream, writer: SocketStream, headers: dict[str, str]
    ) -> None:
        # Bodies are ignored, but must be read to keep the connection's framing.
        if headers.get("expect", "").lower() == "100-continue":
            await writer.send(b"HTTP/1.1 100 Continue\r\n\r\n")
        if "chunked" in headers.get("transfer-encoding", "").lower():
            total = 0
            while True:
                size_line = await reader.receive_until(b"\r\n", _MAX_HEAD_BYTES)
                try:
                    size = int(size_line.split(b";", 1)[0].strip(), 16)
                except ValueError:
                    raise _BadRequest(400, "malformed chunk size") from None
                if size == 0:
                    while await reader.receive_until(b"\r\n", _MAX_HEAD_BYTES):
                        pass  # trailers
                    return
                total += size
                if total > _MAX_BODY_BYTES:
                    raise _BadRequest(413, "request body too large")
                await reader.receive_exactly(size + 2)
        length = headers.get("content-length")
        if length is not None:
            size = _integer(length, "malformed Content-Length")
            if size < 0:
                raise _BadRequest(400, "malformed Content-Length")
            if size > _MAX_BODY_BYTES:
                raise _BadRequest(413, "request body too large")
            if size:
                await reader.receive_exactly(size)

    async def _handle(
        self, request: _Request, reader: BufferedByteReceiveStream, writer: SocketStream
    ) -> bool:
        """Answer one request; return whether the connection stays open."""
        if request.path.startswith("/_sim/"):
            response = self._control(request)
            await self._send(writer, request.method, response, request.keep_alive)
            return request.keep_alive
        stats = self._stats
        stats.requests += 1
        stats.in_flight += 1
        stats.max_in_flight = max(stats.max_in_flight, stats.in_flight)
        auth_seen = stats.authorizations_by_host.setdefault(request.headers.get("host", ""), set())
        if "authorization" in request.headers:
            auth_seen.add(request.headers["authorization"])
        if request.path.rstrip("/") == "/api/models":
            # Counted on arrival, so throttled and failed attempts show as extra requests.
            stats.listing_requests += 1
            for value in dict.fromkeys(v for k, v in request.query if k == "filter"):
                stats.listings_by_filter[value] += 1
        try:
            if self._latency > 0:
                await anyio.sleep(self._latency)
            limit_headers, reset_in = self._take_quota(request)
            if reset_in is not None:
                response = _Response(
                    429,
                    b'{"error":"You have exceeded our rate limit. Retry later."}',
                    (("Retry-After", str(reset_in)),),
                )
            else:
                response = self._route(request)
            if response.mode == "hang":
                await self._hang(reader)
                return False
            # The stats object may have been replaced by a reset while we slept.
            self._stats.by_status[response.status] += 1
            if response.status == 429:
                self._stats.rate_limited += 1
            await self._send(writer, request.method, response, request.keep_alive, limit_headers)
            return request.keep_alive
        finally:
            self._stats.in_flight -= 1

    async def _send(
        self,
        writer: SocketStream,
        method: str,
        response: _Response,
        keep_alive: bool,
        extra_headers: Sequence[tuple[str, str]] = (),
    ) -> None:
        item, count = _huge_item(self._huge_size)
        length = 1 + count * (len(item) + 1) if response.mode == "huge" else len(response.body)
        lines = [
            f"HTTP/1.1 {response.status} {_reason(response.status)}",
            f"Server: {_SERVER}",
            f"Content-Type: {response.content_type}",
            f"Content-Length: {length}",
            f"Connection: {'keep-alive' if keep_alive else 'close'}",
        ]
        lines += [f"{name}: {value}" for name, value in (*response.headers, *extra_headers)]
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        if method == "HEAD":
            await writer.send(head)
        elif response.mode == "huge":
            # A valid JSON array, so a client without a size cap really tries to parse it.
            await writer.send(head + b"[")
            unit = item + b","
            per_chunk = max(1, 65536 // len(unit))
            chunk = unit * per_chunk
            remaining = count - 1
            while remaining > 0:
                n = min(per_chunk, remaining)
                await writer.send(chunk if n == per_chunk else unit * n)
                remaining -= n
            await writer.send(item + b"]")
        elif response.mode == "slow_drip":
            await writer.send(head)
            for offset in range(len(response.body)):
                await anyio.sleep(self._drip_interval)
                await writer.send(response.body[offset : offset + 1])
        else:
            await writer.send(head + response.body)

    @staticmethod
    async def _hang(reader: BufferedByteReceiveStream) -> None:
        # Never answer, but notice when the client gives up so the socket is freed.
        with contextlib.suppress(anyio.EndOfStream):
            while await reader.receive(65536):
                pass

    # -- policy -------------------------------------------------------------------

    def _take_quota(self, request: _Request) -> tuple[list[tuple[str, str]], int | None]:
        """Count the request; return the rate-limit headers and, when over quota,
        the seconds until the window resets (else ``None``)."""
        now = time.monotonic()
        elapsed = max(0.0, now - self._started_at)
        window_index = int(elapsed // self._window)
        reset_in = self._started_at + (window_index + 1) * self._window - now
        key = request.headers.get("authorization", "")
        bucket = self._buckets.get(key)
        if bucket is None or bucket[0] != window_index:
            bucket = self._buckets[key] = [window_index, 0]
        bucket[1] += 1
        allowed = bucket[1] <= self._quota
        remaining = max(0, self._quota - bucket[1])
        seconds = max(1, math.ceil(reset_in))
        window = int(self._window) if float(self._window).is_integer() else self._window
        headers = [
            ("RateLimit", f'"api";r={remaining};t={seconds}'),
            ("RateLimit-Policy", f'"fixed window";"api";q={self._quota};w={window}'),
        ]
        return headers, None if allowed else seconds

    def _route(self, request: _Request) -> _Response:
        path = request.path.rstrip("/") or "/"
        if not path.startswith("/api/models"):
            return _error(404, "Not Found")
        if request.method not in ("GET", "HEAD"):
            return _error(405, "Method Not Allowed")
        token = request.token
        if token is not None and self._valid_tokens is not None and token not in self._valid_tokens:
            message = "Invalid credentials in Authorization header"
            return _json_response(401, {"error": message}, [("X-Error-Message", message)])
        if path == "/api/models":
            return self._listing(request)
        if not path.startswith("/api/models/"):
            return _error(404, "Not Found")
        repo_id = path[len("/api/models/") :]
        auth_check = repo_id.endswith("/auth-check")
        if auth_check:
            repo_id = repo_id[: -len("/auth-check")]
        return self._repo_endpoint(request, repo_id, auth_check)

    def _listing(self, request: _Request) -> _Response:
        filters = [value for key, value in request.query if key == "filter"]
        for value in filters:
            behavior = self._behaviors.get(value)
            if behavior is not None:
                return self._behave(behavior, request, lambda: self._listing_page(request))
        fault = self._draw_fault(request.query_string)
        if fault is not None:
            self._stats.injected_faults += 1
            return fault
        return self._listing_page(request)

    def _listing_page(self, request: _Request) -> _Response:
        cached = self._listing_cache.get(request.query_string)
        if cached is not None:
            return cached
        try:
            response = self._build_listing(request)
        except _BadRequest as exc:
            response = _error(exc.status, str(exc))
        if len(self._listing_cache) >= _LISTING_CACHE_SIZE:
            self._listing_cache.clear()
        self._listing_cache[request.query_string] = response
        return response

    def _build_listing(self, request: _Request) -> _Response:
        params = request.query
        filters = list(dict.fromkeys(value for key, value in params if key == "filter"))
        expand = [value for key, value in params if key in ("expand[]", "expand")]
        unknown = [value for value in expand if value not in EXPANDABLE_FIELDS]
        if unknown:
            raise _BadRequest(
                400,
                f'"expand" must be one of {sorted(EXPANDABLE_FIELDS)}; got {unknown[0]!r}',
            )
        raw_limit = request.last("limit")
        limit = _DEFAULT_LIMIT
        if raw_limit is not None:
            limit = _integer(raw_limit, '"limit" must be a number')
            if limit < 1:
                raise _BadRequest(400, '"limit" must be a positive number')
            limit = min(limit, _MAX_LIMIT)
        offset = 0
        cursor = request.last("cursor")
        if cursor is not None:
            offset = _decode_cursor(cursor)
        if filters:
            candidates = min((self._by_tag.get(tag, []) for tag in filters), key=len)
            wanted = frozenset(filters)
            repos = [repo for repo in candidates if wanted <= repo.tagset]
        else:
            repos = list(self._public)
        search = request.last("search")
        if search:
            needle = search.lower()
            repos = [repo for repo in repos if needle in repo.id.lower()]
        author = request.last("author")
        if author:
            repos = [repo for repo in repos if repo.id.split("/", 1)[0] == author]
        sort = request.last("sort")
        if sort in ("downloads", "likes"):
            # The Hub sorts descending whatever ``direction`` says; ties by id for stable pages.
            repos.sort(key=lambda repo: repo.id)
            repos.sort(key=lambda repo: getattr(repo, sort), reverse=True)
        elif sort == "lastModified":
            repos.sort(key=lambda repo: (repo.last_modified, repo.id), reverse=True)
        page = repos[offset : offset + limit]
        body = [repo.listing_item(expand) for repo in page]
        headers: list[tuple[str, str]] = []
        if offset + limit < len(repos):
            next_query = [(k, v) for k, v in params if k != "cursor"]
            next_query.append(("cursor", _encode_cursor(offset + limit)))
            link = f"{self.url}/api/models?{urlencode(next_query)}"
            headers.append(("Link", f'<{link}>; rel="next"'))
        return _json_response(200, body, headers)

    def _draw_fault(self, query_string: str) -> _Response | None:
        if self._fail_rate <= 0.0:
            return None
        # The n-th request for one query fails or not whatever else runs concurrently.
        attempt = self._attempts[query_string]
        self._attempts[query_string] = attempt + 1
        rng = random.Random(f"{self._seed}\0{query_string}\0{attempt}")
        if rng.random() >= self._fail_rate:
            return None
        status = rng.choice(FAULT_STATUSES)
        if status == 429:
            return _Response(
                429,
                b'{"error":"You have exceeded our rate limit. Retry later."}',
                (("Retry-After", "1"),),
            )
        if status == 502:
            # Gateways answer in HTML, not JSON.
            return _Response(
                502, b"<html><body><h1>502 Bad Gateway</h1></body></html>", (), "text/html"
            )
        if status == 503:
            return _Response(503, b'{"error":"Service Unavailable"}', (("Retry-After", "1"),))
        return _error(500, "Internal Error - We're working hard to fix this as soon as possible!")

    def _behave(
        self, behavior: str, request: _Request, normal: Callable[[], _Response]
    ) -> _Response:
        """The hostile answer ``behavior``; ``normal`` makes the honest one (for slow_drip)."""
        if behavior == "not_json":
            return _Response(200, b"<!DOCTYPE html><html><body>Hugging Face</body></html>")
        if behavior == "wrong_shape":
            return _json_response(200, {"models": 1})
        if behavior == "huge":
            return _Response(200, mode="huge")
        if behavior == "slow_drip":
            honest = normal()
            return _Response(honest.status, honest.body, honest.headers, mode="slow_drip")
        if behavior == "redirect":
            # Another host: a client must not follow it with the token, or at all.
            location = f"http://127.0.0.2:{self._port}{request.target}"
            return _Response(302, b"", (("Location", location),), "text/plain")
        if behavior == "hang":
            return _Response(0, mode="hang")
        match = _STATUS_BEHAVIOR.fullmatch(behavior)
        if match is None:  # pragma: no cover - behaviours are validated when set
            raise ValueError(behavior)
        status = int(match.group(1))
        code = match.group(2) or _DEFAULT_ERROR_CODES.get(status)
        response = _error(status, f"simulated {status} {_reason(status)}", code)
        if status in (429, 503):
            response = _Response(status, response.body, (*response.headers, ("Retry-After", "1")))
        return response

    def _repo_endpoint(self, request: _Request, repo_id: str, auth_check: bool) -> _Response:
        canonical = self._redirects.get(repo_id)
        if canonical is not None:
            location = f"/api/models/{canonical}" + ("/auth-check" if auth_check else "")
            return _Response(307, b"", (("Location", location),), "text/plain")
        repo = self._repos.get(repo_id)
        behavior = self._behaviors.get(repo_id) or (repo.behavior if repo else None)
        if behavior is not None:
            return self._behave(
                behavior, request, lambda: self._repo_answer(request, repo, auth_check)
            )
        return self._repo_answer(request, repo, auth_check)

    def _repo_answer(self, request: _Request, repo: _Repo | None, auth_check: bool) -> _Response:
        token = request.token
        if repo is None or (repo.private and token not in repo.approved_tokens):
            if token is None:
                # The Hub does not tell an anonymous caller whether a repo exists.
                return _error(401, "Invalid username or password.", "RepoNotFound")
            return _error(404, "Repository not found", "RepoNotFound")
        if not auth_check:
            return _json_response(200, repo.metadata())
        if repo.gated is False:
            return _json_response(200, {"ok": True})
        if token is None:
            return _error(
                401,
                f"Access to model {repo.id} is restricted. You must have access to it and "
                "be authenticated to access it. Please log in.",
                "GatedRepo",
            )
        if token not in repo.approved_tokens:
            return _error(
                403,
                f"Access to model {repo.id} is restricted and you are not in the authorized "
                f"list. Visit https://huggingface.co/{repo.id} to ask for access.",
                "GatedRepo",
            )
        return _json_response(200, {"ok": True})

    def _control(self, request: _Request) -> _Response:
        route = (request.method, request.path.rstrip("/"))
        if route == ("GET", "/_sim/stats"):
            return _json_response(200, self._stats.to_dict())
        if route == ("POST", "/_sim/reset"):
            self.reset_stats()
            return _json_response(200, {"reset": True})
        if route == ("GET", "/_sim/config"):
            return _json_response(200, self.config())
        if route == ("POST", "/_sim/config"):
            # Settings come as query parameters because request bodies are ignored.
            try:
                self.configure(**_config_params(request))
            except (TypeError, ValueError) as exc:
                return _error(400, str(exc))
            return _json_response(200, self.config())
        return _error(404, "Not Found")


def _redirects(raw: Any) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) and k and v for k, v in raw.items()
    ):
        raise ValueError("a fixture's 'redirects' maps repo ids to repo ids")
    return dict(raw)


def _config_params(request: _Request) -> dict[str, Any]:
    converters: dict[str, Callable[[str], Any]] = {
        "latency": float,
        "quota": int,
        "window": float,
        "fail_rate": float,
        "seed": int,
    }
    params: dict[str, Any] = {}
    for key, value in request.query:
        if key not in converters:
            raise ValueError(f"unknown setting {key!r}")
        params[key] = converters[key](value)
    return params


def _huge_item(size: int) -> tuple[bytes, int]:
    """One listing item of the ``huge`` body and how many of them make ``size`` bytes."""
    item = json.dumps(
        {"_id": "0" * 24, "id": "sim/huge", "downloads": 0, "tags": ["x" * 120]},
        separators=(",", ":"),
    ).encode()
    return item, max(1, (size - 1) // (len(item) + 1))


def _encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, value = text.partition(":")
        offset = int(value)
    except ValueError:
        raise _BadRequest(400, "Invalid cursor") from None
    if kind != "o" or offset < 0:
        raise _BadRequest(400, "Invalid cursor")
    return offset


# --------------------------------------------------------------------------- threads

_P = ParamSpec("_P")
_START_TIMEOUT: Final = 30.0


class ThreadedHubSimulator:
    """A ``HubSimulator`` served by its own event loop in a daemon thread.

    Made by ``run_in_thread``; usable as a context manager (stops on exit).
    ``stats`` is a snapshot taken on the server's loop, so it is safe to read here.
    """

    def __init__(self, sim: HubSimulator) -> None:
        self._sim_to_serve = sim
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_event: asyncio.Event | None = None
        self._sim: HubSimulator | None = None
        self._error: BaseException | None = None
        self._final_stats: SimulatorStats | None = None
        self._thread = threading.Thread(target=self._run, name="hub-simulator", daemon=True)

    def _start(self, timeout: float) -> None:
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError("the Hub simulator did not start in time")
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # handed to the starting thread, never lost
            self._error = exc
            self._ready.set()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop_event = asyncio.Event()
        async with self._sim_to_serve as sim:
            self._sim = sim
            self._ready.set()
            await self._stop_event.wait()
            self._final_stats = sim.stats.copy()

    def _call(self, function: Callable[[HubSimulator], _T]) -> _T:
        loop, sim = self._loop, self._sim
        if loop is None or sim is None or not self._thread.is_alive():
            raise RuntimeError("the simulator is not running")

        async def call() -> _T:
            return function(sim)

        return asyncio.run_coroutine_threadsafe(call(), loop).result(timeout=30)

    @property
    def url(self) -> str:
        """The endpoint to give a client."""
        if self._sim is None:
            raise RuntimeError("the simulator is not started")
        return self._sim.url

    @property
    def port(self) -> int:
        """The bound port."""
        if self._sim is None:
            raise RuntimeError("the simulator is not started")
        return self._sim.port

    @property
    def stats(self) -> SimulatorStats:
        """A snapshot of the counters (the final ones once stopped)."""
        if self._final_stats is not None and not self._thread.is_alive():
            return self._final_stats.copy()
        return self._call(lambda sim: sim.stats.copy())

    def reset_stats(self) -> None:
        """Forget all counters, the quota used and the fault-injection history."""
        self._call(lambda sim: sim.reset_stats())

    def configure(self, **settings: Any) -> None:
        """Change settings of the running simulator (see ``HubSimulator.configure``)."""
        self._call(lambda sim: sim.configure(**settings))

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving and wait for the thread; calling it twice is harmless."""
        loop, stop_event = self._loop, self._stop_event
        if loop is not None and stop_event is not None and self._thread.is_alive():
            # RuntimeError: the loop closed meanwhile, so the thread is finishing anyway.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(stop_event.set)
        if self._thread.is_alive():
            self._thread.join(timeout)

    def __enter__(self) -> ThreadedHubSimulator:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _threaded(make: Callable[_P, HubSimulator]) -> Callable[_P, ThreadedHubSimulator]:
    # run_in_thread takes exactly HubSimulator's arguments, typed, without repeating them.
    def run_in_thread(*args: _P.args, **kwargs: _P.kwargs) -> ThreadedHubSimulator:
        """Start a ``HubSimulator`` in a background thread and return once it listens.

        For synchronous code and pytest fixtures::

            with run_in_thread(quota=5) as sim:
                httpx.get(f"{sim.url}/api/models")

        The arguments are those of ``HubSimulator``; bad ones raise here, before any
        thread starts. Call ``.stop()`` (or leave the ``with`` block) to shut it down.
        """
        handle = ThreadedHubSimulator(make(*args, **kwargs))
        handle._start(_START_TIMEOUT)
        return handle

    return run_in_thread


run_in_thread = _threaded(HubSimulator)
