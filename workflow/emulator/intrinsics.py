"""The 18 intrinsic functions of JSONPath mode: compiled once per expression, evaluated often.

The grammar, the tree and the table of names and arity (`SIGNATURES`) live in
`workflow.intrinsic_syntax`, shared with the linter; this module compiles that tree into
nested closures and implements the functions.

Errors. A call that cannot be parsed, an unknown function or a wrong number of arguments is a
`DefinitionError` (AWS rejects such definitions at creation). Bad argument values at run time
raise `StatesError(INTRINSIC_ERROR, cause)`. The AWS-recorded corpus contains no failing
intrinsic call, so the error name is unconfirmed: the ASL specification names
`States.IntrinsicFailure`, while AWS reports every recorded data error (paths, Wait values,
Map counts) as `States.Runtime`; we follow the recorded practice, in this one constant.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import random
import uuid
from collections.abc import Callable
from typing import Any

from workflow.emulator.errors import DefinitionError, StatesError
from workflow.emulator.paths import MISSING, _compile_path, _resolve, compact_json, get_path
from workflow.intrinsic_syntax import (
    HASH_ALGORITHMS,
    SIGNATURES,
    Argument,
    Call,
    IntrinsicSyntaxError,
    Literal,
    Path,
    Signature,
    String,
    iter_calls,
    parse_intrinsic,
    signature_problem,
)

__all__ = ["INTRINSIC_ERROR", "SIGNATURES", "Signature", "compile_intrinsic",
           "evaluate_intrinsic"]

INTRINSIC_ERROR = "States.Runtime"

# AWS documents a 10,000-character limit for Base64Encode/Decode and Hash input, and at most
# 1,000 elements from ArrayRange (intrinsic-functions docs page).
_MAX_STRING = 10_000
_MAX_RANGE = 1_000
_HASHES = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384",
           "SHA-512": "sha512"}
assert tuple(_HASHES) == HASH_ALGORITHMS


# ------------------------------------------------------------------------------- parsing

def _path_problem(text: str) -> str | None:
    """Accept exactly the paths this emulator can resolve."""
    try:
        _compile_path(text)
    except DefinitionError:
        return "the emulator cannot read it as a path"
    return None


class _Parser:
    """Parses one expression with the shared grammar, then checks names and arity."""

    def __init__(self, text: str):
        self.text = text

    def parse(self) -> Call:
        """Return the call tree, or raise `DefinitionError` naming the first problem."""
        try:
            call = parse_intrinsic(self.text, check_path=_path_problem)
        except IntrinsicSyntaxError as exc:
            raise self.fail(str(exc)) from None
        for nested in iter_calls(call):
            problem = signature_problem(nested)
            if problem is not None:
                where = "" if problem.unknown else f"{nested.name} "
                raise self.fail(f"{where}{problem.message} (character {nested.pos})")
        return call

    def fail(self, why: str) -> DefinitionError:
        return DefinitionError(self.text, f"Invalid intrinsic function call: {why}")


# ----------------------------------------------------------------------------- evaluation

_Evaluator = Callable[[Any, Any, str], Any]
_CACHE: dict[str, _Evaluator] = {}


def compile_intrinsic(expression: str) -> _Evaluator:
    """Parse `expression` once and return `evaluate(data, context, field)`."""
    evaluator = _CACHE.get(expression)
    if evaluator is None:
        call = _Parser(expression.strip()).parse()
        evaluator = _compile_call(call)
        if len(_CACHE) > 10_000:
            _CACHE.clear()
        _CACHE[expression] = evaluator
    return evaluator


def evaluate_intrinsic(expression: str, data: Any, context: Any, *, field: str | None = None
                       ) -> Any:
    """Evaluate an intrinsic call such as `States.Format('x {}', $.a)` against the data.

    `field` names the state field for error messages (default: the expression itself).
    """
    return compile_intrinsic(expression)(data, context, field or expression)


def _compile_arg(arg: Argument) -> _Evaluator:
    if isinstance(arg, Literal | String):
        value = arg.value
        return lambda data, context, field: value
    if isinstance(arg, Path):
        text = arg.text
        compiled = _compile_path(text)

        def read_path(data: Any, context: Any, field: str) -> Any:
            value = _resolve(compiled, data, context)
            if value is MISSING:
                return get_path(text, data, context, field=field)  # raises AWS's error
            return value

        return read_path
    return _compile_call(arg)


def _compile_call(call: Call) -> _Evaluator:
    name = call.name
    args = [_compile_arg(a) for a in call.args]
    impl = _IMPLEMENTATIONS[name]
    kinds = [SIGNATURES[name].kind_of(i) for i in range(len(args))]
    if name == "States.Format" and isinstance(call.args[0], String):
        # A literal template is split on its unescaped placeholders once, at compile time.
        parts = call.args[0].parts
        rest = args[1:]

        def format_literal(data: Any, context: Any, field: str) -> Any:
            values = [fn(data, context, field) for fn in rest]
            return _format(parts, values)

        return format_literal

    def evaluate(data: Any, context: Any, field: str) -> Any:
        values = [fn(data, context, field) for fn in args]
        for i, (value, kind) in enumerate(zip(values, kinds, strict=True)):
            if not _is_kind(value, kind):
                raise StatesError(
                    INTRINSIC_ERROR,
                    f"The function '{name}' expects argument {i + 1} to be of type {kind}, "
                    f"but was given {compact_json(value)}",
                )
        return impl(*values)

    return evaluate


def _is_kind(value: Any, kind: str) -> bool:
    if kind == "any":
        return True
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "array":
        return isinstance(value, list)
    if kind == "object":
        return isinstance(value, dict)
    if isinstance(value, bool):
        return False
    if kind == "number":
        return isinstance(value, int | float)
    if kind == "integer":  # 3 and 3.0 are both accepted as integers
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    raise AssertionError(kind)


def _fail(name: str, message: str) -> StatesError:
    return StatesError(INTRINSIC_ERROR, f"The function '{name}' failed: {message}")


# ---------------------------------------------------------------------- the 18 functions

def _java_text(value: Any, top: bool = True) -> str:
    """Render a value as States.Format does (Java's toString for maps and lists).

    Corpus: `test_format_2#exec_hist_resp_7` prints `{Arg1=1, Arg2=[]}`; null prints `null`.
    """
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_java_text(v, False)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_java_text(v, False) for v in value) + "]"
    return json.dumps(value)


def _format(parts: tuple[str, ...], values: list[Any]) -> str:
    if len(parts) - 1 != len(values):
        raise _fail(
            "States.Format",
            f"the template has {len(parts) - 1} placeholder(s) but {len(values)} argument(s) "
            "were given",
        )
    out = [parts[0]]
    for value, part in zip(values, parts[1:], strict=True):
        out.append(_java_text(value))
        out.append(part)
    return "".join(out)


def _split_template(template: str) -> tuple[str, ...]:
    """Split a template that came from data (no escapes there) on its `{}` placeholders."""
    return tuple(template.split("{}"))


def _states_format(template: str, *values: Any) -> str:
    return _format(_split_template(template), list(values))


def _string_to_json(text: str) -> Any:
    # "" and whitespace give null (corpus: test_string_to_json#exec_hist_resp_0/1).
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise _fail("States.StringToJson", f"the string is not valid JSON: {exc}") from None


def _json_to_string(value: Any) -> str:
    return compact_json(value)  # corpus: test_json_to_string#exec_hist_resp_7


def _array(*values: Any) -> list:
    return list(values)


def _as_int(value: float | int) -> int:
    return int(value)


def _array_partition(array: list, size: Any) -> list:
    size = _as_int(size)
    if size <= 0:
        raise _fail("States.ArrayPartition", "the chunk size must be greater than 0")
    return [array[i:i + size] for i in range(0, len(array), size)]


def _json_equal(a: Any, b: Any) -> bool:
    """JSON equality: booleans never equal numbers, 1 equals 1.0, containers compare deeply."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_json_equal(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def _array_contains(array: list, value: Any) -> bool:
    return any(_json_equal(item, value) for item in array)


def _array_range(start: Any, end: Any, step: Any) -> list:
    start, end, step = _as_int(start), _as_int(end), _as_int(step)
    if step == 0:
        raise _fail("States.ArrayRange", "the step must not be 0")
    span = range(start, end + (1 if step > 0 else -1), step)
    # len() of a range is O(1): check the limit before building the list, so an input such
    # as {"n": 1e9} cannot make the emulator allocate a billion items.
    if len(span) > _MAX_RANGE:
        raise _fail("States.ArrayRange", f"the range has more than {_MAX_RANGE} elements")
    return list(span)


def _array_get_item(array: list, index: Any) -> Any:
    index = _as_int(index)
    if not 0 <= index < len(array):
        raise _fail(
            "States.ArrayGetItem",
            f"the index {index} is out of bounds for an array of length {len(array)}",
        )
    return array[index]


def _array_length(array: list) -> int:
    return len(array)


def _array_unique(array: list) -> list:
    unique: list = []
    for item in array:
        if not any(_json_equal(item, seen) for seen in unique):
            unique.append(item)
    return unique


def _check_length(name: str, text: str) -> None:
    if len(text) > _MAX_STRING:
        raise _fail(name, f"the input is longer than {_MAX_STRING} characters")


def _base64_encode(text: str) -> str:
    _check_length("States.Base64Encode", text)
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _base64_decode(text: str) -> str:
    _check_length("States.Base64Decode", text)
    try:
        return base64.b64decode(text.encode("ascii"), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError) as exc:
        raise _fail("States.Base64Decode", f"the input is not valid base64: {exc}") from None


def _hash(text: str, algorithm: str) -> str:
    _check_length("States.Hash", text)
    if algorithm not in _HASHES:
        raise _fail(
            "States.Hash",
            f"the algorithm '{algorithm}' is not one of {', '.join(_HASHES)}",
        )
    return hashlib.new(_HASHES[algorithm], text.encode("utf-8")).hexdigest()


def _json_merge(left: dict, right: dict, deep: bool) -> dict:
    # AWS supports only the shallow mode: the third argument must be false (AWS docs).
    if deep:
        raise _fail("States.JsonMerge", "only shallow merging is supported: pass false")
    merged = dict(left)
    merged.update(right)
    return merged


def _math_random(start: Any, end: Any, seed: Any = None) -> int:
    start, end = _as_int(start), _as_int(end)
    if start >= end:
        raise _fail("States.MathRandom", "the start must be less than the end")
    rng = random.Random(_as_int(seed)) if seed is not None else random
    return rng.randrange(start, end)


def _java_round(value: float | int) -> int:
    """Java's Math.round: halves go up (corpus: test_math_add#exec_hist_resp_10/18/19/20)."""
    return math.floor(value + 0.5)


def _math_add(a: Any, b: Any) -> int:
    # Each argument is rounded first: 1.49 + 1.5 == 3 (corpus: test_math_add#exec_hist_resp_1).
    return _java_round(a) + _java_round(b)


def _string_split(text: str, delimiters: str) -> list[str]:
    # Every character of the delimiter string splits, and empty pieces are dropped
    # (corpus: test_string_split#exec_hist_resp_2/3/5).
    pieces = [text]
    for delimiter in delimiters:
        pieces = [p for piece in pieces for p in piece.split(delimiter)]
    return [p for p in pieces if p != ""]


def _uuid() -> str:
    return str(uuid.uuid4())


_IMPLEMENTATIONS: dict[str, Callable[..., Any]] = {
    "States.Format": _states_format,
    "States.StringToJson": _string_to_json,
    "States.JsonToString": _json_to_string,
    "States.Array": _array,
    "States.ArrayPartition": _array_partition,
    "States.ArrayContains": _array_contains,
    "States.ArrayRange": _array_range,
    "States.ArrayGetItem": _array_get_item,
    "States.ArrayLength": _array_length,
    "States.ArrayUnique": _array_unique,
    "States.Base64Encode": _base64_encode,
    "States.Base64Decode": _base64_decode,
    "States.Hash": _hash,
    "States.JsonMerge": _json_merge,
    "States.MathRandom": _math_random,
    "States.MathAdd": _math_add,
    "States.StringSplit": _string_split,
    "States.UUID": _uuid,
}

assert _IMPLEMENTATIONS.keys() == SIGNATURES.keys()
