"""What a request says, read straight from its parsed JSON: the fields the turn needs, and nothing
the skill does not use.

Building ask-sdk's request models costs about as much as everything else the skill does: some
eighteen objects per request, most of which no handler reads. The turn reads these fields instead;
the models are still built, once, if a handler asks for `handler_input.request_envelope`.

The JSON comes from outside. Where the fields read here must hold an object or a list and hold
something else, the request is unreadable (the service answers 400), as it was when the models
were built; a scalar of the wrong type reads as absent. Values newer than the SDK are tolerated
and named in `notes` in the SDK's words (an unknown request type, slot confirmation, resolution
status), as the model builder names them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from ask_sdk_model.dialog_state import DialogState
from ask_sdk_model.intent_confirmation_status import IntentConfirmationStatus
from ask_sdk_model.slot_confirmation_status import SlotConfirmationStatus
from ask_sdk_model.slu.entityresolution.status_code import StatusCode

from intents.names import INTENT_REQUEST, REQUEST_TYPES

SUCCESS_MATCH = StatusCode.ER_SUCCESS_MATCH.value
# Enum fields read here, with the words the model builder notes an unknown value in.
_DIALOG_STATES = frozenset(member.value for member in DialogState)
_INTENT_CONFIRMATIONS = frozenset(member.value for member in IntentConfirmationStatus)
_SLOT_CONFIRMATIONS = frozenset(member.value for member in SlotConfirmationStatus)
_STATUS_CODES = frozenset(member.value for member in StatusCode)
_NO_SLOTS: Mapping[str, str | None] = {}


class UnreadableRequest(ValueError):
    """The envelope has fields of the wrong JSON type. The message is fixed: what the envelope
    held is never repeated."""

    def __init__(self) -> None:
        super().__init__("request fields have the wrong types")


class Reading(NamedTuple):
    """One request, as the turn reads it. A named tuple: as immutable as a frozen dataclass, and
    three times cheaper to build, which every request does."""

    request_type: str
    intent: str | None  # an IntentRequest's intent name
    slots: Mapping[str, str | None]  # slot name -> canonical id (see `slot_id`), or None
    locale: str | None
    session: dict[str, Any] | None  # the session JSON; None outside a session
    new_session: bool
    user_id: str | None


def read(envelope: Any, notes: list[str] | None = None) -> Reading:
    """The Reading of a parsed envelope; raises UnreadableRequest (see the module docstring)."""
    request = _object(envelope.get("request") if type(envelope) is dict else None)
    if request is None:
        raise UnreadableRequest()
    request_type = request.get("type")
    if type(request_type) is not str:
        raise UnreadableRequest()
    if request_type not in REQUEST_TYPES:
        _note(notes, "unknown Request type")
    intent_name, slots = None, _NO_SLOTS
    if request_type == INTENT_REQUEST:
        if _known(request.get("dialogState"), _DIALOG_STATES) is False:
            _note(notes, "unknown DialogState value")
        intent = _object(request.get("intent"))
        if intent is not None:
            intent_name = _text(intent.get("name"))
            if _known(intent.get("confirmationStatus"), _INTENT_CONFIRMATIONS) is False:
                _note(notes, "unknown IntentConfirmationStatus value")
            given = _object(intent.get("slots"))
            if given:
                slots = {name: slot_id(_object(slot), notes) for name, slot in given.items()}
    session = _object(envelope.get("session"))
    if session is not None:
        _object(session.get("attributes"))
    context = envelope.get("context")
    system = context.get("System") if type(context) is dict else None
    user = system.get("user") if type(system) is dict else None
    if not user and session is not None:
        user = session.get("user")
    user_id = _text(user.get("userId")) if type(user) is dict else None
    return Reading(
        request_type=request_type,
        intent=intent_name,
        slots=slots,
        locale=_text(request.get("locale")),
        session=session,
        new_session=session is None or bool(session.get("new")),
        user_id=user_id,
    )


def slot_id(slot: dict[str, Any] | None, notes: list[str] | None = None) -> str | None:
    """The canonical value Alexa resolved the slot to (its id, or its name), lower case, or the
    raw value when no authority matched; None for an empty slot."""
    if slot is None:
        return None
    if _known(slot.get("confirmationStatus"), _SLOT_CONFIRMATIONS) is False:
        _note(notes, "unknown SlotConfirmationStatus value")
    found = None
    resolutions = _object(slot.get("resolutions"))
    authorities = _list(resolutions.get("resolutionsPerAuthority")) if resolutions else None
    for each in authorities or ():
        authority = _object(each)
        if authority is None:
            continue
        status = _object(authority.get("status"))
        code = status.get("code") if status is not None else None
        if _known(code, _STATUS_CODES) is False:
            _note(notes, "unknown StatusCode value")
        values = _list(authority.get("values"))
        if found is None and code == SUCCESS_MATCH and values:
            value = _object(_object(values[0]) and values[0].get("value"))
            if value is not None:
                found = str(_text(value.get("id")) or _text(value.get("name"))).lower()
    if found is not None:
        return found
    raw = (_text(slot.get("value")) or "").strip().lower()
    return raw or None


def _object(value: Any) -> dict[str, Any] | None:
    """An object the models would build, or None; anything else is unreadable."""
    if value is None or type(value) is dict:
        return value
    raise UnreadableRequest()


def _list(value: Any) -> list[Any] | None:
    if value is None or type(value) is list:
        return value
    raise UnreadableRequest()


def _text(value: Any) -> str | None:
    return value if type(value) is str else None


def _known(value: Any, values: frozenset[str]) -> bool | None:
    """Whether an enum field holds a value the SDK knows; None when it holds nothing."""
    if value is None:
        return None
    try:
        return value in values
    except TypeError:  # an unhashable value: the models refused it too
        raise UnreadableRequest() from None


def _note(notes: list[str] | None, what: str) -> None:
    if notes is not None and what not in notes:
        notes.append(what)
