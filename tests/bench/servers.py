"""What the service is measured against, each a process started like `heroin-help serve`
(`python -m tests.bench.servers NAME serve ...`, the service's own arguments), on the event loop
`--loop` names, the same one the service runs on:

    bare      bare aiohttp: parse the JSON body, return a fixed answer. The limit.
    ceiling   bare aiohttp plus the minimal verification Amazon requires (the signature with
              `cryptography`, the certificate URL, the timestamp, the skill id) and a fixed
              answer: the most any verified skill can reach here.
    peer      ask-sdk-core as its documentation builds a skill: this skill's own handlers in a
              CustomSkill from SkillBuilder, DefaultSerializer both ways, the same minimal
              verification, in aiohttp. The naive peer.
    constant  the real service (limits, timeouts, request log, metrics counts) with a fixed
              answer in place of the skill: what everything but the skill costs.
"""

from __future__ import annotations

import asyncio
import base64
import json
import signal
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.x509 import load_pem_x509_certificates

from skill.cli import build_parser
from skill.envelope import MAX_SKEW_SECONDS
from skill.server import LISTENING, bind, listen, loop_factory, serve, url_of
from skill.settings import Settings
from speech.simulator.devpki import DEV_CERT_URL

ANSWER = {"version": "1.0", "response": {"outputSpeech": {"type": "PlainText", "text": "ok"}}}
ANSWER_BYTES = json.dumps(ANSWER).encode()
Handler = Callable[[web.Request], Awaitable[web.Response]]


def bare() -> Handler:
    async def endpoint(request: web.Request) -> web.Response:
        json.loads(await request.read())
        return web.Response(body=ANSWER_BYTES, content_type="application/json")

    return endpoint


class MinimalVerification:
    """The signature, certificate URL, timestamp and skill id; the chain is read once, as any
    verifier caches it."""

    def __init__(self, cert_chain: str, skill_id: str | None) -> None:
        with open(cert_chain, "rb") as chain:
            self.key: Any = load_pem_x509_certificates(chain.read())[0].public_key()
        self.skill_id = skill_id

    def __call__(self, request: web.Request, body: bytes) -> dict[str, Any] | None:
        """The parsed envelope, or None when the request fails a check."""
        if request.headers.get("SignatureCertChainUrl") != DEV_CERT_URL:
            return None
        try:
            signature = base64.b64decode(request.headers["Signature-256"], validate=True)
            self.key.verify(signature, body, padding.PKCS1v15(), hashes.SHA256())
            envelope: dict[str, Any] = json.loads(body)
            sent = datetime.fromisoformat(envelope["request"]["timestamp"])
            application = envelope["context"]["System"]["application"]["applicationId"]
        except Exception:
            return None
        if abs((datetime.now(UTC) - sent).total_seconds()) > MAX_SKEW_SECONDS:
            return None
        if self.skill_id and application != self.skill_id:
            return None
        return envelope


def ceiling(settings: Settings) -> Handler:
    verify = MinimalVerification(str(settings.cert_chain), settings.skill_id)

    async def endpoint(request: web.Request) -> web.Response:
        if verify(request, await request.read()) is None:
            return web.Response(status=400, body=b'{"error":"refused"}')
        return web.Response(body=ANSWER_BYTES, content_type="application/json")

    return endpoint


def peer(settings: Settings) -> Handler:
    from ask_sdk_core.serialize import DefaultSerializer
    from ask_sdk_core.skill_builder import SkillBuilder
    from ask_sdk_model.request_envelope import RequestEnvelope

    from intents.routes import SpeakApology, request_handlers

    builder = SkillBuilder()
    for handler in request_handlers():
        builder.add_request_handler(handler)
    builder.add_exception_handler(SpeakApology())
    skill = builder.create()
    serializer = DefaultSerializer()
    verify = MinimalVerification(str(settings.cert_chain), settings.skill_id)

    async def endpoint(request: web.Request) -> web.Response:
        body = await request.read()
        if verify(request, body) is None:
            return web.Response(status=400, body=b'{"error":"refused"}')
        envelope = serializer.deserialize(body.decode(), RequestEnvelope)
        answer = serializer.serialize(skill.invoke(envelope, None))
        return web.Response(body=json.dumps(answer).encode(), content_type="application/json")

    return endpoint


async def run_app(handler: Handler, host: str, port: int) -> None:
    app = web.Application()
    app.router.add_post("/", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    sock = listen(bind(host, port))
    await web.SockSite(runner, sock).start()
    print(LISTENING.format(url=url_of(sock)), flush=True)
    stopping = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopping.set)
    await stopping.wait()
    await runner.cleanup()


def main(argv: list[str]) -> int:
    name, rest = argv[0], argv[1:]
    args = build_parser().parse_args(rest)
    settings = Settings(
        skill_id=args.skill_id, trust_root=args.trust_root, cert_chain=args.cert_chain
    )
    if name == "constant":
        from tests.bench.verified_constant import create_constant_app

        return serve(
            settings, args.host, args.port, app_factory=create_constant_app, loop=args.loop
        )
    handler = {
        "bare": lambda: bare(),
        "ceiling": lambda: ceiling(settings),
        "peer": lambda: peer(settings),
    }[name]()
    with asyncio.Runner(loop_factory=loop_factory(args.loop)) as runner:
        runner.run(run_app(handler, args.host, args.port))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
