"""Where a caller's guide position waits while Alexa's session is closed.

Alexa closes a session about 16 seconds after a response nobody answers; a caller on the phone
with 911 or doing CPR comes back minutes later. The guide state (step and reported facts) is kept
for 30 minutes under a hash of the Alexa user id, never the raw id, and forgotten on stop.

    GuideStore          load / save / forget one caller's state (plain JSON)
    StoreError          the store failed or is unreachable: the skill answers from the session
                        attributes alone, logs one line, and goes on

The backends (SQLite, DynamoDB) live with the service in `skill.stores`; the skill only sees this
interface.
"""

from __future__ import annotations

from typing import Any, Protocol

KEEP_SECONDS = 30 * 60


class StoreError(Exception):
    """The store could not load, save or forget; never fatal to an answer."""


class GuideStore(Protocol):
    def load(self, key: str) -> dict[str, Any] | None:
        """The state saved under `key` in the last KEEP_SECONDS, or None."""
        ...

    def save(self, key: str, state: dict[str, Any]) -> None:
        """Keep `state` under `key` for KEEP_SECONDS from now."""
        ...

    def forget(self, key: str) -> None: ...


def user_key(user_id: str) -> str:
    """What the store files a caller under: a SHA-256 of the Alexa user id, never the id."""
    import hashlib  # here, not at import: the Lambda cold start of an ordinary question skips it

    return hashlib.sha256(user_id.encode("utf-8")).hexdigest()
