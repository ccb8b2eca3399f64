"""The real service with the skill swapped for a constant answer: certificate, signature,
timestamp and skill-id checks, JSON parsing, the request log and aiohttp, and nothing else.

What this reaches is the ceiling for goal 1: no handler code, however fast, can take the service
past it. Run like `heroin-help serve`: `python -m tests.bench.verified_constant serve ...`.
"""

from __future__ import annotations

import sys
from typing import Any

from aiohttp import web

import skill.server
from skill.app import SKILL, Settings, create_app
from skill.cli import main

ANSWER = {"version": "1.0", "response": {"outputSpeech": {"type": "PlainText", "text": "ok"}}}


class ConstantSkill:
    def handle(self, envelope: dict[str, Any], context: Any = None) -> dict[str, Any]:
        return ANSWER


def create_constant_app(settings: Settings) -> web.Application:
    app = create_app(settings)
    app[SKILL] = ConstantSkill()  # type: ignore[assignment]
    return app


if __name__ == "__main__":
    skill.server.create_app = create_constant_app  # type: ignore[assignment]
    sys.exit(main())
