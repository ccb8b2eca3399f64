"""Walking a step-by-step guide: where the caller is, what they have told us, and what comes next.

Pure functions over the guide's data (`speech.content.model.Guide`), so the overdose path is easy
to test exhaustively. The next step follows from the facts the caller reported and the steps
already done, by the guide's own plan; the rules are in the content file, not here. The state
travels in Alexa session attributes and in the guide store, which is why it is plain JSON data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from speech.content.model import UNKNOWN, Guide, GuideStep


@dataclass(frozen=True, slots=True)
class GuideState:
    guide: str
    step: str
    facts: Mapping[str, str] = field(default_factory=dict)  # only facts that are known
    done: tuple[str, ...] = ()  # instructions the caller moved on from
    history: tuple[str, ...] = ()  # steps spoken before this one, oldest first

    def fact(self, name: str) -> str:
        return self.facts.get(name, UNKNOWN)

    def to_session(self) -> dict[str, Any]:
        return {
            "name": self.guide,
            "step": self.step,
            "facts": dict(self.facts),
            "done": list(self.done),
            "history": list(self.history),
        }

    @classmethod
    def from_session(cls, data: Any, guides: Mapping[str, Guide]) -> GuideState | None:
        """The saved state, or None when it is missing or no longer matches the content."""
        if not isinstance(data, dict):
            return None
        name, step, history = data.get("name"), data.get("step"), data.get("history", [])
        guide = guides.get(name) if isinstance(name, str) else None
        # Session attributes come back from the device: anything may stand where we wrote names.
        if guide is None or not isinstance(step, str) or step not in guide.steps:
            return None
        facts, done = data.get("facts", {}), data.get("done", [])
        if (
            not isinstance(facts, dict)
            or not all(fact in guide.facts and isinstance(v, str) for fact, v in facts.items())
            or not isinstance(done, list)
            or not isinstance(history, list)
            or not all(isinstance(seen, str) and seen in guide.steps for seen in (*done, *history))
        ):
            return None
        return cls(guide.name, step, dict(facts), tuple(done), tuple(history))


@dataclass(frozen=True, slots=True)
class Outcome:
    """Where a move lands. `blocked` says the move could not be made from here (a question
    needs its answer, the last step has no next); `moved` says the step changed."""

    state: GuideState
    blocked: bool = False
    moved: bool = False


def open_guide(guide: Guide, facts: Mapping[str, str] | None = None) -> GuideState:
    """The first response: the first opening entry that holds for what the caller said."""
    known = dict(facts or {})
    for entry in guide.opening:
        if entry.holds(known):
            return GuideState(guide.name, entry.step, known)
    return GuideState(guide.name, guide.opening[-1].step, known)


def facts_of(guide: Guide, reports: Iterable[str]) -> dict[str, str]:
    """What these reports mean, as facts; reports the guide does not know mean nothing."""
    facts: dict[str, str] = {}
    for report in reports:
        facts.update(guide.reports.get(report, {}))
    return facts


def due(guide: Guide, state: GuideState) -> str | None:
    """The first plan entry that holds and is neither done (an instruction) nor answered
    (a question); None when nothing is left."""
    for entry in guide.plan:
        if not entry.holds(state.facts):
            continue
        step = guide.steps[entry.step]
        if step.asks is not None:
            if state.fact(step.asks) == UNKNOWN:
                return step.id
        elif step.id not in state.done:
            return step.id
    return None


def report(guide: Guide, state: GuideState, reports: Iterable[str]) -> Outcome:
    """What the caller told us counts wherever they are: the guide goes where the facts lead.
    A report that answers the current question is an answer, not a guess."""
    said = list(reports)
    learned = facts_of(guide, said)
    here = guide.steps[state.step].reports
    for report in said:
        learned.update(here.get(report, {}))
    updated = _with_facts(guide, state, learned)
    return _go(guide, updated, due(guide, updated))


def answer(guide: Guide, state: GuideState, yes: bool) -> Outcome:
    """A yes or no to the current question; on an instruction, yes means done and no means
    the caller is not there yet."""
    step = guide.steps[state.step]
    if step.asks is None:
        return move_on(guide, state) if yes else Outcome(state)
    updated = _with_facts(guide, state, {step.asks: "yes" if yes else "no"})
    return _go(guide, updated, due(guide, updated))


def move_on(guide: Guide, state: GuideState) -> Outcome:
    """ "Next": the current instruction is done and its facts hold. A question cannot be
    skipped: guessing whether someone breathes is not ours to do, so it is asked again."""
    step = guide.steps[state.step]
    if step.is_question:
        return Outcome(state, blocked=True)
    finished = _done(guide, state, step)
    target = due(guide, finished)
    if step.final or target is None or target == step.id:
        return Outcome(state, blocked=True)
    return _go(guide, finished, target)


def back(guide: Guide, state: GuideState) -> Outcome:
    if not state.history:
        return Outcome(state, blocked=True)
    *earlier, previous = state.history
    return Outcome(replace(state, step=previous, history=tuple(earlier)), moved=True)


def start_over(guide: Guide) -> GuideState:
    """From the beginning, as if nothing had been said."""
    return open_guide(guide)


def _done(guide: Guide, state: GuideState, step: GuideStep) -> GuideState:
    done = state.done if step.id in state.done else (*state.done, step.id)
    return _with_facts(guide, replace(state, done=done), step.sets)


def _with_facts(guide: Guide, state: GuideState, learned: Mapping[str, str]) -> GuideState:
    """New facts, and every done step whose plan no longer holds becomes due again when it
    does: CPR once breathing has stopped again."""
    facts = {**state.facts, **learned}
    holding = {entry.step for entry in guide.plan if entry.holds(facts)}
    done = tuple(step for step in state.done if step in holding)
    return replace(state, facts=facts, done=done)


def _go(guide: Guide, state: GuideState, target: str | None) -> Outcome:
    if target is None or target == state.step:
        return Outcome(state)
    history = (*state.history, state.step)
    return Outcome(replace(state, step=target, history=history), moved=True)
