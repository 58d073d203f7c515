"""The emulator's three exception types, each with one meaning (see STYLE.md).

* `StatesError`: a runtime failure with an ASL error name and cause, which Retry and
  Catch can see (subject to the rules on `States.Runtime` and friends).
* `DefinitionError`: the definition cannot run; it names the JSON path of the problem.
* `UnsupportedFeature`: the definition is valid ASL, but this emulator does not run it.
"""

from __future__ import annotations


class StatesError(Exception):
    """A failure an ASL state raises at run time: `error` is the ASL error name."""

    def __init__(self, error: str | None, cause: str | None = None):
        self.error = error
        self.cause = cause
        super().__init__(f"{error}: {cause}" if cause else str(error))


class DefinitionError(Exception):
    """The definition is invalid at `path` (e.g. `$.States.Charge.Catch[0].Next`).

    The compilers of one field's value (a path, a payload template, a Choice rule) do not know
    where that value sits in the definition: they raise with `relative=True` and a path from
    the value itself (`$` is the value, `$.a['b.$']` a key inside it). The plan, which knows
    the field's location, re-roots the error once with `at()`.
    """

    def __init__(self, path: str, message: str, *, relative: bool = False):
        self.path = path
        self.message = message
        self.relative = relative
        super().__init__(f"{path}: {message}")

    def at(self, where: str) -> DefinitionError:
        """This error located under `where` (the field's JSON path) if it is relative."""
        if not self.relative:
            return self
        return type(self)(where + self.path[1:], self.message)


class UnsupportedFeature(DefinitionError):
    """Valid ASL that this emulator does not implement, at `path`."""
