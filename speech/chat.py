"""`heroin-help chat`, `run` and `test-dialogs`: talk to the skill and hear it, offline.

`run` is what `make run` starts: the real service, trusting a development CA kept in `.dev/`, and
an interactive chat that signs every request with that CA's leaf, so the verification path a real
Alexa request takes runs locally too.
"""

from __future__ import annotations

import asyncio
import re
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import orjson

from speech.alexa_requests import DEV_SKILL_ID
from speech.client import ServiceError
from speech.simulator import Conversation, InProcess, Transport, TurnResult

if TYPE_CHECKING:
    from skill.devpki import DevPaths

REPO = Path(__file__).resolve().parent.parent
DEV_DIR = REPO / ".dev"
LISTENING = re.compile(r"listening on (http://\S+)")


def dev_serve_args(pki: DevPaths, *, host: str = "127.0.0.1", port: int = 0) -> list[str]:
    """`heroin-help serve` arguments for a service that trusts the dev CA the simulator signs
    with, and accepts the dev skill id; port 0 picks a free port, named on the LISTENING line."""
    return [
        "serve", "--host", host, "--port", str(port), "--skill-id", DEV_SKILL_ID,
        "--trust-root", str(pki.trust_root), "--cert-chain", str(pki.cert_chain),
    ]  # fmt: skip


def transport_for(url: str | None) -> Transport:
    if url is None:
        return InProcess()
    from skill.devpki import load_signing_key, write_dev_pki
    from speech.client import SignedClient

    pki = write_dev_pki(DEV_DIR / "pki")
    return SignedClient(url, load_signing_key(pki.signing_key))


async def chat(
    *,
    url: str | None,
    locale: str,
    jsonl: bool,
    voice: bool,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> int:
    """Each line is one turn of one session; a blank line ends the session."""
    lines = stdin or sys.stdin
    out = stdout or sys.stdout
    interactive = not jsonl and lines.isatty()
    transport = transport_for(url)
    conversation = Conversation(transport, locale=locale)
    speaker = Voice(enabled=voice and not jsonl, out=out)
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
            else:
                show(turn, out)
                speaker.speak(turn)
        await conversation.end_session()
    finally:
        await transport.close()
    return 0


def show(turn: TurnResult, out: TextIO) -> None:
    slots = " ".join(f"{name}={value}" for name, value in turn.slots.items())
    print(f"  [{turn.intent}{' ' + slots if slots else ''}]", file=out)
    if turn.reply is None:
        return
    print(f"alexa> {turn.reply.speech}", file=out)
    if turn.reply.card:
        print(f"  [card: {turn.reply.card.get('title')}]", file=out)
    if turn.reply.end_session:
        print("  [session ended]", file=out)
    out.flush()


class Voice:
    """Speaks each answer when it can; says once why it cannot, and carries on in text."""

    def __init__(self, enabled: bool, out: TextIO) -> None:
        self.enabled = enabled
        self.out = out
        self.audio_dir = DEV_DIR / "audio"
        self.turn = 0

    def speak(self, turn: TurnResult) -> None:
        if not self.enabled or turn.reply is None or not turn.reply.ssml:
            return
        from speech.tts import TTSError, TTSUnavailable, play, render_wav

        self.turn += 1
        path = self.audio_dir / f"turn-{self.turn:03d}.wav"
        try:
            seconds = render_wav(turn.reply.ssml, path)
        except (TTSUnavailable, TTSError) as error:
            print(f"  [no voice: {error}]", file=self.out)
            self.enabled = False
            return
        if not play(path):
            print(f"  [audio {seconds:.1f} s: {path.relative_to(REPO)}]", file=self.out)


def run_local_service(host: str, port: int, *, voice: bool) -> int:
    """Start the service trusting the dev CA, chat with it, and stop it when the chat ends."""
    from skill.devpki import write_dev_pki

    pki = write_dev_pki(DEV_DIR / "pki")
    log_path = DEV_DIR / "service.log"
    with log_path.open("w") as log:
        service = subprocess.Popen(
            [sys.executable, "-m", "skill.cli", *dev_serve_args(pki, host=host, port=port)],
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            cwd=REPO,
        )
        try:
            assert service.stdout is not None
            match = LISTENING.search(service.stdout.readline())
            if match is None:
                service.wait(timeout=10)
                print(f"The service did not start; see {log_path}:", file=sys.stderr)
                print(log_path.read_text()[-2000:], file=sys.stderr)
                return 1
            url = match.group(1) + "/"
            print(f"Service running at {url} (log: {log_path.relative_to(REPO)})")
            return asyncio.run(chat(url=url, locale="en-US", jsonl=False, voice=voice))
        finally:
            if service.poll() is None:
                service.send_signal(signal.SIGTERM)
                service.wait(timeout=15)


async def test_dialogs(paths: Sequence[Path], *, url: str | None) -> int:
    from speech.dialogs import load_dialogs, run_dialog

    dialogs = load_dialogs(paths)
    transport = transport_for(url)
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
    return 1 if failed else 0
