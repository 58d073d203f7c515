"""The emulator's three exception types, each with one meaning (see STYLE.md).

* `StatesError`: a runtime failure with an ASL error name and cause, which Retry and
  Catch can see (subject to the rules on `States.Runtime` and friends).
* `DefinitionError`: the definition cannot run; it names the JSON path of the problem.
* `UnsupportedFeature`: the definition is valid ASL, but this emulator does not run it.

`ExecutionInputRejected` is not a fourth meaning: like the `ValueError` `run()` raises for
an unknown `start_mode`, it is `run()` refusing an argument, as AWS's StartExecution refuses
an `input` longer than 262,144 bytes before any execution exists (API reference,
StartExecution, `input` length constraints). It is not a `StatesError` (no state ran, nothing
can catch it) nor a `DefinitionError` (the definition is fine), so it subclasses
`ValueError`.
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


class ExecutionInputRejected(ValueError):
    """The execution input is larger than StartExecution accepts: no execution exists.

    `size` is the input's length in UTF-8 bytes of compact JSON, `limit` the maximum.
    """

    def __init__(self, size: int, limit: int):
        self.size = size
        self.limit = limit
        super().__init__(f"the execution input is {size:,} bytes; StartExecution accepts at "
                         f"most {limit:,} (UTF-8 JSON)")
