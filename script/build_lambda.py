"""Build the AWS Lambda zip: the skill's packages plus the runtime dependencies of the Lambda path.

The content goes in as YAML and as the compiled bundle that a cold start reads. Dependencies are
copied from this virtualenv's installed distributions (offline and fast), walking
the requirement closure of ask-sdk-core and PyYAML. aiohttp, cryptography and the speech tools are
left out on purpose: the Lambda path imports none of them. Handler: skill.lambda_function.handler
"""

from __future__ import annotations

import argparse
import importlib.metadata as metadata
import re
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ROOTS = ("ask-sdk-core", "PyYAML")
# The skill's own files the Lambda path needs, relative to the repo.
PROJECT_FILES = (
    "skill/__init__.py",
    "skill/lambda_function.py",
    "skill/envelope.py",
    "skill/serializer.py",
    "intents/*.py",
    "speech/__init__.py",
    "speech/content.py",
    "speech/ssml.py",
    "speech/content/*.yaml",
    "speech/content/*/*.yaml",
    "speech/content/*.compiled.json",
)
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def requirement_closure(roots: tuple[str, ...]) -> list[metadata.Distribution]:
    seen: dict[str, metadata.Distribution] = {}
    pending = list(roots)
    optional: set[str] = set()
    while pending:
        name = pending.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in seen:
            continue
        try:
            distribution = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            if name in optional:
                continue  # its environment marker did not apply here (e.g. an old Python)
            raise
        seen[key] = distribution
        for requirement in distribution.requires or []:
            if "extra ==" in requirement:
                continue
            match = _NAME.match(requirement)
            if match:
                pending.append(match.group(1))
                if ";" in requirement:
                    optional.add(match.group(1))
    return sorted(seen.values(), key=lambda d: d.metadata["Name"].lower())


def distribution_files(distribution: metadata.Distribution) -> list[tuple[Path, str]]:
    files = []
    for file in distribution.files or []:
        parts = Path(str(file)).parts
        if not parts or parts[0] == ".." or "__pycache__" in parts or parts[0].endswith(".data"):
            continue
        files.append((Path(str(distribution.locate_file(file))), str(file)))
    return files


def build(out: Path) -> Path:
    from speech import content

    for locale in content.available_locales():
        content.load(locale)  # writes the compiled bundle a cold start reads instead of YAML
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for pattern in PROJECT_FILES:
            for path in sorted(REPO.glob(pattern)):
                archive.write(path, path.relative_to(REPO).as_posix())
        for distribution in requirement_closure(ROOTS):
            for source, name in distribution_files(distribution):
                if source.is_file():
                    archive.write(source, name)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=REPO / "dist" / "heroin-help-lambda.zip")
    args = parser.parse_args()
    path = build(args.out)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
