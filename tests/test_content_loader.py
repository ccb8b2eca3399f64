"""The content loader fails fast, naming the file and the key, when a content file is broken.

Each test copies the real en-US content and sources.yaml into a temporary directory, breaks one
thing, and checks that `load_directory` raises a ContentError that says where the problem is.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from speech import content
from speech.content import loader, schema

LOCALE = "en-US"


@pytest.fixture
def copy(tmp_path: Path) -> tuple[Path, Path]:
    """A writable copy of the real content: (locale directory, sources file)."""
    directory = tmp_path / LOCALE
    shutil.copytree(content.CONTENT_DIR / LOCALE, directory)
    sources = tmp_path / "sources.yaml"
    shutil.copyfile(content.CONTENT_DIR / "sources.yaml", sources)
    return directory, sources


def edit(path: Path, change: Callable[[Any], None]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def load_error(directory: Path, sources: Path) -> str:
    with pytest.raises(loader.ContentError) as caught:
        loader.load_directory(directory, sources)
    return str(caught.value)


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
        content.CONTENT_DIR / LOCALE, content.CONTENT_DIR / "sources.yaml"
    )


def test_unknown_key(copy: tuple[Path, Path]) -> None:
    directory, sources = copy
    edit(directory / "topics.yaml", lambda data: data["WithdrawalIntent"].update(colour="blue"))
    message = load_error(directory, sources)
    assert "topics.yaml:WithdrawalIntent" in message
    assert "colour" in message


def test_unknown_topic(copy: tuple[Path, Path]) -> None:
    directory, sources = copy
    edit(
        directory / "topics.yaml",
        lambda data: data.update(GamblingIntent=dict(data["CostIntent"])),
    )
    message = load_error(directory, sources)
    assert "topics.yaml" in message
    assert "GamblingIntent" in message


def test_missing_answer(copy: tuple[Path, Path]) -> None:
    directory, sources = copy
    edit(directory / "topics.yaml", lambda data: data.pop("CostIntent"))
    message = load_error(directory, sources)
    assert "topics.yaml" in message
    assert "CostIntent" in message
    assert "missing" in message


def test_missing_medication(copy: tuple[Path, Path]) -> None:
    directory, sources = copy
    edit(directory / "medications.yaml", lambda data: data.pop("naloxone"))
    message = load_error(directory, sources)
    assert "medications.yaml" in message
    assert "naloxone" in message


def test_missing_prompt(copy: tuple[Path, Path]) -> None:
    directory, sources = copy
    edit(directory / "prompts.yaml", lambda data: data["responses"].pop("error"))
    message = load_error(directory, sources)
    assert "prompts.yaml:responses" in message
    assert "error" in message


def test_malformed_ssml(copy: tuple[Path, Path]) -> None:
    directory, sources = copy
    edit(
        directory / "medications.yaml",
        lambda data: data["naloxone"].update(speech='Wait <break time="1s"> then call.'),
    )
    message = load_error(directory, sources)
    assert "medications.yaml:naloxone.speech" in message
    assert "invalid SSML" in message


def test_unsupported_tag(copy: tuple[Path, Path]) -> None:
    directory, sources = copy
    edit(
        directory / "prompts.yaml",
        lambda data: data["responses"]["help"].update(
            speech='Listen. <audio src="https://example.com/x.mp3"/>'
        ),
    )
    message = load_error(directory, sources)
    assert "prompts.yaml:responses.help.speech" in message
    assert "audio" in message


def test_malformed_ssml_in_a_follow_up(copy: tuple[Path, Path]) -> None:
    directory, sources = copy
    edit(
        directory / "topics.yaml",
        lambda data: data["WithdrawalIntent"]["more"][0].update(speech="<s>Unclosed sentence."),
    )
    message = load_error(directory, sources)
    assert "topics.yaml:WithdrawalIntent.more[0].speech" in message


def test_guide_step_points_at_unknown_step(copy: tuple[Path, Path]) -> None:
    directory, sources = copy
    edit(
        directory / "guides.yaml",
        lambda data: data["overdose"]["steps"]["check"].update(next="nowhere"),
    )
    message = load_error(directory, sources)
    assert "guides.yaml:overdose.steps.check" in message
    assert "nowhere" in message


def test_guide_question_needs_yes_and_no(copy: tuple[Path, Path]) -> None:
    directory, sources = copy
    edit(directory / "guides.yaml", lambda data: data["overdose"]["steps"]["breathing"].pop("no"))
    message = load_error(directory, sources)
    assert "guides.yaml:overdose.steps.breathing" in message


def test_guide_start_is_unknown(copy: tuple[Path, Path]) -> None:
    directory, sources = copy
    edit(directory / "guides.yaml", lambda data: data["intervention"].update(start="step_zero"))
    message = load_error(directory, sources)
    assert "guides.yaml:intervention.start" in message
    assert "step_zero" in message


def test_unknown_source(copy: tuple[Path, Path]) -> None:
    directory, sources = copy
    edit(
        directory / "topics.yaml",
        lambda data: data["FindHelpIntent"]["sources"].append("Wikipedia"),
    )
    message = load_error(directory, sources)
    assert "topics.yaml:FindHelpIntent.sources" in message
    assert "Wikipedia" in message


def test_malformed_seed_citation(copy: tuple[Path, Path]) -> None:
    directory, sources = copy
    edit(
        directory / "guides.yaml",
        lambda data: data["overdose"]["steps"]["call"].update(sources=["seed:004.txt"]),
    )
    message = load_error(directory, sources)
    assert "guides.yaml:overdose.steps.call.sources" in message
    assert "seed:004.txt" in message


def test_missing_sources(copy: tuple[Path, Path]) -> None:
    directory, sources = copy
    edit(directory / "medications.yaml", lambda data: data["clonidine"].update(sources=[]))
    message = load_error(directory, sources)
    assert "medications.yaml:clonidine.sources" in message


def test_authority_removed_from_sources_file(copy: tuple[Path, Path]) -> None:
    directory, sources = copy
    edit(sources, lambda data: data["authorities"].remove("FDA methadone label"))
    message = load_error(directory, sources)
    # The first answer citing it, in load order (topics before medications), names its key.
    assert re.search(r"en-US/\w+\.yaml:\S+\.sources: unknown source", message), message
    assert "FDA methadone label" in message


def test_sources_file_without_authorities(copy: tuple[Path, Path]) -> None:
    directory, sources = copy
    edit(sources, lambda data: data.pop("authorities"))
    message = load_error(directory, sources)
    assert "sources.yaml" in message
    assert "authorities" in message


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


def test_unquoted_yes_no_keys_are_caught(copy: tuple[Path, Path]) -> None:
    """YAML 1.1 reads a bare `yes:` key as True: the loader must reject it, naming the step."""
    directory, sources = copy
    path = directory / "guides.yaml"
    text = path.read_text(encoding="utf-8")
    assert '"yes": give_naloxone' in text
    path.write_text(text.replace('"yes": give_naloxone', "yes: give_naloxone"), encoding="utf-8")
    message = load_error(directory, sources)
    assert "guides.yaml:overdose.steps.naloxone" in message


def test_unknown_question_id(copy: tuple[Path, Path]) -> None:
    directory, sources = copy
    edit(
        directory / "topics.yaml",
        lambda data: data["WithdrawalIntent"]["more"][0].update(answers=["how_much_longer"]),
    )
    message = load_error(directory, sources)
    assert "topics.yaml:WithdrawalIntent.more[0].answers" in message
    assert "how_much_longer" in message


def test_a_question_only_an_intent_with_the_question_slot_can_ask(
    copy: tuple[Path, Path],
) -> None:
    directory, sources = copy
    assert "UseSignsIntent" not in schema.QUESTION_INTENTS
    edit(
        directory / "topics.yaml",
        lambda data: data["UseSignsIntent"]["more"][0].update(answers=["how_long"]),
    )
    message = load_error(directory, sources)
    assert "topics.yaml:UseSignsIntent.more[0].answers" in message
    assert "question slot" in message


def test_a_topic_whose_follow_up_goes_first_needs_an_offer_for_its_first_answer(
    copy: tuple[Path, Path],
) -> None:
    directory, sources = copy
    edit(directory / "medications.yaml", lambda data: data["methadone"].pop("offer"))
    message = load_error(directory, sources)
    assert "medications.yaml:methadone" in message
    assert "'offer'" in message


def test_questions_load_as_data(copy: tuple[Path, Path]) -> None:
    loaded = loader.load_directory(*copy)
    withdrawal = loaded.topics["WithdrawalIntent"]
    lead = withdrawal.lead_for("how_long")
    assert lead > 0 and "how_long" in withdrawal.more[lead - 1].answers
    assert withdrawal.order(lead)[0] == lead and sorted(withdrawal.order(lead)) == [0, 1, 2, 3]
    assert withdrawal.lead_for(None) == withdrawal.lead_for("cost") == 0
