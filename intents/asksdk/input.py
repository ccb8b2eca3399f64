"""A HandlerInput that keeps this request's turn, so every route reads the request once, and
the guide store the skill was given."""

from __future__ import annotations

from typing import Any

from ask_sdk_core.handler_input import HandlerInput


class SkillInput(HandlerInput):
    # The turn is whatever `intents.turn.Turn` builds; typed loosely here because this module
    # sits below the turn. The turn never holds this input back, so no reference cycle forms.
    def __init__(self, *args: Any, store: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.turn: Any = None
        self.store = store  # where the guide waits between sessions (intents.continuity)
