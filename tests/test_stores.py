"""Choosing the guide store by URL, and the service owning it: opened for the skill, closed at
the end, and a bad URL refused before the service starts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from intents.continuity import user_key
from skill.app import ENDPOINT, create_app
from skill.settings import Settings
from skill.stores import (
    BAD_DYNAMODB_URL,
    BAD_SQLITE_URL,
    BAD_URL,
    default_store_url,
    open_store,
)
from skill.stores.dynamodb import DynamoStore
from skill.stores.sqlite import SqliteStore
from speech.simulator.devpki import DevPaths
from speech.simulator.envelopes import DEV_SKILL_ID


def test_a_sqlite_url_names_an_absolute_file(tmp_path: Path) -> None:
    store = open_store(f"sqlite://{tmp_path}/a%20folder/guide.sqlite3")
    assert isinstance(store, SqliteStore)
    assert store.path == tmp_path / "a folder" / "guide.sqlite3"
    assert not store.path.parent.exists(), "nothing is opened before the first lookup"


def test_a_dynamodb_url_names_a_table_region_and_endpoint() -> None:
    store = open_store(
        "dynamodb://heroin-help-guide?region=eu-west-1&endpoint=http://127.0.0.1:8000"
    )
    assert isinstance(store, DynamoStore)
    assert (store.table, store.region, store.endpoint) == (
        "heroin-help-guide",
        "eu-west-1",
        "http://127.0.0.1:8000",
    )
    bare = open_store("dynamodb://heroin_help.guide")
    assert isinstance(bare, DynamoStore)
    assert (bare.table, bare.region, bare.endpoint) == ("heroin_help.guide", None, None)


@pytest.mark.parametrize(
    "url",
    [
        "",
        "guide.sqlite3",
        "/var/lib/guide.sqlite3",
        "postgres://db/guide",
        "sqlite://guide.sqlite3",
        "sqlite://relative/guide.sqlite3",
        "sqlite:///",
        "sqlite:///tmp/guide.sqlite3?mode=ro",
        "dynamodb://",
        "dynamodb://ab",
        "dynamodb://table name",
        "dynamodb://guide/extra",
        "dynamodb://guide?region=",
        "dynamodb://guide?colour=blue",
        "dynamodb://guide?endpoint=file:///etc/passwd",
        "dynamodb://guide?region=us-east-1&&&",
    ],
)
def test_any_other_url_is_a_value_error_with_a_fixed_message(url: str) -> None:
    with pytest.raises(ValueError) as raised:
        open_store(url)
    assert str(raised.value) in (BAD_URL, BAD_SQLITE_URL, BAD_DYNAMODB_URL)


def test_the_default_store_is_a_file_in_the_state_directory(state_dir: Path) -> None:
    assert default_store_url() == f"sqlite://{state_dir / 'guide.sqlite3'}"
    store = open_store(default_store_url())
    assert isinstance(store, SqliteStore)
    assert store.path == state_dir / "guide.sqlite3"


async def test_the_app_gives_the_skill_its_store_and_closes_it(
    dev_pki: DevPaths, tmp_path: Path
) -> None:
    path = tmp_path / "guide.sqlite3"
    store = SqliteStore(path)
    store.save(user_key("caller"), {"step": "call"})
    wal = path.with_name(path.name + "-wal")
    assert wal.exists(), "an open connection keeps a WAL"
    settings = Settings(
        skill_id=DEV_SKILL_ID, trust_root=dev_pki.trust_root, cert_chain=dev_pki.cert_chain
    )
    app = create_app(settings, store=store)
    assert app[ENDPOINT].skill.store is store
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    await server.close()
    assert not wal.exists(), "closing the last connection folds the WAL into the file"


def test_settings_name_the_store_the_app_opens(tmp_path: Path) -> None:
    path = tmp_path / "guide.sqlite3"
    app = create_app(Settings(store=f"sqlite://{path}"))
    store = app[ENDPOINT].skill.store
    assert isinstance(store, SqliteStore) and store.path == path
    assert create_app(Settings())[ENDPOINT].skill.store is None


def test_serve_refuses_a_bad_store_url_before_starting() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "skill.cli", "serve", "--port", "0", "--store", "redis://cache/0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert BAD_URL in result.stderr
    assert "Traceback" not in result.stderr and "listening" not in result.stdout
