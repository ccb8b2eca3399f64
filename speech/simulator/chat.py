"""`heroin-help chat`, `run` and `test-dialogs`: talk to the skill offline.

`run` is what `make run` starts: the real service, trusting the development CA, and an
interactive chat that signs every request with that CA's leaf, so the verification path a real
Alexa request takes runs locally too. Speaking the answers is passed in (`speak`), so this module
needs no speech engine.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

import orjson

from speech.simulator.conversation import Conversation, TurnResult
from speech.simulator.devpki import load_signing_key
from speech.simulator.devservice import dev_pki, start_service
from speech.simulator.transports import InProcess, ServiceError, SignedClient, Transport

# Speaks an answer's SSML; returns a line to show instead (where the audio went, or why not).
Speak = Callable[[str], str | None]


def transport_for(url: str | None, state: Path | None = None) -> Transport:
    """The skill in this process, or the service at `url`, signed with the dev CA."""
    if url is None:
        return InProcess()
    return SignedClient(url, load_signing_key(dev_pki(state).signing_key))


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
    host: str, port: int, *, state: Path, speak: Speak | None, locale: str = "en-US"
) -> int:
    """Start the service trusting the dev CA, chat with it, and stop it when the chat ends."""
    pki = dev_pki(state)
    log_path = state / "service.log"
    with log_path.open("w") as log:
        try:
            service = start_service(pki, host=host, port=port, stderr=log)
        except RuntimeError:
            print(f"The service did not start; see {log_path}:", file=sys.stderr)
            print(log_path.read_text()[-2000:], file=sys.stderr)
            return 1
        try:
            print(f"Service running at {service.url} (log: {log_path})")
            transport = transport_for(service.url, state)
            return asyncio.run(chat(transport, locale=locale, jsonl=False, speak=speak))
        finally:
            service.stop()


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
