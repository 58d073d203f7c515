"""JSONPath data flow: Reference Paths, payload templates and ResultPath.

Every function here raises `StatesError("States.Runtime", cause)` where AWS fails an execution
on bad data. Causes are the state-independent part of AWS's message; the engine prefixes
"An error occurred while executing the state '<name>' (entered at the event id #<n>). ", as
every recorded `States.Runtime` cause in the corpus shows (e.g.
`scenarios/...::test_invalid_jsonpath[INVALID_JSONPATH_IN_ERRORPATH]`).

`context` is either the context object itself (`$$`) or an `EvalContext`, which adds the
workflow variables (`$name`, used with `Assign`); JSONata will extend the same object.

Paths are compiled once per distinct string (a small cache), and payload templates once per
template object, because the engine evaluates them on every state transition.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from workflow.emulator.errors import DefinitionError, StatesError
from workflow.errors import json_path
from workflow.path_syntax import drop_dots_before_brackets, pad_bare_fractions

__all__ = [
    "MISSING",
    "EvalContext",
    "apply_input_path",
    "apply_output_path",
    "apply_result_path",
    "check_result_path",
    "compact_json",
    "compile_path",
    "compile_template",
    "context_object",
    "get_path",
    "is_definite",
    "render_template",
]


class _Missing:
    """The type of `MISSING`: a field that is absent, as opposed to JSON null."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Any = _Missing()


@dataclass(frozen=True)
class EvalContext:
    """Everything an expression may read besides the state input.

    `context_object` is `$$`; `variables` holds the workflow variables set by `Assign`
    (read as `$name` in JSONPath mode). Later query-language features add fields here.
    """

    context_object: Any = None
    variables: Mapping[str, Any] = field(default_factory=dict)


def context_object(context: Any) -> Any:
    """The context object (`$$`) of `context`, which is either `$$` itself or an EvalContext."""
    return context.context_object if isinstance(context, EvalContext) else context


def with_context_object(context: Any, new_object: Any) -> Any:
    """`context` with its `$$` replaced by `new_object`, keeping its variables if it has any."""
    if isinstance(context, EvalContext):
        return EvalContext(new_object, context.variables)
    return new_object


def _split_context(context: Any) -> tuple[Any, Mapping[str, Any] | None]:
    if isinstance(context, EvalContext):
        return context.context_object, context.variables
    return context, None


def compact_json(value: Any) -> str:
    """Serialise `value` as AWS quotes it inside causes: compact, non-ASCII kept."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


# --------------------------------------------------------------------------- compiled paths

_DATA, _CONTEXT, _VARIABLE = "data", "context", "variable"
_NAME_CHARS = re.compile(r"[^.\[\]]+")
_VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class _CompiledPath:
    """A parsed path: where it reads from, and either simple steps or a jsonpath-ng query."""

    text: str
    root: str
    variable: str | None
    steps: tuple[str | int, ...] | None  # definite paths: keys and indexes
    query: Any = None  # indefinite paths: a jsonpath-ng expression (always returns a list)

    @property
    def definite(self) -> bool:
        return self.steps is not None


_PATH_CACHE: dict[str, _CompiledPath] = {}


def _parse_steps(rest: str) -> tuple[str | int, ...] | None:
    """Parse `.a.b[0]['c d']` into steps, or return None when the path is not definite."""
    steps: list[str | int] = []
    i, n = 0, len(rest)
    while i < n:
        ch = rest[i]
        if ch == ".":
            if i + 1 < n and rest[i + 1] == ".":
                return None  # `..` deep scan
            m = _NAME_CHARS.match(rest, i + 1)
            if not m or m.group(0) == "*":
                return None
            steps.append(m.group(0))
            i = m.end()
        elif ch == "[":
            if i + 1 < n and rest[i + 1] in "'\"":
                quote = rest[i + 1]
                j = i + 2
                out = []
                while j < n and rest[j] != quote:
                    if rest[j] == "\\" and j + 1 < n and rest[j + 1] in (quote, "\\"):
                        j += 1
                    out.append(rest[j])
                    j += 1
                if j + 1 >= n or rest[j + 1] != "]":
                    return None  # unions of names and other forms
                steps.append("".join(out))
                i = j + 2
            else:
                end = rest.find("]", i)
                if end < 0:
                    return None
                inner = rest[i + 1 : end].strip()
                if not re.fullmatch(r"-?\d+", inner):
                    return None  # `*`, slices, unions, filters
                steps.append(int(inner))
                i = end + 1
        else:
            return None
    return tuple(steps)


def _compile_path(path: str) -> _CompiledPath:
    """Parse a path once (cached). A bad one raises a `DefinitionError` relative to it."""
    if not isinstance(path, str):
        raise DefinitionError("$", f"must be a JSONPath string, not {compact_json(path)}",
                              relative=True)
    compiled = _PATH_CACHE.get(path)
    if compiled is not None:
        return compiled
    if not path.startswith("$"):
        raise DefinitionError("$", f"'{path}' is not a valid JSONPath", relative=True)
    # `$.a.[0]` means `$.a[0]` to Jayway, which AWS runs (see workflow.path_syntax); the
    # compiled path keeps the text as written, for error messages.
    text = drop_dots_before_brackets(path)
    variable = None
    if text.startswith("$$"):
        root, rest = _CONTEXT, text[2:]
    else:
        m = _VARIABLE_NAME.match(text, 1)
        if m:
            root, variable, rest = _VARIABLE, m.group(0), text[m.end() :]
        else:
            root, rest = _DATA, text[1:]
    steps = _parse_steps(rest)
    query = None
    if steps is None:
        from jsonpath_ng.exceptions import JsonPathLexerError, JsonPathParserError
        from jsonpath_ng.ext import parse as _jsonpath_parse

        try:
            # Jayway reads `.85` in a filter as 0.85 (workflow.path_syntax).
            query = _jsonpath_parse(pad_bare_fractions("$" + rest))
        except (JsonPathLexerError, JsonPathParserError, Exception) as exc:
            raise DefinitionError("$", f"'{path}' is not a valid JSONPath: {exc}",
                                  relative=True) from None
    compiled = _CompiledPath(path, root, variable, steps, query)
    if len(_PATH_CACHE) > 20_000:
        _PATH_CACHE.clear()
    _PATH_CACHE[path] = compiled
    return compiled


compile_path = _compile_path


def is_definite(path: str) -> bool:
    """Tell whether `path` selects one value (Reference Path) rather than a list."""
    return _compile_path(path).definite


def _walk(value: Any, steps: tuple[str | int, ...]) -> Any:
    for step in steps:
        if isinstance(step, str):
            if isinstance(value, dict) and step in value:
                value = value[step]
            else:
                return MISSING
        else:
            if isinstance(value, list) and -len(value) <= step < len(value):
                value = value[step]
            else:
                return MISSING
    return value


def _resolve(compiled: _CompiledPath, data: Any, context: Any) -> Any:
    """Evaluate a compiled path; `MISSING` when a definite path selects nothing."""
    if compiled.root == _DATA:
        root = data
    elif compiled.root == _CONTEXT:
        root, _ = _split_context(context)
    else:
        _, variables = _split_context(context)
        if variables is None or compiled.variable not in variables:
            return MISSING
        root = variables[compiled.variable]
    if compiled.steps is not None:
        return _walk(root, compiled.steps)
    # Indefinite paths (wildcards, slices, filters, deep scans, unions) always give a list,
    # possibly empty, and never fail (corpus: base/test_base::
    # test_json_path_array_wildcard_or_slice_with_no_input[*] all yield []).
    try:
        return [m.value for m in compiled.query.find(root)]
    except Exception:  # jsonpath-ng raises on odd data (e.g. comparing str and int)
        return []


def _bracket_path(compiled: _CompiledPath) -> str:
    """Render a path as Jayway JsonPath prints it in errors: `$['a']['b'][0]`."""
    parts = ["$"]
    for step in compiled.steps or ():
        parts.append(f"[{step}]" if isinstance(step, int) else f"['{step}']")
    return "".join(parts)


def get_path(path: str, data: Any, context: Any, *, field: str) -> Any:
    """Evaluate a Reference Path or JSONPath for the state field `field`.

    `$$...` reads the context object, `$name...` a workflow variable, `$...` the data.
    Definite paths return the selected value; wildcard/filter/slice/union paths return a
    list. A definite path that selects nothing fails with AWS's cause (corpus:
    `test_invalid_jsonpath[INVALID_JSONPATH_IN_STRING_EXPR_JSONPATH]`).
    """
    compiled = _compile_path(path)
    value = _resolve(compiled, data, context)
    if value is MISSING:
        # For `$$` paths AWS still says "in the input"; what it quotes there is not recorded
        # (the corpus masks it as <json-input:1>), so the state input is quoted.
        raise StatesError(
            "States.Runtime",
            f"The JSONPath '{path}' specified for the field '{field}' could not be found "
            f"in the input '{compact_json(data)}'",
        )
    return value


def _apply_io_path(path: Any, data: Any, context: Any) -> Any:
    if path is MISSING:
        return data
    if path is None:
        return {}
    compiled = _compile_path(path)
    value = _resolve(compiled, data, context)
    if value is MISSING:
        # InputPath/OutputPath use Jayway's own message, not the "specified for the field"
        # one (corpus: test_invalid_jsonpath[ST.INVALID_JSONPATH_IN_INPUTPATH] and
        # [ST.INVALID_JSONPATH_IN_OUTPUTPATH]). For nested paths Jayway may name only the
        # missing prefix; the corpus has only one-level examples.
        raise StatesError(
            "States.Runtime",
            f"Invalid path '{path}' : No results for path: {_bracket_path(compiled)}",
        )
    return value


def apply_input_path(path: Any, data: Any, context: Any) -> Any:
    """Apply InputPath: absent keeps the input, null gives `{}`, else the selected value."""
    return _apply_io_path(path, data, context)


def apply_output_path(path: Any, data: Any, context: Any) -> Any:
    """Apply OutputPath: absent keeps the output, null gives `{}`, else the selected value."""
    return _apply_io_path(path, data, context)


# The error AWS raises when ResultPath cannot be applied (see apply_result_path).
REFERENCE_PATH_CONFLICT = "States.ReferencePathConflict"


def apply_result_path(state_input: Any, result: Any, path: Any) -> Any:
    """Combine a state's input and result as ResultPath says.

    Absent: the result. Null: the input unchanged. `$`: the result. `$.a.b`: a copy of the
    input with the result set there, creating objects on the way. When the input (or a
    value on the way) is not an object, AWS fails with "Unable to apply ReferencePath ...
    to input <the input as JSON>" (wording seen in AWS errors quoted in aws/aws-cdk issue
    #29473 and on qiita.com), under the error name `States.ReferencePathConflict` and
    without the "An error occurred while executing the state" prefix (qiita.com report;
    localstack/localstack#1854 quotes the same name from AWS support). It is not one of
    the documented terminal errors, so `States.ALL` catches it like any other (AWS docs,
    concepts-error-handling: States.ALL matches every error but the terminal ones); that
    catchability is inferred, not recorded.
    """
    if path is MISSING or path == "$":
        return result
    if path is None:
        return state_input
    steps = check_result_path(path).steps
    if not steps:
        return result
    try:
        output = _copy_container(state_input)
        target = output
        for i, step in enumerate(steps):
            last = i == len(steps) - 1
            if isinstance(step, str):
                if not isinstance(target, dict):
                    raise TypeError
                if last:
                    target[step] = result
                else:
                    nxt = target.get(step, MISSING)
                    nxt = {} if nxt is MISSING else _copy_container(nxt)
                    target[step] = nxt
                    target = nxt
            else:
                if not isinstance(target, list) or not -len(target) <= step < len(target):
                    raise TypeError
                if last:
                    target[step] = result
                else:
                    target[step] = _copy_container(target[step])
                    target = target[step]
        return output
    except TypeError:
        raise StatesError(
            REFERENCE_PATH_CONFLICT,
            # The input is rendered once as JSON: a string input `input1` shows as
            # `to input "input1"` in an AWS error quoted on qiita.com (tsubasaogawa,
            # "States.ReferencePathConflict"); the aws/aws-cdk#29473 message, whose input
            # must have been a string holding JSON text, reads the same way. How an object
            # input on the way (`$.a.b` with `a: 5`) is rendered is unconfirmed.
            f"Unable to apply ReferencePath {path} to input {compact_json(state_input)}",
        ) from None


def check_result_path(path: str) -> _CompiledPath:
    """Compile a ResultPath: a Reference Path on the state input (`$`, `$.a.b[0]`), never a
    context, variable or indefinite path. A bad one raises a relative `DefinitionError`."""
    compiled = _compile_path(path)
    if compiled.root != _DATA or compiled.steps is None:
        raise DefinitionError("$", f"ResultPath '{path}' must be a Reference Path on '$'",
                              relative=True)
    return compiled


def _copy_container(value: Any) -> Any:
    """Copy one level of a dict or list (the untouched branches stay shared, never mutated)."""
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, list):
        return list(value)
    return value


# ------------------------------------------------------------------------ payload templates

_Renderer = Callable[[Any, Any], Any]
_TEMPLATE_CACHE: dict[int, tuple[Any, _Renderer]] = {}


def _compile_template(template: Any, where: tuple[str | int, ...]) -> _Renderer:
    """Compile a template; `where` is the position of `template` inside the field's value,
    so a bad `.$` entry raises a `DefinitionError` relative to the field (`$.a['b.$']`)."""
    if isinstance(template, dict):
        entries: list[tuple[str, bool, Any]] = []
        for key, value in template.items():
            if isinstance(key, str) and key.endswith(".$"):
                try:
                    entries.append((key[:-2], True, _compile_dynamic(key, value)))
                except DefinitionError as exc:
                    raise DefinitionError(json_path((*where, key)), exc.message,
                                          relative=True) from None
            else:
                entries.append((key, False, _compile_template(value, (*where, key))))

        def render_object(data: Any, context: Any) -> dict:
            return {key: fn(data, context) for key, _, fn in entries}

        return render_object
    if isinstance(template, list):
        items = [_compile_template(v, (*where, i)) for i, v in enumerate(template)]
        return lambda data, context: [fn(data, context) for fn in items]
    # Plain values are copied; they are immutable scalars here, so share them.
    return lambda data, context: template


def _compile_dynamic(key: str, value: Any) -> _Renderer:
    """Compile the value of a `key.$` entry: a path or an intrinsic function call."""
    if not isinstance(value, str):
        raise DefinitionError(key, f"The value for the field '{key}' must be a STRING")
    expression = value.strip()
    if expression.startswith("States."):
        from workflow.emulator.intrinsics import compile_intrinsic

        try:
            call = compile_intrinsic(expression)
        except DefinitionError as exc:
            # AWS's creation-time wording (corpus invalid-definitions:
            # test_illegal_escapes[ESCAPE_SEQUENCES_ILLEGAL_INTRINSIC_FUNCTION]).
            raise DefinitionError(
                key,
                f"The value for the field '{key}' must be a valid JSONPath or a valid "
                f"intrinsic function call ({exc.message})",
            ) from None
        return lambda data, context: call(data, context, key)
    if expression.startswith("$"):
        compiled = _compile_path(expression)

        def render_path(data: Any, context: Any) -> Any:
            result = _resolve(compiled, data, context)
            if result is MISSING:
                return get_path(expression, data, context, field=key)  # raises AWS's error
            return result

        return render_path
    raise DefinitionError(
        key,
        f"The value for the field '{key}' must be a valid JSONPath or a valid intrinsic "
        "function call",
    )


def compile_template(template: Any) -> _Renderer:
    """The renderer of a payload template, compiled once per template object (cached).

    A bad `.$` entry raises a `DefinitionError` relative to the template (`$.a['b.$']`).
    """
    cached = _TEMPLATE_CACHE.get(id(template))
    if cached is not None and cached[0] is template:
        return cached[1]
    renderer = _compile_template(template, ())
    if len(_TEMPLATE_CACHE) > 10_000:
        _TEMPLATE_CACHE.clear()
    # The template itself is kept in the cache, so its id cannot be reused meanwhile.
    _TEMPLATE_CACHE[id(template)] = (template, renderer)
    return renderer


def render_template(template: Any, data: Any, context: Any, *, field: str) -> Any:
    """Render a payload template (Parameters, ResultSelector, ItemSelector, Arguments).

    Keys ending in `.$` take a path (`$...`, `$$...`, `$var...`) or an intrinsic call
    (`States.Format(...)`) and lose the `.$`; every other value is copied, recursively.
    `field` names the template's field for error messages; AWS names the `.$` key itself
    (corpus: `test_invalid_jsonpath[INVALID_JSONPATH_IN_STRING_EXPR_JSONPATH]`, "'value.$'").
    """
    cached = _TEMPLATE_CACHE.get(id(template))
    renderer = cached[1] if cached is not None and cached[0] is template else (
        compile_template(template))
    return renderer(data, context)


