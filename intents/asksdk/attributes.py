"""Session attributes, read from the request's JSON and copied as what they are: JSON."""

from __future__ import annotations

from typing import Any

from ask_sdk_core.attributes_manager import AttributesManager
from ask_sdk_core.exceptions import AttributesManagerException


def copy_json(value: Any) -> Any:
    """A deep copy of parsed JSON: only dicts and lists need copying, everything else is
    immutable. `copy.deepcopy` (what the SDK uses) is ten times slower."""
    kind = type(value)
    if kind is dict:
        return {key: copy_json(item) for key, item in value.items()}
    if kind is list:
        return [copy_json(item) for item in value]
    return value


class JsonAttributesManager(AttributesManager):
    """The SDK's AttributesManager over the request's session JSON rather than its models: the
    same request and session attributes, and the same refusals (no session attributes outside a
    session, no persistent attributes without a persistence adapter). Session attributes are
    JSON by definition, so copying them as JSON is a faithful deep copy."""

    def __init__(self, session: dict[str, Any] | None) -> None:
        # The SDK's own __init__ reads the request models, which this manager exists to avoid.
        self._request_envelope = None  # type: ignore[assignment]  # the SDK's hints say never
        self._persistence_adapter = None  # type: ignore[assignment]
        self._persistence_attributes: dict[str, Any] = {}
        self._request_attributes: dict[str, Any] = {}
        self._persistent_attributes_set = False
        self._in_session = session is not None
        attributes = session.get("attributes") if session is not None else None
        self._session_attributes: dict[str, Any] | None = (
            None if session is None else {} if attributes is None else copy_json(attributes)
        )

    @property
    def session_attributes(self) -> dict[str, Any] | None:
        if not self._in_session:
            raise AttributesManagerException(
                "Cannot get SessionAttributes from out of session request!"
            )
        return self._session_attributes

    @session_attributes.setter
    def session_attributes(self, session_attributes: dict[str, Any] | None) -> None:
        if not self._in_session:
            raise AttributesManagerException(
                "Cannot set SessionAttributes to out of session request!"
            )
        self._session_attributes = session_attributes

    def returned(self) -> dict[str, Any] | None:
        """The session attributes the response carries: None outside a session."""
        return self._session_attributes if self._in_session else None
