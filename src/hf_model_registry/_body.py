"""Reading a response body within a byte cap, decoding it as it streams.

httpx decodes a whole network chunk before its caller can count the bytes, and
applies stacked encodings (``Content-Encoding: gzip, gzip``) one after another:
a few kB on the wire can expand to gigabytes before any cap is checked. Here the
raw bytes go through zlib with ``max_length``, so no decoding step ever produces
more than what is left of the cap (plus one byte, to tell "exactly the cap" from
"over it"). Only the encodings this client asks for are accepted, one at a time.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator

from ._errors import HubResponseError, safe_repr

__all__ = ["ACCEPT_ENCODING", "read_capped"]

# What the client announces; the Hub (and any sane mirror) answers with one of these.
ACCEPT_ENCODING = "gzip, deflate"
_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}


class _Inflater:
    """One zlib stream, decoded in steps of at most ``limit`` bytes."""

    def __init__(self, encoding: str) -> None:
        self._deflate = encoding == "deflate"
        self._started = False
        self._inflater = zlib.decompressobj(_WBITS[encoding])

    def step(self, data: bytes, limit: int) -> tuple[bytes, bytes]:
        """Decode at most ``limit`` bytes of ``data``; return (output, input left over)."""
        try:
            out = self._inflater.decompress(data, limit)
        except zlib.error:
            if not (self._deflate and not self._started):
                raise
            # "deflate" is zlib-wrapped by the RFC, raw by some servers: httpx tries both.
            self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
            out = self._inflater.decompress(data, limit)
        self._started = True
        return out, self._inflater.unconsumed_tail


def _encoding(header: str | None) -> str | None:
    codings = [c.strip().lower() for c in (header or "").split(",")]
    codings = [c for c in codings if c and c != "identity"]
    if not codings:
        return None
    if len(codings) > 1:
        raise HubResponseError(f"stacked content encodings are refused: {safe_repr(header)}")
    if codings[0] not in _WBITS:
        raise HubResponseError(f"unsupported content encoding {safe_repr(header)}")
    return codings[0]


async def read_capped(
    raw: AsyncIterator[bytes], content_encoding: str | None, cap: int, *, status_code: int
) -> bytes:
    """The decoded body from the raw byte stream; ``HubResponseError`` past ``cap`` bytes.

    At most ``cap + 1`` decoded bytes are ever held, whatever the compression ratio.
    """
    try:
        encoding = _encoding(content_encoding)
    except HubResponseError as exc:
        raise HubResponseError(str(exc), status_code=status_code) from None
    inflater = None if encoding is None else _Inflater(encoding)
    parts: list[bytes] = []
    size = 0

    def keep(part: bytes) -> None:
        nonlocal size
        size += len(part)
        if size > cap:
            what = "decoded response body" if inflater is not None else "response body"
            raise HubResponseError(f"{what} exceeds the {cap}-byte cap", status_code=status_code)
        if part:
            parts.append(part)

    async for chunk in raw:
        if inflater is None:
            keep(chunk)
            continue
        pending = chunk
        while pending:
            try:
                out, pending = inflater.step(pending, cap - size + 1)
            except zlib.error:
                raise HubResponseError(
                    f"undecodable {encoding} response body", status_code=status_code
                ) from None
            keep(out)
            if not out and pending:  # zlib made no progress: never loop on it
                raise HubResponseError(
                    f"undecodable {encoding} response body", status_code=status_code
                )
    return b"".join(parts)
