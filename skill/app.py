"""The Alexa endpoint as an aiohttp application.

Every request is verified as Amazon requires before any handler runs. Every signed request gets a
deliberate answer: the skill's, or a short JSON 4xx with a fixed reason; the next request is served
as if nothing happened. The cheap checks come first (size, JSON, bounds, shape, timestamp, skill
id), so a request that fails them never costs a certificate download or an RSA verification.

Each answer carries a `Record` for the request log and the metrics, which are written after the
answer is sent (see skill.requestlog and skill.transport).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from typing import Any

import orjson
from aiohttp import web

from intents.names import INTENTS, REQUEST_TYPES
from intents.skill import Skill, UnreadableRequest
from skill import envelope, metrics
from skill.certs import CertificateStore
from skill.envelope import UNKNOWN, Summary, summarize, utc_now
from skill.errors import EnvelopeError, InternalError, Rejected
from skill.limits import MAX_BODY_BYTES, check_bounds, parse_json, read_body
from skill.requestlog import ALEXA, HEALTH, NONE, RECORD, Record
from skill.settings import Settings
from skill.signature import SignatureVerifier
from skill.stores import Store, open_store

log = logging.getLogger("heroin_help.app")
HEALTHY = Record(HEALTH)
NOT_FOUND = Record(NONE, reason="not found")
USE_POST = Record(ALEXA, reason="use POST")


class Endpoint:
    """What the Alexa endpoint needs: the checks, the skill, and the body timeout."""

    def __init__(
        self,
        settings: Settings,
        skill: Any,
        body_timeout: float,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.skill_id = settings.skill_id
        self.skill = skill  # anything with Skill.answer's signature (the bench swaps in a constant)
        self.body_timeout = body_timeout
        self.clock = clock
        self.signature: SignatureVerifier | None = None  # set once the certificate store runs


ENDPOINT = web.AppKey("endpoint", Endpoint)


def create_app(
    settings: Settings,
    *,
    skill: Any = None,
    certificates: CertificateStore | None = None,
    store: Store | None = None,
) -> web.Application:
    """The service. `skill`, `certificates` and `store` replace the real ones in tests and
    benchmarks; by default the skill is built and its content loaded now, not on a request, and
    the guide store is the one `settings.store` names (opened on first use, so in each worker
    after the fork). The app closes the store when it stops."""
    if store is None and settings.store is not None:
        # The one place the service opens its guide store; its failures are counted in /metrics.
        store = open_store(settings.store, on_error=lambda operation: metrics.store_error())
    # No middleware: each one wraps every request in another coroutine; the endpoint handles its
    # own errors, and catch-all routes give JSON 404 and 405 answers.
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    body_timeout = settings.limits.body_timeout
    app[ENDPOINT] = endpoint = Endpoint(settings, skill or Skill(store=store), body_timeout)

    async def certificate_store(app: web.Application) -> AsyncIterator[None]:
        store = certificates or CertificateStore.from_files(
            settings.trust_root, settings.cert_chain
        )
        endpoint.signature = SignatureVerifier(store)
        yield
        await store.close()

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


def front_door(app: web.Application) -> Callable[[web.BaseRequest], Awaitable[web.StreamResponse]]:
    """The app's handler for aiohttp's low-level `web.Server` (skill.server serves it): an Alexa
    request, POST /, goes straight to the endpoint; anything else through the app's router, as
    before. An Alexa request so skips what the router adds to every request: resolving the route,
    freezing its match info, wrapping the handler. It relies on two internals of aiohttp 3's
    Application, named here: `_make_request` (the server must make the app's requests, with its
    body limit) and `_handle` (the router)."""
    endpoint = app[ENDPOINT]
    routed = app._handle

    async def handle(request: web.BaseRequest) -> web.StreamResponse:
        if request.method == "POST" and request.path == "/":
            return await answer_alexa(endpoint, request)
        response: web.StreamResponse = await routed(request)  # type: ignore[arg-type]
        return response

    return handle


async def alexa_endpoint(request: web.Request) -> web.Response:
    return await answer_alexa(request.app[ENDPOINT], request)


async def answer_alexa(endpoint: Endpoint, request: web.BaseRequest) -> web.Response:
    """Verify an Alexa request, then answer it (see the module docstring)."""
    summary = UNKNOWN
    notes: list[str] = []
    try:
        body = await read_body(request, endpoint.body_timeout)
        parsed = parse_json(body)
        check_bounds(body, parsed)
        summary = summarize(parsed, REQUEST_TYPES, INTENTS)
        envelope.check(parsed, endpoint.clock(), endpoint.skill_id)
        assert endpoint.signature is not None, "the certificate store starts with the app"
        await endpoint.signature.verify(request.headers, body)
        answer = endpoint.skill.answer(parsed, None, notes)
    except Rejected as rejection:
        return refusal(rejection, summary, notes)
    except UnreadableRequest:
        return refusal(EnvelopeError("request fields have the wrong types"), summary, notes)
    except Exception:  # a bug of ours: answer plainly; the operator gets a content-free trace
        log.exception("unexpected error answering an Alexa request")
        return refusal(InternalError("internal error"), summary, notes)
    response = web.Response(body=answer, content_type="application/json")
    response[RECORD] = Record(ALEXA, summary, None, notes)
    return response


def refusal(rejection: Rejected, summary: Summary, notes: list[str]) -> web.Response:
    response = error_response(rejection.status, rejection.reason)
    response[RECORD] = Record(ALEXA, summary, rejection.reason, notes)
    if rejection.status in (408, 413):
        response.force_close()  # the rest of the body is still on its way, or never will be
    return response


def error_response(status: int, reason: str) -> web.Response:
    return web.Response(
        status=status, body=orjson.dumps({"error": reason}), content_type="application/json"
    )


async def healthz(request: web.Request) -> web.Response:
    response = web.json_response({"status": "ok"})
    response[RECORD] = HEALTHY
    return response


async def method_not_allowed(request: web.Request) -> web.Response:
    response = error_response(405, "use POST")
    response[RECORD] = USE_POST
    return response


async def not_found(request: web.Request) -> web.Response:
    response = error_response(404, "not found")
    response[RECORD] = NOT_FOUND
    return response
