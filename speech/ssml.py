"""SSML: check that an answer is something Alexa will speak; turn it into text or audio segments.

Content files hold SSML fragments (no `<speak>` wrapper). Alexa rejects a whole response when its
SSML is malformed or uses an unsupported tag, so we check every fragment when content loads.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

# The subset of Alexa's supported SSML tags that our content may use.
ALLOWED_TAGS = frozenset(
    {"speak", "break", "say-as", "emphasis", "p", "s", "prosody", "sub", "w", "lang"}
)
ALLOWED_SAY_AS = frozenset(
    {"telephone", "digits", "cardinal", "number", "ordinal", "characters", "spell-out", "unit"}
)
_BREAK_TIME = re.compile(r"^(\d+(?:\.\d+)?)(ms|s)$")
_BREAK_STRENGTH_MS = {
    "none": 0,
    "x-weak": 100,
    "weak": 250,
    "medium": 400,
    "strong": 700,
    "x-strong": 1000,
}
_SPACES = re.compile(r"\s+")


class SSMLError(ValueError):
    """The SSML is not well-formed or uses something Alexa does not support."""


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of text to speak, followed by a pause."""

    text: str
    pause_ms: int = 0


def wrap(fragment: str) -> str:
    """A complete SSML document for a content fragment."""
    return f"<speak>{fragment}</speak>"


def parse(ssml: str) -> ET.Element:
    """Parse a fragment or a `<speak>` document, checking tags and attributes."""
    document = ssml if ssml.lstrip().startswith("<speak") else wrap(ssml)
    try:
        root = ET.fromstring(document)
    except ET.ParseError as error:
        raise SSMLError(f"not well-formed: {error}") from None
    for element in root.iter():
        _check_element(element)
    return root


def validate(ssml: str) -> None:
    parse(ssml)


def _check_element(element: ET.Element) -> None:
    tag = element.tag
    if tag not in ALLOWED_TAGS:
        raise SSMLError(f"unsupported tag <{tag}>")
    if tag == "break":
        time = element.get("time")
        if time is not None:
            match = _BREAK_TIME.match(time)
            if match is None:
                raise SSMLError(f"bad break time {time!r}")
            if _to_ms(match) > 10_000:
                raise SSMLError(f"break longer than 10s: {time!r}")
        strength = element.get("strength")
        if strength is not None and strength not in _BREAK_STRENGTH_MS:
            raise SSMLError(f"bad break strength {strength!r}")
        if (element.text or "").strip():
            raise SSMLError("<break> must be empty")
    if tag == "say-as":
        interpret = element.get("interpret-as")
        if interpret not in ALLOWED_SAY_AS:
            raise SSMLError(f"unsupported say-as interpret-as={interpret!r}")


def _to_ms(match: re.Match[str]) -> int:
    value = float(match.group(1))
    return int(value if match.group(2) == "ms" else value * 1000)


def _break_ms(element: ET.Element) -> int:
    time = element.get("time")
    if time is not None:
        match = _BREAK_TIME.match(time)
        if match is not None:
            return _to_ms(match)
    return _BREAK_STRENGTH_MS.get(element.get("strength") or "medium", 400)


def to_text(ssml: str) -> str:
    """What a person hears, as plain text: tags dropped, `<sub>` replaced by its alias."""
    return " ".join(segment.text for segment in segments(ssml) if segment.text)


def segments(ssml: str, spell_telephone: bool = False) -> list[Segment]:
    """Split speech at each `<break>` so a TTS engine without SSML can pause there.

    With `spell_telephone`, telephone numbers become digit groups ("1 8 0 0, 6 6 2, ...") because
    plain engines read "1-800-662-4357" as a subtraction or a large number.
    """
    reader = _SegmentReader(spell_telephone)
    reader.walk(parse(ssml))
    reader.flush(0)
    return [segment for segment in reader.result if segment.text or segment.pause_ms]


class _SegmentReader:
    # A class rather than nested functions: a recursive closure refers to itself through its
    # cell, and that cycle would leave each call's objects for the garbage collector.
    def __init__(self, spell_telephone: bool) -> None:
        self.spell_telephone = spell_telephone
        self.result: list[Segment] = []
        self.buffer: list[str] = []

    def flush(self, pause_ms: int) -> None:
        text = _SPACES.sub(" ", "".join(self.buffer)).strip()
        self.buffer.clear()
        if text or pause_ms:
            self.result.append(Segment(text, pause_ms))

    def walk(self, element: ET.Element) -> None:
        buffer = self.buffer
        if element.tag == "break":
            self.flush(_break_ms(element))
        elif element.tag == "sub":
            buffer.append(element.get("alias") or element.text or "")
        elif element.tag == "say-as" and element.get("interpret-as") == "telephone":
            number = "".join(element.itertext())
            buffer.append(spell_number(number) if self.spell_telephone else number)
        else:
            buffer.append(element.text or "")
            for child in element:
                self.walk(child)
                buffer.append(child.tail or "")
        if element.tag in {"p", "s"}:
            buffer.append(" ")


def spell_number(number: str) -> str:
    """ "1-800-662-4357" -> "1, 800, 6 6 2, 4 3 5 7": grouped as written and said as people say
    it, and as Alexa reads a telephone number: a round hundred ("eight hundred") as a number,
    every other group digit by digit."""
    groups = [group for group in re.split(r"[^0-9]+", number) if group]
    return ", ".join(group if _ROUND_HUNDRED.match(group) else " ".join(group) for group in groups)


_ROUND_HUNDRED = re.compile(r"^[1-9]00$")
