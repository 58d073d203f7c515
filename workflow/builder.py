"""CDK-style chaining over the ASL model: `Chain.start(a).next(b)`, Choice, Retry, Catch.

Builder states are mutable nodes that remember their model fields and their outgoing
edges; `StateMachine(...).build()` walks the graph from its start, checks that every name
is used by one state only (across Parallel branches and Map processors too, reporting both
locations), and freezes it into `workflow.model` objects. States appear in the definition
in depth-first order: the main path first, then choice targets, then catch handlers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from workflow import model
from workflow.errors import json_path
from workflow.model import ABSENT


class BuildError(ValueError):
    """The graph cannot become a valid definition (a programming error in a machine module)."""


class Errors:
    """The predefined ASL error names (AWS docs: concepts-error-handling)."""

    ALL = "States.ALL"
    TIMEOUT = "States.Timeout"
    HEARTBEAT_TIMEOUT = "States.HeartbeatTimeout"
    TASK_FAILED = "States.TaskFailed"
    PERMISSIONS = "States.Permissions"
    RESULT_PATH_MATCH_FAILURE = "States.ResultPathMatchFailure"
    PARAMETER_PATH_FAILURE = "States.ParameterPathFailure"
    QUERY_EVALUATION_ERROR = "States.QueryEvaluationError"
    BRANCH_FAILED = "States.BranchFailed"
    NO_CHOICE_MATCHED = "States.NoChoiceMatched"
    INTRINSIC_FAILURE = "States.IntrinsicFailure"
    EXCEED_TOLERATED_FAILURE_THRESHOLD = "States.ExceedToleratedFailureThreshold"
    ITEM_READER_FAILED = "States.ItemReaderFailed"
    RESULT_WRITER_FAILED = "States.ResultWriterFailed"
    RUNTIME = "States.Runtime"
    DATA_LIMIT_EXCEEDED = "States.DataLimitExceeded"


class Condition:
    """Shorthands for choice conditions (`model.Compare`, `model.And`, ...)."""

    @staticmethod
    def compare(variable: str, operator: str, value: Any) -> model.Compare:
        if operator not in model.OPERATORS:
            raise BuildError(f"unknown choice operator {operator!r}")
        return model.Compare(variable, operator, value)

    @staticmethod
    def is_present(variable: str, present: bool = True) -> model.Compare:
        return model.Compare(variable, "IsPresent", present)

    @staticmethod
    def is_string(variable: str) -> model.Compare:
        return model.Compare(variable, "IsString", True)

    @staticmethod
    def string_equals(variable: str, value: str) -> model.Compare:
        return model.Compare(variable, "StringEquals", value)

    @staticmethod
    def numeric_greater_than(variable: str, value: float) -> model.Compare:
        return model.Compare(variable, "NumericGreaterThan", value)

    @staticmethod
    def all_of(*conditions: model.Condition) -> model.And:
        return model.And(tuple(conditions))

    @staticmethod
    def any_of(*conditions: model.Condition) -> model.Or:
        return model.Or(tuple(conditions))

    @staticmethod
    def negate(condition: model.Condition) -> model.Not:
        return model.Not(condition)


def _check_error_list(errors: Sequence[str], previous: Sequence[Sequence[str]], what: str,
                      state: str) -> tuple[str, ...]:
    """Enforce: `States.ALL` alone in its list and in the last retrier/catcher (never reorder)."""
    errors = tuple(errors)
    if not errors:
        raise BuildError(f"{state}: a {what} needs at least one error name")
    if Errors.ALL in errors and len(errors) > 1:
        raise BuildError(f"{state}: {Errors.ALL} must be alone in its {what}'s ErrorEquals")
    if any(Errors.ALL in earlier for earlier in previous):
        raise BuildError(f"{state}: a {what} cannot follow the one for {Errors.ALL}, "
                         f"which must be last")
    return errors


class Node:
    """A builder state: a model class, its fields, and its (still open) outgoing edges."""

    MODEL: type[model.State]

    def __init__(self, name: str, **fields: Any):
        self.name = name
        self.fields = fields
        self._next: Node | None = None

    # Chaining -----------------------------------------------------------------------

    def next(self, target: Node | Chain) -> Chain:
        """Continue with `target`; returns the chain from this state to `target`'s ends."""
        following = Chain.of(target)
        self.attach(following.start)
        return Chain(self, following.ends)

    def open_ends(self) -> list[Node]:
        """States of the chain starting here that still have no way to continue."""
        return [self] if self._next is None else []

    def attach(self, target: Node) -> None:
        if self._next is not None:
            raise BuildError(f"{self.name} already continues with {self._next.name}")
        self._next = target

    # Graph walking ------------------------------------------------------------------

    def successors(self) -> list[Node]:
        return [self._next] if self._next is not None else []

    def branches(self) -> list[tuple[tuple[str | int, ...], Chain]]:
        """Nested graphs (Parallel branches, Map processor), each with its path below the state."""
        return []

    def transition(self) -> model.Transition:
        return model.Next(self._next.name) if self._next else model.End()

    def freeze(self, nested: dict[int, model.Branch]) -> model.State:
        """Return the model state; `nested` maps id(chain) -> its built branch."""
        return self.MODEL(self.name, **self.fields, transition=self.transition())


class Terminal(Node):
    """A state that ends its branch: no open end, `.next` is refused."""

    def open_ends(self) -> list[Node]:
        return []

    def attach(self, target: Node) -> None:
        raise BuildError(f"{self.name} is a {self.MODEL.TYPE} state and cannot have a Next")

    def freeze(self, nested: dict[int, model.Branch]) -> model.State:
        return self.MODEL(self.name, **self.fields)


class Pass(Node):
    MODEL = model.Pass


class Wait(Node):
    MODEL = model.Wait


class Succeed(Terminal):
    MODEL = model.Succeed


class Fail(Terminal):
    MODEL = model.Fail


class _Handling(Node):
    """A state with Retry and Catch (Task, Parallel, Map)."""

    def __init__(self, name: str, **fields: Any):
        super().__init__(name, **fields)
        self._retries: list[model.Retry] = []
        self._catches: list[tuple[model.Catch, Node]] = []

    def add_retry(self, errors: Sequence[str] = (Errors.ALL,), **settings: Any) -> _Handling:
        """Add a retrier (`interval_seconds`, `max_attempts`, `backoff_rate`, ...)."""
        names = _check_error_list(errors, [r.error_equals for r in self._retries], "retrier",
                                  self.name)
        self._retries.append(model.Retry(error_equals=names, **settings))
        return self

    def add_catch(self, handler: Node | Chain, errors: Sequence[str] = (Errors.ALL,),
                  **settings: Any) -> _Handling:
        """Add a catcher going to `handler` (`result_path`, `output`, `assign`, ...)."""
        names = _check_error_list(errors, [c.error_equals for c, _ in self._catches], "catcher",
                                  self.name)
        target = handler.start if isinstance(handler, Chain) else handler
        self._catches.append((model.Catch(error_equals=names, next=target.name, **settings),
                              target))
        return self

    def successors(self) -> list[Node]:
        return super().successors() + [node for _, node in self._catches]

    def _handling_fields(self) -> dict[str, Any]:
        return {
            "retry": tuple(self._retries) if self._retries else ABSENT,
            "catch": tuple(c for c, _ in self._catches) if self._catches else ABSENT,
        }

    def freeze(self, nested: dict[int, model.Branch]) -> model.State:
        return self.MODEL(self.name, **self.fields, **self._handling_fields(),
                          transition=self.transition())


class Task(_Handling):
    MODEL = model.Task


class Parallel(_Handling):
    """A Parallel state; add branches with `.branch(chain)`."""

    MODEL = model.Parallel

    def __init__(self, name: str, **fields: Any):
        super().__init__(name, **fields)
        self._branches: list[Chain] = []

    def branch(self, *chains: Node | Chain) -> Parallel:
        self._branches.extend(Chain.of(c) for c in chains)
        return self

    def branches(self) -> list[tuple[tuple[str | int, ...], Chain]]:
        return [(("Branches", i), chain) for i, chain in enumerate(self._branches)]

    def freeze(self, nested: dict[int, model.Branch]) -> model.State:
        built = tuple(nested[id(c)] for c in self._branches)
        return self.MODEL(self.name, **self.fields, branches=built, **self._handling_fields(),
                          transition=self.transition())


class Map(_Handling):
    """A Map state; set its processor with `.item_processor(chain, mode=..., ...)`."""

    MODEL = model.Map

    def __init__(self, name: str, **fields: Any):
        super().__init__(name, **fields)
        self._processor: Chain | None = None
        self._config: model.ProcessorConfig | None = None

    def item_processor(self, chain: Node | Chain, **config: Any) -> Map:
        self._processor = Chain.of(chain)
        self._config = model.ProcessorConfig(**config) if config else None
        return self

    def branches(self) -> list[tuple[tuple[str | int, ...], Chain]]:
        return [(("ItemProcessor",), self._processor)] if self._processor else []

    def freeze(self, nested: dict[int, model.Branch]) -> model.State:
        if self._processor is None:
            raise BuildError(f"{self.name}: a Map state needs an item processor")
        branch = nested[id(self._processor)]
        if self._config is not None:
            branch = model.Branch(processor_config=self._config, start_at=branch.start_at,
                                  states=branch.states)
        return self.MODEL(self.name, **self.fields, item_processor=branch,
                          **self._handling_fields(), transition=self.transition())


class Choice(Node):
    """A Choice state: `.when(condition, next, comment=...)`, `.otherwise(next)`.

    Its open ends are the open ends of every target; without `.otherwise` the Choice
    itself is open too, and a following `.next` becomes its `Default`.
    """

    MODEL = model.Choice

    def __init__(self, name: str, **fields: Any):
        super().__init__(name, **fields)
        self._rules: list[tuple[model.Condition, Chain, dict[str, Any]]] = []
        self._default: Chain | None = None

    def when(self, condition: model.Condition, target: Node | Chain, **rule: Any) -> Choice:
        self._rules.append((condition, Chain.of(target), rule))
        return self

    def otherwise(self, target: Node | Chain) -> Choice:
        if self._default is not None:
            raise BuildError(f"{self.name} already has a default ({self._default.start.name})")
        self._default = Chain.of(target)
        return self

    def next(self, target: Node | Chain) -> Chain:
        """Continue every open end of this Choice with `target` (see the class docstring)."""
        return Chain.start(self).next(target)

    def open_ends(self) -> list[Node]:
        ends: list[Node] = []
        for chain in [c for _, c, _ in self._rules] + [self._default]:
            if chain is None:
                ends.append(self)
            else:
                # Only ends that are still open: one may have been continued since.
                ends.extend(e for e in chain.ends if e not in ends and e in e.open_ends())
        return ends

    def attach(self, target: Node) -> None:
        if self._default is not None:
            raise BuildError(f"{self.name} already has a default ({self._default.start.name})")
        self._default = Chain(target, target.open_ends())

    def successors(self) -> list[Node]:
        targets = [c.start for _, c, _ in self._rules]
        return targets + ([self._default.start] if self._default else [])

    def freeze(self, nested: dict[int, model.Branch]) -> model.State:
        if not self._rules:
            raise BuildError(f"{self.name}: a Choice state needs at least one rule")
        rules = tuple(model.ChoiceRule(condition=cond, next=chain.start.name, **rule)
                      for cond, chain, rule in self._rules)
        default = self._default.start.name if self._default else ABSENT
        return self.MODEL(self.name, **self.fields, choices=rules, default=default)


class Chain:
    """A start state and the open ends where the next state will be attached."""

    def __init__(self, start: Node, ends: list[Node]):
        self.start = start
        self.ends = ends

    @staticmethod
    def start(node: Node | Chain) -> Chain:
        """Begin a chain at `node` (CDK's spelling; on an instance, `.start` is the state)."""
        return Chain.of(node)

    @staticmethod
    def of(item: Node | Chain) -> Chain:
        return item if isinstance(item, Chain) else Chain(item, item.open_ends())

    def next(self, target: Node | Chain) -> Chain:
        """Attach `target` to every open end; the result ends where `target` ends."""
        following = Chain.of(target)
        if not self.ends:
            raise BuildError(f"the chain from {self.start.name} has no open end to continue: "
                             f"it ends in Succeed/Fail states or every end already continues")
        for end in self.ends:
            end.attach(following.start)
        return Chain(self.start, following.ends)


def _build_branch(chain: Chain, scope: tuple[str | int, ...], seen: dict[str, tuple[Node, str]],
                  nested: dict[int, model.Branch], comment: str = ABSENT) -> model.Branch:
    """Walk one scope depth first and return its states, registering every name in `seen`."""
    order: list[Node] = []
    stack = [chain.start]
    visited: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in visited:
            continue
        visited.add(id(node))
        where = json_path([*scope, "States", node.name])
        if node.name in seen:
            other, other_where = seen[node.name]
            what = "the same state is reachable from two scopes" if other is node else \
                "two different states share this name"
            raise BuildError(f"duplicate state name {node.name!r}: {what}, "
                             f"at {other_where} and at {where}")
        seen[node.name] = (node, where)
        order.append(node)
        for below, sub in node.branches():
            nested[id(sub)] = _build_branch(sub, (*scope, "States", node.name, *below), seen,
                                            nested)
        stack.extend(reversed(node.successors()))
    states = tuple(node.freeze(nested) for node in order)
    return model.Branch(comment=comment, start_at=chain.start.name, states=states)


class StateMachine:
    """The top of a builder graph: `StateMachine(chain, comment=...).build()`."""

    def __init__(self, definition: Node | Chain, *, comment: str = ABSENT,
                 query_language: str = ABSENT, version: str = ABSENT,
                 timeout_seconds: int = ABSENT):
        self.definition = Chain.of(definition)
        self.top = {"comment": comment, "query_language": query_language, "version": version,
                    "timeout_seconds": timeout_seconds}

    def build(self) -> model.StateMachine:
        """Freeze the graph into a `model.StateMachine` (raises `BuildError` if it cannot)."""
        branch = _build_branch(self.definition, (), {}, {})
        return model.StateMachine(**self.top, start_at=branch.start_at, states=branch.states)

    def to_asl(self) -> dict[str, Any]:
        """The ASL definition as a JSON-ready dict in canonical key order."""
        return self.build().to_asl()
