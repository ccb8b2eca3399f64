"""ask-sdk-core's model (de)serializer, with the reflection done once per class, not per field.

`DefaultSerializer.deserialize` costs most of a request: for every field of every model it parses
a type string with a regex, imports the class by name, rebuilds the attribute map, and parses the
timestamp with dateutil. Here each type string is compiled once into a small function, and
timestamps use `datetime.fromisoformat`. The result is the same model objects, so handlers and
every ask-sdk API keep working unchanged.

Where DefaultSerializer fails a whole request, this builder tolerates what Alexa is entitled to
send: Amazon adds enum values and request types over time. An enum value the SDK does not know
becomes None, and a type it does not know becomes the base model (a Request with its `type`).
Each tolerance is noted, by the SDK's class name only, in the list the caller passes to `build`.
A JSON key never overrides one of a model's own attributes (`object_type` cannot retype a
request).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any

from ask_sdk_core.exceptions import SerializationException

Converter = Callable[[Any], Any]
_LIST = re.compile(r"list\[(.*)\]")
_DICT = re.compile(r"dict\(([^,]*), (.*)\)")
# The type names ask-sdk models use for built-in types (the SDK's NATIVE_TYPES_MAPPING).
_NATIVE: dict[str, type] = {
    "str": str,
    "int": int,
    "long": int,
    "float": float,
    "bool": bool,
    "object": object,
    "date": date,
    "datetime": datetime,
}
# The list of notes for the build running on this thread, if its caller asked for them.
_leniency = threading.local()


def _note(what: str) -> None:
    notes: list[str] | None = getattr(_leniency, "notes", None)
    if notes is not None and what not in notes:
        notes.append(what)


class FastSerializer:
    """The interface of ask-sdk-core's DefaultSerializer (not its import: that module pulls in
    every Alexa service client, 27 ms of Lambda cold start)."""

    def deserialize(self, payload: str | bytes | None, obj_type: Any) -> Any:
        if payload is None:
            return None
        try:
            data = json.loads(payload)
        except ValueError as error:
            raise SerializationException(f"Couldn't parse response body: {error}") from None
        return self.build(data, obj_type)

    def build(self, data: Any, obj_type: Any, notes: list[str] | None = None) -> Any:
        """A model object from already-parsed JSON (the body is parsed once, for verification).
        What was tolerated on the way (see the module's docstring) is added to `notes`."""
        _leniency.notes = notes
        try:
            return converter(obj_type)(data)
        except SerializationException:
            raise
        except Exception as error:
            raise SerializationException(str(error)) from None
        finally:
            _leniency.notes = None

    def serialize(self, obj: Any) -> Any:
        return _serialize(obj)


@cache
def converter(obj_type: Any) -> Converter:
    """A function turning parsed JSON into `obj_type`, compiled once per type."""
    if isinstance(obj_type, str):
        return _converter_for_name(obj_type)
    return _converter_for_class(obj_type)


def _converter_for_name(name: str) -> Converter:
    if name.startswith("list["):
        match = _LIST.match(name)
        if match is None:
            return lambda payload: []
        item = converter(match.group(1).strip())
        return lambda payload: None if payload is None else [item(value) for value in payload]
    if name.startswith("dict("):
        match = _DICT.match(name)
        if match is None:
            return lambda payload: {}
        value_of = converter(match.group(2))
        return lambda payload: (
            None if payload is None else {key: value_of(value) for key, value in payload.items()}
        )
    return _converter_for_class(_NATIVE.get(name) or _load_class(name))


def _primitive(kind: type) -> Converter:
    def convert(payload: Any) -> Any:
        if payload is None or type(payload) is kind:
            return payload
        try:
            return kind(payload)
        except TypeError:
            return payload
        except ValueError:
            raise SerializationException(
                f"Failed to parse {payload} into '{kind.__name__}' object"
            ) from None

    return convert


def _datetime(payload: Any) -> datetime | None:
    if payload is None:
        return None
    try:
        return datetime.fromisoformat(payload)
    except ValueError:
        from dateutil.parser import parse  # type: ignore[import-untyped]  # rare formats only

        try:
            parsed: datetime = parse(payload)
        except ValueError:
            raise SerializationException(f"Failed to parse {payload} into 'datetime'") from None
        return parsed


@cache
def _load_class(name: str) -> type:
    module_name, _, class_name = name.rpartition(".")
    try:
        module = __import__(module_name, fromlist=[class_name])
        resolved: type = getattr(module, class_name)
    except Exception as error:
        raise SerializationException(
            f"Unable to resolve class {name} from installed modules: {error}"
        ) from None
    return resolved


def _converter_for_class(cls: Any) -> Converter:
    if cls in (str, int, float, bool):
        return _primitive(cls)
    if cls is object:
        return lambda payload: payload
    if cls is datetime:
        return _datetime
    if cls is date:
        return lambda payload: None if payload is None else datetime.fromisoformat(payload).date()
    if isinstance(cls, type) and issubclass(cls, Enum):
        return _enum(cls)
    if not hasattr(cls, "deserialized_types"):
        return lambda payload: payload
    if hasattr(cls, "get_real_child_model"):
        return _by_discriminator(cls)
    return _model(cls)


def _enum(cls: type[Enum]) -> Converter:
    members = cls._value2member_map_  # Enum(value) finds the member here, after much else
    unknown = f"unknown {cls.__name__} value"

    def convert(payload: Any) -> Any:
        if payload is None:
            return None
        try:
            member = members.get(payload)
        except TypeError:  # an unhashable value (a list or an object) is no enum value at all
            raise SerializationException(f"not a {cls.__name__}") from None
        if member is None:
            _note(unknown)  # a value Amazon added after this SDK: read as "not given"
        return member

    return convert


def _by_discriminator(base: Any) -> Converter:
    """Request, Directive, ...: the JSON's type field picks the subclass, as the SDK does; a
    type this SDK does not know yet is built as the base model, which keeps the type string."""
    unknown = f"unknown {base.__name__} type"

    def convert(payload: Any) -> Any:
        if payload is None:
            return None
        if type(payload) is not dict or not isinstance(
            payload.get(base.json_discriminator_key), str
        ):
            raise SerializationException(f"not a {base.__name__}")
        child = base.get_real_child_model(payload)
        if not child:
            _note(unknown)
            return _model(base)(payload)
        return _model(_load_class(child))(payload)

    return convert


@cache
def _model(cls: Any) -> Converter:
    # JSON key -> [attribute, converter, type that needs no conversion]. A converter is compiled
    # on first use, then replaces its placeholder, because some models contain themselves (APL).
    fields: dict[str, list[Any]] = {}
    for attribute, json_key in _attribute_map(cls).items():
        declared = cls.deserialized_types[attribute]
        field: list[Any] = [attribute, None, _NATIVE.get(declared)]
        field[1] = _compile_on_first_use(field, declared)
        fields[json_key] = field
    # What the model's own __init__ leaves behind (discriminator values set, everything else
    # None): each object starts from a copy of it instead of running __init__ up the class chain.
    defaults = dict(vars(cls()))
    # Names an unknown JSON key must not take: the model's attributes and methods. A key named
    # "object_type" would otherwise retype the request, and one named "to_dict" hide a method.
    reserved = frozenset(defaults) | frozenset(dir(cls))
    new = object.__new__

    def convert(payload: Any) -> Any:
        if payload is None:
            return None
        state = defaults.copy()
        for json_key, value in payload.items():  # a payload has fewer keys than its model
            field = fields.get(json_key)
            if field is None:
                if json_key not in reserved:
                    state[json_key] = value  # kept, as DefaultSerializer keeps unknown keys
            elif value is None or type(value) is field[2]:
                state[field[0]] = value
            else:
                state[field[0]] = field[1](value)
        model = new(cls)
        model.__dict__ = state
        return model

    return convert


def _compile_on_first_use(field: list[Any], obj_type: Any) -> Converter:
    def convert(payload: Any) -> Any:
        field[1] = converter(obj_type)
        return field[1](payload)

    return convert


@cache
def _attribute_map(cls: Any) -> dict[str, str]:
    """Python attribute -> JSON key, for every field the model declares."""
    declared = dict(getattr(cls, "attribute_map", {}) or {})
    for attribute in cls.deserialized_types:
        declared.setdefault(attribute, attribute)
    return declared


_SCALARS = frozenset({str, int, float, bool, bytes, type(None)})


def _serialize(obj: Any) -> Any:
    kind: Any = type(obj)
    if kind in _SCALARS:
        return obj
    if hasattr(kind, "deserialized_types"):
        result = {}
        for attribute, json_key in _fields_of(kind):
            value = getattr(obj, attribute)
            if value is not None:
                result[json_key] = value if type(value) in _SCALARS else _serialize(value)
        return result
    if isinstance(obj, list):
        return [_serialize(item) for item in obj]
    if isinstance(obj, tuple):
        return tuple(_serialize(item) for item in obj)
    if isinstance(obj, (datetime, date)):
        return obj.isoformat()
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, Decimal):
        return int(obj) if obj % 1 == 0 else float(obj)
    if isinstance(obj, dict):
        return {key: _serialize(value) for key, value in obj.items()}
    return obj


@cache
def _fields_of(kind: Any) -> tuple[tuple[str, str], ...]:
    return tuple(_attribute_map(kind).items())
