"""Walking a step-by-step guide: where the caller is, and where each answer takes them.

Pure functions over content data, so the overdose path is easy to test exhaustively. The position
travels in Alexa session attributes, which is why it is plain JSON-friendly data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from speech.content.model import Guide


class Move(Enum):
    NEXT = "next"
    YES = "yes"
    NO = "no"


@dataclass(frozen=True, slots=True)
class GuidePosition:
    guide: str
    step: str
    history: tuple[str, ...] = field(default=())  # steps already spoken, oldest first

    def to_session(self) -> dict[str, Any]:
        return {"name": self.guide, "step": self.step, "history": list(self.history)}

    @classmethod
    def from_session(cls, data: Any, guides: Mapping[str, Guide]) -> GuidePosition | None:
        """The saved position, or None when it is missing or no longer matches the content."""
        if not isinstance(data, dict):
            return None
        name, step, history = data.get("name"), data.get("step"), data.get("history", [])
        guide = guides.get(name) if isinstance(name, str) else None
        # Session attributes come back from the device: anything may stand where we wrote names.
        if (
            guide is None
            or not isinstance(step, str)
            or step not in guide.steps
            or not isinstance(history, list)
            or not all(isinstance(seen, str) and seen in guide.steps for seen in history)
        ):
            return None
        return cls(guide.name, step, tuple(history))


@dataclass(frozen=True, slots=True)
class Outcome:
    """Where a move lands; `blocked` says the move could not be made from here."""

    position: GuidePosition
    blocked: bool = False


def start(guide: Guide) -> GuidePosition:
    return GuidePosition(guide.name, guide.start)


def advance(guide: Guide, position: GuidePosition, move: Move) -> Outcome:
    """Follow `next`, `yes` or `no` from the current step.

    A question cannot be skipped with "next": guessing an answer about breathing or naloxone is
    not ours to do, so the caller is asked again. The last step has nowhere to go.
    """
    step = guide.steps[position.step]
    if step.is_question:
        target = {Move.YES: step.yes, Move.NO: step.no}.get(move)
    else:
        target = step.next if move is Move.NEXT else None
    if target is None:
        return Outcome(position, blocked=True)
    history = (*position.history, position.step)
    target = _skip_unmet(guide, target, history)
    return Outcome(GuidePosition(guide.name, target, history))


def back(guide: Guide, position: GuidePosition) -> Outcome:
    if not position.history:
        return Outcome(position, blocked=True)
    *earlier, previous = position.history
    return Outcome(GuidePosition(guide.name, previous, tuple(earlier)))


def reassess(guide: Guide, position: GuidePosition) -> GuidePosition:
    """Back to the guide's reassessment step, keeping the way there so "go back" still works."""
    assert guide.reassess is not None
    return GuidePosition(guide.name, guide.reassess, (*position.history, position.step))


def _skip_unmet(guide: Guide, step_id: str, history: tuple[str, ...]) -> str:
    """Pass over steps that only apply after a step the caller did not take."""
    step = guide.steps[step_id]
    while step.when is not None and step.when not in history and step.next is not None:
        step = guide.steps[step.next]
    return step.id
