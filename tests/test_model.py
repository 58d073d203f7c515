"""The ASL model: exact round trips, a property-style round trip, and path-named parse errors."""

from __future__ import annotations

import json
import random
from dataclasses import fields
from pathlib import Path

import pytest
from corpora import CORPORA, available

from workflow import model
from workflow.errors import InputError
from workflow.jsonio import dumps_canonical
from workflow.machines import MACHINES
from workflow.model.choice import OPERATORS, ChoiceRule
from workflow.model.codec import (
    ABSENT,
    INTEGER,
    JSON,
    NULLABLE_STRING,
    NUMBER,
    OBJECT,
    STRING,
    TRUE,
    Composite,
    ListOf,
    Nested,
    Scalar,
)
from workflow.model.states import STATES, TRANSITION

REPO = Path(__file__).resolve().parent.parent
ASL_FILES = sorted((REPO / "asl").glob("*.asl.json"))
CORPUS = CORPORA


@pytest.mark.parametrize("path", ASL_FILES, ids=lambda p: p.name)
def test_every_asl_file_round_trips_byte_for_byte(path):
    text = path.read_text(encoding="utf-8")
    machine = model.from_asl(json.loads(text), str(path))
    assert dumps_canonical(machine.to_asl()) == text


def test_asl_folder_is_not_empty():
    assert len(ASL_FILES) >= 2


@pytest.mark.parametrize("module", MACHINES, ids=lambda m: m.NAME)
def test_generated_machines_survive_to_asl_and_back(module):
    machine = module.build()
    assert model.from_asl(machine.to_asl()) == machine


def _corpus_definitions():
    cases = CORPUS / "aws-recorded" / "cases.jsonl"
    if not available(cases):
        return []
    out = []
    for line in cases.read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        out.append((case["id"], case["definition"]))
    return out


def test_every_definition_aws_ran_parses_and_round_trips_semantically():
    definitions = _corpus_definitions()
    if not definitions:
        pytest.skip(f"corpus not found at {CORPUS}")
    for case_id, definition in definitions:
        machine = model.from_asl(definition, case_id)
        # Same content (dict equality ignores key order; the corpus is not canonical).
        assert machine.to_asl() == definition, case_id
        assert model.from_asl(machine.to_asl()) == machine, case_id


def test_handwritten_definition_in_canonical_order_round_trips_with_key_order():
    text = json.dumps({
        "Comment": "hand written",
        "StartAt": "Decide",
        "States": {
            "Decide": {"Type": "Choice", "Choices": [
                {"And": [{"Variable": "$.a", "IsPresent": True},
                         {"Not": {"Variable": "$.a", "StringMatches": "x*"}}],
                 "Next": "Fan"}], "Default": "Stop"},
            "Fan": {"Type": "Parallel", "Branches": [
                {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1, "End": True}}}],
                "ResultPath": None, "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Stop"}],
                "Next": "Each"},
            "Each": {"Type": "Map", "ItemsPath": "$.items", "ItemProcessor": {
                "ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "P",
                "States": {"P": {"Type": "Pass", "End": True}}},
                "MaxConcurrency": 1, "End": True},
            "Stop": {"Type": "Fail", "Error": "E", "Cause": "C"},
        },
    }, indent=2) + "\n"
    assert dumps_canonical(model.from_asl(json.loads(text)).to_asl()) == text


# --- property style: random models built from the field tables ---------------------------

_ENUM_CANDIDATES = ("JSONPath", "JSONata", "FULL", "NONE", "INLINE", "DISTRIBUTED", "STANDARD",
                    "EXPRESS")


def _json_value(rng: random.Random, depth: int = 0):
    kind = rng.randrange(6 if depth < 2 else 4)
    if kind == 0:
        return rng.choice([None, True, False])
    if kind == 1:
        return rng.choice([0, 7, -3, 2.5])
    if kind in (2, 3):
        return rng.choice(["", "$.a", "x.$", "ünï"])
    if kind == 4:
        return [_json_value(rng, depth + 1) for _ in range(rng.randrange(3))]
    return {f"k{i}": _json_value(rng, depth + 1) for i in range(rng.randrange(3))}


def _condition(rng: random.Random, depth: int = 0):
    kind = rng.randrange(4 if depth < 2 else 1)
    if kind == 0:
        operator = rng.choice(sorted(OPERATORS))
        value = {"string": "s", "number": 3, "boolean": True, "timestamp": "2026-01-01T00:00:00Z",
                 "path": "$.b"}[OPERATORS[operator]]
        return model.Compare("$.a", operator, value)
    if kind == 1:
        return model.Not(_condition(rng, depth + 1))
    inner = tuple(_condition(rng, depth + 1) for _ in range(rng.randint(1, 3)))
    return model.And(inner) if kind == 2 else model.Or(inner)


def _value(codec, rng: random.Random, names: list[str]):
    if codec is STRING:
        return rng.choice(names)
    if codec is NULLABLE_STRING:
        return rng.choice([None, "$.x"])
    if codec is INTEGER:
        return rng.choice([0, 5, "{% $x %}"])
    if codec is NUMBER:
        return rng.choice([1, 2.5])
    if codec is JSON:
        return _json_value(rng)
    if codec is OBJECT:
        return {"v": _json_value(rng)}
    if codec is TRUE:
        return True
    if isinstance(codec, Scalar):  # one_of(...)
        return rng.choice([c for c in _ENUM_CANDIDATES if codec.accepts(c)])
    if codec is TRANSITION:
        return rng.choice([model.End(), model.Next(rng.choice(names))])
    if isinstance(codec, Composite):  # the choice condition
        return _condition(rng)
    if codec is STATES:
        return tuple(_state(rng, f"S{i}", names) for i in range(rng.randint(1, 3)))
    if isinstance(codec, ListOf):
        return tuple(_value(codec.item, rng, names) for _ in range(rng.randint(1, 2)))
    if isinstance(codec, Nested):
        return _object(codec.cls, rng, names)
    raise AssertionError(f"no generator for {codec!r}")


def _object(cls, rng: random.Random, names: list[str], **extra):
    kwargs = dict(extra)
    for f in fields(cls):
        spec = f.metadata.get("asl")
        if spec is None:
            continue
        if spec.required or rng.random() < 0.5:
            kwargs[f.name] = _value(spec.codec, rng, names)
    return cls(**kwargs)


def _state(rng: random.Random, name: str, names: list[str]):
    cls = rng.choice(list(model.STATE_TYPES.values()))
    return _object(cls, rng, names, name=name)


@pytest.mark.parametrize("seed", range(200))
def test_random_models_round_trip_through_json_text(seed):
    rng = random.Random(seed)
    machine = _object(model.StateMachine, rng, ["S0", "S1", "S2"])
    text = dumps_canonical(machine.to_asl())
    again = model.from_asl(json.loads(text))
    assert again == machine
    assert dumps_canonical(again.to_asl()) == text


def test_choice_rule_fields_come_from_the_table():
    rule = ChoiceRule(condition=model.Compare("$.a", "IsNull", True), next="X", comment="why")
    assert list(rule.to_asl()) == ["Comment", "Variable", "IsNull", "Next"]


def test_absent_differs_from_explicit_null():
    discard = model.Pass("P", result_path=None, transition=model.End())
    keep = model.Pass("P", transition=model.End())
    assert discard.to_asl() == {"Type": "Pass", "ResultPath": None, "End": True}
    assert keep.to_asl() == {"Type": "Pass", "End": True}
    assert keep.result_path is ABSENT


# --- malformed definitions: InputError naming the JSON path -------------------------------


def _machine(state: dict) -> dict:
    return {"StartAt": "A", "States": {"A": state}}


@pytest.mark.parametrize(("definition", "path", "words"), [
    ({"States": {"A": {"Type": "Succeed"}}}, "$", "StartAt"),
    (_machine({"Type": "Pass", "Nxt": "B"}), "$.States.A.Nxt", "unknown field"),
    (_machine({"Type": "Pass", "Next": "B", "End": True}), "$.States.A", "not both"),
    (_machine({"Type": "Pass"}), "$.States.A", "Next or"),
    (_machine({"Type": "Pass", "End": False}), "$.States.A.End", "true"),
    (_machine({"Type": "Pas", "End": True}), "$.States.A.Type", "unknown state type"),
    (_machine({"Type": "Task", "Resource": "r", "End": True,
               "Retry": [{"ErrorEquals": ["E"], "MaxAttempts": "3"}]}),
     "$.States.A.Retry[0].MaxAttempts", "integer"),
    (_machine({"Type": "Task", "Resource": "r", "End": True, "Catch": [{"ErrorEquals": []}]}),
     "$.States.A.Catch[0].ErrorEquals", "non-empty"),
    (_machine({"Type": "Choice", "Choices": [
        {"Variable": "$.a", "IsNull": True, "IsString": True, "Next": "A"}]}),
     "$.States.A.Choices[0]", "exactly one comparison operator"),
    (_machine({"Type": "Choice", "Choices": [
        {"Not": {"Variable": "$.a", "NumericEquals": "1"}, "Next": "A"}]}),
     "$.States.A.Choices[0].Not.NumericEquals", "number"),
    (_machine({"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "X", "States": {"X": {"Type": "Wait", "End": True, "Seconds": -1.5}}}]}),
     "$.States.A.Branches[0].States.X.Seconds", "integer"),
    (_machine({"Type": "Map", "End": True, "ItemProcessor": {
        "ProcessorConfig": {"Mode": "FAST"}, "StartAt": "X",
        "States": {"X": {"Type": "Succeed"}}}}),
     "$.States.A.ItemProcessor.ProcessorConfig.Mode", "one of"),
    ({"StartAt": "A", "States": {"odd name": []}}, "$.States['odd name']", "state object"),
])
def test_malformed_definitions_raise_input_error_at_the_path(definition, path, words):
    with pytest.raises(InputError) as caught:
        model.from_asl(definition, "def.json")
    assert caught.value.file == "def.json"
    assert caught.value.path == path
    assert words in caught.value.message
