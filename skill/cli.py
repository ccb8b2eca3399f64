"""The `heroin-help` command: the composition root, the one module that may import every layer.

Each subcommand imports only what it needs, when it runs, so quick tools such as `resolve` start
fast, and the service never loads the simulator or the speech engine.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from skill.envelope import SKILL_ID_ENV
from skill.settings import STORE_ENV


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
    add_limit_options(serve)
    serve.add_argument(
        "--metrics-port",
        type=int,
        help="serve Prometheus metrics at /metrics on this port (default: not served)",
    )
    serve.add_argument("--metrics-host", help="address for --metrics-port (default: --host)")
    serve.add_argument(
        "--loop",
        choices=("asyncio", "uvloop"),
        default="asyncio",
        help="the event loop (default asyncio; uvloop must be installed separately)",
    )
    serve.set_defaults(command=run_serve)

    run = sub.add_parser("run", help="start the service with the dev CA and chat with it")
    add_address_options(run)
    add_state_option(run)
    run.add_argument("--no-voice", action="store_true", help="do not speak the answers")
    run.add_argument(
        "--web-port", type=int, default=8081, help="the browser simulator's port (0: any free)"
    )
    run.add_argument("--no-web", action="store_true", help="do not serve the browser simulator")
    run.set_defaults(command=run_local)

    web = sub.add_parser("web", help="the simulator in a browser, and every answer to review")
    add_address_options(web, port=8081)
    web.add_argument("--url", help="a running service that trusts the dev CA (default: start one)")
    add_state_option(web)
    web.set_defaults(command=run_web)

    resolve = sub.add_parser("resolve", help="utterances on stdin -> intents as JSON lines")
    resolve.add_argument("--locale", default="en-US")
    resolve.set_defaults(command=run_resolve)

    chat = sub.add_parser("chat", help="talk to the skill, one line per turn")
    chat.add_argument("--url", help="a running service (default: the skill in this process)")
    chat.add_argument("--locale", default="en-US")
    chat.add_argument("--jsonl", action="store_true", help="one JSON object per turn")
    chat.add_argument("--no-voice", action="store_true", help="do not speak the answers")
    chat.add_argument(
        "--voice-in",
        action="store_true",
        help="speak instead of typing: Enter starts listening (the microphone, push-to-talk)",
    )
    add_state_option(chat)
    add_cache_option(chat)
    chat.set_defaults(command=run_chat)

    listen = sub.add_parser(
        "listen", help="recordings or the microphone -> transcript and intent as JSON lines"
    )
    listen.add_argument(
        "--wav", nargs="+", type=Path, metavar="FILE", help="WAV files (any rate, any channels)"
    )
    listen.add_argument("--locale", default="en-US")
    add_cache_option(listen)
    listen.set_defaults(command=run_listen)

    say = sub.add_parser("say", help="render speech to WAV with espeak-ng")
    say.add_argument("text", nargs="?", help="text or SSML")
    say.add_argument("--all", action="store_true", help="every answer in the content")
    say.add_argument("--out", type=Path, required=True, help="a .wav file, or a folder with --all")
    say.add_argument("--locale", default="en-US")
    say.set_defaults(command=run_say)

    dialogs = sub.add_parser("test-dialogs", help="run YAML conversation scripts")
    dialogs.add_argument("paths", nargs="+", type=Path, help="dialog files, or folders of them")
    dialogs.add_argument("--url", help="a running service (default: the skill in this process)")
    add_state_option(dialogs)
    add_cache_option(dialogs)
    dialogs.set_defaults(command=run_test_dialogs)
    return parser


def add_state_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--state-dir",
        type=Path,
        help="where the development CA and audio are kept "
        "(default: $XDG_STATE_HOME/heroin-help, or ~/.local/state/heroin-help)",
    )


def state(args: argparse.Namespace) -> Path:
    from skill.settings import state_dir

    path: Path = args.state_dir or state_dir()
    path.mkdir(parents=True, exist_ok=True)
    return path


def add_cache_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--cache-dir",
        type=Path,
        help="where the recogniser's language model is built and kept "
        "(default: $XDG_CACHE_HOME/heroin-help/asr, or ~/.cache/heroin-help/asr)",
    )


def add_address_options(parser: argparse.ArgumentParser, port: int = 8080) -> None:
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=port, help=f"default {port}; 0: any free")


def add_service_options(parser: argparse.ArgumentParser) -> None:
    add_address_options(parser)
    parser.add_argument(
        "--skill-id",
        default=os.environ.get(SKILL_ID_ENV) or None,
        help=f"only accept requests for this skill (default: ${SKILL_ID_ENV})",
    )
    parser.add_argument("--trust-root", type=Path, help="local testing: trust this CA (PEM)")
    parser.add_argument(
        "--cert-chain", type=Path, help="local testing: use this signing chain (PEM)"
    )
    parser.add_argument(
        "--store",
        default=os.environ.get(STORE_ENV) or None,
        metavar="URL",
        help="where the overdose guide waits between sessions: sqlite:///ABSOLUTE/PATH or "
        f"dynamodb://TABLE?region=REGION&endpoint=URL (default: ${STORE_ENV}, or "
        "guide.sqlite3 in $XDG_STATE_HOME/heroin-help)",
    )


def add_limit_options(parser: argparse.ArgumentParser) -> None:
    from skill.settings import Limits

    defaults = Limits()
    seconds = {
        "--header-timeout": ("header_timeout", "to receive a request's head"),
        "--body-timeout": ("body_timeout", "to receive a request's body once its head is in"),
        "--keepalive-timeout": ("keepalive_timeout", "before an idle connection is closed"),
        "--drain-seconds": ("drain_seconds", "that SIGTERM waits for open connections"),
    }
    for flag, (name, what) in seconds.items():
        default = getattr(defaults, name)
        parser.add_argument(flag, type=float, default=default, help=f"seconds {what} ({default})")
    parser.add_argument(
        "--max-connections",
        type=int,
        default=defaults.max_connections,
        help=f"open connections per process ({defaults.max_connections}; "
        "lower when the open-file limit needs it)",
    )


def run_serve(args: argparse.Namespace) -> int:
    import logging

    from skill.server import Address, configure_logging, loop_factory, serve
    from skill.settings import Limits, Settings
    from skill.stores import default_store_url, open_store

    if (args.trust_root is None) != (args.cert_chain is None):
        print("--trust-root and --cert-chain go together", file=sys.stderr)
        return 2
    store = args.store or default_store_url()
    try:
        open_store(store)  # only checks the URL: nothing is opened before the first lookup
    except ValueError as error:
        print(f"--store: {error}", file=sys.stderr)
        return 2
    try:
        loop_factory(args.loop)
    except ValueError as error:
        print(f"--loop: {error}", file=sys.stderr)
        return 2
    configure_logging()
    logging.getLogger("heroin_help.server").info("guide store: %s", store)
    limits = Limits(
        header_timeout=args.header_timeout,
        body_timeout=args.body_timeout,
        keepalive_timeout=args.keepalive_timeout,
        max_connections=args.max_connections,
        drain_seconds=args.drain_seconds,
    )
    settings = Settings(
        skill_id=args.skill_id,
        trust_root=args.trust_root,
        cert_chain=args.cert_chain,
        store=store,
        limits=limits,
    )
    metrics = (
        Address(args.metrics_host or args.host, args.metrics_port)
        if args.metrics_port is not None
        else None
    )
    return serve(
        settings, args.host, args.port, max(1, args.workers), metrics=metrics, loop=args.loop
    )


def run_resolve(args: argparse.Namespace) -> int:
    import orjson

    from speech.simulator.nlu.resolver import resolver_for

    resolver = resolver_for(args.locale)
    out = sys.stdout.buffer
    for line in sys.stdin:
        utterance = line.strip()
        if utterance:
            out.write(orjson.dumps(resolver.resolve(utterance).to_json()) + b"\n")
    out.flush()
    return 0


def voice(args: argparse.Namespace, state_path: Path) -> Callable[[str], str | None] | None:
    """The chat's voice: espeak-ng through the TTS harness, unless asked for silence."""
    if args.no_voice or getattr(args, "jsonl", False):
        return None
    from speech.tts.playback import Voice

    return Voice(state_path / "audio")


def run_chat(args: argparse.Namespace) -> int:
    import asyncio

    from speech.simulator.chat import chat, chat_ears
    from speech.simulator.transports import transport_for

    state_path = state(args)
    ears = chat_ears(args.locale, args.cache_dir, voice_in=args.voice_in)
    if args.voice_in and (ears is None or ears.microphone is None):
        return 1
    transport = transport_for(args.url, state_path)
    speak = voice(args, state_path)
    return asyncio.run(
        chat(transport, locale=args.locale, jsonl=args.jsonl, speak=speak, ears=ears)
    )


def run_listen(args: argparse.Namespace) -> int:
    from speech.simulator.asr.build import NoAcousticModel
    from speech.simulator.asr.listen import listen_files, listen_live
    from speech.simulator.asr.recogniser import available
    from speech.simulator.asr.understand import Listener

    if not available():
        print("listen needs speech recognition: pip install -e '.[sim]'", file=sys.stderr)
        return 1
    listener = Listener(args.locale, args.cache_dir)
    try:
        if args.wav:
            return listen_files(args.wav, listener)
        return listen_live(listener)
    except NoAcousticModel as error:
        print(error, file=sys.stderr)
        return 2


def run_local(args: argparse.Namespace) -> int:
    from speech.simulator.asr.understand import ears
    from speech.simulator.chat import run_local_service
    from speech.simulator.web.server import pages_for
    from speech.tts.engine import render_wav

    state_path = state(args)
    pages = pages_for(state_path, render=render_wav, transcribe=ears())
    return run_local_service(
        args.host,
        args.port,
        state=state_path,
        speak=voice(args, state_path),
        pages=None if args.no_web else pages,
        pages_port=args.web_port,
    )


def run_web(args: argparse.Namespace) -> int:
    from speech.simulator.asr.understand import ears
    from speech.simulator.web.server import pages_for, serve_web
    from speech.tts.engine import render_wav

    state_path = state(args)
    pages = pages_for(state_path, render=render_wav, transcribe=ears())
    return serve_web(args.host, args.port, url=args.url, state=state_path, build=pages)


def run_say(args: argparse.Namespace) -> int:
    from speech.tts.review import say_main

    return say_main(args.text, args.out, all_answers=args.all, locale=args.locale)


def run_test_dialogs(args: argparse.Namespace) -> int:
    import asyncio

    from speech.simulator.chat import test_dialogs
    from speech.simulator.transports import transport_for

    transport = transport_for(args.url, state(args))
    return asyncio.run(test_dialogs(args.paths, transport, spoken_turns(args.cache_dir)))


def spoken_turns(cache_dir: Path | None) -> Callable[[str], Awaitable[str]] | None:
    """A dialog's spoken turn: espeak-ng says it, the recogniser hears it. None without either
    (the spoken turns then fail, saying so)."""
    import tempfile

    from speech.simulator.asr.recogniser import available
    from speech.simulator.asr.understand import Listener
    from speech.tts.engine import TTSUnavailable, render_wav, speaker

    try:
        speaker()
    except TTSUnavailable as error:
        print(f"spoken turns cannot be said: {error}", file=sys.stderr)
        return None
    if not available():
        print("spoken turns cannot be heard: pip install -e '.[sim]'", file=sys.stderr)
        return None
    listener = Listener("en-US", cache_dir)

    async def hear(text: str) -> str:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "turn.wav"
            render_wav(text, path)
            return listener.wav(path.read_bytes()).transcript

    return hear


if __name__ == "__main__":
    sys.exit(main())
