"""What the skill does for each kind of request: each handler takes the turn and answers it.

Which handler runs for which request is decided in `intents.routes`. Everything spoken comes from
the content files through `Turn`.
"""

from __future__ import annotations

from collections.abc import Callable

from ask_sdk_model.response import Response

from intents import guide as guides
from intents.guide import GuideState
from intents.names import (
    CANCEL,
    CRISIS,
    EMERGENCY,
    GOOD_SAMARITAN,
    GUIDE_INTENTS,
    HELP,
    HOME,
    MEDICATION,
    MEDICATION_SLOT,
    MORE,
    NEED_SLOT,
    NEXT,
    NO,
    PERSON_SLOT,
    PREVIOUS,
    REPEAT,
    REPORT_INTENT,
    REPORT_SLOT,
    RHYTHM_INTENT,
    SIGN_SLOT,
    START_OVER,
    STOP,
    SUBSTANCE_SLOT,
    YES,
)
from intents.topic import TopicPosition
from intents.turn import PROMPT, TOPIC, Turn
from speech.content.model import Guide, Topic

# What a description of the emergency reports when it names no sign.
EMERGENCY_REPORT = "emergency"
SWALLOWED_REPORT = "swallowed"
VULNERABLE = frozenset({"child", "pet"})  # PERSON values who get into medicine by accident
# Topics a guide answers in one sentence of its own before the step's cue: the fear of arrest,
# and someone who wants to die (988 first, and the emergency goes on).
GUIDE_ANSWERS = {GOOD_SAMARITAN: "good_samaritan", CRISIS: "crisis"}


# Guides


def start_guide(turn: Turn) -> Response:
    """An emergency or the intervention steps. A caller the overdose guide is still holding
    (Alexa closed the session while they were busy) goes on where they were, with what they
    just said counted; anyone else starts at the first response."""
    guide = turn.content.guides[GUIDE_INTENTS.get(turn.intent or "", "overdose")]
    saved = turn.saved_guide() if guide.sticky else None
    if saved is not None and saved.guide == guide.name:
        return continue_guide_with(turn, guide, saved)
    state = guides.open_guide(guide, guides.facts_of(guide, reports(turn)))
    return speak_step(turn, guide, state)


def resume_guide(turn: Turn) -> Response:
    """Back after Alexa closed the session: straight to the guide, no greeting."""
    state = turn.saved_guide()
    assert state is not None, "routes check for a saved guide first"
    guide = turn.content.guides[state.guide]
    if turn.intent is None:  # a LaunchRequest: the step they were on
        return speak_step(turn, guide, state)
    return continue_guide_with(turn, guide, state)


def continue_sticky_guide(turn: Turn) -> Response:
    guide, state = current_guide(turn)
    return continue_guide_with(turn, guide, state)


def continue_guide_with(turn: Turn, guide: Guide, state: GuideState) -> Response:
    """Inside the overdose guide nothing leaves the emergency except stop and go home. What
    the caller reports moves the guide; anything unrecognised repeats the step with a reminder
    to call 9 1 1."""
    if turn.intent in {STOP, CANCEL, HOME}:
        return leave_guide(turn)
    if turn.intent in GUIDE_MOVES:
        return GUIDE_MOVES[turn.intent](turn, guide, state)
    if turn.intent in {EMERGENCY, REPORT_INTENT}:
        return guide_report(turn, guide, state)
    if turn.intent == RHYTHM_INTENT and guide.rhythm is not None:
        turn.keep_guide(state)
        return turn.say(guide.rhythm.speech, guide.rhythm.reprompt, title=guide.title)
    if turn.intent in GUIDE_ANSWERS and GUIDE_ANSWERS[turn.intent] in guide.prompts:
        return speak_reminder(turn, guide, state, guide.prompts[GUIDE_ANSWERS[turn.intent]])
    return speak_reminder(turn, guide, state, guide.prompts["unrecognised"])


def continue_guide(turn: Turn) -> Response:
    guide, state = current_guide(turn)
    if turn.intent == NO:
        return decline_offer(turn)  # outside an emergency, "no" means "that's enough"
    return GUIDE_MOVES[turn.intent or ""](turn, guide, state)


def guide_report(turn: Turn, guide: Guide, state: GuideState) -> Response:
    said = reports(turn)
    outcome = guides.report(guide, state, said)
    acknowledgement = next(
        (guide.acknowledgements[r] for r in said if r in guide.acknowledgements), None
    )
    return speak_step(turn, guide, outcome.state, before=acknowledgement)


def guide_forward(turn: Turn, guide: Guide, state: GuideState) -> Response:
    step = guide.steps[state.step]
    if turn.intent in {YES, NO}:
        outcome = guides.answer(guide, state, yes=turn.intent == YES)
    else:
        outcome = guides.move_on(guide, state)
    if not outcome.blocked:
        return speak_step(turn, guide, outcome.state)
    if step.is_question:
        return speak_step(turn, guide, state, before=guide.prompts["yes_or_no"])
    return speak_step(turn, guide, state, instead=guide.prompts["finished"])


def guide_back(turn: Turn, guide: Guide, state: GuideState) -> Response:
    outcome = guides.back(guide, state)
    before = guide.prompts["at_start"] if outcome.blocked else None
    return speak_step(turn, guide, outcome.state, before=before)


def guide_repeat(turn: Turn, guide: Guide, state: GuideState) -> Response:
    return speak_step(turn, guide, state)


def guide_start_over(turn: Turn, guide: Guide, state: GuideState) -> Response:
    return speak_step(turn, guide, guides.start_over(guide))


def guide_help(turn: Turn, guide: Guide, state: GuideState) -> Response:
    # Only the help: with the step added it would run past what a caller can take in at once.
    return speak_step(turn, guide, state, instead=guide.prompts["help"])


GUIDE_MOVES: dict[str, Callable[[Turn, Guide, GuideState], Response]] = {
    NEXT: guide_forward,
    MORE: guide_forward,
    YES: guide_forward,
    NO: guide_forward,
    PREVIOUS: guide_back,
    REPEAT: guide_repeat,
    START_OVER: guide_start_over,
    HELP: guide_help,
}


def reports(turn: Turn) -> list[str]:
    """What the caller said happened, as the guide's report ids: the emergency's sign (or that
    there is an emergency at all), what they need, who it is, and what they report."""
    said = turn.slot_ids(SIGN_SLOT, NEED_SLOT, PERSON_SLOT, REPORT_SLOT)
    if turn.intent == EMERGENCY and turn.slot_id(SIGN_SLOT) is None:
        # A child or a pet with an opioid named and nothing else said got into it (CONTENT.md,
        # "Accidental swallowing"); anyone else is an emergency described without a sign.
        got_into = turn.slot_id(PERSON_SLOT) in VULNERABLE and turn.slot_id(SUBSTANCE_SLOT)
        said.append(SWALLOWED_REPORT if got_into else EMERGENCY_REPORT)
    return said


def speak_step(
    turn: Turn,
    guide: Guide,
    state: GuideState,
    *,
    before: str | None = None,
    instead: str | None = None,
) -> Response:
    """Say a step (exactly as written, so "repeat" is word for word) and keep listening. On a
    step that keeps the caller busy, the reprompt says how to come back after Alexa closes."""
    turn.keep_guide(state)
    step = guide.steps[state.step]
    speech = " ".join(part for part in (before, instead or step.answer.speech) if part)
    reprompt = step.answer.reprompt or step.answer.speech
    if step.waits:
        reprompt = f"{reprompt} {guide.prompts['come_back']}"
    return turn.say(speech, reprompt, title=guide.title)


def speak_reminder(turn: Turn, guide: Guide, state: GuideState, reminder: str) -> Response:
    """A short word, then the step's own short reminder: the whole step after it would run
    past what a caller can take in at once."""
    turn.keep_guide(state)
    step = guide.steps[state.step]
    cue = step.answer.reprompt or step.answer.speech
    return turn.say(f"{reminder} {cue}", cue, title=guide.title)


def current_guide(turn: Turn) -> tuple[Guide, GuideState]:
    state = turn.guide_state()
    assert state is not None, "routes check the guide state first"
    return turn.content.guides[state.guide], state


def leave_guide(turn: Turn) -> Response:
    """Stop forgets: the next launch is a welcome, not the steps."""
    turn.forget_guide()
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
    said = turn.content.said(position.topic, position.lead, position.part)
    return turn.say(said.speech, said.reprompt, title=position.topic.title)


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
