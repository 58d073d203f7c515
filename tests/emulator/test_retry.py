"""Retrier/catcher matching and back-off maths (AWS docs, concepts-error-handling)."""

from __future__ import annotations

import random

import pytest

from workflow.emulator.errors import DefinitionError
from workflow.emulator.retry import (
    Retrier,
    error_matches,
    find_catcher,
    find_retrier,
    parse_catchers,
    parse_retriers,
)


@pytest.mark.parametrize(
    ("patterns", "error", "expected"),
    [
        (("States.ALL",), "InvalidMetadata", True),
        (("States.ALL",), "States.Timeout", True),
        (("States.ALL",), "States.Runtime", False),
        (("States.ALL",), "States.DataLimitExceeded", False),
        (("States.DataLimitExceeded",), "States.DataLimitExceeded", True),
        (("States.Runtime",), "States.Runtime", False),
        (("States.TaskFailed",), "Lambda.ServiceException", True),
        (("States.TaskFailed",), "States.Timeout", False),
        (("States.TaskFailed",), "States.HeartbeatTimeout", False),
        (("States.Timeout",), "States.HeartbeatTimeout", True),
        (("OpenSearchThrottled",), "OpenSearchRejected", False),
        (("States.ALL",), "Emulator.TaskNotAnswered", False),
        (("States.ALL",), None, True),
    ],
)
def test_error_matching_rules(patterns, error, expected):
    assert error_matches(patterns, error) is expected


def test_first_matching_retrier_and_catcher_win():
    retriers = parse_retriers([{"ErrorEquals": ["A"]}, {"ErrorEquals": ["States.ALL"]}], "$")
    assert find_retrier(retriers, "A") == 0
    assert find_retrier(retriers, "B") == 1
    catchers = parse_catchers([{"ErrorEquals": ["A"], "Next": "X"},
                               {"ErrorEquals": ["States.ALL"], "Next": "Y"}], "$", object())
    assert find_catcher(catchers, "B").next == "Y"


def test_defaults_are_interval_1_max_attempts_3_backoff_2():
    (retrier,) = parse_retriers([{"ErrorEquals": ["E"]}], "$")
    assert (retrier.interval_seconds, retrier.max_attempts, retrier.backoff_rate) == (1, 3, 2.0)
    assert [retrier.delay(n, random.Random(0)) for n in range(3)] == [1, 2, 4]


def test_max_delay_caps_the_backoff():
    retrier = Retrier(("E",), interval_seconds=2, backoff_rate=3.0, max_delay_seconds=10)
    assert [retrier.delay(n, random.Random(0)) for n in range(4)] == [2, 6, 10, 10]


def test_full_jitter_stays_within_zero_and_the_delay():
    retrier = Retrier(("E",), interval_seconds=4, jitter_full=True)
    rng = random.Random(1)
    delays = [retrier.delay(2, rng) for _ in range(200)]
    assert all(0 <= d <= 16 for d in delays)
    assert len(set(delays)) > 100


@pytest.mark.parametrize(
    ("raw", "path"),
    [
        ([{"ErrorEquals": []}], "$.Retry[0].ErrorEquals"),
        ([{"ErrorEquals": ["States.ALL", "E"]}], "$.Retry[0].ErrorEquals"),
        ([{"ErrorEquals": ["States.ALL"]}, {"ErrorEquals": ["E"]}], "$.Retry[0].ErrorEquals"),
        ([{"ErrorEquals": ["E"], "MaxAttempts": -1}], "$.Retry[0].MaxAttempts"),
        ([{"ErrorEquals": ["E"], "BackoffRate": 0.5}], "$.Retry[0].BackoffRate"),
        ([{"ErrorEquals": ["E"], "JitterStrategy": "HALF"}], "$.Retry[0].JitterStrategy"),
        ({"ErrorEquals": ["E"]}, "$.Retry"),
    ],
)
def test_bad_retriers_are_definition_errors_with_paths(raw, path):
    with pytest.raises(DefinitionError) as info:
        parse_retriers(raw, "$")
    assert info.value.path == path
