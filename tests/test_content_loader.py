"""The content loader fails fast, naming the file and the key, when a content file is broken.

Each case copies the real en-US content and sources.yaml into a temporary directory, breaks one
thing, and checks that `load_directory` raises a ContentError that says where the problem is.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from speech import content
from speech.content import SOURCES_FILE, loader, schema

LOCALE = "en-US"
SOURCES = "sources.yaml"


@pytest.fixture
def copy(tmp_path: Path) -> tuple[Path, Path]:
    """A writable copy of the real content: (locale directory, sources file)."""
    directory = tmp_path / LOCALE
    shutil.copytree(content.CONTENT_DIR / LOCALE, directory)
    sources = tmp_path / SOURCES
    shutil.copyfile(SOURCES_FILE, sources)
    return directory, sources


def edit(path: Path, change: Callable[[Any], None]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def test_the_unbroken_copy_loads(copy: tuple[Path, Path]) -> None:
    loaded = loader.load_directory(*copy)
    assert set(loaded.topics) == set(schema.TOPIC_INTENTS)
    assert set(loaded.medications) == set(schema.MEDICATIONS)
    assert set(loaded.guides) == set(schema.GUIDES)


def test_the_yaml_round_trip_keeps_the_content(copy: tuple[Path, Path]) -> None:
    """The edits below re-dump YAML; a no-op edit must not change what loads."""
    directory, sources = copy
    for name in ("topics.yaml", "medications.yaml", "guides.yaml", "prompts.yaml"):
        edit(directory / name, lambda data: None)
    assert loader.load_directory(directory, sources) == loader.load_directory(
        content.CONTENT_DIR / LOCALE, SOURCES_FILE
    )


@dataclass(frozen=True)
class Broken:
    """One way to break the content: the file, the change, and what the error must name."""

    file: str
    change: Callable[[Any], None]
    names: tuple[str, ...]


def overdose(data: Any) -> Any:
    return data["overdose"]


BROKEN = {
    "unknown key": Broken(
        "topics.yaml",
        lambda d: d["WithdrawalIntent"].update(colour="blue"),
        ("topics.yaml:WithdrawalIntent", "colour"),
    ),
    "unknown topic": Broken(
        "topics.yaml",
        lambda d: d.update(GamblingIntent=dict(d["CostIntent"])),
        ("topics.yaml", "GamblingIntent"),
    ),
    "missing answer": Broken(
        "topics.yaml", lambda d: d.pop("CostIntent"), ("topics.yaml", "CostIntent", "missing")
    ),
    "missing medication": Broken(
        "medications.yaml", lambda d: d.pop("naloxone"), ("medications.yaml", "naloxone")
    ),
    "missing prompt": Broken(
        "prompts.yaml", lambda d: d["responses"].pop("error"), ("prompts.yaml:responses", "error")
    ),
    "malformed SSML": Broken(
        "medications.yaml",
        lambda d: d["naloxone"].update(speech='Wait <break time="1s"> then call.'),
        ("medications.yaml:naloxone.speech", "invalid SSML"),
    ),
    "unsupported tag": Broken(
        "prompts.yaml",
        lambda d: d["responses"]["help"].update(
            speech='Listen. <audio src="https://example.com/x.mp3"/>'
        ),
        ("prompts.yaml:responses.help.speech", "audio"),
    ),
    "malformed SSML in a follow-up": Broken(
        "topics.yaml",
        lambda d: d["WithdrawalIntent"]["more"][0].update(speech="<s>Unclosed sentence."),
        ("topics.yaml:WithdrawalIntent.more[0].speech",),
    ),
    "unknown source": Broken(
        "topics.yaml",
        lambda d: d["FindHelpIntent"]["sources"].append("Wikipedia"),
        ("topics.yaml:FindHelpIntent.sources", "Wikipedia"),
    ),
    "malformed seed citation": Broken(
        "guides.yaml",
        lambda d: overdose(d)["steps"]["call"].update(sources=["seed:004.txt"]),
        ("guides.yaml:overdose.steps.call.sources", "seed:004.txt"),
    ),
    "missing sources": Broken(
        "medications.yaml",
        lambda d: d["clonidine"].update(sources=[]),
        ("medications.yaml:clonidine.sources",),
    ),
    "sources file without authorities": Broken(
        SOURCES, lambda d: d.pop("authorities"), ("sources.yaml", "authorities")
    ),
    "unknown question id": Broken(
        "topics.yaml",
        lambda d: d["WithdrawalIntent"]["more"][0].update(answers=["how_much_longer"]),
        ("topics.yaml:WithdrawalIntent.more[0].answers", "how_much_longer"),
    ),
    "a question only an intent with the question slot can ask": Broken(
        "topics.yaml",
        lambda d: d["UseSignsIntent"]["more"][0].update(answers=["how_long"]),
        ("topics.yaml:UseSignsIntent.more[0].answers", "question slot"),
    ),
    "a follow-up said first needs an offer for the first answer": Broken(
        "medications.yaml",
        lambda d: d["methadone"].pop("offer"),
        ("medications.yaml:methadone", "'offer'"),
    ),
    # The guides: every reference names something that exists, and every value is a fact value.
    "plan names an unknown step": Broken(
        "guides.yaml",
        lambda d: overdose(d)["plan"].insert(0, {"nowhere": {}}),
        ("guides.yaml:overdose.plan[0]", "nowhere"),
    ),
    "plan entry naming two steps": Broken(
        "guides.yaml",
        lambda d: overdose(d)["plan"][0].update(cpr={"pulse": "no"}),
        ("guides.yaml:overdose.plan[0]", "expected step: {facts}"),
    ),
    "condition on an unknown fact": Broken(
        "guides.yaml",
        lambda d: overdose(d)["plan"].__setitem__(0, {"pet_vet": {"pulse": False}}),
        ("guides.yaml:overdose.plan[0]", "pulse"),
    ),
    "a step is never due": Broken(
        "guides.yaml",
        lambda d: overdose(d).update(
            plan=[entry for entry in overdose(d)["plan"] if "recovery" not in entry]
        ),
        ("guides.yaml:overdose.plan", "recovery"),
    ),
    "question about an unknown fact": Broken(
        "guides.yaml",
        lambda d: overdose(d)["steps"]["breathing"].update(asks="pulse"),
        ("guides.yaml:overdose.steps.breathing.asks", "pulse"),
    ),
    "report with an unknown value": Broken(
        "guides.yaml",
        lambda d: overdose(d)["reports"].update(gasping={"breathing": "sort of"}),
        ("guides.yaml:overdose.reports.gasping.breathing", "sort of"),
    ),
    "acknowledgement of an unknown report": Broken(
        "guides.yaml",
        lambda d: overdose(d)["acknowledgements"].update(sneezed="Bless you."),
        ("guides.yaml:overdose.acknowledgements", "sneezed"),
    ),
    "a step's own meaning for an unknown report": Broken(
        "guides.yaml",
        lambda d: overdose(d)["steps"]["check"]["reports"].update(sneezed={"responds": False}),
        ("guides.yaml:overdose", "sneezed"),
    ),
    "waiting steps without the way back": Broken(
        "guides.yaml",
        lambda d: overdose(d)["prompts"].pop("come_back"),
        ("guides.yaml:overdose.prompts", "come_back"),
    ),
    "a beat too many": Broken(
        "guides.yaml",
        lambda d: overdose(d)["rhythm"].update(beats=500),
        ("guides.yaml:overdose.rhythm.beats",),
    ),
    "a prosody rate Alexa rejects": Broken(
        "guides.yaml",
        lambda d: overdose(d)["rhythm"].update(rate="ludicrous"),
        ("guides.yaml:overdose.rhythm", "prosody rate"),
    ),
}


@pytest.mark.parametrize("case", list(BROKEN), ids=list(BROKEN))
def test_a_broken_file_is_refused_by_name(case: str, copy: tuple[Path, Path]) -> None:
    directory, sources = copy
    broken = BROKEN[case]
    edit(sources if broken.file == SOURCES else directory / broken.file, broken.change)
    message = load_error(directory, sources)
    for name in broken.names:
        assert name in message, f"{case}: {message}"


def load_error(directory: Path, sources: Path) -> str:
    with pytest.raises(loader.ContentError) as caught:
        loader.load_directory(directory, sources)
    return str(caught.value)


def test_authority_removed_from_sources_file(copy: tuple[Path, Path]) -> None:
    directory, sources = copy
    edit(sources, lambda data: data["authorities"].remove("FDA methadone label"))
    message = load_error(directory, sources)
    # The first answer citing it, in load order (topics before medications), names its key.
    assert re.search(r"en-US/\w+\.yaml:\S+\.sources: unknown source", message), message
    assert "FDA methadone label" in message


def test_invalid_yaml_names_the_file(copy: tuple[Path, Path]) -> None:
    directory, sources = copy
    path = directory / "guides.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n  bad: [unclosed\n", encoding="utf-8")
    message = load_error(directory, sources)
    assert "guides.yaml" in message


def test_missing_file_names_the_file(copy: tuple[Path, Path]) -> None:
    directory, sources = copy
    (directory / "locale.yaml").unlink()
    message = load_error(directory, sources)
    assert "locale.yaml" in message


def test_a_bare_yes_or_no_is_the_fact_value(copy: tuple[Path, Path]) -> None:
    """YAML 1.1 reads a bare `yes` as true: in a guide it means the fact value "yes"."""
    guide = loader.load_directory(*copy).guides["overdose"]
    assert guide.reports["not_breathing"]["breathing"] == "no"
    assert guide.steps["call"].sets == {"called": "yes"}


def test_questions_load_as_data(copy: tuple[Path, Path]) -> None:
    loaded = loader.load_directory(*copy)
    withdrawal = loaded.topics["WithdrawalIntent"]
    lead = withdrawal.lead_for("how_long")
    assert lead > 0 and "how_long" in withdrawal.more[lead - 1].answers
    assert withdrawal.order(lead)[0] == lead and sorted(withdrawal.order(lead)) == [0, 1, 2, 3]
    assert withdrawal.lead_for(None) == withdrawal.lead_for("cost") == 0
