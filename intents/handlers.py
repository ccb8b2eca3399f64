"""What the skill does for each kind of request: each handler takes the turn and answers it.

Which handler runs for which request is decided in `intents.routes`. Everything spoken comes from
the content files through `Turn`.
"""

from __future__ import annotations

from collections.abc import Callable

from ask_sdk_model.response import Response

from intents import guide as guides
from intents.guide import GuidePosition, Move
from intents.names import (
    CANCEL,
    EMERGENCY,
    GUIDE_INTENTS,
    HELP,
    HOME,
    MEDICATION,
    MEDICATION_SLOT,
    MORE,
    NEXT,
    NO,
    PREVIOUS,
    REPEAT,
    START_OVER,
    STOP,
    YES,
)
from intents.topic import TopicPosition
from intents.turn import GUIDE, PROMPT, TOPIC, Turn
from speech.content.model import Guide, Topic

FORWARD = {NEXT: Move.NEXT, MORE: Move.NEXT, YES: Move.YES, NO: Move.NO}


# Guides


def start_guide(turn: Turn) -> Response:
    guide = turn.content.guides[GUIDE_INTENTS[turn.intent or ""]]
    return speak_step(turn, guide, guides.start(guide))


def continue_sticky_guide(turn: Turn) -> Response:
    """Inside the overdose guide nothing leaves the emergency except stop and go home."""
    guide, position = current_guide(turn)
    if turn.intent in {STOP, CANCEL, HOME}:
        return leave_guide(turn)
    if turn.intent in GUIDE_MOVES:
        return GUIDE_MOVES[turn.intent](turn, guide, position)
    if turn.intent == EMERGENCY and guide.reassess in position.history:
        return speak_step(turn, guide, guides.reassess(guide, position))
    reminder = guide.prompts["unrecognised"]
    return speak_step(turn, guide, position, after=reminder)


def continue_guide(turn: Turn) -> Response:
    guide, position = current_guide(turn)
    if turn.intent == NO:
        return decline_offer(turn)  # outside an emergency, "no" means "that's enough"
    return GUIDE_MOVES[turn.intent or ""](turn, guide, position)


def guide_forward(turn: Turn, guide: Guide, position: GuidePosition) -> Response:
    move = FORWARD[turn.intent or ""]
    step = guide.steps[position.step]
    if not step.is_question and move is Move.YES:
        move = Move.NEXT  # "yes" after "say next when you've called" means done
    if not step.is_question and move is Move.NO:
        return speak_step(turn, guide, position)
    outcome = guides.advance(guide, position, move)
    if not outcome.blocked:
        return speak_step(turn, guide, outcome.position)
    if step.is_question:
        return speak_step(turn, guide, position, before=guide.prompts["yes_or_no"])
    return speak_step(turn, guide, position, instead=guide.prompts["finished"])


def guide_back(turn: Turn, guide: Guide, position: GuidePosition) -> Response:
    outcome = guides.back(guide, position)
    before = guide.prompts["at_start"] if outcome.blocked else None
    return speak_step(turn, guide, outcome.position, before=before)


def guide_repeat(turn: Turn, guide: Guide, position: GuidePosition) -> Response:
    return speak_step(turn, guide, position)


def guide_start_over(turn: Turn, guide: Guide, position: GuidePosition) -> Response:
    return speak_step(turn, guide, guides.start(guide))


def guide_help(turn: Turn, guide: Guide, position: GuidePosition) -> Response:
    # Only the help: with the step added it would run past what a caller can take in at once.
    return speak_step(turn, guide, position, instead=guide.prompts["help"])


GUIDE_MOVES: dict[str, Callable[[Turn, Guide, GuidePosition], Response]] = {
    NEXT: guide_forward,
    MORE: guide_forward,
    YES: guide_forward,
    NO: guide_forward,
    PREVIOUS: guide_back,
    REPEAT: guide_repeat,
    START_OVER: guide_start_over,
    HELP: guide_help,
}


def speak_step(
    turn: Turn,
    guide: Guide,
    position: GuidePosition,
    *,
    before: str | None = None,
    after: str | None = None,
    instead: str | None = None,
) -> Response:
    """Say a step (exactly as written, so "repeat" is word for word) and keep listening."""
    turn.remember(GUIDE, position.to_session())
    answer = guide.steps[position.step].answer
    speech = " ".join(part for part in (before, instead or answer.speech, after) if part)
    return turn.say(speech, answer.reprompt or answer.speech, title=guide.title)


def current_guide(turn: Turn) -> tuple[Guide, GuidePosition]:
    position = turn.guide_position()
    assert position is not None, "routes check the guide position first"
    return turn.content.guides[position.guide], position


def leave_guide(turn: Turn) -> Response:
    if turn.intent == HOME:
        return launch(turn)
    return goodbye(turn)


# Topics


def answer_topic(turn: Turn) -> Response:
    return answer_what_was_asked(turn, turn.content.topics[turn.intent or ""])


def answer_medication(turn: Turn) -> Response:
    medication = turn.slot_id(MEDICATION_SLOT)
    if medication is None:
        return answer_what_was_asked(turn, turn.content.topics[MEDICATION])
    topic = turn.content.medications.get(medication)
    if topic is None:
        return speak_prompt(turn, "unknown_medication")
    return answer_what_was_asked(turn, topic)


def answer_what_was_asked(turn: Turn, topic: Topic) -> Response:
    """The part that answers the question ("how long", "is it safe") first, else the first
    answer; the topic's other parts are offered after it."""
    return speak_topic(turn, TopicPosition.first(topic, lead=topic.lead_for(turn.question())))


def continue_topic(turn: Turn) -> Response:
    """ "Yes", "more" or "next" after an offer: the part that was offered."""
    position = turn.topic_position()
    if position is None:
        return speak_prompt(turn, "nothing_pending")
    offered = position.next()
    if offered is None:
        return speak_prompt(turn, "no_more")
    return speak_topic(turn, offered)


def decline_offer(turn: Turn) -> Response:
    return speak_prompt(turn, "anything_else")


def speak_topic(turn: Turn, position: TopicPosition) -> Response:
    """Say one part of a topic and offer the part after it."""
    turn.remember(TOPIC, position.to_session())
    topic = position.topic
    answer, offer = turn.content.topic_turn(topic, position.lead, position.part)
    if offer is not None:
        reprompt = offer if answer.reprompt is None else f"{answer.reprompt} {offer}"
        return turn.say(f"{answer.speech} {offer}", reprompt, title=topic.title)
    anything_else = turn.content.prompts["anything_else"]
    reprompt = answer.reprompt or anything_else.reprompt or anything_else.speech
    return turn.say(answer.speech, reprompt, title=topic.title)


def go_back(turn: Turn) -> Response:
    position = turn.topic_position()
    if position is None:
        return repeat_last(turn)
    return speak_topic(turn, position.previous())


def repeat_last(turn: Turn) -> Response:
    position = turn.topic_position()
    if position is not None:
        return speak_topic(turn, position)
    prompt = turn.session.get(PROMPT)
    if isinstance(prompt, str) and prompt in turn.content.prompts:
        return speak_prompt(turn, prompt)
    return speak_prompt(turn, "nothing_pending")


# Prompts


def speak_prompt(turn: Turn, name: str, *, end_session: bool = False) -> Response:
    answer = turn.content.prompts[name]
    if end_session:
        turn.forget()
        return turn.say(answer.speech, None, end_session=True)
    turn.remember(PROMPT, name)
    return turn.say_answer(answer)


def launch(turn: Turn) -> Response:
    return speak_prompt(turn, "launch")


def help_prompt(turn: Turn) -> Response:
    return speak_prompt(turn, "help")


def goodbye(turn: Turn) -> Response:
    return speak_prompt(turn, "goodbye", end_session=True)


def fallback(turn: Turn) -> Response:
    return speak_prompt(turn, "fallback")


def acknowledge(turn: Turn) -> Response:
    """SessionEndedRequest, System.ExceptionEncountered and other events: Alexa accepts no speech
    in reply to them, only an empty response."""
    return turn.response_builder.response
