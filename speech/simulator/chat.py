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
import threading
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import orjson
from aiohttp import web

from speech.simulator.conversation import Conversation, TurnResult
from speech.simulator.devservice import SERVICE_LOG, ServiceDidNotStart, local_service
from speech.simulator.transports import ServiceError, Transport, transport_for
from speech.simulator.web.server import SERVING, WebAppFactory, serving

if TYPE_CHECKING:  # the recogniser is loaded only when the chat is given ears
    from speech.simulator.asr.microphone import Microphone
    from speech.simulator.asr.understand import Listener, Understood
    from speech.simulator.dialogs import Hear

# Speaks an answer's SSML; returns a line to show instead (where the audio went, or why not).
Speak = Callable[[str], str | None]
WAV_LINE = ":wav "  # `:wav FILE` sends a recording as the turn
END_LINE = ":end"  # ends the session with --voice-in, where a blank line means "talk"


async def chat(
    transport: Transport,
    *,
    locale: str,
    jsonl: bool,
    speak: Speak | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    ears: Ears | None = None,
) -> int:
    """Each line is one turn of one session; a blank line ends the session. With `ears`, a
    `:wav FILE` line sends a recording; with a microphone in them, a blank line is a spoken
    turn and `:end` ends the session."""
    lines = stdin or sys.stdin
    out = stdout or sys.stdout
    interactive = not jsonl and lines.isatty()
    conversation = Conversation(transport, locale=locale)
    live = ears is not None and ears.microphone is not None
    if interactive:
        print(
            "Talk to Heroin Help. Try: open heroin help, or: my friend isn't breathing.", file=out
        )
        if live:
            print("Press Enter and speak, or type; :end ends the session; Ctrl-D quits.", file=out)
        else:
            print("A blank line ends the session; Ctrl-D quits.", file=out)
        if ears is not None:
            print(f"{WAV_LINE}FILE sends a recording.", file=out)
    try:
        while True:
            if interactive:
                print("you> ", end="", file=out, flush=True)
            line = await asyncio.to_thread(lines.readline)
            if not line:
                break
            utterance = line.strip()
            if utterance == END_LINE or (not utterance and not live):
                await conversation.end_session()
                continue
            if ears is not None and (not utterance or line.startswith(WAV_LINE)):
                heard = await asyncio.to_thread(ears.hear, line[len(WAV_LINE) :].strip())
                if jsonl or interactive:
                    print(f"  [heard: {heard}]", file=sys.stderr if jsonl else out, flush=True)
                if heard.failed:
                    continue
                utterance = heard.text
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


def chat_ears(locale: str, cache_dir: Path | None, *, voice_in: bool) -> Ears | None:
    """The chat's ears when pocketsphinx is installed; with `voice_in`, the microphone too, or
    None after saying why it cannot listen."""
    from speech.simulator.asr.microphone import NoMicrophone, open_microphone
    from speech.simulator.asr.recogniser import available
    from speech.simulator.asr.understand import Listener

    if not available():
        if voice_in:
            print("--voice-in needs speech recognition: pip install -e '.[sim]'", file=sys.stderr)
        return None
    listener = Listener(locale, cache_dir)
    if not voice_in:
        return Ears(listener)
    try:
        return Ears(listener, open_microphone())
    except NoMicrophone as error:
        print(error, file=sys.stderr)
        return None


class Ears:
    """The chat's ears: recordings (`:wav FILE`), and the microphone with --voice-in."""

    def __init__(self, listener: Listener, microphone: Microphone | None = None) -> None:
        self.listener = listener
        self.microphone = microphone

    def hear(self, file: str) -> Transcript:
        """A recording's transcript, or the microphone's when no file is named."""
        from speech.simulator.asr.recogniser import RecognitionError

        if not file:
            if self.microphone is None:
                return Transcript("", None, "no microphone: use :wav FILE")
            print("  [listening... stop talking to send]", flush=True)
            pcm = self.microphone.record_turn(threading.Event())
            if not pcm:
                return Transcript("", None, "nothing was heard")
            return Transcript.of(self.listener.pcm(pcm))
        try:
            return Transcript.of(self.listener.wav(Path(file).read_bytes()))
        except OSError as error:
            return Transcript("", None, f"cannot read {file}: {error.strerror or error}")
        except RecognitionError as error:
            return Transcript("", None, f"{file}: {error}")


@dataclass(frozen=True, slots=True)
class Transcript:
    text: str
    confidence: float | None
    error: str | None = None

    @classmethod
    def of(cls, understood: Understood) -> Transcript:
        if not understood.transcript:
            return cls("", understood.confidence, "nothing was heard")
        return cls(understood.transcript, understood.confidence)

    @property
    def failed(self) -> bool:
        return self.error is not None

    def __str__(self) -> str:
        if self.error is not None:
            return self.error
        sure = "" if self.confidence is None else f", recogniser confidence {self.confidence:.2f}"
        return f"{self.text!r}{sure}"


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


async def test_dialogs(
    paths: Sequence[Path], transport: Transport, hear: Hear | None = None
) -> int:
    """Every dialog in `paths`; spoken turns are said and heard with `hear`."""
    from speech.simulator.dialogs import load_dialogs, run_dialog

    dialogs = load_dialogs(paths)
    failed = 0
    try:
        for dialog in dialogs:
            result = await run_dialog(dialog, transport, hear)
            mark = "PASS" if result.passed else "FAIL"
            aloud = " (spoken)" if dialog.spoken else ""
            print(f"{mark} {dialog.path.name}: {dialog.name}{aloud}")
            for failure in result.failures:
                print(f"     {failure}")
            failed += not result.passed
    finally:
        await transport.close()
    print(f"dialogs: {len(dialogs) - failed} passed, {failed} failed")
    return 1 if failed or not dialogs else 0
