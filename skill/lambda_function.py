"""AWS Lambda entry point: the same skill as the web service, without aiohttp or cryptography.

Lambda's Alexa trigger delivers requests already authenticated by Amazon, so there is no
signature to check here; the skill id still is, because a trigger can be left open to any skill.
Configure it with the environment variable HEROIN_HELP_SKILL_ID, and the guide store (where the
overdose guide waits while Alexa's session is closed) with HEROIN_HELP_STORE, normally
dynamodb://TABLE. The store connects, and boto3 is imported, only on the first lookup.
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING, Any

from intents.skill import Skill
from skill.envelope import SKILL_ID_ENV, check_skill_id
from skill.errors import VerificationError
from skill.settings import STORE_ENV

if TYPE_CHECKING:
    from skill.stores import Store

log = logging.getLogger("heroin_help.lambda")
SKILL_ID = os.environ.get(SKILL_ID_ENV) or None
if SKILL_ID is None:
    log.warning("%s is not set: requests for any skill id are accepted", SKILL_ID_ENV)


def guide_store() -> Store | None:
    """The store HEROIN_HELP_STORE names. Without one (or with a URL we cannot read) the skill
    still answers everything; only the guide's pick-up after a closed session is lost."""
    url = os.environ.get(STORE_ENV)
    if not url:
        log.warning(
            "%s is not set: the overdose guide cannot pick up after a closed session", STORE_ENV
        )
        return None
    from skill.stores import open_store  # only with a store: the cold start without one skips it

    try:
        return open_store(url)
    except ValueError as error:
        log.error("%s: %s; running without a guide store", STORE_ENV, error)
        return None


# Built once per Lambda container, at import: warm invocations only dispatch.
_skill = Skill(store=guide_store())


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        check_skill_id(event, SKILL_ID)
    except VerificationError as error:
        # Raising makes Lambda report a failed invocation; Alexa then plays its generic error.
        log.warning("rejected: %s", error)
        raise
    return _skill.handle(event, context)
