"""What an operator configures, and where the service keeps its state on this machine."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "heroin-help"
STORE_ENV = "HEROIN_HELP_STORE"  # the guide store's URL, for Lambda and as serve's default


@dataclass(frozen=True, slots=True)
class Limits:
    """How long a client may take, and how many connections one process holds (skill.transport
    enforces them)."""

    header_timeout: float = 5.0  # from connecting, or the first byte of a request, to its head
    body_timeout: float = 10.0  # for the body once the head is in (Alexa itself waits 8 s)
    keepalive_timeout: float = 45.0  # an idle keep-alive connection is closed after this
    max_connections: int = 10_000  # per process; lowered to fit the file limit at start-up
    drain_seconds: float = 15.0  # the most SIGTERM waits for open connections to finish


@dataclass(frozen=True, slots=True)
class Settings:
    skill_id: str | None = None
    trust_root: Path | None = None  # local testing: trust this CA instead of the system store
    cert_chain: Path | None = None  # local testing: use this chain instead of downloading it
    store: str | None = None  # the guide store's URL (skill.stores); None: no store
    limits: Limits = Limits()


def state_dir() -> Path:
    """`$XDG_STATE_HOME/heroin-help`, or `~/.local/state/heroin-help` when it is unset."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / APP_NAME
