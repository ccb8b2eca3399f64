"""The Alexa endpoint as an aiohttp application.

Every request is verified as Amazon requires before any handler runs; every failure is a short
JSON 4xx and one log line, and the next request is served as if nothing happened.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import orjson
from aiohttp import web

from intents import Skill
from skill.certs import CertificateStore
from skill.parsing import UNKNOWN, EnvelopeError, Summary, parse_envelope
from skill.requestlog import RequestLog
from skill.verification import RequestVerifier, VerificationError

MAX_BODY_BYTES = 256 * 1024


@dataclass(frozen=True, slots=True)
class Settings:
    skill_id: str | None = None
    trust_root: Path | None = None  # local testing: trust this CA instead of the system store
    cert_chain: Path | None = None  # local testing: use this chain instead of downloading it
    cert_fetch_base_url: str | None = None  # tests: download "s3" certificates from here


@dataclass(frozen=True, slots=True)
class Rejection(Exception):
    status: int
    reason: str


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


IN_FLIGHT = web.AppKey("in_flight", InFlight)
REQUEST_LOG = web.AppKey("request_log", RequestLog)
VERIFIER = web.AppKey("verifier", RequestVerifier)
SKILL = web.AppKey("skill", Skill)


def create_app(settings: Settings, request_log: RequestLog | None = None) -> web.Application:
    # No middleware: each one wraps every request in another coroutine; the endpoint handles its
    # own errors, and catch-all routes give JSON 404 and 405 answers.
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[IN_FLIGHT] = InFlight()
    app[REQUEST_LOG] = request_log or RequestLog()
    app[SKILL] = Skill()  # builds the handlers and loads content now, not on a request

    async def certificates(app: web.Application) -> AsyncIterator[None]:
        store = CertificateStore.from_files(
            settings.trust_root, settings.cert_chain, fetch_base_url=settings.cert_fetch_base_url
        )
        app[VERIFIER] = RequestVerifier(store, settings.skill_id)
        yield
        await store.close()
        app[REQUEST_LOG].flush()

    app.cleanup_ctx.append(certificates)
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
    log = request.app[REQUEST_LOG]
    summary = UNKNOWN
    try:
        body = await read_body(request)
        await request.app[VERIFIER].verify_signature(request.headers, body)
        envelope, summary = parse_envelope(body)
        request.app[VERIFIER].check_envelope(envelope)
        response = request.app[SKILL].handle(envelope)
    except Rejection as rejection:
        return reject(log, rejection, summary, started)
    except (VerificationError, EnvelopeError) as error:
        return reject(log, Rejection(400, str(error)), summary, started)
    log_request(log, summary, "ok", 200, started)
    return web.Response(body=orjson.dumps(response), content_type="application/json")


async def read_body(request: web.Request) -> bytes:
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise Rejection(413, "request body too large")
    try:
        return await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise Rejection(413, "request body too large") from None


def reject(log: RequestLog, rejection: Rejection, summary: Summary, started: float) -> web.Response:
    log_request(log, summary, "rejected", rejection.status, started, rejection.reason)
    return error_response(rejection.status, rejection.reason)


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
