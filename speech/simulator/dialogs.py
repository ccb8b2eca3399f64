"""Conversation scripts: YAML dialogs that say what a person says and what they must hear.

In the spirit of Bespoken's `bst test`: each turn names the utterance, the intent it must resolve
to, phrases the answer must (or must not) contain, and whether the session stays open.

A turn marked `audio: true` is said aloud: the `hear` given to `run_dialog` speaks it (espeak-ng,
composed by the command line) and recognises it, and the skill answers what was heard, so a
recogniser that mishears fails the turn exactly as a caller would be failed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from speech.simulator.conversation import Conversation
from speech.simulator.transports import Transport


@dataclass(frozen=True, slots=True)
class ExpectedTurn:
    say: str
    intent: str | None = None
    slots: dict[str, str] | None = None
    contains: tuple[str, ...] = ()
    starts_with: str | None = None
    excludes: tuple[str, ...] = ()
    session_open: bool | None = None
    audio: bool = False  # spoken and recognised instead of typed


# Says a turn aloud and returns what the recogniser heard.
Hear = Callable[[str], Awaitable[str]]


@dataclass(frozen=True, slots=True)
class Dialog:
    name: str
    path: Path
    turns: tuple[ExpectedTurn, ...]
    locale: str = "en-US"

    @property
    def spoken(self) -> bool:
        return any(turn.audio for turn in self.turns)


@dataclass
class DialogResult:
    dialog: Dialog
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


_TURN_KEYS = {
    "say", "intent", "slots", "contains", "starts_with", "excludes", "session_open", "audio",
}  # fmt: skip


def load_dialogs(paths: Sequence[Path]) -> list[Dialog]:
    """Every dialog in these files; a folder stands for the `*.yaml` files in it."""
    files = [
        file
        for path in paths
        for file in (sorted(path.glob("*.yaml")) if path.is_dir() else [path])
    ]
    dialogs = []
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for index, entry in enumerate(data if isinstance(data, list) else [data]):
            dialogs.append(_dialog(path, index, entry))
    return dialogs


def _dialog(path: Path, index: int, entry: Any) -> Dialog:
    where = f"{path.name}[{index}]"
    if not isinstance(entry, dict) or "name" not in entry or "turns" not in entry:
        raise ValueError(f"{where}: a dialog needs a name and turns")
    turns = []
    for number, turn in enumerate(entry["turns"], start=1):
        if not isinstance(turn, dict) or "say" not in turn or set(turn) - _TURN_KEYS:
            raise ValueError(f"{where} turn {number}: expected keys among {sorted(_TURN_KEYS)}")
        turns.append(
            ExpectedTurn(
                say=str(turn["say"]),
                intent=turn.get("intent"),
                slots=turn.get("slots"),
                contains=tuple(_as_list(turn.get("contains"))),
                starts_with=turn.get("starts_with"),
                excludes=tuple(_as_list(turn.get("excludes"))),
                session_open=turn.get("session_open"),
                audio=bool(turn.get("audio", False)),
            )
        )
    return Dialog(str(entry["name"]), path, tuple(turns), str(entry.get("locale", "en-US")))


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


async def run_dialog(
    dialog: Dialog, transport: Transport, hear: Hear | None = None
) -> DialogResult:
    result = DialogResult(dialog)
    conversation = Conversation(transport, locale=dialog.locale)
    for number, expected in enumerate(dialog.turns, start=1):
        where = f"turn {number} ({expected.say!r})"
        said = expected.say
        if expected.audio:
            if hear is None:
                result.failures.append(f"{where}: a spoken turn, but nothing to say and hear it")
                break
            said = await hear(expected.say)
            if said != expected.say:
                where = f"turn {number} ({expected.say!r}, heard as {said!r})"
        turn = await conversation.say(said)
        heard = turn.reply.speech if turn.reply else ""
        if expected.intent is not None and turn.intent != expected.intent:
            result.failures.append(f"{where}: intent {turn.intent}, expected {expected.intent}")
        if expected.slots is not None and dict(turn.slots) != expected.slots:
            result.failures.append(f"{where}: slots {dict(turn.slots)}, expected {expected.slots}")
        if expected.starts_with is not None and not heard.startswith(expected.starts_with):
            result.failures.append(f"{where}: answer does not start with {expected.starts_with!r}")
        for phrase in expected.contains:
            if phrase.lower() not in heard.lower():
                result.failures.append(f"{where}: answer lacks {phrase!r}: {heard!r}")
        for phrase in expected.excludes:
            if phrase.lower() in heard.lower():
                result.failures.append(f"{where}: answer contains {phrase!r}")
        if expected.session_open is not None and turn.reply is not None:
            is_open = not turn.reply.end_session
            if is_open != expected.session_open:
                result.failures.append(f"{where}: session open is {is_open}")
    await conversation.end_session()
    return result
