"""Session attributes, copied as what they are: JSON."""

from __future__ import annotations

from typing import Any

from ask_sdk_core.attributes_manager import AttributesManager
from ask_sdk_model.request_envelope import RequestEnvelope


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
    """Session attributes are JSON by definition, so copying them as JSON is a faithful deep
    copy, without the cost of `copy.deepcopy`, which the SDK uses on every request."""

    def __init__(self, request_envelope: RequestEnvelope) -> None:
        session = request_envelope.session
        attributes = session.attributes if session is not None else None
        if session is None or attributes is None:
            super().__init__(request_envelope=request_envelope)
            return
        session.attributes = None  # the SDK now skips its copy...
        try:
            super().__init__(request_envelope=request_envelope)
        finally:
            session.attributes = attributes
        self._session_attributes = copy_json(attributes)  # ...and we make ours
