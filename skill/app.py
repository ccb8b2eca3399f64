"""The Alexa endpoint as an aiohttp application.

Every request is verified as Amazon requires before any handler runs; every failure is a short
JSON 4xx and one log line, and the next request is served as if nothing happened.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any

import orjson
from aiohttp import web

from intents.skill import Skill
from skill import envelope
from skill.certs import CertificateStore
from skill.envelope import UNKNOWN, Summary, summarize, utc_now
from skill.errors import EnvelopeError, Rejected, TooLarge
from skill.requestlog import RequestLog
from skill.settings import Settings
from skill.signature import SignatureVerifier
from skill.stores import Store, open_store

MAX_BODY_BYTES = 256 * 1024


class InFlight:
    """Counts requests being handled, so shutdown can wait for them.

    aiohttp's own graceful shutdown stops reading from connections at once, which would cut off
    a request whose body is still arriving; we stop accepting first and wait for these instead.
    """

    def __init__(self) -> None:
        self.count = 0
        self._idle = asyncio.Event()
        self._idle.set()

    def enter(self) -> None:
        self.count += 1
        self._idle.clear()

    def leave(self) -> None:
        self.count -= 1
        if self.count == 0:
            self._idle.set()

    async def wait_idle(self, timeout: float) -> bool:
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            return False
        return True


class Endpoint:
    """What the Alexa endpoint needs: the checks, the skill, and where to log."""

    def __init__(
        self,
        settings: Settings,
        skill: Any,
        request_log: RequestLog,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.skill_id = settings.skill_id
        self.skill = skill  # anything with Skill.handle's signature (the bench swaps in a constant)
        self.log = request_log
        self.clock = clock
        self.signature: SignatureVerifier | None = None  # set once the certificate store runs


IN_FLIGHT = web.AppKey("in_flight", InFlight)
ENDPOINT = web.AppKey("endpoint", Endpoint)


def create_app(
    settings: Settings,
    *,
    skill: Any = None,
    request_log: RequestLog | None = None,
    certificates: CertificateStore | None = None,
    store: Store | None = None,
) -> web.Application:
    """The service. `skill`, `request_log`, `certificates` and `store` replace the real ones in
    tests and benchmarks; by default the skill is built and its content loaded now, not on a
    request, and the guide store is the one `settings.store` names (opened on first use, so in
    each worker after the fork). The app closes the store when it stops."""
    if store is None and settings.store is not None:
        # The one place the service opens its guide store: a metrics counter of store
        # failures goes in as open_store's `on_error`.
        store = open_store(settings.store, on_error=None)
    # No middleware: each one wraps every request in another coroutine; the endpoint handles its
    # own errors, and catch-all routes give JSON 404 and 405 answers.
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[IN_FLIGHT] = InFlight()
    app[ENDPOINT] = endpoint = Endpoint(
        settings, skill or Skill(store=store), request_log or RequestLog()
    )

    async def certificate_store(app: web.Application) -> AsyncIterator[None]:
        store = certificates or CertificateStore.from_files(
            settings.trust_root, settings.cert_chain
        )
        endpoint.signature = SignatureVerifier(store)
        yield
        await store.close()
        endpoint.log.flush()

    async def guide_store(app: web.Application) -> AsyncIterator[None]:
        yield
        if store is not None:
            store.close()

    app.cleanup_ctx.append(certificate_store)
    app.cleanup_ctx.append(guide_store)
    app.router.add_post("/", alexa_endpoint)
    app.router.add_route("*", "/", method_not_allowed)
    app.router.add_get("/healthz", healthz)
    app.router.add_route("*", "/{anything:.*}", not_found)
    return app


async def alexa_endpoint(request: web.Request) -> web.Response:
    in_flight = request.app[IN_FLIGHT]
    in_flight.enter()
    try:
        return await answer_alexa(request)
    except Exception:  # a bug of ours: answer plainly, keep the trace for the operator only
        logging.getLogger("heroin_help").exception("unexpected error")
        return error_response(500, "internal error")
    finally:
        in_flight.leave()


async def answer_alexa(request: web.Request) -> web.Response:
    started = time.perf_counter()
    endpoint = request.app[ENDPOINT]
    summary = UNKNOWN
    try:
        body = await read_body(request)
        assert endpoint.signature is not None, "the certificate store starts with the app"
        await endpoint.signature.verify(request.headers, body)
        parsed = parse_json(body)
        summary = summarize(parsed)
        envelope.check(parsed, endpoint.clock(), endpoint.skill_id)
        response = endpoint.skill.handle(parsed)
    except Rejected as rejection:
        log_request(endpoint.log, summary, "rejected", rejection.status, started, rejection.reason)
        return error_response(rejection.status, rejection.reason)
    log_request(endpoint.log, summary, "ok", 200, started)
    return web.Response(body=orjson.dumps(response), content_type="application/json")


async def read_body(request: web.Request) -> bytes:
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise TooLarge("request body too large")
    try:
        return await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise TooLarge("request body too large") from None


def parse_json(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        raise EnvelopeError("body is not valid JSON") from None


def error_response(status: int, reason: str) -> web.Response:
    return web.Response(
        status=status, body=orjson.dumps({"error": reason}), content_type="application/json"
    )


def log_request(
    log: RequestLog,
    summary: Summary,
    outcome: str,
    status: int,
    started: float,
    reason: str | None = None,
) -> None:
    """The request's kind and our outcome; the rejection reason when there is one."""
    log.write(
        type=summary.request_type,
        intent=summary.intent,
        outcome=outcome,
        status=status,
        latency_ms=round((time.perf_counter() - started) * 1000, 3),
        **({"reason": reason} if reason is not None else {}),
    )


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def method_not_allowed(request: web.Request) -> web.Response:
    return error_response(405, "use POST")


async def not_found(request: web.Request) -> web.Response:
    return error_response(404, "not found")
