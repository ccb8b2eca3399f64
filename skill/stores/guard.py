"""What every backend does around a lookup: refuse a key that is not a user_key() hash, and turn
any failure into the same StoreError for the caller, one log line for the operator, and a call of
`on_error`, the one place a metrics counter of store failures hooks in."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable

from intents.continuity import StoreError

LOG_EVERY_SECONDS = 10.0
FAILED = "the guide store is unavailable"  # every StoreError's message: fixed, safe to show

# Called with the operation ("load", "save", "forget") on every failure, never rate-limited.
ErrorHook = Callable[[str], None]
log = logging.getLogger("heroin_help.store")
_USER_KEY = re.compile(r"[0-9a-f]{64}")


def is_user_key(key: str) -> bool:
    """Whether `key` looks like what `user_key()` makes. The backends refuse anything else, so a
    raw user id passed by mistake never reaches a file or a table."""
    return _USER_KEY.fullmatch(key) is not None


class Failures:
    """How a backend fails: a fixed StoreError for the caller, the cause in one log line at most
    every LOG_EVERY_SECONDS (with a count of the lines left out), and `on_error` every time."""

    def __init__(
        self,
        backend: str,
        on_error: ErrorHook | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.backend = backend
        self.on_error = on_error
        self.monotonic = monotonic
        self._logged_at: float | None = None
        self._quiet = 0

    def __call__(self, operation: str, cause: BaseException | str) -> StoreError:
        """Record one failure and return the StoreError to raise (`raise failures(...) from None`:
        the cause is in the log, not in a traceback)."""
        if self.on_error is not None:
            self.on_error(operation)
        now = self.monotonic()
        if self._logged_at is not None and now - self._logged_at < LOG_EVERY_SECONDS:
            self._quiet += 1
        else:
            reason = cause if isinstance(cause, str) else f"{type(cause).__name__}: {cause}"
            more = f" ({self._quiet} more failures not logged)" if self._quiet else ""
            log.warning(
                "guide store %s %s failed, answering without it: %s%s",
                self.backend,
                operation,
                " ".join(reason.split())[:200],
                more,
            )
            self._logged_at = now
            self._quiet = 0
        return StoreError(FAILED)
