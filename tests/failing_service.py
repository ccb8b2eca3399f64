"""`heroin-help serve` with a skill that always fails, for the tests of what a 500 leaves behind.

Run like `heroin-help serve`: `python -m tests.failing_service serve ...`.
"""

from __future__ import annotations

import sys
from typing import Any

from aiohttp import web

from skill.app import create_app
from skill.cli import build_parser
from skill.server import configure_logging, serve
from skill.settings import Settings

PLANTED = "amzn1.ask.account.PLANTED500"


class FailingSkill:
    def answer(
        self, envelope: dict[str, Any], context: Any = None, notes: list[str] | None = None
    ) -> bytes:
        raise RuntimeError(f"a bug that quotes the request: {PLANTED}")


def create_failing_app(settings: Settings) -> web.Application:
    return create_app(settings, skill=FailingSkill())


def main() -> int:
    args = build_parser().parse_args()
    configure_logging()
    settings = Settings(
        skill_id=args.skill_id, trust_root=args.trust_root, cert_chain=args.cert_chain
    )
    return serve(settings, args.host, args.port, app_factory=create_failing_app)


if __name__ == "__main__":
    sys.exit(main())
