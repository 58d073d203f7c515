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

__all__ = ["bracket_after_dot", "drop_dots_before_brackets", "pad_bare_fractions"]


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


def pad_bare_fractions(text: str) -> str:
    """Give every number in a filter that starts with its decimal point a leading zero:
    `$[?(@.Score > .85)]` -> `$[?(@.Score > 0.85)]`.

    Jayway reads `.85` as a number; the textbook grammar (and jsonpath-ng) does not. A
    deployed AWS sample (document-text-analysis) filters with `> .85`. A dot counts as the
    start of a number only when a digit follows and it does not continue a name, index or
    call (`@.5`, `a.5`, `].5` are member steps); quoted text is left alone. A path without
    a filter is returned as it is (the same object).
    """
    if "?(" not in text:
        return text
    out: list[str] = []
    quote = ""
    for i, char in enumerate(text):
        if quote:
            if char == quote and text[i - 1] != "\\":
                quote = ""
        elif char in "'\"":
            quote = char
        elif (char == "." and i + 1 < len(text) and text[i + 1].isdigit()
              and i > 0 and not (text[i - 1].isalnum() or text[i - 1] in "_@]).*$")):
            out.append("0")
        out.append(char)
    return "".join(out)
