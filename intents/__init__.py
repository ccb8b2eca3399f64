"""The skill's request handlers, assembled into an ask-sdk skill.

Nothing here imports aiohttp: the same skill runs in the web service and on AWS Lambda.
"""

from __future__ import annotations

from ask_sdk_core.skill_builder import SkillBuilder

from intents.handlers import SpeakApology, request_handlers
from speech import content


def build_skill_builder(
    skill_id: str | None = None, locale: str = content.DEFAULT_LOCALE
) -> SkillBuilder:
    """A SkillBuilder with every handler registered; loading content here makes bad files fail
    at start-up instead of on someone's first question."""
    content.load(locale)
    builder = SkillBuilder()
    builder.skill_id = skill_id  # type: ignore[assignment]  # ask-sdk types it as None
    for handler in request_handlers():
        builder.add_request_handler(handler)
    builder.add_exception_handler(SpeakApology())
    return builder
