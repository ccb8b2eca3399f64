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


# What a route serves, judged from the request type and intent name alone; the dispatcher tries
# a route only on requests it serves (`intents.dispatch`).
Serves = Callable[[str, str | None], bool]


def request_is(kind: str) -> Serves:
    return lambda request_type, intent: request_type == kind


def intent_is(*names: str) -> Serves:
    wanted = frozenset(names)
    return lambda request_type, intent: intent in wanted


def unspoken(request_type: str, intent: str | None) -> bool:
    return request_type not in SPOKEN_REQUESTS


def anything(request_type: str, intent: str | None) -> bool:
    return True


def opening_or(*names: str) -> Serves:
    """A launch, or one of these intents."""
    wanted = frozenset(names)
    return lambda request_type, intent: request_type == LAUNCH_REQUEST or intent in wanted


def in_sticky_guide(turn: Turn) -> bool:
    state = turn.guide_state()
    return state is not None and turn.content.guides[state.guide].sticky


def in_guide(turn: Turn) -> bool:
    return turn.guide_state() is not None


def coming_back_to_guide(turn: Turn) -> bool:
    """A new session that opens the skill or picks up where a guide was ("what's next", "yes",
    "she's breathing now"), from a caller whose guide is still waiting in the store. Checked
    last among these, because it is the one that looks in the store."""
    return turn.new_session and turn.saved_guide() is not None


@dataclass(frozen=True)
class Route(AbstractRequestHandler):
    """A handler: `respond` answers the requests it `serves` for which `when` holds (no `when`:
    all it serves)."""

    respond: Callable[[Turn], Response]
    serves: Serves = anything
    when: Callable[[Turn], bool] | None = None

    def can_handle(self, handler_input: HandlerInput) -> bool:
        turn = Turn.of(handler_input)
        return self.serves(turn.request_type, turn.intent) and (
            self.when is None or self.when(turn)
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.respond(Turn.of(handler_input))


def routes() -> list[Route]:
    return [
        Route(acknowledge, unspoken),
        Route(continue_sticky_guide, when=in_sticky_guide),
        Route(resume_guide, opening_or(*RESUMING), when=coming_back_to_guide),
        Route(start_guide, intent_is(EMERGENCY, INTERVENTION, REPORT_INTENT, RHYTHM_INTENT)),
        Route(continue_guide, intent_is(*GUIDE_MOVES), when=in_guide),
        Route(answer_topic, intent_is(*(set(TOPIC_INTENTS) - {MEDICATION}))),
        Route(answer_medication, intent_is(MEDICATION)),
        Route(continue_topic, intent_is(YES, MORE, NEXT)),
        Route(decline_offer, intent_is(NO)),
        Route(repeat_last, intent_is(REPEAT)),
        Route(go_back, intent_is(PREVIOUS)),
        Route(launch, request_is(LAUNCH_REQUEST)),
        Route(launch, intent_is(START_OVER, HOME)),
        Route(help_prompt, intent_is(HELP)),
        Route(goodbye, intent_is(STOP, CANCEL)),
        Route(fallback),
    ]


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
    return list(routes())
