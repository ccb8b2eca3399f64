"""What an operator configures, and where the service keeps its state on this machine."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "heroin-help"
STORE_ENV = "HEROIN_HELP_STORE"  # the guide store's URL, for Lambda and as serve's default


@dataclass(frozen=True, slots=True)
class Settings:
    skill_id: str | None = None
    trust_root: Path | None = None  # local testing: trust this CA instead of the system store
    cert_chain: Path | None = None  # local testing: use this chain instead of downloading it
    store: str | None = None  # the guide store's URL (skill.stores); None: no store


def state_dir() -> Path:
    """`$XDG_STATE_HOME/heroin-help`, or `~/.local/state/heroin-help` when it is unset."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / APP_NAME
