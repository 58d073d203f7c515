"""The JSONPath forms Step Functions accepts beyond the textbook grammar, in one place.

Step Functions evaluates JSONPath with Jayway JsonPath, which reads a dot directly before
a bracket as if it were not there: `$.[0]` is `$[0]`, `$.a.[0].b` is `$.a[0].b` and
`$.[?(@.OU > 0)]` is the filter `$[?(@.OU > 0)]`. Deployed AWS samples rely on it
(ec2-instance-isolation-cdk selects `$.Snapshots.[0].State`; the account-vending sample
filters with `$.[?(@.OU > 0)]`). A deep scan keeps its meaning: `$..[0]` still scans.

Both tools take the rule from here, so they cannot drift: the linter
(`workflow.lint.syntax.check_path`) accepts a path where `bracket_after_dot` says a bracket
follows, and the emulator (`workflow.emulator.paths`) evaluates the text that
`drop_dots_before_brackets` rewrote into the textbook form. This module imports neither
package.
"""

from __future__ import annotations

__all__ = ["bracket_after_dot", "drop_dots_before_brackets"]


def bracket_after_dot(text: str, pos: int) -> int | None:
    """The index of the `[` that directly follows the `.` or `..` at `pos`, or None.

    `bracket_after_dot("$.[0]", 1)` is 2; `bracket_after_dot("$..[0]", 1)` is 3;
    `bracket_after_dot("$.a", 1)` is None.
    """
    if not text.startswith(".", pos):
        return None
    step = pos + 2 if text.startswith("..", pos) else pos + 1
    return step if text.startswith("[", step) else None


def drop_dots_before_brackets(text: str) -> str:
    """Rewrite a path so that every single dot before a bracket is gone (`$.a.[0]` ->
    `$.a[0]`), leaving deep scans (`..[`) and quoted names (`['a.[b']`) untouched.

    A path without such a dot is returned as it is (the same object), so callers can tell
    cheaply whether anything changed.
    """
    if ".[" not in text:
        return text
    out: list[str] = []
    quote = ""
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if quote:
            if char == "\\" and i + 1 < n:
                out.append(text[i:i + 2])
                i += 2
                continue
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == ".":
            bracket = bracket_after_dot(text, i)
            if bracket == i + 1:  # a single dot before '[': Jayway ignores it
                i += 1
                continue
            if bracket is not None:  # '..[' is a deep scan: keep both dots
                out.append("..")
                i += 2
                continue
        out.append(char)
        i += 1
    return "".join(out)
