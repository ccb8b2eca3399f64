"""The guide store in DynamoDB: for Lambda, and for several web instances behind a load balancer.

One item per caller: `id` (a user_key() hash), `state` (JSON text) and `expires_at` (epoch
seconds, the table's TTL attribute). DynamoDB deletes an expired item only some time later (it
can take days), so a read treats an item past `expires_at` as absent.

boto3 is imported on the first lookup, never before: the Lambda cold start of an ordinary
question does not pay for it. The client has short timeouts and one retry, and after a failure
the store answers StoreError at once for PAUSE_SECONDS, so a table that is down or unreachable
costs one turn a second or two, not every turn of every caller.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import threading
import time
from collections.abc import Callable
from typing import Any

from intents.continuity import KEEP_SECONDS
from skill.stores.guard import ErrorHook, Failures, is_user_key

CONNECT_SECONDS = 1.0
READ_SECONDS = 1.0
ATTEMPTS = 2  # the first try and one retry
PAUSE_SECONDS = 5.0
KEY_ATTRIBUTE = "id"
STATE_ATTRIBUTE = "state"
TTL_ATTRIBUTE = "expires_at"
# The request's own fault (a malformed key or item): no reason to pause for everyone else.
_OWN_FAULT = {"ValidationException", "ItemCollectionSizeLimitExceededException"}


def valid_table_name(name: str) -> bool:
    return re.fullmatch(r"[A-Za-z0-9_.-]{3,255}", name) is not None


class DynamoStore:
    def __init__(
        self,
        table: str,
        *,
        region: str | None = None,
        endpoint: str | None = None,
        keep_seconds: float = KEEP_SECONDS,
        clock: Callable[[], float] = time.time,
        on_error: ErrorHook | None = None,
        pause_seconds: float = PAUSE_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.table = table
        self.region = region  # None: the AWS_REGION that Lambda sets, or the AWS configuration
        self.endpoint = endpoint
        self.keep_seconds = keep_seconds
        self.clock = clock
        self.pause_seconds = pause_seconds
        self.monotonic = monotonic
        self.failures = Failures("dynamodb", on_error, monotonic)
        self._lock = threading.Lock()
        self._client: Any = None
        self._pid = 0
        self._paused_until = float("-inf")

    def load(self, key: str) -> dict[str, Any] | None:
        answer = self._call(
            "load",
            key,
            lambda client: client.get_item(
                TableName=self.table, Key=self._key(key), ConsistentRead=True
            ),
        )
        item = answer.get("Item")
        if item is None:
            return None
        try:
            expires_at = float(item[TTL_ATTRIBUTE]["N"])
            state = json.loads(item[STATE_ATTRIBUTE]["S"])
        except (KeyError, TypeError, ValueError):
            state = None
        if not isinstance(state, dict):
            raise self.failures("load", "a saved item is not a guide state") from None
        return state if expires_at > self.clock() else None

    def save(self, key: str, state: dict[str, Any]) -> None:
        try:
            text = json.dumps(state, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError):
            raise self.failures("save", "the state is not plain JSON") from None
        item = {
            **self._key(key),
            STATE_ATTRIBUTE: {"S": text},
            # TTL takes whole epoch seconds; round up so an item never expires early.
            TTL_ATTRIBUTE: {"N": str(math.ceil(self.clock() + self.keep_seconds))},
        }
        self._call("save", key, lambda client: client.put_item(TableName=self.table, Item=item))

    def forget(self, key: str) -> None:
        self._call(
            "forget",
            key,
            lambda client: client.delete_item(TableName=self.table, Key=self._key(key)),
        )

    def close(self) -> None:
        with self._lock:
            if self._client is not None and self._pid == os.getpid():
                self._client.close()
            self._client = None

    def create_table(self) -> None:
        """Set-up, not for requests: the table (on demand, string hash key `id`) and its TTL on
        `expires_at`. Does nothing that is already done; AWS errors propagate as they are."""
        client = self.client()
        with contextlib.suppress(client.exceptions.ResourceInUseException):  # it exists
            client.create_table(
                TableName=self.table,
                BillingMode="PAY_PER_REQUEST",
                AttributeDefinitions=[{"AttributeName": KEY_ATTRIBUTE, "AttributeType": "S"}],
                KeySchema=[{"AttributeName": KEY_ATTRIBUTE, "KeyType": "HASH"}],
            )
        client.get_waiter("table_exists").wait(
            TableName=self.table, WaiterConfig={"Delay": 1, "MaxAttempts": 60}
        )
        ttl = client.describe_time_to_live(TableName=self.table)["TimeToLiveDescription"]
        if ttl.get("TimeToLiveStatus") not in ("ENABLED", "ENABLING"):
            client.update_time_to_live(
                TableName=self.table,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE},
            )

    def client(self) -> Any:
        """The low-level DynamoDB client of this process, made on first use."""
        with self._lock:
            if self._client is None or self._pid != os.getpid():
                import boto3  # here: about 0.5 s that no request without a lookup should pay
                from botocore.config import Config

                config = Config(
                    connect_timeout=CONNECT_SECONDS,
                    read_timeout=READ_SECONDS,
                    retries={"total_max_attempts": ATTEMPTS, "mode": "standard"},
                )
                self._client = boto3.session.Session().client(
                    "dynamodb", region_name=self.region, endpoint_url=self.endpoint, config=config
                )
                self._pid = os.getpid()
            return self._client

    @staticmethod
    def _key(key: str) -> dict[str, dict[str, str]]:
        return {KEY_ATTRIBUTE: {"S": key}}

    def _call(self, operation: str, key: str, request: Callable[[Any], Any]) -> Any:
        if not is_user_key(key):
            raise self.failures(operation, "the key is not a user_key() hash") from None
        if self.monotonic() < self._paused_until:
            raise self.failures(operation, "paused after a failure") from None
        try:
            return request(self.client())
        # Anything at all (boto3 missing, no credentials or region, no network, a timeout,
        # throttling, no table): the caller answers without the store.
        except Exception as error:
            response = getattr(error, "response", None)  # a ClientError's; None on a timeout
            code = response.get("Error", {}).get("Code") if isinstance(response, dict) else None
            if code not in _OWN_FAULT:
                self._paused_until = self.monotonic() + self.pause_seconds
            raise self.failures(operation, error) from None
