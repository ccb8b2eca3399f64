"""Which handler answers which request, in the order ask-sdk tries them.

The overdose guide comes first: once a caller is in it, every request serves the emergency until
they say stop.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from ask_sdk_core.dispatch_components.exception_components import AbstractExceptionHandler
from ask_sdk_core.dispatch_components.request_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model.response import Response

from intents.handlers import (
    GUIDE_MOVES,
    acknowledge,
    answer_medication,
    answer_topic,
    continue_guide,
    continue_sticky_guide,
    continue_topic,
    decline_offer,
    fallback,
    go_back,
    goodbye,
    help_prompt,
    launch,
    repeat_last,
    resume_guide,
    start_guide,
)
from intents.names import (
    CANCEL,
    EMERGENCY,
    HELP,
    HOME,
    INTERVENTION,
    LAUNCH_REQUEST,
    MEDICATION,
    MORE,
    NEXT,
    NO,
    PREVIOUS,
    REPEAT,
    REPORT_INTENT,
    RHYTHM_INTENT,
    SPOKEN_REQUESTS,
    START_OVER,
    STOP,
    TOPIC_INTENTS,
    YES,
)
from intents.turn import Turn

log = logging.getLogger("heroin_help.intents")
# What a caller says when they come back to a guide in a new session ("ask Heroin Help what's
# next"): moving on, answering, repeating, or telling what happened.
RESUMING = frozenset({NEXT, MORE, YES, NO, REPEAT, REPORT_INTENT, RHYTHM_INTENT})


def is_request(kind: str) -> Callable[[Turn], bool]:
    return lambda turn: turn.request_type == kind


def is_intent(*names: str) -> Callable[[Turn], bool]:
    wanted = frozenset(names)
    return lambda turn: turn.intent in wanted


def in_sticky_guide(turn: Turn) -> bool:
    state = turn.guide_state()
    return state is not None and turn.content.guides[state.guide].sticky


def moving_in_guide(turn: Turn) -> bool:
    return turn.intent in GUIDE_MOVES and turn.guide_state() is not None


def coming_back_to_guide(turn: Turn) -> bool:
    """A new session that opens the skill or picks up where a guide was ("what's next", "yes",
    "she's breathing now"), from a caller whose guide is still waiting in the store. Checked
    last among these, because it is the one that looks in the store."""
    return (
        turn.new_session
        and (turn.request_type == LAUNCH_REQUEST or turn.intent in RESUMING)
        and turn.saved_guide() is not None
    )


def routes() -> list[tuple[Callable[[Turn], bool], Callable[[Turn], Response]]]:
    return [
        (lambda turn: turn.request_type not in SPOKEN_REQUESTS, acknowledge),
        (in_sticky_guide, continue_sticky_guide),
        (coming_back_to_guide, resume_guide),
        (is_intent(EMERGENCY, INTERVENTION, REPORT_INTENT, RHYTHM_INTENT), start_guide),
        (moving_in_guide, continue_guide),
        (is_intent(*(set(TOPIC_INTENTS) - {MEDICATION})), answer_topic),
        (is_intent(MEDICATION), answer_medication),
        (is_intent(YES, MORE, NEXT), continue_topic),
        (is_intent(NO), decline_offer),
        (is_intent(REPEAT), repeat_last),
        (is_intent(PREVIOUS), go_back),
        (is_request(LAUNCH_REQUEST), launch),
        (is_intent(START_OVER, HOME), launch),
        (is_intent(HELP), help_prompt),
        (is_intent(STOP, CANCEL), goodbye),
        (lambda turn: True, fallback),
    ]


@dataclass(frozen=True)
class Route(AbstractRequestHandler):
    when: Callable[[Turn], bool]
    respond: Callable[[Turn], Response]

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return self.when(Turn.of(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.respond(Turn.of(handler_input))


class SpeakApology(AbstractExceptionHandler):
    """Any failure inside a handler becomes a short spoken apology, never an HTTP error."""

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return True

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        # The exception's type only: its message may repeat what the request held.
        log.error("handler failed: %s", type(exception).__name__)
        turn = Turn.of(handler_input)
        error = turn.content.prompts["error"]
        return turn.say(error.speech, error.reprompt)


def request_handlers() -> list[AbstractRequestHandler]:
    return [Route(when, respond) for when, respond in routes()]
