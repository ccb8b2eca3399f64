"""Frozen answers: an ask-sdk Response made once, that nothing can change, with its JSON
rendered once.

An answer depends only on what is said, its reprompt, its card title, whether the session ends
and the locale (`intents.answers`), and the content offers a few hundred distinct ones. Each is
built once with the SDK's response builder and frozen here: every model in it becomes an instance
of a frozen subclass of its own class (still equal to, serialised like, and an instance of what it
was), whose attributes cannot be set or deleted, and lists become tuples. Sharing one answer
between requests is then safe, and its JSON never has to be rendered again.

The JSON is rendered with the standard library, compact and in UTF-8, byte for byte what orjson
writes for the same values (strings, numbers without fractions, booleans, null): it is rendered
once per answer, and orjson would add its import to every Lambda cold start.
"""

from __future__ import annotations

import json
from typing import Any

from ask_sdk_model.response import Response

from intents.asksdk.serializer import FastSerializer


class FrozenAnswerError(AttributeError):
    """Something tried to change a frozen answer; answers are shared between requests."""


def _refuse_set(self: Any, name: str, value: Any) -> None:
    raise FrozenAnswerError(f"a frozen answer cannot change: {type(self).__name__}.{name}")


def _refuse_delete(self: Any, name: str) -> None:
    raise FrozenAnswerError(f"a frozen answer cannot change: {type(self).__name__}.{name}")


_frozen_classes: dict[type, type] = {}


def frozen_class(cls: type) -> type:
    """`cls` with its attributes fixed; the same instance layout, so an object can become one."""
    frozen = _frozen_classes.get(cls)
    if frozen is not None:
        return frozen
    frozen = type(
        cls.__name__,
        (cls,),
        {
            "__slots__": (),
            "__module__": cls.__module__,
            "__setattr__": _refuse_set,
            "__delattr__": _refuse_delete,
        },
    )
    _frozen_classes[cls] = frozen
    return frozen


def freeze(value: Any) -> Any:
    """`value` with every ask-sdk model in it frozen in place, and lists turned into tuples."""
    kind = type(value)
    if kind is list or kind is tuple:
        return tuple(freeze(item) for item in value)
    if hasattr(kind, "deserialized_types"):
        state = vars(value)
        for name, item in state.items():
            state[name] = freeze(item)
        if getattr(kind, "__setattr__", None) is not _refuse_set:
            value.__class__ = frozen_class(kind)
        return value
    if kind is dict:
        return {key: freeze(item) for key, item in value.items()}
    return value


class FrozenResponse(Response):
    """A Response that cannot change, and its JSON (`json`), rendered once."""

    __slots__ = ("json",)
    json: bytes

    def __init__(self, response: Response) -> None:
        # Not Response.__init__, which would set each field through the refusing __setattr__.
        vars(self).update((name, freeze(item)) for name, item in vars(response).items())
        object.__setattr__(self, "json", to_json(FastSerializer().serialize(self)))

    __setattr__ = _refuse_set
    __delattr__ = _refuse_delete


def rendered(response: Response) -> bytes:
    """The JSON of a Response: already there for a frozen one, rendered now for any other."""
    if type(response) is FrozenResponse:
        return response.json
    return to_json(FastSerializer().serialize(response))


def to_json(value: Any) -> bytes:
    """Compact UTF-8 JSON, as orjson writes it."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
