"""Choice states through whole executions: which rule wins, Default, no match, paths, events.

The rule operators themselves are tested in `test_choice.py` (every recorded
`choice_operators` case); here the Choice is a state in a run: where it goes, what it
outputs and what the history shows.
"""

from __future__ import annotations

from workflow.emulator import run

END = {"Type": "Succeed"}


def _choice(choices, default=None, **fields) -> dict:
    """A machine that starts at the Choice `C`; targets are Succeed states named as given."""
    state = {"Type": "Choice", "Choices": choices, **fields}
    if default is not None:
        state["Default"] = default
    targets = {rule["Next"] for rule in choices} | ({default} if default else set())
    return {"StartAt": "C", "States": {"C": state, **{name: dict(END) for name in targets}}}


def _types(execution) -> list[str]:
    return [event["type"] for event in execution.events]


def test_the_first_matching_rule_wins_even_when_later_rules_also_match():
    definition = _choice([
        {"Variable": "$.n", "NumericGreaterThan": 10, "Next": "Big"},
        {"Variable": "$.n", "NumericGreaterThan": 0, "Next": "Positive"},
        {"Variable": "$.n", "IsNumeric": True, "Next": "Number"},
    ], default="Other")
    assert run(definition, {"n": 50}).states_entered == ["C", "Big"]
    assert run(definition, {"n": 5}).states_entered == ["C", "Positive"]
    assert run(definition, {"n": -5}).states_entered == ["C", "Number"]


def test_default_is_taken_when_no_rule_matches():
    definition = _choice([{"Variable": "$.kind", "StringEquals": "a", "Next": "A"}],
                         default="Fallback")
    execution = run(definition, {"kind": "b"})
    assert execution.states_entered == ["C", "Fallback"]
    assert (execution.status, execution.output) == ("SUCCEEDED", {"kind": "b"})


def test_a_rule_on_a_missing_variable_with_is_present_false_matches():
    definition = _choice([{"Variable": "$.absent", "IsPresent": False, "Next": "Missing"}],
                         default="Present")
    assert run(definition, {}).states_entered == ["C", "Missing"]
    assert run(definition, {"absent": None}).states_entered == ["C", "Present"]


def test_compound_rules_and_or_not_choose_as_a_whole():
    definition = _choice([{"And": [
        {"Variable": "$.type", "StringEquals": "Private"},
        {"Not": {"Variable": "$.value", "NumericLessThan": 20}},
        {"Or": [{"Variable": "$.value", "NumericLessThanEquals": 30},
                {"Variable": "$.force", "BooleanEquals": True}]},
    ], "Next": "Chosen"}], default="Skipped")
    assert run(definition, {"type": "Private", "value": 25}).states_entered[-1] == "Chosen"
    assert run(definition, {"type": "Private", "value": 40, "force": True}
               ).states_entered[-1] == "Chosen"
    assert run(definition, {"type": "Private", "value": 40, "force": False}
               ).states_entered[-1] == "Skipped"
    assert run(definition, {"type": "Public", "value": 25}).states_entered[-1] == "Skipped"


def test_a_rule_may_read_the_context_object():
    definition = _choice([{"Variable": "$$.Execution.Name", "StringMatches": "nightly-*",
                           "Next": "Nightly"}], default="Manual")
    assert run(definition, {}, execution_name="nightly-42").states_entered[-1] == "Nightly"
    assert run(definition, {}, execution_name="adhoc").states_entered[-1] == "Manual"


def test_no_match_without_default_fails_with_no_choice_matched_after_the_entered_event():
    # ASL spec, Appendix A: States.NoChoiceMatched. The cause text is ours (docs/fidelity.md).
    definition = _choice([{"Variable": "$.n", "NumericEquals": 1, "Next": "One"}])
    execution = run(definition, {"n": 2})
    assert (execution.status, execution.error) == ("FAILED", "States.NoChoiceMatched")
    assert execution.cause == ("No Choice Rule matched the input and the Choice state has no "
                               "Default.")
    assert _types(execution) == ["ExecutionStarted", "ChoiceStateEntered", "ExecutionFailed"]
    assert execution.states_entered == ["C"]
    assert execution.events[-1]["executionFailedEventDetails"] == {
        "error": "States.NoChoiceMatched", "cause": execution.cause}


def test_no_choice_matched_is_not_a_states_runtime_error():
    # It fails the execution (a Choice has no Catch); the error name is kept as is, without
    # the "An error occurred while executing the state" prefix States.Runtime gets.
    definition = _choice([{"Variable": "$.n", "NumericEquals": 1, "Next": "One"}])
    assert not run(definition, {"n": 2}).cause.startswith("An error occurred")


def test_a_rule_variable_that_selects_nothing_is_states_runtime():
    # docs/fidelity.md: the cause is ours; AWS does fail with States.Runtime.
    definition = _choice([{"Variable": "$.missing", "NumericEquals": 1, "Next": "One"}],
                         default="Other")
    execution = run(definition, {})
    assert execution.error == "States.Runtime"
    assert execution.cause == (
        "An error occurred while executing the state 'C' (entered at the event id #2). "
        "Invalid path '$.missing': The choice state's condition path references an invalid "
        "value.")


def test_input_path_selects_what_the_rules_see_and_what_the_choice_outputs():
    definition = _choice([{"Variable": "$.tutor", "IsPresent": True, "Next": "Found"}],
                         default="Missing", InputPath="$.attributes")
    execution = run(definition, {"attributes": {"tutor": {"id": 2}}, "other": 1})
    assert execution.states_entered == ["C", "Found"]
    assert execution.output == {"tutor": {"id": 2}}
    unrouted = run(definition, {"attributes": {}, "tutor": "outside"})
    assert unrouted.states_entered == ["C", "Missing"]


def test_output_path_selects_the_choice_output_after_the_rules_ran_on_the_whole_input():
    definition = _choice([{"Variable": "$.route", "StringEquals": "x", "Next": "X"}],
                         default="Y", OutputPath="$.payload")
    execution = run(definition, {"route": "x", "payload": {"p": 1}})
    assert execution.states_entered == ["C", "X"]
    assert execution.output == {"p": 1}


def test_input_path_and_output_path_together_on_a_choice():
    definition = _choice([{"Variable": "$.ok", "BooleanEquals": True, "Next": "Yes"}],
                         default="No", InputPath="$.inner", OutputPath="$.data")
    execution = run(definition, {"inner": {"ok": True, "data": [1]}, "ok": False})
    assert execution.states_entered == ["C", "Yes"]
    assert execution.output == [1]


def test_choice_events_carry_the_raw_input_and_the_output_as_json_text():
    # Corpus scenarios/test_base_scenarios::TestBaseScenarios::test_map_state_break_condition
    # records ChoiceStateEntered/ChoiceStateExited pairs around every Choice.
    definition = _choice([{"Variable": "$.go", "BooleanEquals": True, "Next": "Go"}],
                         default="Stop", OutputPath="$.keep")
    execution = run(definition, {"go": True, "keep": {"k": "ü"}})
    assert _types(execution) == ["ExecutionStarted", "ChoiceStateEntered", "ChoiceStateExited",
                                 "SucceedStateEntered", "SucceedStateExited",
                                 "ExecutionSucceeded"]
    entered, exited = execution.events[1], execution.events[2]
    assert entered["stateEnteredEventDetails"] == {
        "name": "C", "input": '{"go":true,"keep":{"k":"ü"}}',
        "inputDetails": {"truncated": False}}
    assert exited["stateExitedEventDetails"] == {
        "name": "C", "output": '{"k":"ü"}', "outputDetails": {"truncated": False}}
    assert (exited["id"], exited["previousEventId"]) == (3, 2)


def _counter_loop(limit: int) -> dict:
    return {"StartAt": "Init", "States": {
        "Init": {"Type": "Pass", "Result": {"count": 0}, "Next": "Check"},
        "Check": {"Type": "Choice",
                  "Choices": [{"Variable": "$.count", "NumericGreaterThanEquals": limit,
                               "Next": "Done"}],
                  "Default": "Increment"},
        "Increment": {"Type": "Pass",
                      "Parameters": {"count.$": "States.MathAdd($.count, 1)"},
                      "Next": "Check"},
        "Done": {"Type": "Succeed"},
    }}


def test_a_loop_through_a_choice_ends_when_a_math_add_counter_reaches_the_limit():
    execution = run(_counter_loop(3), {})
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"count": 3}
    assert execution.states_entered == ["Init", "Check", "Increment", "Check", "Increment",
                                        "Check", "Increment", "Check", "Done"]
    assert _types(execution).count("ChoiceStateExited") == 4


def test_every_state_entered_in_the_loop_counts_as_one_transition():
    # Nine states are entered for limit 3: a guard of nine transitions lets the run finish,
    # a guard of eight stops it entering the ninth (the Succeed state).
    assert run(_counter_loop(3), {}, max_transitions=9).status == "SUCCEEDED"
    stopped = run(_counter_loop(3), {}, max_transitions=8)
    assert (stopped.status, stopped.error) == ("FAILED", "Emulator.TransitionLimitExceeded")
    assert "entering state 'Done'" in stopped.cause
    assert stopped.states_entered[-1] == "Check"
