"""The `heroin-help` command. Each subcommand imports only what it needs, so quick tools such as
`resolve` start fast and nothing here drags aiohttp into places that must not have it."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

SKILL_ID_ENV = "HEROIN_HELP_SKILL_ID"


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    command = getattr(args, "command", None)
    if command is None:
        parser.print_help()
        return 2
    try:
        result: int = command(args)
    except KeyboardInterrupt:
        return 130
    return result


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="heroin-help", description=__doc__)
    sub = parser.add_subparsers()

    serve = sub.add_parser("serve", help="run the Alexa endpoint")
    add_service_options(serve)
    serve.add_argument("--workers", type=int, default=1, help="processes sharing the port")
    serve.add_argument("--cert-fetch-base-url", help=argparse.SUPPRESS)  # tests only
    serve.set_defaults(command=run_serve)
    return parser


def add_service_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument(
        "--skill-id",
        default=os.environ.get(SKILL_ID_ENV) or None,
        help=f"only accept requests for this skill (default: ${SKILL_ID_ENV})",
    )
    parser.add_argument("--trust-root", type=Path, help="local testing: trust this CA (PEM)")
    parser.add_argument(
        "--cert-chain", type=Path, help="local testing: use this signing chain (PEM)"
    )


def run_serve(args: argparse.Namespace) -> int:
    from skill.app import Settings
    from skill.server import configure_logging, serve

    if (args.trust_root is None) != (args.cert_chain is None):
        print("--trust-root and --cert-chain go together", file=sys.stderr)
        return 2
    configure_logging()
    settings = Settings(
        skill_id=args.skill_id,
        trust_root=args.trust_root,
        cert_chain=args.cert_chain,
        cert_fetch_base_url=args.cert_fetch_base_url,
    )
    return serve(settings, args.host, args.port, max(1, args.workers))


if __name__ == "__main__":
    sys.exit(main())
