"""What one request may cost before the skill sees it: body size and time, nesting, string length.

Alexa's envelopes are a few KB, about ten levels deep, with no string over a couple of KB. Anything
far outside that is refused with a 400 here, before the SDK's models (which recurse), the session
attribute copy (which recurses) or orjson (which refuses to write past 254 levels) meet it.
"""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
from aiohttp import web

from skill.errors import ClientGone, EnvelopeError, TooLarge, TooSlow

MAX_BODY_BYTES = 256 * 1024
MAX_DEPTH = 64  # objects and arrays inside one another
MAX_STRING = 16 * 1024  # characters in one string or key


async def read_body(request: web.BaseRequest, timeout: float) -> bytes:
    """The whole body, within the size limit and `timeout` seconds."""
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise TooLarge("request body too large")
    try:
        if request.content.is_eof():  # the usual case: the body came with the head; no timer
            return await request.read()
        async with asyncio.timeout(timeout):
            return await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise TooLarge("request body too large") from None
    except TimeoutError:
        raise TooSlow("request body too slow") from None
    except ConnectionError:
        raise ClientGone("client closed the connection") from None


def parse_json(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        raise EnvelopeError("body is not valid JSON") from None


def check_bounds(body: bytes, parsed: Any) -> None:
    """Refuse JSON nested deeper than MAX_DEPTH or holding a string longer than MAX_STRING."""
    # Cheap proofs first, so an ordinary envelope is never walked: a body no longer than the
    # string limit holds no longer string, and one with fewer brackets than the depth limit
    # cannot nest deeper than it (brackets inside strings only make the count safer).
    if len(body) <= MAX_STRING and body.count(b"{") + body.count(b"[") <= MAX_DEPTH:
        return
    _walk(parsed)


def _walk(root: Any) -> None:
    if type(root) is not dict and type(root) is not list:
        if type(root) is str and len(root) > MAX_STRING:
            raise EnvelopeError("request has an oversized string")
        return
    # An explicit stack: recursion is the very thing a deep body would exhaust.
    stack: list[tuple[Any, int]] = [(root, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise EnvelopeError("request nested too deeply")
        items = value.items() if type(value) is dict else enumerate(value)
        for key, item in items:
            if type(key) is str and len(key) > MAX_STRING:
                raise EnvelopeError("request has an oversized string")
            kind = type(item)
            if kind is dict or kind is list:
                stack.append((item, depth + 1))
            elif kind is str and len(item) > MAX_STRING:
                raise EnvelopeError("request has an oversized string")
