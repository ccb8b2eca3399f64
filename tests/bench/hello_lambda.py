"""A hello-world ask-sdk-core skill on Lambda: what our cold start is compared with."""

from __future__ import annotations

from typing import Any

from ask_sdk_core.dispatch_components.request_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.skill_builder import SkillBuilder


class Hello(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return True

    def handle(self, handler_input: HandlerInput) -> Any:
        return handler_input.response_builder.speak("Hello world.").response


builder = SkillBuilder()
builder.add_request_handler(Hello())
handler = builder.lambda_handler()
