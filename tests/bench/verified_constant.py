"""The real service with the skill swapped for a constant answer: certificate, signature,
timestamp and skill-id checks, JSON parsing, the request log and aiohttp, and nothing else.

What this reaches is the ceiling for goal 1: no handler code, however fast, can take the service
past it. Run like `heroin-help serve`: `python -m tests.bench.verified_constant serve ...`.
"""

from __future__ import annotations

import sys
from typing import Any

import orjson
from aiohttp import web

from skill.app import create_app
from skill.cli import build_parser
from skill.server import serve
from skill.settings import Settings

ANSWER = orjson.dumps(
    {"version": "1.0", "response": {"outputSpeech": {"type": "PlainText", "text": "ok"}}}
)


class ConstantSkill:
    def answer(
        self, envelope: dict[str, Any], context: Any = None, notes: list[str] | None = None
    ) -> bytes:
        return ANSWER


def create_constant_app(settings: Settings) -> web.Application:
    return create_app(settings, skill=ConstantSkill())


def main() -> int:
    args = build_parser().parse_args()
    settings = Settings(
        skill_id=args.skill_id, trust_root=args.trust_root, cert_chain=args.cert_chain
    )
    return serve(settings, args.host, args.port, app_factory=create_constant_app, loop=args.loop)


if __name__ == "__main__":
    sys.exit(main())
