"""The DynamoDB guide store against moto's DynamoDB-compatible server, started here on 127.0.0.1:
the table and its TTL, save/load/forget, expiry on read, and a server that is down or hangs."""

from __future__ import annotations

import itertools
import logging
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from intents.continuity import KEEP_SECONDS, StoreError, user_key
from skill.stores.dynamodb import ATTEMPTS, PAUSE_SECONDS, TTL_ATTRIBUTE, DynamoStore
from skill.stores.guard import FAILED
from speech.simulator.devpki import DevPaths
from tests.helpers import Clock, free_port, moto_server, serve_one_launch

REGION = "us-east-1"
STATE = {"guide": "overdose", "step": "cpr", "facts": {"breathing": False, "gasping": True}}
# Generous: the store gives up after about 2 s, but the machine is shared and may be slow.
DOWN_SECONDS = 10.0
_tables = itertools.count()


@pytest.fixture(scope="module", autouse=True)
def aws_credentials() -> Iterator[None]:
    """boto3 needs some credentials even for a local server; never look for real ones."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ACCESS_KEY_ID", "testing")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        patch.setenv("AWS_EC2_METADATA_DISABLED", "true")
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION", "AWS_REGION"):
            patch.delenv(name, raising=False)
        yield


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with moto_server() as url:
        yield url


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(endpoint: str, clock: Clock) -> Iterator[DynamoStore]:
    table = f"heroin-help-guide-{next(_tables)}"
    made = DynamoStore(table, region=REGION, endpoint=endpoint, clock=clock)
    made.create_table()
    yield made
    made.close()


def raw_item(store: DynamoStore, key: str) -> dict[str, Any] | None:
    item: dict[str, Any] | None = (
        store.client()
        .get_item(TableName=store.table, Key={"id": {"S": key}}, ConsistentRead=True)
        .get("Item")
    )
    return item


def test_create_table_makes_an_on_demand_table_with_ttl(store: DynamoStore) -> None:
    client = store.client()
    table = client.describe_table(TableName=store.table)["Table"]
    assert table["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert table["AttributeDefinitions"] == [{"AttributeName": "id", "AttributeType": "S"}]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    ttl = client.describe_time_to_live(TableName=store.table)["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": TTL_ATTRIBUTE}
    store.create_table()  # a second set-up changes nothing and does not fail


def test_a_saved_state_is_loaded_and_forgotten(store: DynamoStore, clock: Clock) -> None:
    key, other = user_key("amzn1.ask.account.CALLER"), user_key("amzn1.ask.account.OTHER")
    assert store.load(key) is None
    store.save(key, STATE)
    assert store.load(key) == STATE
    assert store.load(other) is None
    item = raw_item(store, key)
    assert item is not None
    assert item[TTL_ATTRIBUTE] == {"N": str(int(clock.now) + KEEP_SECONDS)}
    assert "CALLER" not in str(item)
    store.forget(key)
    assert store.load(key) is None
    assert raw_item(store, key) is None


def test_an_expired_state_is_absent_though_dynamodb_still_has_it(
    store: DynamoStore, clock: Clock
) -> None:
    key = user_key("amzn1.ask.account.CALLER")
    store.save(key, STATE)
    clock.now += KEEP_SECONDS - 1
    assert store.load(key) == STATE
    clock.now += 1
    assert store.load(key) is None
    assert raw_item(store, key) is not None, "TTL deletes late (moto: never); the read decides"


def test_a_missing_table_raises_store_error(endpoint: str) -> None:
    store = DynamoStore("no-such-table", region=REGION, endpoint=endpoint)
    with pytest.raises(StoreError):
        store.load(user_key("caller"))


def test_a_raw_user_id_is_refused(store: DynamoStore) -> None:
    raw = "amzn1.ask.account.CALLER"
    with pytest.raises(StoreError):
        store.save(raw, STATE)
    assert raw_item(store, raw) is None


def test_a_server_that_is_down_raises_store_error_quickly(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Nothing listens on the port (a stopped server): refused at once, retried once."""
    failures: list[str] = []
    store = DynamoStore(
        "heroin-help-guide",
        region=REGION,
        endpoint=f"http://127.0.0.1:{free_port()}",
        on_error=failures.append,
    )
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="heroin_help.store"):
        with pytest.raises(StoreError) as raised:
            store.load(user_key("caller"))
        with pytest.raises(StoreError):
            store.save(user_key("caller"), STATE)
    assert time.monotonic() - started < DOWN_SECONDS
    assert str(raised.value) == FAILED and raised.value.__cause__ is None
    assert failures == ["load", "save"]
    assert len(caplog.records) == 1
    assert "EndpointConnectionError" in caplog.records[0].getMessage()


class HangingServer:
    """Accepts connections and never answers: a store that is up but stuck."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.connections: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.sock.accept()
            except OSError:
                return
            self.connections.append(connection)

    def close(self) -> None:
        self.sock.close()
        for connection in self.connections:
            connection.close()


@pytest.fixture
def hanging() -> Iterator[HangingServer]:
    server = HangingServer()
    yield server
    server.close()


def test_a_server_that_hangs_raises_store_error_then_is_left_alone(
    hanging: HangingServer,
) -> None:
    monotonic = Clock(1000.0)
    store = DynamoStore("heroin-help-guide", region=REGION, endpoint=hanging.url)
    store.monotonic = store.failures.monotonic = monotonic
    started = time.monotonic()
    with pytest.raises(StoreError):
        store.load(user_key("caller"))
    assert time.monotonic() - started < DOWN_SECONDS
    assert len(hanging.connections) == ATTEMPTS, "one try and one retry, each timed out"
    monotonic.now += PAUSE_SECONDS - 0.1
    with pytest.raises(StoreError):
        store.save(user_key("caller"), STATE)
    assert len(hanging.connections) == ATTEMPTS, "paused: no new attempt"
    monotonic.now += 0.1
    with pytest.raises(StoreError):
        store.forget(user_key("caller"))
    assert len(hanging.connections) > ATTEMPTS, "after the pause it tries again"


async def test_serve_with_a_dynamodb_store_answers(dev_pki: DevPaths, store: DynamoStore) -> None:
    url = f"dynamodb://{store.table}?endpoint={store.endpoint}&region={REGION}"
    served = await serve_one_launch(dev_pki, ["--store", url])
    assert "emergency" in served.reply.speech.lower()
    assert served.returncode == 0
    assert f"guide store: {url}" in served.stderr and "Traceback" not in served.stderr
