"""The guide store's backends, chosen by a URL. The skill sees only `intents.continuity.GuideStore`.

    sqlite:///ABSOLUTE/PATH                             one machine, any number of workers (default:
                                                        guide.sqlite3 in the state directory)
    dynamodb://TABLE?region=REGION&endpoint=URL         Lambda, or several machines; region and
                                                        endpoint are optional

Every backend method either answers or raises StoreError quickly, with a fixed message; the
backend logs one line about the cause (rate-limited) and calls `on_error`, the one place a
metrics counter of store failures hooks in.

Light on purpose: the Lambda entry point imports this package when HEROIN_HELP_STORE is set, so
the backends (sqlite3, boto3) are imported only by `open_store`, and boto3 only on the first lookup.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Protocol

from intents.continuity import GuideStore
from skill.stores.guard import ErrorHook

DEFAULT_FILE = "guide.sqlite3"
URL_FORMS = "sqlite:///ABSOLUTE/PATH or dynamodb://TABLE?region=REGION&endpoint=URL"
# What a URL we cannot use gets: fixed messages, never the URL itself.
BAD_URL = f"a store URL is {URL_FORMS}"
BAD_SQLITE_URL = "a SQLite store URL is sqlite:///ABSOLUTE/PATH"
BAD_DYNAMODB_URL = "a DynamoDB store URL is dynamodb://TABLE?region=REGION&endpoint=http(s)://HOST"


class Store(GuideStore, Protocol):
    """A GuideStore the service owns: closed when the app stops."""

    def close(self) -> None: ...


def default_store_url() -> str:
    """The SQLite file in the state directory: `$XDG_STATE_HOME/heroin-help/guide.sqlite3`."""
    from urllib.parse import quote

    from skill.settings import state_dir

    return f"sqlite://{quote((state_dir() / DEFAULT_FILE).as_posix())}"


def open_store(url: str, on_error: ErrorHook | None = None) -> Store:
    """The backend a store URL names; nothing is opened or connected until the first lookup.
    A URL of any other form is a ValueError with a fixed message."""
    from urllib.parse import parse_qs, unquote, urlsplit

    try:
        parts = urlsplit(url)
        query = parse_qs(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query))
    except ValueError:
        raise ValueError(BAD_URL) from None
    options = {name: values[-1] for name, values in query.items()}
    if parts.scheme == "sqlite":
        path = Path(unquote(parts.path))
        if parts.netloc or not path.is_absolute() or path == Path("/") or options:
            raise ValueError(BAD_SQLITE_URL)
        from skill.stores.sqlite import SqliteStore

        return SqliteStore(path, on_error=on_error)
    if parts.scheme == "dynamodb":
        from skill.stores.dynamodb import DynamoStore, valid_table_name

        endpoint = options.pop("endpoint", None)
        region = options.pop("region", None)
        if (
            not valid_table_name(parts.netloc)
            or parts.path not in ("", "/")
            or options
            or (endpoint is not None and not re.fullmatch(r"https?://[^\s/?#]+/?", endpoint))
            or region == ""
        ):
            raise ValueError(BAD_DYNAMODB_URL)
        return DynamoStore(parts.netloc, region=region, endpoint=endpoint, on_error=on_error)
    raise ValueError(BAD_URL)
