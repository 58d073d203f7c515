"""The generic machinery behind the ASL model: field tables, codecs and the ABSENT marker.

Every model class is a frozen dataclass whose ASL fields carry a `FieldSpec` in their
metadata (the ASL key, a codec that reads and writes the value, and whether it is
required). `AslObject.to_asl` and `AslObject.read_asl` walk that table, so the key order
of the emitted JSON is the order of the dataclass fields, and every parsing error names
the JSON path of the offending value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

from workflow.errors import InputError


class _Absent:
    """The value of an optional field that is not in the definition at all.

    It is distinct from `None`, which stands for an explicit JSON `null` (for example
    `"ResultPath": null`, which discards the result).
    """

    _instance: _Absent | None = None

    def __new__(cls) -> _Absent:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "ABSENT"

    def __bool__(self) -> bool:
        return False

    def __reduce__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()


@dataclass(frozen=True)
class Where:
    """A location inside a definition file, used to build errors that name their path."""

    file: str
    parts: tuple[str | int, ...] = ()

    def child(self, part: str | int) -> Where:
        """Return the location one step deeper (an object key or a list index)."""
        return Where(self.file, (*self.parts, part))

    def error(self, message: str) -> InputError:
        """Return (for the caller to raise) an `InputError` at this location."""
        return InputError(self.file, self.parts, message)


def describe(value: Any) -> str:
    """Name the JSON type of `value` for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


class Codec:
    """Reads one JSON value into its model form and writes it back."""

    def read(self, value: Any, where: Where) -> Any:
        raise NotImplementedError

    def write(self, value: Any) -> Any:
        raise NotImplementedError


@dataclass(frozen=True)
class Scalar(Codec):
    """A value kept as is once `accepts` says it has the right shape."""

    what: str
    accepts: Callable[[Any], bool]

    def read(self, value: Any, where: Where) -> Any:
        if not self.accepts(value):
            raise where.error(f"expected {self.what}, got {describe(value)}")
        return value

    def write(self, value: Any) -> Any:
        return value


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_jsonata(value: Any) -> bool:
    """True for a JSONata expression string, `{% ... %}`."""
    return isinstance(value, str) and value.startswith("{%") and value.endswith("%}")


def one_of(*values: str) -> Scalar:
    """A string that must be one of `values`."""
    return Scalar("one of " + ", ".join(repr(v) for v in values), lambda v: v in values)


STRING = Scalar("a string", lambda v: isinstance(v, str))
NULLABLE_STRING = Scalar("a string or null", lambda v: v is None or isinstance(v, str))
INTEGER = Scalar("an integer or a JSONata expression", lambda v: is_int(v) or is_jsonata(v))
NUMBER = Scalar("a number or a JSONata expression", lambda v: is_number(v) or is_jsonata(v))
JSON = Scalar("any JSON value", lambda v: True)
OBJECT = Scalar("an object", lambda v: isinstance(v, dict))
TRUE = Scalar("true", lambda v: v is True)


@dataclass(frozen=True)
class ListOf(Codec):
    """A JSON array read into a tuple, each item through `item`."""

    item: Codec
    non_empty: bool = False

    def read(self, value: Any, where: Where) -> tuple[Any, ...]:
        if not isinstance(value, list):
            raise where.error(f"expected an array, got {describe(value)}")
        if self.non_empty and not value:
            raise where.error("expected a non-empty array")
        return tuple(self.item.read(v, where.child(i)) for i, v in enumerate(value))

    def write(self, value: Any) -> list[Any]:
        return [self.item.write(v) for v in value]


@dataclass(frozen=True)
class Nested(Codec):
    """A JSON object read as another model class."""

    cls: type

    def read(self, value: Any, where: Where) -> Any:
        return self.cls.read_asl(value, where)

    def write(self, value: Any) -> Any:
        return value.to_asl()


class Composite:
    """A model field spread over several ASL keys (Next/End, a Choice condition).

    `read_from` sees the whole object and returns `ABSENT` when none of its keys is
    there; `write_into` adds its keys to the output object.
    """

    keys: frozenset[str] = frozenset()

    def read_from(self, obj: dict[str, Any], where: Where) -> Any:
        raise NotImplementedError

    def write_into(self, out: dict[str, Any], value: Any) -> None:
        raise NotImplementedError


@dataclass(frozen=True)
class FieldSpec:
    """One row of a model class's field table: ASL key (None if composite), codec, required."""

    key: str | None
    codec: Codec | Composite
    required: bool = False


def asl(key: str | None, codec: Codec | Composite, *, required: bool = False) -> Any:
    """Declare a dataclass field as the ASL field `key` read and written by `codec`."""
    metadata = {"asl": FieldSpec(key, codec, required)}
    if required:
        return field(metadata=metadata)
    return field(default=ABSENT, metadata=metadata)


def _specs(cls: type) -> Iterable[tuple[str, FieldSpec]]:
    for f in fields(cls):
        spec = f.metadata.get("asl")
        if spec is not None:
            yield f.name, spec


class AslObject:
    """Base of every model class: table-driven `to_asl` and `read_asl`.

    `TYPE` is the ASL `Type` of a state (emitted first), `WHAT` names the object in errors.
    """

    TYPE: ClassVar[str | None] = None
    WHAT: ClassVar[str] = "object"

    def to_asl(self) -> dict[str, Any]:
        """Return the ASL JSON object, keys in the canonical order of the field table."""
        out: dict[str, Any] = {}
        if self.TYPE is not None:
            out["Type"] = self.TYPE
        for name, spec in _specs(type(self)):
            value = getattr(self, name)
            if value is ABSENT:
                continue
            if isinstance(spec.codec, Composite):
                spec.codec.write_into(out, value)
            else:
                out[spec.key] = spec.codec.write(value)
        return out

    @classmethod
    def read_asl(cls, data: Any, where: Where, **extra: Any) -> Any:
        """Parse `data` (found at `where`) into this class; `extra` sets non-ASL fields."""
        if not isinstance(data, dict):
            raise where.error(f"expected {cls.WHAT} as an object, got {describe(data)}")
        specs = list(_specs(cls))
        known: set[str] = {"Type"} if cls.TYPE is not None else set()
        for _, spec in specs:
            known |= spec.codec.keys if isinstance(spec.codec, Composite) else {spec.key}
        for key in data:
            if key not in known:
                raise where.child(key).error(f"unknown field for {cls.WHAT}")
        kwargs = dict(extra)
        for name, spec in specs:
            if isinstance(spec.codec, Composite):
                value = spec.codec.read_from(data, where)
            elif spec.key in data:
                value = spec.codec.read(data[spec.key], where.child(spec.key))
            elif spec.required:
                raise where.error(f"{cls.WHAT} is missing the required field {spec.key!r}")
            else:
                continue
            if value is not ABSENT:
                kwargs[name] = value
        return cls(**kwargs)
