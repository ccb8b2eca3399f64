"""AWS Lambda entry point: the same skill as the web service, without aiohttp or cryptography.

Lambda's Alexa trigger delivers requests already authenticated by Amazon, so there is no
signature to check here; the skill id still is, because a trigger can be left open to any skill.
Configure it with the environment variable HEROIN_HELP_SKILL_ID.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from intents.skill import Skill
from skill.envelope import SKILL_ID_ENV, check_skill_id
from skill.errors import VerificationError

log = logging.getLogger("heroin_help.lambda")
SKILL_ID = os.environ.get(SKILL_ID_ENV) or None
if SKILL_ID is None:
    log.warning("%s is not set: requests for any skill id are accepted", SKILL_ID_ENV)

# Built once per Lambda container, at import: warm invocations only dispatch.
_skill = Skill()


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        check_skill_id(event, SKILL_ID)
    except VerificationError as error:
        # Raising makes Lambda report a failed invocation; Alexa then plays its generic error.
        log.warning("rejected: %s", error)
        raise
    return _skill.handle(event, context)
