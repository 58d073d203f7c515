"""The CDK-style builder: open ends, choice defaults, name uniqueness, States.ALL placement."""

from __future__ import annotations

import pytest

from workflow import model
from workflow.builder import (
    BuildError,
    Chain,
    Choice,
    Condition,
    Errors,
    Fail,
    Map,
    Parallel,
    Pass,
    StateMachine,
    Succeed,
    Task,
)


def _states(definition) -> dict:
    return StateMachine(definition).to_asl()["States"]


def test_chain_start_next_links_states_and_ends_the_last():
    states = _states(Chain.start(Pass("A")).next(Pass("B")).next(Succeed("C")))
    assert list(states) == ["A", "B", "C"]
    assert states["A"]["Next"] == "B"
    assert states["B"]["Next"] == "C"
    assert states["C"] == {"Type": "Succeed"}


def test_an_unfinished_chain_ends_with_end_true():
    assert _states(Chain.start(Pass("A")))["A"] == {"Type": "Pass", "End": True}


def test_next_after_a_choice_attaches_to_every_open_end():
    choice = Choice("Pick").when(Condition.is_present("$.x"), Pass("Yes")).otherwise(Pass("No"))
    states = _states(Chain.start(choice).next(Succeed("Done")))
    assert states["Yes"]["Next"] == "Done"
    assert states["No"]["Next"] == "Done"
    assert states["Pick"]["Choices"] == [{"Variable": "$.x", "IsPresent": True, "Next": "Yes"}]
    assert states["Pick"]["Default"] == "No"


def test_next_after_a_choice_without_otherwise_becomes_its_default():
    choice = Choice("Pick").when(Condition.string_equals("$.x", "a"), Fail("Bad", error="E"))
    states = _states(Chain.start(choice).next(Succeed("Done")))
    assert states["Pick"]["Default"] == "Done"


def test_a_choice_branch_that_already_ends_is_not_an_open_end():
    choice = Choice("Pick").when(Condition.is_string("$.x"), Fail("Bad", error="E"))
    choice.otherwise(Pass("Go"))
    states = _states(Chain.start(choice).next(Succeed("Done")))
    assert states["Go"]["Next"] == "Done"
    assert "Next" not in states["Bad"]


def test_a_terminal_state_refuses_next():
    with pytest.raises(BuildError, match="Succeed state and cannot have a Next"):
        Succeed("S").next(Pass("P"))


def test_a_state_cannot_continue_twice():
    a = Pass("A")
    a.next(Pass("B"))
    with pytest.raises(BuildError, match="A already continues with B"):
        a.next(Pass("C"))


def test_two_states_with_one_name_are_reported_with_both_locations():
    definition = Chain.start(Pass("Same")).next(Pass("Same"))
    with pytest.raises(BuildError) as caught:
        StateMachine(definition).build()
    message = str(caught.value)
    assert "duplicate state name 'Same'" in message
    assert "at $.States.Same and at $.States.Same" in message


def test_duplicate_names_across_parallel_branches_name_both_branches():
    parallel = Parallel("Fan").branch(Pass("Work"), Chain.start(Pass("Other")).next(Pass("Work")))
    with pytest.raises(BuildError) as caught:
        StateMachine(Chain.start(parallel).next(Succeed("Done"))).build()
    message = str(caught.value)
    assert "$.States.Fan.Branches[0].States.Work" in message
    assert "$.States.Fan.Branches[1].States.Work" in message


def test_a_branch_state_may_not_reuse_a_top_level_name():
    mapped = Map("Each", items_path="$.items").item_processor(Pass("Done"), mode="INLINE")
    with pytest.raises(BuildError, match=r"\$\.States\.Each\.ItemProcessor\.States\.Done"):
        StateMachine(Chain.start(mapped).next(Succeed("Done"))).build()


def test_map_and_parallel_build_nested_branches():
    mapped = Map("Each", items_path="$.items", max_concurrency=1)
    mapped.item_processor(Chain.start(Pass("One")).next(Pass("Two")), mode="INLINE")
    parallel = Parallel("Fan", result_path=None).branch(Succeed("Left"), Succeed("Right"))
    machine = StateMachine(Chain.start(mapped).next(parallel), comment="c").build()
    assert isinstance(machine, model.StateMachine)
    asl = machine.to_asl()
    assert asl["States"]["Each"]["ItemProcessor"] == {
        "ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "One",
        "States": {"One": {"Type": "Pass", "Next": "Two"}, "Two": {"Type": "Pass", "End": True}}}
    assert [b["StartAt"] for b in asl["States"]["Fan"]["Branches"]] == ["Left", "Right"]


def test_retries_and_catches_keep_their_order():
    handler = Fail("Handled", error="E")
    task = Task("T", resource="arn:aws:states:::lambda:invoke")
    task.add_retry(["A"], max_attempts=1).add_retry([Errors.ALL], max_attempts=2)
    task.add_catch(handler, [Errors.TIMEOUT]).add_catch(handler, [Errors.ALL], result_path="$.e")
    states = _states(task)
    assert [r["ErrorEquals"] for r in states["T"]["Retry"]] == [["A"], ["States.ALL"]]
    assert states["T"]["Catch"] == [
        {"ErrorEquals": ["States.Timeout"], "Next": "Handled"},
        {"ErrorEquals": ["States.ALL"], "ResultPath": "$.e", "Next": "Handled"}]


def test_states_all_must_be_alone_in_its_error_list():
    task = Task("T", resource="r")
    with pytest.raises(BuildError, match="must be alone"):
        task.add_retry([Errors.ALL, "Other"])
    with pytest.raises(BuildError, match="must be alone"):
        task.add_catch(Fail("F"), [Errors.TASK_FAILED, Errors.ALL])


def test_nothing_may_follow_the_states_all_retrier_or_catcher():
    task = Task("T", resource="r").add_retry([Errors.ALL]).add_catch(Fail("F"), [Errors.ALL])
    with pytest.raises(BuildError, match="must be last"):
        task.add_retry(["Late"])
    with pytest.raises(BuildError, match="must be last"):
        task.add_catch(Fail("G"), ["Late"])


def test_a_choice_needs_a_rule():
    with pytest.raises(BuildError, match="at least one rule"):
        StateMachine(Choice("Empty").otherwise(Succeed("S"))).build()


def test_unknown_choice_operator_is_refused():
    with pytest.raises(BuildError, match="unknown choice operator"):
        Condition.compare("$.a", "StringContains", "x")
