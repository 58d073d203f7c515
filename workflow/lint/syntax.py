"""Small parsers for the string languages inside a definition.

Reference paths and JSONPath (ASL spec "Paths" and "Reference Paths"), RFC 3339 timestamps
and a shape check of JSONata expressions (balanced brackets, operators between operands).
Each checker returns an error message, or None when the text is acceptable, so rules can
quote the reason. Intrinsic function calls have their own grammar, shared with the
emulator, in `workflow.intrinsic_syntax`.
"""

from __future__ import annotations

import re

from workflow.intrinsic_syntax import balanced_end
from workflow.path_syntax import bracket_after_dot

# A path starts at the input (`$`), the context object (`$$`) or a variable (`$name`).
_ROOT = re.compile(r"\$\$|\$(?:[A-Za-z_][A-Za-z0-9_]*)?")
_NAME = re.compile(r"[^.\[\]\s'\"(),*@?]+")
_INDEX = re.compile(r"\[\s*(?:\d+|'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")\s*\]")
_TIMESTAMP = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$", re.IGNORECASE
)


def check_reference_path(text: str, *, allow_context: bool = True,
                         allow_variables: bool = True) -> str | None:
    """Check a Reference Path: `$`, then only `.name`, `['name']` or `[index]` steps."""
    root = _ROOT.match(text)
    if not root:
        return "must start with '$'"
    if root.group() == "$$" and not allow_context:
        return "cannot refer to the context object ($$)"
    if len(root.group()) > 1 and root.group() != "$$" and not allow_variables:
        return "cannot refer to a variable"
    pos = root.end()
    while pos < len(text):
        if text[pos] == ".":
            name = _NAME.match(text, pos + 1)
            if not name:
                return f"expected a field name after '.' at character {pos + 1}"
            pos = name.end()
        elif text[pos] == "[":
            index = _INDEX.match(text, pos)
            if not index:
                return f"only a field name or an index may follow '[' at character {pos}"
            pos = index.end()
        else:
            return f"unexpected {text[pos]!r} at character {pos}"
    return None


def check_path(text: str) -> str | None:
    """Check a JSONPath: reference steps plus `..`, `*`, slices, unions and filters."""
    root = _ROOT.match(text)
    if not root:
        return "must start with '$'"
    pos, end = root.end(), len(text)
    while pos < end:
        char = text[pos]
        if char == ".":
            bracket = bracket_after_dot(text, pos)
            if bracket is not None:
                # Jayway JsonPath, which Step Functions runs, reads `.[0]` as `[0]`
                # (AWS sample ec2-instance-isolation-cdk selects "$.Snapshots.[0].State");
                # the rule is shared with the emulator in workflow.path_syntax.
                pos = bracket
                continue
            step = pos + 2 if text.startswith("..", pos) else pos + 1
            if step < end and text[step] == "*":
                pos = step + 1
                continue
            name = _NAME.match(text, step)
            if not name:
                return f"expected a field name after '.' at character {pos}"
            pos = name.end()
            if text.startswith("()", pos):  # Jayway functions such as .length()
                pos += 2
        elif char == "[":
            close = _closing_bracket(text, pos)
            if close is None:
                return f"unclosed '[' at character {pos}"
            if not text[pos + 1:close].strip():
                return f"empty '[]' at character {pos}"
            pos = close + 1
        else:
            return f"unexpected {char!r} at character {pos}"
    return None


def _closing_bracket(text: str, start: int) -> int | None:
    """The index of the `]` closing the `[` at `start`, or None."""
    end = balanced_end(text, start + 1)
    return end if text.startswith("]", end) else None


def check_timestamp(text: str) -> str | None:
    """Check an RFC 3339 date-time such as `2016-03-14T01:59:00Z`."""
    return None if _TIMESTAMP.match(text) else "is not an RFC 3339 timestamp"


# ----------------------------------------------------------------------- JSONata shape

_JSONATA_TOKEN = re.compile(r"""
    (?P<space>\s+|/\*.*?\*/)
  | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<name>`[^`]*`|\$\$|\$[A-Za-z0-9_]*|[A-Za-z_][A-Za-z0-9_]*)
  | (?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<open>[(\[{])
  | (?P<close>[)\]}])
  | (?P<op>~>|:=|\.\.|!=|<=|>=|\*\*|\?:|\?\?|[-+*/%=<>&?:.,;@#^|!])
""", re.VERBOSE | re.DOTALL)
_WORD_OPERATORS = frozenset({"and", "or", "in"})
_OPERAND_OPS = frozenset({"*", "**", "%", "-"})  # wildcard, descendants, parent, negation
_PAIRS = {")": "(", "]": "[", "}": "{"}


def check_jsonata(text: str) -> str | None:
    """Check the shape of a `{% %}` string: delimiters, brackets and operator order.

    This is not a full JSONata parser: it reports only what cannot parse (an operator
    where an operand must be, two operands in a row, unbalanced brackets, a dangling
    operator, an empty expression) so that it never rejects a valid expression.
    """
    if not text.startswith("{%"):
        return "a JSONata expression must start with '{%'"
    if not text.endswith("%}") or len(text) < 4:
        return "a JSONata expression must end with '%}'"
    body = text[2:-2]
    if not body.strip():
        return "the JSONata expression is empty"
    if "|" in body:  # transform operator `| ... |`: leave its grammar alone
        return None
    stack: list[str] = []
    expect_operand, pos = True, 0
    while pos < len(body):
        match = _JSONATA_TOKEN.match(body, pos)
        if not match:
            return f"unexpected character {body[pos]!r} in the JSONata expression"
        kind, token = match.lastgroup, match.group()
        pos = match.end()
        if kind == "space":
            continue
        if kind == "op" and token == "/" and expect_operand:  # regular expression literal
            close = re.compile(r"(?:[^/\\\n]|\\.)*/[imgsu]*").match(body, pos)
            if not close:
                return "unclosed regular expression in the JSONata expression"
            pos, expect_operand = close.end(), False
            continue
        if kind == "name" and token in _WORD_OPERATORS and not expect_operand:
            kind = "op"
        if kind in ("string", "name", "number"):
            if not expect_operand:
                return f"two operands in a row before {token!r}"
            expect_operand = False
        elif kind == "open":
            stack.append(token)
            expect_operand = True
        elif kind == "close":
            if not stack or stack.pop() != _PAIRS[token]:
                return f"unbalanced {token!r} in the JSONata expression"
            if expect_operand and body[match.start() - 1:match.start()].strip() not in "([{":
                if not re.search(r"[(\[{]\s*$", body[:match.start()]):
                    return f"missing operand before {token!r}"
            expect_operand = False
        elif expect_operand:
            if token in _OPERAND_OPS:
                expect_operand = token == "-"
                continue
            return f"operator {token!r} where an operand is expected"
        else:
            expect_operand = True
    if stack:
        return f"unclosed {stack[-1]!r} in the JSONata expression"
    if expect_operand:
        return "the JSONata expression ends with an operator"
    return None


def is_jsonata_string(value: object) -> bool:
    """True for a string written as a JSONata expression (`{% ... %}`)."""
    return isinstance(value, str) and value.startswith("{%") and value.endswith("%}")
