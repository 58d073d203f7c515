"""The one grammar of ASL intrinsic-function calls, shared by the emulator and the linter.

`parse_intrinsic(text)` turns `States.Format('{} x', $.a, States.Array(1, true))` into a
small frozen tree: `Call(name, args)` whose arguments are `Call`, `String`, `Literal`
(a number, `true`, `false` or `null`) or `Path` nodes, each with its character position.
The parse is purely syntactic: whether a name is one of the 18 functions and whether it
gets the right number of arguments is `signature_problem`, checked against `SIGNATURES`,
the one table of names, arity and argument kinds. The emulator
(`workflow.emulator.intrinsics`) compiles the tree into an evaluator and turns problems
into a `DefinitionError`; the linter (`workflow.lint.rules_paths`) turns them into
diagnostics. This module sits outside both packages so that the linter never imports the
engine.

Lexical choices (developer guide "Intrinsic functions"):
- A string literal is in single quotes; only the reserved characters `'`, `{`, `}` and
  `\\` may be escaped with a backslash. Any other escape is an error: AWS rejects `\\"` at
  creation (aws-recorded invalid-definitions: test_illegal_escapes[...INTRINSIC...]).
  An unescaped `{}` is a States.Format placeholder; `\\{\\}` is literal text.
- Numbers follow JSON's grammar (`-1`, `1.5`, `1e3`; not `+1`, `01` or `1.`).
- Whitespace between tokens is space, tab, CR or LF. Which of these AWS accepts is
  unconfirmed (no recorded case); we accept all four so that neither tool rejects a
  definition AWS might accept.
- A path argument runs to the next top-level `,` or the call's `)`; brackets and quoted
  names inside it are skipped over. Its own grammar is the caller's business: pass
  `check_path` (text -> problem or None) and a problem becomes a syntax error at the
  path's position.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

__all__ = [
    "HASH_ALGORITHMS", "SIGNATURES", "Argument", "Call", "IntrinsicSyntaxError", "Literal",
    "Path", "Signature", "SignatureProblem", "String", "arity_text", "balanced_end", "iter_calls", "parse_intrinsic",
    "placeholder_count", "signature_problem",
]


# ------------------------------------------------------------------------- the functions

@dataclass(frozen=True)
class Signature:
    """How a function may be called: arity bounds and each argument's kind.

    Kinds are "string", "number", "integer", "boolean", "array", "object" or "any".
    `kinds` lists the kinds of the leading arguments; `rest` is the kind of any further
    arguments (variadic functions), or None when there are none.
    """

    min_args: int
    max_args: int | None
    kinds: tuple[str, ...]
    rest: str | None = None

    def kind_of(self, index: int) -> str | None:
        """The kind argument `index` (0-based) must have, or None past the last one."""
        return self.kinds[index] if index < len(self.kinds) else self.rest


# The 18 intrinsics of the developer guide; there is no States.Timestamp.
SIGNATURES: dict[str, Signature] = {
    "States.Format": Signature(1, None, ("string",), rest="any"),
    "States.StringToJson": Signature(1, 1, ("string",)),
    "States.JsonToString": Signature(1, 1, ("any",)),
    "States.Array": Signature(0, None, (), rest="any"),
    "States.ArrayPartition": Signature(2, 2, ("array", "integer")),
    "States.ArrayContains": Signature(2, 2, ("array", "any")),
    "States.ArrayRange": Signature(3, 3, ("integer", "integer", "integer")),
    "States.ArrayGetItem": Signature(2, 2, ("array", "integer")),
    "States.ArrayLength": Signature(1, 1, ("array",)),
    "States.ArrayUnique": Signature(1, 1, ("array",)),
    "States.Base64Encode": Signature(1, 1, ("string",)),
    "States.Base64Decode": Signature(1, 1, ("string",)),
    "States.Hash": Signature(2, 2, ("string", "string")),
    "States.JsonMerge": Signature(3, 3, ("object", "object", "boolean")),
    "States.MathRandom": Signature(2, 3, ("number", "number", "integer")),
    "States.MathAdd": Signature(2, 2, ("number", "number")),
    "States.StringSplit": Signature(2, 2, ("string", "string")),
    "States.UUID": Signature(0, 0, ()),
}

# States.Hash algorithm names, as AWS spells them (developer guide, States.Hash).
HASH_ALGORITHMS: tuple[str, ...] = ("MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512")


# ------------------------------------------------------------------------------ the tree

@dataclass(frozen=True)
class Literal:
    """A number, `true`, `false` or `null` argument."""

    value: int | float | bool | None
    pos: int


@dataclass(frozen=True)
class String:
    """A quoted string argument, unescaped.

    `parts` is the text split on its unescaped `{}` placeholders, so a States.Format
    template with n placeholders has n + 1 parts; `value` keeps each placeholder as `{}`.
    """

    value: str
    parts: tuple[str, ...]
    pos: int


@dataclass(frozen=True)
class Path:
    """A path argument (`$.a`, `$$.Execution.Id`, `$var.x`), as written."""

    text: str
    pos: int


@dataclass(frozen=True)
class Call:
    """`name(args...)`; the name is syntactically `States.<letters and digits>`."""

    name: str
    args: tuple[Call | String | Literal | Path, ...]
    pos: int


Argument = Call | String | Literal | Path


class IntrinsicSyntaxError(ValueError):
    """The text cannot be parsed as an intrinsic call; `position` is where it goes wrong."""

    def __init__(self, message: str, position: int):
        super().__init__(message)
        self.position = position


# ----------------------------------------------------------------------------- the parser

_SPACE = " \t\r\n"
_NAME = re.compile(r"States\.[A-Za-z0-9]+")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_WORDS = (("true", True), ("false", False), ("null", None))
_ESCAPABLE = "'{}\\"


def parse_intrinsic(text: str, *, check_path: Callable[[str], str | None] | None = None
                    ) -> Call:
    """Parse one intrinsic call; whitespace around it is tolerated.

    Raises `IntrinsicSyntaxError` with the character position of the first problem.
    """
    parser = _Parser(text, check_path)
    parser.skip_space()
    call = parser.call()
    parser.skip_space()
    if parser.pos != len(text):
        raise IntrinsicSyntaxError(
            f"unexpected text after the call at character {parser.pos}", parser.pos)
    return call


class _Parser:
    """Recursive descent over one expression; `pos` is the next character to read."""

    def __init__(self, text: str, check_path: Callable[[str], str | None] | None):
        self.text, self.pos, self.check_path = text, 0, check_path

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in _SPACE:
            self.pos += 1

    def call(self) -> Call:
        start = self.pos
        name = _NAME.match(self.text, start)
        if not name:
            raise IntrinsicSyntaxError(f"expected a function name at character {start}", start)
        self.pos = name.end()
        self.skip_space()
        if not self.text.startswith("(", self.pos):
            raise IntrinsicSyntaxError(f"expected '(' at character {self.pos}", self.pos)
        self.pos += 1
        self.skip_space()
        args: list[Argument] = []
        if self.text.startswith(")", self.pos):
            self.pos += 1
            return Call(name.group(), (), start)
        while True:
            self.skip_space()
            args.append(self.argument())
            self.skip_space()
            if self.text.startswith(",", self.pos):
                self.pos += 1
            elif self.text.startswith(")", self.pos):
                self.pos += 1
                return Call(name.group(), tuple(args), start)
            else:
                raise IntrinsicSyntaxError(f"expected ',' or ')' at character {self.pos}",
                                           self.pos)

    def argument(self) -> Argument:
        text, pos = self.text, self.pos
        if pos >= len(text):
            raise IntrinsicSyntaxError("unexpected end of text inside the call", pos)
        if text[pos] == "'":
            return self.string()
        if text.startswith("States.", pos):
            return self.call()
        if text[pos] == "$":
            return self.path()
        for word, value in _WORDS:
            if text.startswith(word, pos):
                self.pos += len(word)
                return Literal(value, pos)
        number = _NUMBER.match(text, pos)
        if number:
            self.pos = number.end()
            token = number.group()
            return Literal(float(token) if any(c in token for c in ".eE") else int(token), pos)
        raise IntrinsicSyntaxError(f"unexpected {text[pos]!r} at character {pos}", pos)

    def string(self) -> String:
        start, i, text = self.pos, self.pos + 1, self.text
        parts: list[str] = []
        current: list[str] = []
        while i < len(text):
            c = text[i]
            if c == "\\" and i + 1 < len(text):
                escaped = text[i + 1]
                if escaped not in _ESCAPABLE:
                    raise IntrinsicSyntaxError(
                        f"illegal escape sequence '\\{escaped}' in a string literal "
                        f"at character {i}", i)
                current.append(escaped)
                i += 2
            elif c == "'":
                self.pos = i + 1
                parts.append("".join(current))
                return String("{}".join(parts), tuple(parts), start)
            elif text.startswith("{}", i):
                parts.append("".join(current))
                current = []
                i += 2
            else:
                current.append(c)
                i += 1
        raise IntrinsicSyntaxError(f"unclosed string starting at character {start}", start)

    def path(self) -> Path:
        start = self.pos
        self.pos = balanced_end(self.text, start, stop=",")
        text = self.text[start:self.pos].rstrip(_SPACE)
        problem = self.check_path(text) if self.check_path else None
        if problem:
            raise IntrinsicSyntaxError(f"argument {text!r} is not a path: {problem}", start)
        return Path(text, start)


def balanced_end(text: str, pos: int, *, stop: str = "") -> int:
    """Where a bracketed stretch starting at `pos` ends.

    Scans over nested `[...]`/`(...)` and quoted names, and returns the index of the first
    character, at nesting depth 0, that is in `stop` or closes a bracket not opened here
    (or `len(text)`). Used for path arguments and for JSONPath `[...]` steps.
    """
    depth, quote, i = 0, "", pos
    while i < len(text):
        c = text[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = ""
        elif c in "'\"":
            quote = c
        elif c in "[(":
            depth += 1
        elif c in "])":
            if depth == 0:
                return i
            depth -= 1
        elif depth == 0 and c in stop:
            return i
        i += 1
    return len(text)


# --------------------------------------------------------------------- signature checks

def iter_calls(call: Call) -> Iterator[Call]:
    """Yield `call` and every call nested in its arguments, outermost first."""
    yield call
    for arg in call.args:
        if isinstance(arg, Call):
            yield from iter_calls(arg)


def arity_text(sig: Signature) -> str:
    """How many arguments a function takes: "2", "2 to 3" or "at least 1"."""
    if sig.max_args is None:
        return f"at least {sig.min_args}"
    if sig.min_args == sig.max_args:
        return str(sig.min_args)
    return f"{sig.min_args} to {sig.max_args}"


@dataclass(frozen=True)
class SignatureProblem:
    """An unknown function (`unknown` true) or a wrong argument count, with its message."""

    call: Call
    unknown: bool
    message: str


def signature_problem(call: Call) -> SignatureProblem | None:
    """Check one call's name and argument count against `SIGNATURES` (not nested calls)."""
    sig = SIGNATURES.get(call.name)
    if sig is None:
        return SignatureProblem(call, True, f"{call.name} is not an intrinsic function")
    count = len(call.args)
    if count < sig.min_args or (sig.max_args is not None and count > sig.max_args):
        return SignatureProblem(
            call, False, f"takes {arity_text(sig)} argument(s), got {count}")
    return None


def placeholder_count(template: String) -> int:
    """How many `{}` placeholders a literal States.Format template has."""
    return len(template.parts) - 1
