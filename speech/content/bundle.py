"""The compiled content bundle: validated content as JSON, so a start need not parse YAML.

The bundle sits beside the YAML, keyed by a digest of the source files: later starts (and every
Lambda cold start) read it in a millisecond without importing the YAML parser, and any edit to a
source file makes it stale, so the content is compiled again.
"""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from speech.content.model import (
    Answer,
    FollowUp,
    Guide,
    GuideStep,
    LocaleContent,
    PhoneNumber,
    PlanEntry,
    Topic,
)

BUNDLE_FORMAT = 4


def load_compiled(
    directory: Path, sources: Path, bundle: Path, compile: Callable[[Path, Path], LocaleContent]
) -> LocaleContent:
    """The bundle when it matches the sources; otherwise `compile` them and write it."""
    digest = _digest(directory, sources)
    compiled = _read_bundle(bundle, digest)
    if compiled is not None:
        return compiled
    content = compile(directory, sources)
    _write_bundle(bundle, digest, content)
    return content


def _digest(directory: Path, sources: Path) -> str:
    """Detects edits to the source files (not tampering: zlib keeps OpenSSL out of start-up)."""
    parts = []
    for path in (sources, *sorted(directory.glob("*.yaml"))):
        data = path.read_bytes()
        parts.append(f"{path.name}:{len(data)}:{zlib.crc32(data):08x}")
    return " ".join(parts)


def _read_bundle(bundle: Path, digest: str) -> LocaleContent | None:
    try:
        data = json.loads(bundle.read_text(encoding="utf-8"))
        if data.get("digest") != digest or data.get("format") != BUNDLE_FORMAT:
            return None
        return _from_json(data["content"])
    except (OSError, ValueError, KeyError, TypeError):
        return None  # missing, stale or unreadable: compile again from the YAML


def _write_bundle(bundle: Path, digest: str, content: LocaleContent) -> None:
    data = {"format": BUNDLE_FORMAT, "digest": digest, "content": asdict(content)}
    try:
        temporary = bundle.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps(data), encoding="utf-8")
        temporary.replace(bundle)  # atomic: concurrent workers never read half a file
    except OSError:
        pass  # a read-only install: we compile on each start, which is only slower


def _from_json(data: dict[str, Any]) -> LocaleContent:
    def answer(a: dict[str, Any]) -> Answer:
        return Answer(a["key"], a["speech"], a["reprompt"], tuple(a["sources"]))

    def topic(t: dict[str, Any]) -> Topic:
        more = tuple(
            FollowUp(f["offer"], answer(f["answer"]), tuple(f["answers"])) for f in t["more"]
        )
        return Topic(t["key"], t["title"], answer(t["answer"]), more, t["offer"])

    def plan(entries: list[dict[str, Any]]) -> tuple[PlanEntry, ...]:
        return tuple(
            PlanEntry(e["step"], {fact: tuple(v) for fact, v in e["when"].items()}) for e in entries
        )

    def guide(g: dict[str, Any]) -> Guide:
        steps = {
            key: GuideStep(
                s["id"],
                answer(s["answer"]),
                s["asks"],
                s["sets"],
                s["waits"],
                s["final"],
                s["reports"],
            )
            for key, s in g["steps"].items()
        }
        return Guide(
            name=g["name"],
            title=g["title"],
            sticky=g["sticky"],
            steps=steps,
            prompts=g["prompts"],
            facts=tuple(g["facts"]),
            reports=g["reports"],
            acknowledgements=g["acknowledgements"],
            opening=plan(g["opening"]),
            plan=plan(g["plan"]),
            rhythm=None if g["rhythm"] is None else answer(g["rhythm"]),
        )

    return LocaleContent(
        locale=data["locale"],
        emergency_number=data["emergency_number"],
        phone_numbers=tuple(PhoneNumber(**number) for number in data["phone_numbers"]),
        prompts={name: answer(a) for name, a in data["prompts"].items()},
        templates=data["templates"],
        topics={name: topic(t) for name, t in data["topics"].items()},
        medications={name: topic(t) for name, t in data["medications"].items()},
        guides={name: guide(g) for name, g in data["guides"].items()},
    )
