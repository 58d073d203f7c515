"""Task answerers: who answers a Task state's call, in which order.

A task answerer is a callable `(Call) -> result`; it fails the task by raising
`StatesError(error, cause)` and passes the call on by returning `UNANSWERED`. A mock
configuration (Step Functions Local's file) is one more answerer, asked first; then the
user's `tasks` (a callable, or a dict keyed by state name or resource ARN).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from workflow.emulator.execution import Call


class _Unanswered:
    def __repr__(self) -> str:
        return "UNANSWERED"


UNANSWERED: Any = _Unanswered()
"""What a task answerer returns to pass a call on to the next answerer."""


def dict_answerer(table: dict) -> Callable[[Call], Any]:
    """An answerer from a dict keyed by state name (first) or resource ARN; a value is a
    callable answerer or a fixed result."""

    def answer(call: Call) -> Any:
        handler = table.get(call.state)
        if handler is None:
            handler = table.get(call.resource)
        if handler is None:
            return UNANSWERED
        return handler(call) if callable(handler) else handler

    return answer


def answerer_chain(mock_config, test_case, state_machine_name, tasks) -> list[Callable]:
    """The answerers of one execution, in the order they are asked."""
    chain: list[Callable] = []
    if mock_config is not None:
        from workflow.mocks import MockConfig

        if not isinstance(mock_config, MockConfig):
            mock_config = (MockConfig.parse(mock_config) if isinstance(mock_config, dict)
                           else MockConfig.load(mock_config))
        if test_case is not None:
            chain.append(mock_config.answerer(state_machine_name, test_case))
    if tasks is not None:
        chain.append(dict_answerer(tasks) if isinstance(tasks, dict) else tasks)
    return chain
