"""`heroin-help chat`, `run` and `test-dialogs`: talk to the skill offline.

`run` is what `make run` starts: the real service, trusting the development CA, and an
interactive chat that signs every request with that CA's leaf, so the verification path a real
Alexa request takes runs locally too, with the browser simulator served beside the chat against
the same service. Speaking the answers is passed in (`speak`), so this module needs no speech
engine.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any, TextIO

import orjson
from aiohttp import web

from speech.simulator.conversation import Conversation, TurnResult
from speech.simulator.devservice import SERVICE_LOG, ServiceDidNotStart, local_service
from speech.simulator.transports import ServiceError, Transport, transport_for
from speech.simulator.web.server import SERVING, WebAppFactory, serving

# Speaks an answer's SSML; returns a line to show instead (where the audio went, or why not).
Speak = Callable[[str], str | None]


async def chat(
    transport: Transport,
    *,
    locale: str,
    jsonl: bool,
    speak: Speak | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> int:
    """Each line is one turn of one session; a blank line ends the session."""
    lines = stdin or sys.stdin
    out = stdout or sys.stdout
    interactive = not jsonl and lines.isatty()
    conversation = Conversation(transport, locale=locale)
    if interactive:
        print(
            "Talk to Heroin Help. Try: open heroin help, or: my friend isn't breathing.", file=out
        )
        print("A blank line ends the session; Ctrl-D quits.", file=out)
    try:
        while True:
            if interactive:
                print("you> ", end="", file=out, flush=True)
            line = await asyncio.to_thread(lines.readline)
            if not line:
                break
            utterance = line.strip()
            if not utterance:
                await conversation.end_session()
                continue
            try:
                turn = await conversation.say(utterance)
            except ServiceError as error:
                print(f"service error: HTTP {error.status}: {error.body}", file=sys.stderr)
                return 1
            if jsonl:
                out.write(orjson.dumps(turn.to_json()).decode() + "\n")
                out.flush()
                continue
            show(turn, out)
            if speak is not None and turn.reply is not None and turn.reply.ssml:
                note = speak(turn.reply.ssml)
                if note:
                    print(f"  [{note}]", file=out, flush=True)
        await conversation.end_session()
    finally:
        await transport.close()
    return 0


def show(turn: TurnResult, out: TextIO) -> None:
    slots = " ".join(f"{name}={value}" for name, value in turn.slots.items())
    confidence = f" {turn.confidence:.0%}"
    print(f"  [{turn.intent}{' ' + slots if slots else ''}{confidence}]", file=out)
    if turn.reply is None:
        return
    print(f"alexa> {turn.reply.speech}", file=out)
    if turn.reply.card:
        print(f"  [card: {turn.reply.card.get('title')}]", file=out)
    if turn.reply.end_session:
        print("  [session ended]", file=out)
    out.flush()


def run_local_service(
    host: str,
    port: int,
    *,
    state: Path,
    speak: Speak | None,
    locale: str = "en-US",
    pages: WebAppFactory | None = None,
    pages_port: int = 0,
) -> int:
    """Start the service trusting the dev CA, chat with it (and serve the browser simulator
    beside the chat when given `pages`), and stop them all when the chat ends."""
    try:
        with local_service(state, host=host, port=port) as service:
            print(f"Service running at {service.url} (log: {state / SERVICE_LOG})")
            transport = transport_for(service.url, state)
            talk = chat(transport, locale=locale, jsonl=False, speak=speak)
            if pages is None:
                return asyncio.run(talk)
            return asyncio.run(beside(talk, pages(service.url), host, pages_port))
    except ServiceDidNotStart as error:
        print(f"{error}:", file=sys.stderr)
        print(error.log_tail(), file=sys.stderr)
        return 1


async def beside(talk: Coroutine[Any, Any, int], app: web.Application, host: str, port: int) -> int:
    """The chat, with the browser simulator served for as long as it runs."""
    async with contextlib.AsyncExitStack() as stack:
        try:
            address = await stack.enter_async_context(serving(app, host, port))
        except OSError as error:  # the port is taken: the chat still works without the pages
            print(f"No browser simulator: cannot serve on {host}:{port}: {error}", file=sys.stderr)
        else:
            print(SERVING.format(url=address), flush=True)
        return await talk


async def test_dialogs(paths: Sequence[Path], transport: Transport) -> int:
    from speech.simulator.dialogs import load_dialogs, run_dialog

    dialogs = load_dialogs(paths)
    failed = 0
    try:
        for dialog in dialogs:
            result = await run_dialog(dialog, transport)
            mark = "PASS" if result.passed else "FAIL"
            print(f"{mark} {dialog.path.name}: {dialog.name}")
            for failure in result.failures:
                print(f"     {failure}")
            failed += not result.passed
    finally:
        await transport.close()
    print(f"dialogs: {len(dialogs) - failed} passed, {failed} failed")
    return 1 if failed or not dialogs else 0
