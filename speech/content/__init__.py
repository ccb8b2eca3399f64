"""Spoken content: the per-locale YAML files under this package, loaded, validated and compiled.

This is the bottom layer, and all that Lambda needs: it imports nothing of the skill above it.

    model     frozen dataclasses: Answer, Topic, Guide, LocaleContent
    schema    the intent contract, once: which topics, medicines, guides and prompts exist
    loader    reads and validates the YAML, naming the file and key of any error
    bundle    the compiled JSON a start reads instead of the YAML
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from speech.content.bundle import load_compiled
from speech.content.model import LocaleContent

CONTENT_DIR = Path(__file__).parent
SOURCES_FILE = CONTENT_DIR / "sources.yaml"
DEFAULT_LOCALE = "en-US"


@cache
def load(locale: str = DEFAULT_LOCALE) -> LocaleContent:
    """The validated content of one locale, loaded once per process."""
    directory = CONTENT_DIR / locale
    if not (directory / "locale.yaml").is_file():
        from speech.content.loader import ContentError

        raise ContentError(f"no content for locale {locale!r} in {CONTENT_DIR}")
    return load_compiled(directory, SOURCES_FILE, CONTENT_DIR / f"{locale}.compiled.json", _compile)


def _compile(directory: Path, sources: Path) -> LocaleContent:
    # Only when the bundle is stale: the YAML parser and validation cost 10 ms of start-up.
    from speech.content.loader import load_directory

    return load_directory(directory, sources)


def available_locales() -> list[str]:
    return sorted(path.name for path in CONTENT_DIR.iterdir() if (path / "locale.yaml").is_file())
