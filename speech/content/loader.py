"""Reading and validating one locale's YAML content files.

The files are the single source of what the skill says, so a content reviewer never reads Python.
Loading validates them and fails fast, naming the file and the key, because a typo in a content
file must stop the service at start-up, not surface as silence in someone's emergency.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from speech.content import schema
from speech.content.model import (
    UNKNOWN,
    Answer,
    FollowUp,
    Guide,
    GuideStep,
    LocaleContent,
    PhoneNumber,
    PlanEntry,
    Topic,
)

_SEED_NAME = re.compile(r"^seed:\d{3}_[0-9a-f]{16}\.txt$")


FACT_VALUES = ("yes", "no", UNKNOWN)


class ContentError(ValueError):
    """A content file is invalid; the message names the file and the key."""


def load_directory(directory: Path, sources_file: Path) -> LocaleContent:
    """Load and validate one locale's files (tests point this at broken copies)."""
    known_sources = _known_sources(sources_file)
    reader = _Reader(directory, known_sources)
    locale_file = reader.file(
        "locale.yaml", required={"locale", "emergency_number", "phone_numbers"}
    )
    phone_numbers = tuple(
        PhoneNumber(
            **reader.fields(entry, f"locale.yaml:phone_numbers[{index}]", {"number", "name"})
        )
        for index, entry in enumerate(locale_file["phone_numbers"])
    )
    prompts_file = reader.file("prompts.yaml", required={"responses", "templates"})
    prompts = {
        name: reader.answer(f"prompts.yaml:responses.{name}", entry, sources_required=False)
        for name, entry in reader.exact(
            prompts_file["responses"], "prompts.yaml:responses", schema.PROMPTS
        )
    }
    templates = dict(
        reader.exact(prompts_file["templates"], "prompts.yaml:templates", schema.TEMPLATES)
    )
    topics = {
        intent: reader.topic(
            f"topics.yaml:{intent}", intent, entry, asked=intent in schema.QUESTION_INTENTS
        )
        for intent, entry in reader.exact(
            reader.file("topics.yaml"), "topics.yaml", schema.TOPIC_INTENTS
        )
    }
    medications = {
        name: reader.topic(
            f"medications.yaml:{name}",
            name,
            entry,
            asked=schema.MEDICATION_INTENT in schema.QUESTION_INTENTS,
        )
        for name, entry in reader.exact(
            reader.file("medications.yaml"), "medications.yaml", schema.MEDICATIONS
        )
    }
    guides = {
        name: reader.guide(f"guides.yaml:{name}", name, entry)
        for name, entry in reader.exact(reader.file("guides.yaml"), "guides.yaml", schema.GUIDES)
    }
    return LocaleContent(
        locale=str(locale_file["locale"]),
        emergency_number=str(locale_file["emergency_number"]),
        phone_numbers=phone_numbers,
        prompts=prompts,
        templates=templates,
        topics=topics,
        medications=medications,
        guides=guides,
    )


def _answer_fields(entry: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a topic, follow-up or step entry that makes its spoken answer."""
    return {key: value for key, value in entry.items() if key in {"speech", "reprompt", "sources"}}


def _known_sources(path: Path) -> frozenset[str]:
    data = _read_yaml(path)
    authorities = data.get("authorities") if isinstance(data, dict) else None
    if not isinstance(authorities, list) or not all(isinstance(a, str) for a in authorities):
        raise ContentError(f"{path.name}: 'authorities' must be a list of names")
    return frozenset(authorities)


def _read_yaml(path: Path) -> Any:
    import yaml  # only when compiling: the parser alone costs 10 ms of start-up

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        with path.open(encoding="utf-8") as stream:
            return yaml.load(
                stream, Loader=loader
            )  # CSafeLoader or SafeLoader: never arbitrary objects
    except FileNotFoundError:
        raise ContentError(f"missing content file {path}") from None
    except yaml.YAMLError as error:
        raise ContentError(f"{path.name}: not valid YAML: {error}") from None


class _Reader:
    """Reads content files, checking each value where it is read so errors name their key."""

    def __init__(self, directory: Path, known_sources: frozenset[str]) -> None:
        self.directory = directory
        self.known_sources = known_sources

    def file(self, name: str, required: set[str] | None = None) -> dict[str, Any]:
        data = _read_yaml(self.directory / name)
        if not isinstance(data, dict):
            raise ContentError(f"{self.directory.name}/{name}: expected a mapping at the top")
        if required is not None:
            self.fields(data, name, required)
        return data

    def fields(
        self, data: Any, where: str, required: set[str], optional: frozenset[str] = frozenset()
    ) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise ContentError(f"{self.directory.name}/{where}: expected a mapping")
        unknown = set(data) - required - optional
        if unknown:
            raise ContentError(f"{self.directory.name}/{where}: unknown keys {sorted(unknown)}")
        missing = required - set(data)
        if missing:
            raise ContentError(f"{self.directory.name}/{where}: missing keys {sorted(missing)}")
        return data

    def exact(self, data: Any, where: str, expected: tuple[str, ...]) -> Iterator[tuple[str, Any]]:
        """Entries of a mapping that must hold exactly the expected names."""
        self.fields(data, where, set(expected))
        for name in expected:
            yield name, data[name]

    def answer(self, where: str, data: Any, sources_required: bool = True) -> Answer:
        entry = self.fields(data, where, {"speech"}, frozenset({"reprompt", "sources"}))
        speech = self.ssml(f"{where}.speech", entry["speech"])
        reprompt = entry.get("reprompt")
        return Answer(
            key=where,
            speech=speech,
            reprompt=None if reprompt is None else self.ssml(f"{where}.reprompt", reprompt),
            sources=self.sources(f"{where}.sources", entry.get("sources", []), sources_required),
        )

    def topic(self, where: str, key: str, data: Any, *, asked: bool) -> Topic:
        """A topic; `asked` when its intent takes the question slot, so parts may answer it."""
        entry = self.fields(
            data, where, {"title", "speech", "sources"}, frozenset({"reprompt", "more", "offer"})
        )
        more = []
        for index, item in enumerate(entry.get("more") or []):
            item_where = f"{where}.more[{index}]"
            fields = self.fields(
                item, item_where, {"offer", "speech", "sources"}, frozenset({"answers"})
            )
            more.append(
                FollowUp(
                    self.text(f"{item_where}.offer", fields["offer"]),
                    self.answer(item_where, _answer_fields(fields)),
                    self.questions(f"{item_where}.answers", fields.get("answers"), asked),
                )
            )
        offer = entry.get("offer")
        if offer is None and any(follow_up.answers for follow_up in more):
            raise ContentError(
                f"{self.directory.name}/{where}: a follow-up answers a question first, so the "
                "first answer needs an 'offer' to be offered after it"
            )
        return Topic(
            key=key,
            title=self.text(f"{where}.title", entry["title"]),
            answer=self.answer(where, _answer_fields(entry)),
            more=tuple(more),
            offer=None if offer is None else self.text(f"{where}.offer", offer),
        )

    def questions(self, where: str, value: Any, asked: bool) -> tuple[str, ...]:
        """The question ids a follow-up answers first (schema.QUESTIONS)."""
        if value is None:
            return ()
        if not isinstance(value, list) or not value:
            raise ContentError(f"{self.directory.name}/{where}: expected a list of question ids")
        if not asked:
            raise ContentError(
                f"{self.directory.name}/{where}: this intent takes no question slot "
                "(schema.QUESTION_INTENTS), so nothing can ask for this part first"
            )
        unknown = [question for question in value if question not in schema.QUESTIONS]
        if unknown:
            raise ContentError(
                f"{self.directory.name}/{where}: unknown question ids {unknown} "
                f"(use {', '.join(schema.QUESTIONS)})"
            )
        return tuple(value)

    def guide(self, where: str, name: str, data: Any) -> Guide:
        entry = self.fields(
            data,
            where,
            {"title", "prompts", "steps"},
            frozenset(
                {"sticky", "facts", "reports", "acknowledgements", "opening", "plan", "rhythm"}
            ),
        )
        prompts = dict(
            self.some(
                entry["prompts"], f"{where}.prompts", schema.GUIDE_PROMPTS, schema.GUIDE_EXTRAS
            )
        )
        prompts = {
            key: self.ssml(f"{where}.prompts.{key}", value) for key, value in prompts.items()
        }
        facts = tuple(self.names(f"{where}.facts", entry.get("facts", [])))
        raw_steps = entry["steps"]
        if not isinstance(raw_steps, dict) or not raw_steps:
            raise ContentError(f"{self.directory.name}/{where}.steps: expected a mapping of steps")
        steps: dict[str, GuideStep] = {}
        for step_id, step_data in raw_steps.items():
            step_where = f"{where}.steps.{step_id}"
            fields = self.fields(
                step_data,
                step_where,
                {"speech", "sources"},
                frozenset({"reprompt", "asks", "sets", "waits", "final", "reports"}),
            )
            asks = fields.get("asks")
            if asks is not None:
                self.fact(f"{step_where}.asks", asks, facts)
            steps[step_id] = GuideStep(
                id=step_id,
                answer=self.answer(step_where, _answer_fields(fields)),
                asks=asks,
                sets=self.fact_values(f"{step_where}.sets", fields.get("sets", {}), facts),
                waits=bool(fields.get("waits", False)),
                final=bool(fields.get("final", False)),
                reports={
                    str(report): self.fact_values(f"{step_where}.reports.{report}", value, facts)
                    for report, value in self.mapping(
                        f"{step_where}.reports", fields.get("reports", {})
                    ).items()
                },
            )
        if any(step.waits for step in steps.values()) and "come_back" not in prompts:
            raise ContentError(
                f"{self.directory.name}/{where}.prompts: waiting steps need come_back"
            )
        reports = {
            str(report): self.fact_values(f"{where}.reports.{report}", value, facts)
            for report, value in self.mapping(f"{where}.reports", entry.get("reports", {})).items()
        }
        acknowledgements = {
            str(report): self.ssml(f"{where}.acknowledgements.{report}", text)
            for report, text in self.mapping(
                f"{where}.acknowledgements", entry.get("acknowledgements", {})
            ).items()
        }
        said_at_steps = [r for step in steps.values() for r in step.reports]
        for report in (*acknowledgements, *said_at_steps):
            if report not in reports:
                raise ContentError(
                    f"{self.directory.name}/{where}.acknowledgements: unknown report {report!r}"
                )
        # A guide without a plan is a plain sequence: its steps in the order written.
        in_order: list[dict[str, Any]] = [{step_id: {}} for step_id in steps]
        plan = self.plan(f"{where}.plan", entry.get("plan", in_order), steps, facts)
        opening = self.plan(f"{where}.opening", entry.get("opening", in_order[:1]), steps, facts)
        rhythm = entry.get("rhythm")
        return Guide(
            name=name,
            title=self.text(f"{where}.title", entry["title"]),
            sticky=bool(entry.get("sticky", False)),
            steps=steps,
            prompts=prompts,
            facts=facts,
            reports=reports,
            acknowledgements=acknowledgements,
            opening=opening,
            plan=plan,
            rhythm=None if rhythm is None else self.rhythm(f"{where}.rhythm", rhythm),
        )

    def plan(
        self, where: str, data: Any, steps: Mapping[str, GuideStep], facts: tuple[str, ...]
    ) -> tuple[PlanEntry, ...]:
        if not isinstance(data, list) or not data:
            raise ContentError(f"{self.directory.name}/{where}: expected a list of steps")
        entries = []
        for index, item in enumerate(data):
            item_where = f"{where}[{index}]"
            if not isinstance(item, dict) or len(item) != 1:
                raise ContentError(f"{self.directory.name}/{item_where}: expected step: {{facts}}")
            ((step_id, when),) = item.items()
            self.step_id(item_where, step_id, steps)
            conditions = {
                fact: tuple(self.values(f"{item_where}.{fact}", value))
                for fact, value in self.mapping(item_where, when or {}).items()
            }
            for fact in conditions:
                self.fact(item_where, fact, facts)
            entries.append(PlanEntry(str(step_id), conditions))
        unplanned = set(steps) - {entry.step for entry in entries}
        if where.endswith(".plan") and unplanned:
            raise ContentError(
                f"{self.directory.name}/{where}: steps never due {sorted(unplanned)}"
            )
        return tuple(entries)

    def rhythm(self, where: str, data: Any) -> Answer:
        """The CPR beat as SSML: each beat a word at a prosody rate, followed by a gap."""
        entry = self.fields(
            data, where, {"before", "beat", "beats", "rate", "gap", "after", "sources"}
        )
        beats = entry["beats"]
        if not isinstance(beats, int) or not 1 <= beats <= 120:
            raise ContentError(f"{self.directory.name}/{where}.beats: expected 1 to 120")
        beat = self.text(f"{where}.beat", entry["beat"])
        one = f'<prosody rate="{entry["rate"]}">{beat}</prosody><break time="{entry["gap"]}"/>'
        speech = f'{entry["before"]} <break time="300ms"/> {one * beats} {entry["after"]}'
        return self.answer(
            where, {"speech": speech, "reprompt": entry["after"], "sources": entry["sources"]}
        )

    def mapping(self, where: str, value: Any) -> dict[Any, Any]:
        if not isinstance(value, dict):
            raise ContentError(f"{self.directory.name}/{where}: expected a mapping")
        return value

    def names(self, where: str, value: Any) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ContentError(f"{self.directory.name}/{where}: expected a list of names")
        return list(value)

    def fact(self, where: str, name: Any, facts: tuple[str, ...]) -> str:
        if name not in facts:
            raise ContentError(f"{self.directory.name}/{where}: unknown fact {name!r}")
        return str(name)

    def values(self, where: str, value: Any) -> list[str]:
        """Fact values: yes, no or unknown (YAML reads a bare yes or no as true or false)."""
        found = []
        for item in value if isinstance(value, list) else [value]:
            text = {True: "yes", False: "no"}.get(item, item) if isinstance(item, bool) else item
            if text not in FACT_VALUES:
                raise ContentError(f"{self.directory.name}/{where}: unknown value {item!r}")
            found.append(str(text))
        return found

    def fact_values(self, where: str, data: Any, facts: tuple[str, ...]) -> dict[str, str]:
        result = {}
        for fact, value in self.mapping(where, data).items():
            (result[self.fact(where, fact, facts)],) = self.values(f"{where}.{fact}", value)
        return result

    def some(
        self, data: Any, where: str, required: tuple[str, ...], optional: tuple[str, ...]
    ) -> Iterator[tuple[str, Any]]:
        """Entries of a mapping that must hold the required names and may hold the optional."""
        self.fields(data, where, set(required), frozenset(optional))
        for name in (*required, *optional):
            if name in data:
                yield name, data[name]

    def step_id(self, where: str, value: Any, steps: Mapping[str, GuideStep]) -> str:
        """A reference to a step of this guide."""
        if value not in steps:
            raise ContentError(f"{self.directory.name}/{where}: unknown step {value!r}")
        return str(value)

    def text(self, where: str, value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise ContentError(f"{self.directory.name}/{where}: expected non-empty text")
        return " ".join(value.split())

    def ssml(self, where: str, value: Any) -> str:
        from speech import ssml  # only when compiling: XML parsing is not needed at start-up

        text = self.text(where, value)
        try:
            ssml.validate(text)
        except ssml.SSMLError as error:
            raise ContentError(f"{self.directory.name}/{where}: invalid SSML: {error}") from None
        return text

    def sources(self, where: str, value: Any, required: bool) -> tuple[str, ...]:
        if not isinstance(value, list) or (required and not value):
            raise ContentError(f"{self.directory.name}/{where}: list at least one source")
        for source in value:
            if not isinstance(source, str) or not (
                _SEED_NAME.match(source) or source in self.known_sources
            ):
                raise ContentError(
                    f"{self.directory.name}/{where}: unknown source {source!r} "
                    "(use seed:<file name> or an authority from sources.yaml)"
                )
        return tuple(value)
