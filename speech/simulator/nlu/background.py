"""What people ask a smart speaker that is not for this skill: the resolver's background class.

`background/<locale>.yaml` maps a kind of request (weather, music, smart home, other health
questions, requests that borrow the skill's words in other senses...) to examples. Each kind is
a class of its own beside the skill's intents, so a request is rejected because it looks like
something else people say, not because it scores low.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import yaml

BACKGROUND_DIR = Path(__file__).parent / "background"
PREFIX = "background:"  # labels of background classes, never an intent name


def background_for(locale: str) -> Mapping[str, tuple[str, ...]]:
    """Each kind of out-of-domain request, labelled `background:<kind>`, with its examples."""
    data = yaml.safe_load((BACKGROUND_DIR / f"{locale}.yaml").read_text(encoding="utf-8"))
    return {f"{PREFIX}{kind}": tuple(str(u) for u in examples) for kind, examples in data.items()}


def is_background(label: str) -> bool:
    return label.startswith(PREFIX)
