"""Every answer the skill speaks, built once with ask-sdk's response builder and then shared.

What an answer holds follows from five things alone: the speech, the reprompt, the card's title,
whether the session ends, and the locale (the card writes its phone numbers as that locale dials
them). Whatever else a turn depends on (the guide's step and acknowledgement, a topic's offer,
a reminder) is already in the speech and reprompt it passes. So each distinct answer is built on
its first request, frozen, and its JSON rendered then (`intents.asksdk.frozen`); every later
request with the same five values gets the same answer and its bytes.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from ask_sdk_core.response_helper import ResponseFactory
from ask_sdk_model.response import Response
from ask_sdk_model.ui.simple_card import SimpleCard

from intents.asksdk.frozen import FrozenResponse
from speech import content, ssml

TITLE = "Heroin Help"
# Far more than the content's distinct answers (a few hundred); a bound all the same, because
# what a cache keeps must never grow with what callers send.
KEPT = 4096
_TELEPHONE = re.compile(r'<say-as interpret-as="telephone">')


Key = tuple[str, str | None, str | None, bool, str]
_answers: dict[Key, FrozenResponse] = {}


def frozen_answer(
    speech: str, reprompt: str | None, title: str | None, end_session: bool, locale: str
) -> FrozenResponse:
    """The shared answer for these five values (see the module docstring)."""
    key = (speech, reprompt, title, end_session, locale)
    answer = _answers.get(key)
    if answer is None:
        answer = FrozenResponse(build(ResponseFactory(), *key))
        if len(_answers) >= KEPT:
            _answers.clear()
        _answers[key] = answer
    return answer


def kept() -> dict[Key, FrozenResponse]:
    """Every answer shared so far, by what it was built from."""
    return dict(_answers)


def build(
    builder: ResponseFactory,
    speech: str,
    reprompt: str | None,
    title: str | None,
    end_session: bool,
    locale: str,
) -> Response:
    """Say `speech`, keep listening with `reprompt` unless the session ends, and show a card
    when the answer gives a phone number."""
    builder.speak(speech)
    if reprompt is not None and not end_session:
        builder.ask(reprompt)
    builder.set_should_end_session(end_session)
    text = card_text(speech, locale)
    if text is not None:
        builder.set_card(SimpleCard(title or TITLE, text))
    response: Response = builder.response
    return response


@lru_cache(maxsize=1024)
def card_text(speech: str, locale: str) -> str | None:
    """The card for an answer that gives a phone number: the answer as text, with spoken-digit
    numbers ("9 1 1") written as people dial them. None when the answer gives no number."""
    numbers = spoken_numbers(locale)
    if not _TELEPHONE.search(speech) and not any(spoken in speech for spoken, _ in numbers):
        return None
    text = ssml.to_text(speech)
    for spoken, written in numbers:
        text = text.replace(spoken, written)
    return text


@cache
def spoken_numbers(locale: str) -> tuple[tuple[str, str], ...]:
    """Each allowed number as the content speaks it ("9 1 1") and as it is written ("911")."""
    return tuple(
        (" ".join(number.number) if number.number.isdigit() else number.number, number.number)
        for number in content.load(locale).phone_numbers
    )
