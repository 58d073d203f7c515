"""Workflow variables (`Assign`, read as `$name`) in JSONPath mode.

What the AWS-recorded corpus shows (cases `assign/test_assign_base::*` and
`assign/test_assign_reference_variables::*`, histories in `recorded-histories.jsonl`):

* `Assign` is a payload template: `name.$` keys take a path (`$`, `$.x`, `$$...`, `$var`) or
  an intrinsic call, every other value is a constant, nested objects included
  (`test_base_cases[BASE_CONSTANT_LITERALS]`, `[BASE_PATHS]`,
  `test_assign_from_value[BASE_ASSIGN_FROM_INTRINSIC_FUNCTION]`).
* In a Pass state `$` is the state's result: its `Result`, else the effective input after
  `Parameters` (`test_assign_from_value[BASE_ASSIGN_FROM_RESULT]`, `[..._FROM_PARAMETERS]`).
  For Task, Map and Parallel we use the result after `ResultSelector`; for Choice and Wait
  the effective input; in a catcher the error output `{Error, Cause}`.
* Every expression of a state, its own Assign and OutputPath included, reads the variables
  as they were when the state was entered; the new values take effect when it exits
  (`test_state_assign_evaluation_order[BASE_EVALUATION_ORDER_PASS_STATE]`: OutputPath
  `$answer` reads 42 in the state that assigns `answer`).
* The exited event carries `assignedVariables` (each value as compact JSON text) and
  `assignedVariablesDetails: {"truncated": false}`; an empty `Assign` adds neither
  (`test_base_cases[BASE_EMPTY]`).
* Map iterations and Parallel branches read the outer variables; what they assign stays
  inside (`test_base_cases[BASE_SCOPE_MAP]`, `test_base_parallel_cases[BASE_SCOPE_PARALLEL]`,
  `test_reference_assign[BASE_REFERENCE_IN_ITERATOR_OUTER_SCOPE]`).

Not recorded, so chosen here and listed in docs/fidelity.md: a Distributed Map's child
executions start with no variables (they are separate executions); an inner state that
assigns an outer variable's name shadows it inside its own iteration or branch only; name
rules (a Unicode identifier of at most 80 characters, `states` reserved) and the size limits
(256 KiB per variable and per Assign, 10 MiB in total) follow the AWS documentation page
"Passing data between states with variables", and going over a size limit fails with
`States.DataLimitExceeded` (the error name is unconfirmed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workflow.emulator.errors import DefinitionError, StatesError
from workflow.emulator.paths import MISSING, compile_template, render_template
from workflow.errors import json_path

VARIABLE_SIZE_LIMIT = 262_144  # bytes of UTF-8 JSON, one variable
ASSIGN_SIZE_LIMIT = 262_144  # bytes of UTF-8 JSON, all values of one Assign together
TOTAL_SIZE_LIMIT = 10 * 1024 * 1024  # bytes, every variable visible in one flow
MAX_NAME_LENGTH = 80
RESERVED_NAMES = frozenset({"states"})  # `$states` is JSONata's reserved variable
DATA_LIMIT = "States.DataLimitExceeded"


@dataclass(frozen=True, slots=True)
class Assignment:
    """A compiled, non-empty `Assign` field: the template as written and its variable names."""

    template: dict
    names: tuple[str, ...]


def compile_assign(raw: Any, where: str) -> Any:
    """Check an `Assign` field at JSON path `where`; MISSING when it assigns nothing."""
    if not isinstance(raw, dict):
        raise DefinitionError(where, "must be an object")
    if not raw:
        return MISSING
    names: list[str] = []
    for key in raw:
        name = key[:-2] if key.endswith(".$") else key
        problem = name_problem(name)
        if problem is not None:
            raise DefinitionError(where + json_path([key])[1:], problem)
        if name in names:
            raise DefinitionError(where + json_path([key])[1:],
                                  f"assigns the variable '{name}' twice")
        names.append(name)
    try:
        compile_template(raw)
    except DefinitionError as exc:
        raise exc.at(where) from None
    return Assignment(raw, tuple(names))


def name_problem(name: str) -> str | None:
    """Why `name` cannot be a variable name, or None when it can."""
    if not name.isidentifier():
        return f"'{name}' is not a valid variable name (letters, digits and '_', not first a digit)"
    if len(name) > MAX_NAME_LENGTH:
        return f"variable names have at most {MAX_NAME_LENGTH} characters"
    if name in RESERVED_NAMES:
        return f"'{name}' is a reserved variable name"
    return None


class Variables(dict):
    """The variables one flow of control sees, with the UTF-8 JSON size of each value.

    A Map iteration or Parallel branch works on a `child()` copy: it reads the outer values
    and its own assignments never reach the outer flow.
    """

    __slots__ = ("sizes", "total")

    def __init__(self) -> None:
        super().__init__()
        self.sizes: dict[str, int] = {}
        self.total = 0

    def child(self) -> Variables:
        """A copy for an inner flow (Map iteration or Parallel branch)."""
        inner = Variables()
        inner.update(self)
        inner.sizes = dict(self.sizes)
        inner.total = self.total
        return inner

    def commit(self, values: dict, texts: dict[str, str], state_name: str) -> None:
        """Store the values one state assigned (already measured by `evaluate_assign`)."""
        total = self.total
        for name, text in texts.items():
            total += len(text.encode("utf-8")) - self.sizes.get(name, 0)
        if total > TOTAL_SIZE_LIMIT:
            raise StatesError(DATA_LIMIT, f"The state '{state_name}' assigned variables whose "
                              f"total size exceeds {TOTAL_SIZE_LIMIT} bytes.")
        for name, text in texts.items():
            self.sizes[name] = len(text.encode("utf-8"))
        self.total = total
        self.update(values)


def evaluate_assign(assignment: Assignment, data: Any, context: Any, dumps,
                    state_name: str) -> tuple[dict, dict[str, str]]:
    """Evaluate an Assign against `data` (see the module docstring for what `$` is).

    Returns the new values and their JSON texts (as the exited event shows them). Nothing is
    stored: the caller commits once the state's output is settled.
    """
    values = render_template(assignment.template, data, context, field="Assign")
    texts: dict[str, str] = {}
    combined = 0
    for name, value in values.items():
        text = dumps(value)
        size = len(text) if text.isascii() else len(text.encode("utf-8"))
        if size > VARIABLE_SIZE_LIMIT:
            raise StatesError(DATA_LIMIT, f"The state '{state_name}' assigned the variable "
                              f"'{name}' a value larger than {VARIABLE_SIZE_LIMIT} bytes.")
        combined += size
        texts[name] = text
    if combined > ASSIGN_SIZE_LIMIT:
        raise StatesError(DATA_LIMIT, f"The state '{state_name}' assigned variables whose "
                          f"combined size exceeds {ASSIGN_SIZE_LIMIT} bytes.")
    return values, texts
