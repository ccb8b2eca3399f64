"""The compiled content bundle: the same as the YAML it came from, rebuilt when that changes."""

from __future__ import annotations

import shutil
from pathlib import Path

from speech import content
from speech.content.bundle import load_compiled
from speech.content.loader import load_directory


def copy_content(tmp_path: Path) -> tuple[Path, Path, Path]:
    directory = tmp_path / "en-US"
    shutil.copytree(content.CONTENT_DIR / "en-US", directory)
    sources = tmp_path / "sources.yaml"
    shutil.copy(content.CONTENT_DIR / "sources.yaml", sources)
    return directory, sources, tmp_path / "en-US.compiled.json"


def test_the_bundle_holds_exactly_what_the_yaml_says(tmp_path: Path) -> None:
    directory, sources, bundle = copy_content(tmp_path)
    from_yaml = load_directory(directory, sources)
    first = load_compiled(directory, sources, bundle, load_directory)
    assert bundle.exists()
    second = load_compiled(directory, sources, bundle, load_directory)  # now read from the bundle
    assert first == from_yaml == second


def test_an_edit_to_the_yaml_recompiles_the_bundle(tmp_path: Path) -> None:
    directory, sources, bundle = copy_content(tmp_path)
    load_compiled(directory, sources, bundle, load_directory)
    prompts = directory / "prompts.yaml"
    prompts.write_text(prompts.read_text().replace("Take care.", "Take good care."))
    reloaded = load_compiled(directory, sources, bundle, load_directory)
    assert reloaded.prompts["goodbye"].speech.startswith("Take good care.")


def test_a_damaged_bundle_is_ignored(tmp_path: Path) -> None:
    directory, sources, bundle = copy_content(tmp_path)
    bundle.write_text("{not json")
    compiled = load_compiled(directory, sources, bundle, load_directory)
    assert compiled == load_directory(directory, sources)
